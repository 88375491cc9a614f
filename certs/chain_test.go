package certs

import (
	"crypto/x509"
	"errors"
	"strings"
	"testing"
	"time"

	"ccewiz/testpeer"
)

func TestCompleteOrdersAnyOrder(t *testing.T) {
	ch := testpeer.NewChain(t, "ece.example.com")
	stranger := testpeer.NewCA(t, "Unrelated CA", nil)
	given := []*x509.Certificate{ch.Root.Cert, stranger.Cert, ch.Intermediate.Cert, ch.Leaf.Cert}
	c, err := Complete(ch.Leaf.Key, given)
	if err != nil {
		t.Fatal(err)
	}
	got := c.Certs()
	if len(got) != 3 || got[0] != ch.Leaf.Cert || got[1] != ch.Intermediate.Cert || got[2] != ch.Root.Cert {
		t.Fatalf("order %v", subjects(got))
	}
	if len(c.Extra) != 1 || c.Extra[0] != stranger.Cert || c.MissingIssuer != "" {
		t.Fatalf("extra %v missing %q", subjects(c.Extra), c.MissingIssuer)
	}
	fs := Assess(c, AssessOptions{Name: "ece.example.com", Anchors: []*x509.Certificate{ch.Root.Cert}})
	if Worst(fs) != SevInfo || !Has(fs, CodeExtraCerts) {
		t.Fatalf("findings %v", fs)
	}
	// The key of another request matches nothing.
	other := testpeer.NewLeaf(t, "other.example.com", nil)
	if _, err := Complete(other.Key, given); !errors.Is(err, ErrKeyMismatch) || !strings.Contains(err.Error(), "4 certificate(s)") {
		t.Fatalf("wrong key: %v", err)
	}
}

func TestPickLeaf(t *testing.T) {
	ch := testpeer.NewChain(t, "ece.example.com")
	if got := PickLeaf([]*x509.Certificate{ch.Root.Cert, ch.Intermediate.Cert, ch.Leaf.Cert}); got != ch.Leaf.Cert {
		t.Fatalf("PickLeaf = %s", got.Subject)
	}
	if PickLeaf(nil) != nil {
		t.Fatal("PickLeaf(nil) != nil")
	}
}

