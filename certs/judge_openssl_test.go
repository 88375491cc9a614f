//go:debug x509negativeserial=1

package certs

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"ccewiz/testpeer"
)

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
		lc := testpeer.OpenSSLLeaf(t, root, testpeer.OpenSSLOptions{CN: h, DNS: []string{h}, Bits: c.bits, Digest: c.digest, Serial: c.serial})
		tc := tls.Certificate{Certificate: [][]byte{lc.DER}, PrivateKey: lc.Key}
		addr := testpeer.ServeTLSConfig(t, &tls.Config{Certificates: []tls.Certificate{tc}, MaxVersion: tls.VersionTLS12})
		_, jerr := testpeer.JavaTLSConnect(t, store, "changeit", addr, h)
		if jerr != nil && !errors.Is(jerr, testpeer.ErrJavaRejected) {
			t.Fatal(jerr)
		}
		ours := JudgeServer([]*x509.Certificate{lc.Cert}, []*x509.Certificate{root.Cert}, h, HTTPSCheck, time.Now(), h)
		if (jerr == nil) != (ours == nil) {
			t.Errorf("%s: Java %v, ccewiz %v", c.name, jerr, ours)
		}
		t.Logf("%-24s java %-6s ccewiz %s", c.name, verdict(jerr == nil), verdict(ours == nil))
	}
}
