import java.io.File;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

// JavaLayout parses a Finesse desktop layout with the JDK's DOM parser —
// a second parser beside ccewiz's — and prints every active gadget of
// every tab as "Role/tab<TAB>URL", in document order. Exit 1 with the
// exception when the XML is not well-formed.
public class JavaLayout {
    public static void main(String[] args) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        DocumentBuilder b = f.newDocumentBuilder();
        b.setErrorHandler(null);
        Element root;
        try {
            root = b.parse(new File(args[0])).getDocumentElement();
        } catch (Exception e) {
            System.out.println("ERR " + e);
            System.exit(1);
            return;
        }
        for (Element layout : children(root, "layout")) {
            String role = text(children(layout, "role"));
            for (Element tabs : children(layout, "tabs")) {
                for (Element tab : children(tabs, "tab")) {
                    String id = text(children(tab, "id"));
                    System.out.println(role + "/" + id + "\t");
                    for (Element cols : children(tab, "columns")) {
                        for (Element col : children(cols, "column")) {
                            for (Element gs : children(col, "gadgets")) {
                                for (Element g : children(gs, "gadget")) {
                                    System.out.println(role + "/" + id + "\t" + g.getTextContent().trim());
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    static java.util.List<Element> children(Element e, String name) {
        java.util.List<Element> out = new java.util.ArrayList<>();
        NodeList l = e.getChildNodes();
        for (int i = 0; i < l.getLength(); i++) {
            Node n = l.item(i);
            if (n instanceof Element && name.equals(n.getLocalName())) {
                out.add((Element) n);
            }
        }
        return out;
    }

    static String text(java.util.List<Element> es) {
        return es.isEmpty() ? "" : es.get(0).getTextContent().trim();
    }
}
