package certs

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"crypto/x509"

	"ccewiz/testpeer"
)

// TestPKCS12KeyStoreIsReadAsJava: a PKCS#12 store that holds a key entry
// (openssl's export, as a Windows admin makes one) and a trusted entry
// (keytool's import) opens; as in Java's TrustManager, the key entry's
// certificate and the trusted one are anchors — the JDK's own TLS client
// with that store agrees on both servers — and ccewiz refuses to write it
// back (that would lose the key), leaving the file as it was.
func TestPKCS12KeyStoreIsReadAsJava(t *testing.T) {
	testpeer.Need(t, "openssl", "keytool")
	dir := t.TempDir()
	self := testpeer.NewLeaf(t, "ece.example.com", nil)
	crt, key := self.WriteFiles(t, dir, "ece")
	store := filepath.Join(dir, "store.p12")
	if out, err := exec.Command("openssl", "pkcs12", "-export", "-in", crt, "-inkey", key, "-name", "ece", "-out", store, "-passout", "pass:changeit").CombinedOutput(); err != nil {
		t.Fatalf("openssl: %v\n%s", err, out)
	}
	root := testpeer.NewCA(t, "Key Store Test Root", nil)
	rootFile, _ := root.WriteFiles(t, dir, "root")
	testpeer.Keytool(t, "-importcert", "-noprompt", "-alias", "corp-root", "-file", rootFile, "-keystore", store, "-storepass", "changeit", "-storetype", "PKCS12")
	data, _ := os.ReadFile(store)
	ks, err := OpenKeystore(data, []byte("changeit"))
	if err != nil {
		t.Fatalf("a PKCS#12 store with a key entry: %v", err)
	}
	if _, err := OpenKeystore(data, []byte("wrong-password")); !errors.Is(err, ErrWrongPassword) {
		t.Errorf("a wrong password: %v", err)
	}
	signed := testpeer.NewLeaf(t, "ece.example.com", root)
	for _, c := range []struct {
		name string
		leaf *testpeer.Cert
	}{{"the key entry's own certificate", self}, {"a certificate of the trusted root", signed}} {
		addr := testpeer.ServeTLS(t, c.leaf)
		_, jerr := testpeer.JavaTLSConnect(t, store, "changeit", addr, "ece.example.com")
		if jerr != nil && !errors.Is(jerr, testpeer.ErrJavaRejected) {
			t.Fatal(jerr)
		}
		ours := JudgeServer([]*x509.Certificate{c.leaf.Cert}, ks.TrustedCerts(), "ece.example.com", HTTPSCheck, time.Now(), "ece.example.com")
		if (jerr == nil) != (ours == nil) {
			t.Errorf("%s: Java %v, ccewiz %v", c.name, jerr, ours)
		}
	}
	other := testpeer.NewLeaf(t, "chat.example.com", nil)
	if _, err := ImportFile(store, []byte("changeit"), []*x509.Certificate{other.Cert}, ImportOptions{}); !errors.Is(err, ErrUnsupported) {
		t.Errorf("an import into a key store: %v", err)
	}
	if now, _ := os.ReadFile(store); !bytes.Equal(now, data) {
		t.Error("the refused import changed the store")
	}
}
