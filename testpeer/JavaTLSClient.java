// JavaTLSClient is the real Java peer of ccewiz's tests: it makes the TLS
// handshake SPOG's Tomcat makes to ECE, with the JDK's default
// TrustManager and -Djavax.net.ssl.trustStore, so a test sees exactly
// Java's verdict ("PKIX path building failed ...") on a trust store.
//
// Usage: java JavaTLSClient HOST PORT [SERVER_NAME]
// Prints "OK <protocol> <subject of the peer's leaf>" and exits 0, or the
// exception chain and exits 1. With SERVER_NAME, it is sent as SNI and the
// host name is checked against the certificate (endpoint identification).
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import java.security.cert.X509Certificate;
import java.util.Collections;

public class JavaTLSClient {
    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        String name = args.length > 2 ? args[2] : "";
        SSLSocketFactory f = (SSLSocketFactory) SSLSocketFactory.getDefault();
        try (SSLSocket s = (SSLSocket) f.createSocket(host, port)) {
            s.setSoTimeout(10000);
            SSLParameters p = s.getSSLParameters();
            if (!name.isEmpty()) {
                p.setServerNames(Collections.singletonList(new SNIHostName(name)));
                p.setEndpointIdentificationAlgorithm("HTTPS");
            }
            s.setSSLParameters(p);
            s.startHandshake();
            X509Certificate leaf = (X509Certificate) s.getSession().getPeerCertificates()[0];
            System.out.println("OK " + s.getSession().getProtocol() + " " + leaf.getSubjectX500Principal().getName());
        } catch (Exception e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                System.out.println(t.toString());
            }
            System.exit(1);
        }
    }
}
