package certs

import (
	"crypto/tls"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"ccewiz/testpeer"
)

// TestBuiltInProfileIsTheJDKs: the built-in Java 17 profile offers what
// the installed JDK 17's own java.security enables — read from the file as
// ccewiz reads the ADS's — so a drift in either shows here.
func TestBuiltInProfileIsTheJDKs(t *testing.T) {
	home := testpeer.JDKHome(t)
	if b, err := os.ReadFile(filepath.Join(home, "release")); err != nil || !strings.Contains(string(b), `JAVA_VERSION="17`) {
		t.Skipf("the installed JDK is not 17 (%s)", home)
	}
	p, err := ProfileFromJavaHome(home)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.Name, filepath.Join("conf", "security", "java.security")) {
		t.Errorf("the profile does not name its file: %q", p.Name)
	}
	b := Java17()
	if !slices.Equal(p.Versions(), b.Versions()) || !slices.Equal(p.Suites(), b.Suites()) {
		t.Errorf("the JDK's java.security enables versions %v suites %v; the built-in profile %v %v", p.Versions(), p.Suites(), b.Versions(), b.Suites())
	}
	if !slices.Equal(p.CertpathDisabled, b.CertpathDisabled) {
		t.Errorf("jdk.certpath.disabledAlgorithms: the JDK's %q, built in %q", p.CertpathDisabled, b.CertpathDisabled)
	}
}

// An edited java.security changes the verdict: TLS 1.0 enabled again
// (an ADS admin's workaround for an old IIS) lets the profile offer it.
func TestProfileFromAnEditedJavaSecurity(t *testing.T) {
	data := []byte("# edited\njdk.tls.disabledAlgorithms=SSLv3, RC4, \\\n    3DES_EDE_CBC\njdk.certpath.disabledAlgorithms=MD2, MD5, RSA keySize < 4096\n")
	p, err := ProfileFromJavaSecurity("java.security", data)
	if err != nil {
		t.Fatal(err)
	}
	if v := p.Versions(); v[0] != tls.VersionTLS10 {
		t.Errorf("TLSv1 no longer disabled, but the profile offers %v", v)
	}
	for _, id := range p.Suites() {
		if strings.Contains(tls.CipherSuiteName(id), "3DES") {
			t.Error("3DES is still disabled, but offered")
		}
	}
	leaf := testpeer.NewLeaf(t, "ece.example.com", nil)
	if err := p.certpathCheck(nil, leaf.Cert); err == nil || !strings.Contains(err.Error(), "RSA 2048 bit key") {
		t.Errorf("a 2048-bit anchor under RSA keySize < 4096: %v", err)
	}
	if err := Java17().certpathCheck(nil, leaf.Cert); err != nil {
		t.Errorf("the same under Java 17's defaults: %v", err)
	}
	if _, err := ProfileFromJavaSecurity("x", []byte("a=b\n")); err == nil {
		t.Error("a file without the properties was taken for a java.security")
	}
}
