//go:debug x509negativeserial=1

package certs

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"ccewiz/testpeer"
)

// opensslLeaf has openssl issue, with root's key, what Go will not sign: a
// SHA-1 signature, a negative serial number, a 1024-bit key.
func opensslLeaf(t *testing.T, root *testpeer.Cert, host string, bits, digest, serial string) tls.Certificate {
	t.Helper()
	testpeer.Need(t, "openssl")
	dir := t.TempDir()
	rc, rk := root.WriteFiles(t, dir, "root")
	key, csr, crt := filepath.Join(dir, "leaf.key"), filepath.Join(dir, "leaf.csr"), filepath.Join(dir, "leaf.crt")
	extf := filepath.Join(dir, "ext.cnf")
	os.WriteFile(extf, []byte("subjectAltName=DNS:"+host+"\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature,keyEncipherment\n"), 0o644)
	for _, args := range [][]string{
		{"req", "-new", "-newkey", "rsa:" + bits, "-nodes", "-keyout", key, "-out", csr, "-subj", "/CN=" + host},
		{"x509", "-req", "-in", csr, "-CA", rc, "-CAkey", rk, "-set_serial", serial, "-days", "30", "-" + digest, "-extfile", extf, "-out", crt},
	} {
		if out, err := exec.Command("openssl", args...).CombinedOutput(); err != nil {
			t.Fatalf("openssl %v: %v\n%s", args, err, out)
		}
	}
	tc, err := tls.LoadX509KeyPair(crt, key)
	if err != nil {
		t.Fatal(err)
	}
	return tc
}

// TestJudgeServerOnWhatGoRefuses: certificates crypto/x509 refuses (SHA-1
// by a private CA) or cannot read without x509negativeserial (a Samba DC's
// negative serial), and a 1024-bit key — Java accepts each; so must ccewiz.
func TestJudgeServerOnWhatGoRefuses(t *testing.T) {
	root := testpeer.NewCA(t, "Judge OpenSSL Root", nil)
	store := testpeer.KeytoolStore(t, filepath.Join(t.TempDir(), "trust.jks"), root)
	const h = "dc1.example.local"
	cases := []struct{ name, bits, digest, serial string }{
		{"SHA-1 by a private CA", "2048", "sha1", "4242"},
		{"negative serial", "2048", "sha256", "-12345"},
		{"RSA 1024", "1024", "sha256", "4343"},
	}
	for _, c := range cases {
		tc := opensslLeaf(t, root, h, c.bits, c.digest, c.serial)
		addr := testpeer.ServeTLSConfig(t, &tls.Config{Certificates: []tls.Certificate{tc}, MaxVersion: tls.VersionTLS12})
		_, jerr := testpeer.JavaTLSConnect(t, store, "changeit", addr, h)
		if jerr != nil && !errors.Is(jerr, testpeer.ErrJavaRejected) {
			t.Fatal(jerr)
		}
		leaf, err := x509.ParseCertificate(tc.Certificate[0])
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		ours := JudgeServer([]*x509.Certificate{leaf}, []*x509.Certificate{root.Cert}, h, HTTPSCheck, time.Now(), h)
		if (jerr == nil) != (ours == nil) {
			t.Errorf("%s: Java %v, ccewiz %v", c.name, jerr, ours)
		}
		t.Logf("%-24s java %-6s ccewiz %s", c.name, verdict(jerr == nil), verdict(ours == nil))
	}
}
