// LabJNDI searches a directory the way ECE's application server does:
// JNDI's LDAP provider with its defaults (referrals ignored), a simple bind,
// a subtree search. Prints "OK <dn>" per entry, or the exception and exits 1.
//
// Usage: java LabJNDI URL BIND_DN PASSWORD_FILE BASE FILTER
import javax.naming.Context;
import javax.naming.NamingEnumeration;
import javax.naming.directory.InitialDirContext;
import javax.naming.directory.SearchControls;
import javax.naming.directory.SearchResult;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Hashtable;

public class LabJNDI {
    public static void main(String[] a) throws Exception {
        Hashtable<String, String> env = new Hashtable<>();
        env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.ldap.LdapCtxFactory");
        env.put(Context.PROVIDER_URL, a[0]);
        env.put(Context.SECURITY_AUTHENTICATION, "simple");
        env.put(Context.SECURITY_PRINCIPAL, a[1]);
        env.put(Context.SECURITY_CREDENTIALS, new String(Files.readAllBytes(Paths.get(a[2]))).trim());
        env.put("com.sun.jndi.ldap.connect.timeout", "10000");
        env.put("com.sun.jndi.ldap.read.timeout", "10000");
        try {
            InitialDirContext ctx = new InitialDirContext(env);
            SearchControls sc = new SearchControls();
            sc.setSearchScope(SearchControls.SUBTREE_SCOPE);
            NamingEnumeration<SearchResult> res = ctx.search(a[3], a[4], sc);
            while (res.hasMore()) {
                System.out.println("OK " + res.next().getNameInNamespace());
            }
            ctx.close();
        } catch (Exception e) {
            System.out.println(e.toString());
            System.exit(1);
        }
    }
}
