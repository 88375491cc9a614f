import java.io.FileInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.TreeSet;

// JavaProps loads a .properties file as a Java server does
// (Properties.load of an InputStream: ISO-8859-1 with \\u escapes) and prints
// each key and value, hex-encoded UTF-8, one "key value" pair per line,
// sorted. Exit 1 with the exception when Java refuses the file.
public class JavaProps {
    public static void main(String[] args) throws Exception {
        Properties p = new Properties();
        try (FileInputStream in = new FileInputStream(args[0])) {
            p.load(in);
        } catch (IllegalArgumentException e) {
            System.out.println("ERR " + e);
            System.exit(1);
        }
        for (String k : new TreeSet<>(p.stringPropertyNames())) {
            System.out.println(hex(k) + " " + hex(p.getProperty(k)));
        }
    }

    static String hex(String s) {
        StringBuilder b = new StringBuilder("x");
        for (byte c : s.getBytes(StandardCharsets.UTF_8)) {
            b.append(String.format("%02x", c));
        }
        return b.toString();
    }
}
