package ldapcfg

import (
	"crypto/x509"
	"errors"
	"strings"
	"testing"
	"time"

	"ccewiz/certs"
	"ccewiz/testpeer"
)

// TestVerifyChain: every way Java's TrustManager and JNDI's endpoint
// identification can refuse a DC, and what they accept, as plain language.
func TestVerifyChain(t *testing.T) {
	now := time.Now()
	ch := testpeer.NewChain(t, "dc1.example.local")
	expired := testpeer.NewLeaf(t, "dc1.example.local", ch.Intermediate, testpeer.Validity(now.AddDate(-2, 0, 0), now.AddDate(-1, 0, 0)))
	other := testpeer.NewCA(t, "Other CA", nil)
	cnOnly := testpeer.NewLeaf(t, "DC1.Example.Local", ch.Intermediate, testpeer.DNS())
	wild := testpeer.NewLeaf(t, "dc.example.local", ch.Intermediate, testpeer.DNS("dc1.*.local", "*.example.local"))
	pool := func(cs ...*testpeer.Cert) []*x509.Certificate {
		var p []*x509.Certificate
		for _, c := range cs {
			p = append(p, c.Cert)
		}
		return p
	}
	pkix := func(validation bool) func(error) bool {
		return func(err error) bool {
			var pe *certs.PKIXError
			return errors.As(err, &pe) && pe.Validation == validation
		}
	}
	hostname := func(err error) bool { var he *certs.HostnameError; return errors.As(err, &he) }
	tests := []struct {
		name  string
		chain []*x509.Certificate
		host  string
		roots []*x509.Certificate
		frag  string // "" = trusted
		is    func(error) bool
	}{
		{"issuing CA in the keystore", []*x509.Certificate{ch.Leaf.Cert, ch.Intermediate.Cert}, "dc1.example.local", pool(ch.Intermediate), "", nil},
		{"root in the keystore", []*x509.Certificate{ch.Leaf.Cert, ch.Intermediate.Cert}, "DC1.example.local", pool(ch.Root), "", nil},
		{"the DC's own certificate in the keystore", []*x509.Certificate{ch.Leaf.Cert}, "dc1.example.local", pool(ch.Leaf), "", nil},
		{"unknown CA", []*x509.Certificate{ch.Leaf.Cert, ch.Intermediate.Cert}, "dc1.example.local", pool(other), "PKIX path building failed", pkix(false)},
		{"root trusted but the DC does not send its issuing CA", []*x509.Certificate{ch.Leaf.Cert}, "dc1.example.local", pool(ch.Root), "is not trusted", nil},
		{"name mismatch", []*x509.Certificate{ch.Leaf.Cert}, "10.0.0.5", pool(ch.Leaf), "not for 10.0.0.5", hostname},
		// Java's LDAP rules, where Go's verifier differs: a CN-only DC
		// certificate matches by its CN, in any case; a wildcard stands only
		// in the leftmost label.
		{"CN-only certificate, name in another case", []*x509.Certificate{cnOnly.Cert, ch.Intermediate.Cert}, "dc1.example.local", pool(ch.Intermediate), "", nil},
		{"CN-only certificate, other name", []*x509.Certificate{cnOnly.Cert, ch.Intermediate.Cert}, "dc2.example.local", pool(ch.Intermediate), "issued for DC1.Example.Local", hostname},
		{"leftmost wildcard", []*x509.Certificate{wild.Cert, ch.Intermediate.Cert}, "dc7.example.local", pool(ch.Intermediate), "", nil},
		{"wildcard in a middle label (HTTPS only)", []*x509.Certificate{wild.Cert, ch.Intermediate.Cert}, "dc1.corp.local", pool(ch.Intermediate), "not for dc1.corp.local", hostname},
		{"expired", []*x509.Certificate{expired.Cert, ch.Intermediate.Cert}, "dc1.example.local", pool(ch.Intermediate), "outside its validity", pkix(true)},
		{"no keystore", []*x509.Certificate{ch.Leaf.Cert}, "dc1.example.local", nil, "no keystore", nil},
		{"no certificate", nil, "dc1.example.local", pool(ch.Root), "sent no certificate", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			te := verifyChain(tt.chain, tt.host, tt.roots, nil, now, "keystore mydomain.jks")
			if tt.frag == "" {
				if te != nil {
					t.Fatalf("not trusted: %v", te)
				}
				return
			}
			if te == nil || !strings.Contains(te.Error(), tt.frag) || te.Fix == "" {
				t.Fatalf("got %v (fix %q), want a TrustError containing %q", te, te.Fix, tt.frag)
			}
			if tt.is != nil && !tt.is(te) {
				t.Fatalf("%v does not unwrap to the expected judge error (%T)", te, te.Err)
			}
		})
	}
}
