import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Hashtable;
import javax.naming.Context;
import javax.naming.NamingEnumeration;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;
import javax.naming.directory.SearchControls;
import javax.naming.directory.SearchResult;

// ECEJNDI does what ECE's partition administrator lookup does with the
// Partition Administration Configuration: JNDI simple bind over the LDAP URL,
// trusting the keystore named by -Djavax.net.ssl.trustStore (no password, as
// ECE opens it), then a subtree search from the Base with the default
// referral handling ("ignore"), which throws PartialResultException on a
// continuation reference.
//
// Usage: java ECEJNDI URL BIND_DN PASSWORD_FILE BASE FILTER
public class ECEJNDI {
    public static void main(String[] a) throws Exception {
        Hashtable<String, String> env = new Hashtable<>();
        env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.ldap.LdapCtxFactory");
        env.put(Context.PROVIDER_URL, a[0]);
        env.put(Context.SECURITY_AUTHENTICATION, "simple");
        env.put(Context.SECURITY_PRINCIPAL, a[1]);
        env.put(Context.SECURITY_CREDENTIALS, new String(Files.readAllBytes(Paths.get(a[2])), "UTF-8").trim());
        env.put("com.sun.jndi.ldap.connect.timeout", "5000");
        env.put("com.sun.jndi.ldap.read.timeout", "5000");
        try {
            DirContext ctx = new InitialDirContext(env);
            SearchControls sc = new SearchControls();
            sc.setSearchScope(SearchControls.SUBTREE_SCOPE);
            NamingEnumeration<SearchResult> r = ctx.search(a[3], a[4], sc);
            String dn = null;
            while (r.hasMore()) {
                dn = r.next().getNameInNamespace();
            }
            System.out.println(dn == null ? "NOTFOUND" : "OK " + dn);
        } catch (Exception e) {
            System.out.println("ERR " + e);
            for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
                System.out.println("CAUSE " + c);
            }
            System.exit(1);
        }
    }
}