// TestAssess: each defect of a certificate is its own finding with its own code.
func TestAssess(t *testing.T) {
	now := time.Now()
	ch := testpeer.NewChain(t, "ece.example.com")
	roots := []*x509.Certificate{ch.Root.Cert}
	inter := ch.Intermediate
	otherRoots := []*x509.Certificate{testpeer.NewCA(t, "Other Root", nil).Cert}
	selfSigned := testpeer.NewLeaf(t, "ece.example.com", nil)
	constrained := testpeer.NewCA(t, "Constrained CA", ch.Root, func(c *x509.Certificate) { c.ExcludedDNSDomains = []string{"example.com"} })
	mk := func(leaf *testpeer.Cert, with ...*testpeer.Cert) *Chain {
		var pool []*x509.Certificate
		for _, w := range with {
			pool = append(pool, w.Cert)
		}
		return BuildChain(leaf.Cert, pool)
	}
	cases := []struct {
		name  string
		chain *Chain
		o     AssessOptions
		want  Code
		sev   Severity
	}{
		{"good", mk(ch.Leaf, inter, ch.Root), AssessOptions{Name: "ece.example.com", Anchors: roots}, "", ""},
		{"good, root not sent (live)", mk(ch.Leaf, inter), AssessOptions{Name: "ece.example.com", Anchors: roots, Live: true}, "", ""},
		{"wrong name", mk(ch.Leaf, inter, ch.Root), AssessOptions{Name: "chat.example.com", Anchors: roots}, CodeNameMismatch, SevError},
		{"expired", mk(testpeer.NewLeaf(t, "ece.example.com", inter, testpeer.Validity(now.AddDate(-2, 0, 0), now.AddDate(0, 0, -3))), inter),
			AssessOptions{Name: "ece.example.com", Anchors: roots}, CodeExpired, SevError},
		{"not yet valid", mk(testpeer.NewLeaf(t, "ece.example.com", inter, testpeer.Validity(now.AddDate(0, 0, 2), now.AddDate(1, 0, 0))), inter),
			AssessOptions{Name: "ece.example.com", Anchors: roots}, CodeNotYetValid, SevError},
		{"expires in 10 days", mk(testpeer.NewLeaf(t, "ece.example.com", inter, testpeer.Validity(now.AddDate(-1, 0, 0), now.AddDate(0, 0, 10))), inter),
			AssessOptions{Name: "ece.example.com", Anchors: roots}, CodeExpiresSoon, SevWarn},
		{"CN not in SAN", mk(testpeer.NewLeaf(t, "ece.example.com", inter, testpeer.DNS("chat.example.com")), inter),
			AssessOptions{Anchors: roots}, CodeCNNotInSAN, SevWarn},
		{"client certificate", mk(testpeer.NewLeaf(t, "ece.example.com", inter, func(c *x509.Certificate) { c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth} }), inter),
			AssessOptions{Anchors: roots}, CodeNoServerAuth, SevError},
		{"self-signed", mk(testpeer.NewLeaf(t, "ece.example.com", nil)), AssessOptions{Name: "ece.example.com"}, CodeSelfSigned, SevInfo},
		{"intermediate missing (files)", mk(ch.Leaf), AssessOptions{Name: "ece.example.com", Anchors: roots}, CodeIncompleteChain, SevWarn},
		{"intermediate missing (live)", mk(ch.Leaf), AssessOptions{Name: "ece.example.com", Anchors: roots, Live: true}, CodeIncompleteChain, SevError},
		{"root not in the given store", mk(ch.Leaf, inter, ch.Root), AssessOptions{Name: "ece.example.com", Anchors: otherRoots}, CodeUntrusted, SevError},
		{"self-signed, not in the given store", mk(selfSigned), AssessOptions{Name: "ece.example.com", Anchors: otherRoots}, CodeUntrusted, SevError},
		{"self-signed, in the given store", mk(selfSigned), AssessOptions{Name: "ece.example.com", Anchors: []*x509.Certificate{selfSigned.Cert}}, "", ""},
		{"CN only, other case (Java matches it)", mk(testpeer.NewLeaf(t, "ECE.Example.com", inter, testpeer.DNS()), inter),
			AssessOptions{Name: "ece.example.com", Anchors: roots}, "", ""},
		{"keyEncipherment only", mk(testpeer.NewLeaf(t, "ece.example.com", inter, func(c *x509.Certificate) { c.KeyUsage = x509.KeyUsageKeyEncipherment }), inter),
			AssessOptions{Name: "ece.example.com", Anchors: roots}, CodeNoServerAuth, SevError},
		{"intermediate excluded by name constraints", mk(testpeer.NewLeaf(t, "ece.example.com", constrained), constrained),
			AssessOptions{Name: "ece.example.com", Anchors: roots}, CodeBadChain, SevError},
		{"private root, system roots", mk(ch.Leaf, inter, ch.Root), AssessOptions{Name: "ece.example.com"}, CodeUntrusted, SevInfo},
		{"wrong issuer certificate", BuildChain(ch.Leaf.Cert, []*x509.Certificate{testpeer.NewCA(t, "ccewiz Test Issuing CA", ch.Root).Cert}),
			AssessOptions{Anchors: roots}, CodeBadChain, SevError},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.o
			o.Now = now
			fs := Assess(tc.chain, o)
			if tc.want == "" {
				if len(fs) != 0 {
					t.Fatalf("want no findings, got %v", fs)
				}
				return
			}
			for _, f := range fs {
				if f.Code == tc.want {
					if f.Severity != tc.sev || f.Message == "" || (f.Severity != SevInfo && f.Fix == "") {
						t.Fatalf("finding %+v: want severity %s with message and fix", f, tc.sev)
					}
					return
				}
			}
			t.Fatalf("want %s, got %v", tc.want, fs)
		})
	}
}

func subjects(cs []*x509.Certificate) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Subject.CommonName)
	}
	return out
}
