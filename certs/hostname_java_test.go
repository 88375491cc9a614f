package certs

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"crypto/x509"

	"ccewiz/testpeer"
)

// TestJavaHostnameAgreesWithJava serves each certificate on 127.0.0.1
// and asks the JDK's own TLS client, with HTTPS endpoint identification
// and the name as SNI, whether it accepts it; JavaHostname must say the
// same. The table is printed in the log.
func TestJavaHostnameAgreesWithJava(t *testing.T) {
	root := testpeer.NewCA(t, "Hostname Test Root", nil)
	store := testpeer.KeytoolStore(t, filepath.Join(t.TempDir(), "trust.jks"), root)
	twoCNs := func(c *x509.Certificate) {
		c.Subject = pkix.Name{ExtraNames: []pkix.AttributeTypeAndValue{
			{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: "other.example.com"},
			{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: "dc1.example.local"}}}
	}
	cases := []struct {
		name string
		cn   string
		opts []testpeer.Opt
		host string
	}{
		{"SAN exact", "ece.example.com", nil, "ece.example.com"},
		{"SAN other case", "ece.example.com", nil, "ECE.Example.COM"},
		{"SAN mismatch", "ece.example.com", nil, "chat.example.com"},
		{"CN only", "DC1.example.local", []testpeer.Opt{testpeer.DNS()}, "dc1.example.local"},
		{"CN only, mismatch", "dc1.example.local", []testpeer.Opt{testpeer.DNS()}, "dc2.example.local"},
		{"SAN present, CN ignored", "dc1.example.local", []testpeer.Opt{testpeer.DNS("other.example.local")}, "dc1.example.local"},
		{"wildcard", "web", []testpeer.Opt{testpeer.DNS("*.example.com")}, "ece.example.com"},
		{"wildcard, two labels", "web", []testpeer.Opt{testpeer.DNS("*.example.com")}, "a.b.example.com"},
		{"wildcard, bare domain", "web", []testpeer.Opt{testpeer.DNS("*.example.com")}, "example.com"},
		{"partial wildcard", "web", []testpeer.Opt{testpeer.DNS("e*.example.com")}, "ece.example.com"},
		{"partial wildcard, mismatch", "web", []testpeer.Opt{testpeer.DNS("f*.example.com")}, "ece.example.com"},
		{"wildcard not leftmost", "web", []testpeer.Opt{testpeer.DNS("ece.*.com")}, "ece.example.com"},
		{"wildcard over a TLD", "web", []testpeer.Opt{testpeer.DNS("*.com")}, "example.com"},
		{"wildcard, no dot after", "web", []testpeer.Opt{testpeer.DNS("example.*")}, "example.com"},
		{"two wildcards", "web", []testpeer.Opt{testpeer.DNS("*.*.com")}, "ece.example.com"},
		{"CN wildcard, no SAN", "*.example.com", []testpeer.Opt{testpeer.DNS()}, "ece.example.com"},
		{"most specific CN", "", []testpeer.Opt{testpeer.DNS(), twoCNs}, "dc1.example.local"},
		{"not the first CN", "", []testpeer.Opt{testpeer.DNS(), twoCNs}, "other.example.com"},
	}
	agree := 0
	var table strings.Builder
	for _, c := range cases {
		leaf := testpeer.NewLeaf(t, c.cn, root, c.opts...)
		addr := testpeer.ServeTLS(t, leaf)
		_, jerr := testpeer.JavaTLSConnect(t, store, "changeit", addr, c.host)
		if jerr != nil && !errors.Is(jerr, testpeer.ErrJavaRejected) {
			t.Fatal(jerr)
		}
		ours := JavaHostname(leaf.Cert, c.host, HTTPSCheck)
		java := jerr == nil
		fmt.Fprintf(&table, "  %-28s %-20s java %-6v ccewiz %-6v\n", c.name, c.host, verdict(java), verdict(ours == nil))
		if java != (ours == nil) {
			t.Errorf("%s: Java %s (%v), ccewiz %s (%v)", c.name, verdict(java), jerr, verdict(ours == nil), ours)
			continue
		}
		if !java && !strings.Contains(jerr.Error(), "CertificateException") && !strings.Contains(jerr.Error(), "No ") {
			t.Logf("%s: Java refused for another reason: %v", c.name, jerr)
		}
		agree++
	}
	t.Logf("host names, %d cases, %d agree with Java:\n%s", len(cases), agree, table.String())
}

func verdict(ok bool) string {
	if ok {
		return "accept"
	}
	return "refuse"
}

// LDAPS (JNDI) keeps the wildcard to the leftmost label, as Java's
// matchLeftmostWildcard does; HTTPS lets it stand anywhere.
func TestJavaHostnameLDAPSRules(t *testing.T) {
	cases := []struct {
		template, host string
		https, ldaps   bool
	}{
		{"*.example.local", "dc1.example.local", true, true},
		{"dc*.example.local", "dc1.example.local", true, true},
		{"dc1.*.local", "dc1.example.local", true, false},
		{"*.*.local", "dc1.example.local", true, false},
		{"*.example.local", "a.dc1.example.local", false, false},
		{"DC1.Example.Local", "dc1.example.local", true, true},
	}
	for _, c := range cases {
		leaf := &x509.Certificate{DNSNames: []string{c.template}}
		if got := JavaHostname(leaf, c.host, HTTPSCheck) == nil; got != c.https {
			t.Errorf("HTTPS %s for %s: %v, want %v", c.template, c.host, got, c.https)
		}
		if got := JavaHostname(leaf, c.host, LDAPSCheck) == nil; got != c.ldaps {
			t.Errorf("LDAPS %s for %s: %v, want %v", c.template, c.host, got, c.ldaps)
		}
	}
}
