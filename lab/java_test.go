package lab

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ccewiz/certs"
	"ccewiz/testpeer"
)

// trustStore writes a JKS holding only the certificates given.
func trustStore(t *testing.T, cs ...*x509.Certificate) string {
	t.Helper()
	ks := certs.NewKeystore(certs.JKS)
	for i, c := range cs {
		if _, err := ks.AddTrusted("lab"+string(rune('a'+i)), c, false); err != nil {
			t.Fatal(err)
		}
	}
	b, err := ks.Marshal([]byte("changeit"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "trust.jks")
	os.WriteFile(path, b, 0o644)
	return path
}

// TestJavaAgainstWebServer: the JDK's TLS client (SPOG's side) connects
// without SNI; with "Require Server Name Indication" IIS — and the lab —
// drop it, with SNI it gets through.
func TestJavaAgainstWebServer(t *testing.T) {
	plain := startLab(t, Options{})
	sni := startLab(t, Options{SNIRequired: true})
	leaf := testpeer.NewLeaf(t, ECEFQDN, nil)
	for _, l := range []*Lab{plain, sni} {
		os.WriteFile(l.KeyFile, leaf.KeyPEM(), 0o600)
		os.WriteFile(l.CertFile, leaf.PEM(), 0o644)
	}
	ts := trustStore(t, leaf.Cert)
	cases := []struct {
		name   string
		lab    *Lab
		sni    string
		wantOK bool
	}{
		{"no SNI, binding without SNI", plain, "", true},
		{"no SNI, Require SNI", sni, "", false},
		{"SNI, Require SNI", sni, ECEFQDN, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := testpeer.JavaTLSConnect(t, ts, "changeit", c.lab.WebAddr, c.sni)
			if c.wantOK != (err == nil) {
				t.Fatalf("java: %v\n%s", err, out)
			}
			if !c.wantOK && !strings.Contains(out, "reset") && !strings.Contains(out, "terminated") && !strings.Contains(out, "closed") {
				t.Errorf("java failed, but not with a reset:\n%s", out)
			}
		})
	}
}

// TestJNDIReferrals: ECE's JNDI search at the domain root fails with
// PartialResultException on the DC port and succeeds on the Global Catalog.
func TestJNDIReferrals(t *testing.T) {
	l := startLab(t, Options{})
	ts := trustStore(t, l.CACert)
	filter := "(userPrincipalName=jdoe@example.local)"
	cases := []struct {
		name string
		url  string
		want string
	}{
		{"DC 389", "ldap://" + l.DCAddr, "javax.naming.PartialResultException: Unprocessed Continuation Reference(s)"},
		{"DC 636", "ldaps://" + l.DCTLSAddr, "javax.naming.PartialResultException: Unprocessed Continuation Reference(s)"},
		{"GC 3269", "ldaps://" + l.GCAddr, "OK CN=John Doe,CN=Users,DC=example,DC=local"},
		{"GC 3268", "ldap://" + l.GCPlainAddr, "OK CN=John Doe,CN=Users,DC=example,DC=local"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := testpeer.JNDISearch(t, c.url, ServiceAccount, filepath.Join(l.Dir, "secrets", "ldap-password"), domainDN, filter,
				"-Djavax.net.ssl.trustStore="+ts, "-Djavax.net.ssl.trustStorePassword=changeit",
				// The lab is dialled by IP; the name check is the Go tests' job.
				"-Dcom.sun.jndi.ldap.object.disableEndpointIdentification=true")
			if !strings.Contains(out, c.want) {
				t.Errorf("JNDI said:\n%s\nwant %q", out, c.want)
			}
		})
	}
}
