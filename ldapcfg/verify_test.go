package ldapcfg

import (
	"crypto/x509"
	"errors"
	"strings"
	"testing"
	"time"

	"ccewiz/testpeer"
)

// TestVerifyChain: every way Java's TrustManager and JNDI's endpoint
// identification can refuse a DC, and what they accept, as plain language.
func TestVerifyChain(t *testing.T) {
	now := time.Now()
	ch := testpeer.NewChain(t, "dc1.example.local")
	expired := testpeer.NewLeaf(t, "dc1.example.local", ch.Intermediate, testpeer.Validity(now.AddDate(-2, 0, 0), now.AddDate(-1, 0, 0)))
	other := testpeer.NewCA(t, "Other CA", nil)
	pool := func(cs ...*testpeer.Cert) *x509.CertPool {
		p := x509.NewCertPool()
		for _, c := range cs {
			p.AddCert(c.Cert)
		}
		return p
	}
	tests := []struct {
		name  string
		chain []*x509.Certificate
		host  string
		roots *x509.CertPool
		frag  string // "" = trusted
		is    func(error) bool
	}{
		{"issuing CA in the keystore", []*x509.Certificate{ch.Leaf.Cert, ch.Intermediate.Cert}, "dc1.example.local", pool(ch.Intermediate), "", nil},
		{"root in the keystore", []*x509.Certificate{ch.Leaf.Cert, ch.Intermediate.Cert}, "DC1.example.local", pool(ch.Root), "", nil},
		{"the DC's own certificate in the keystore", []*x509.Certificate{ch.Leaf.Cert}, "dc1.example.local", pool(ch.Leaf), "", nil},
		{"unknown CA", []*x509.Certificate{ch.Leaf.Cert, ch.Intermediate.Cert}, "dc1.example.local", pool(other), "PKIX path building failed",
			func(err error) bool { var ua x509.UnknownAuthorityError; return errors.As(err, &ua) }},
		{"root trusted but the DC does not send its issuing CA", []*x509.Certificate{ch.Leaf.Cert}, "dc1.example.local", pool(ch.Root), "is not trusted", nil},
		{"name mismatch", []*x509.Certificate{ch.Leaf.Cert}, "10.0.0.5", pool(ch.Leaf), "not for 10.0.0.5",
			func(err error) bool { var he x509.HostnameError; return errors.As(err, &he) }},
		{"expired", []*x509.Certificate{expired.Cert, ch.Intermediate.Cert}, "dc1.example.local", pool(ch.Intermediate), "outside its validity",
			func(err error) bool {
				var ci x509.CertificateInvalidError
				return errors.As(err, &ci) && ci.Reason == x509.Expired
			}},
		{"no keystore", []*x509.Certificate{ch.Leaf.Cert}, "dc1.example.local", nil, "no keystore", nil},
		{"no certificate", nil, "dc1.example.local", pool(ch.Root), "sent no certificate", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			te := verifyChain(tt.chain, tt.host, tt.roots, now, "keystore mydomain.jks")
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
				t.Fatalf("%v does not unwrap to the expected x509 error (%T)", te, te.Err)
			}
		})
	}
}
