package certs

import (
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ccewiz/testpeer"
)

// Java's own TLS client, with a store before and after ccewiz imported
// into it, refuses and then accepts the server — and JavaTrusts predicts
// the same verdict offline in every case.
func TestJavaAgreesWithJavaTrusts(t *testing.T) {
	ss := testpeer.NewLeaf(t, "ece.example.com", nil)
	ch := testpeer.NewChain(t, "ece.example.com")
	now := time.Now()
	expired := testpeer.NewLeaf(t, "ece.example.com", ch.Intermediate, testpeer.Validity(now.AddDate(-2, 0, 0), now.AddDate(-1, 0, 0)))
	expiredDirect := testpeer.NewLeaf(t, "ece.example.com", ch.Root, testpeer.Validity(now.AddDate(-2, 0, 0), now.AddDate(-1, 0, 0)))
	unrelated := testpeer.NewCA(t, "Unrelated Root", nil)
	oldRoot := testpeer.NewCA(t, "Expired Root", nil, testpeer.Validity(now.AddDate(-10, 0, 0), now.AddDate(0, 0, -1)))
	oldInter := testpeer.NewCA(t, "Issuing CA under an expired root", oldRoot)
	oldLeaf := testpeer.NewLeaf(t, "ece.example.com", oldInter)

	cases := []struct {
		name    string
		kind    Kind
		served  []*testpeer.Cert // leaf first, as IIS sends it
		import_ []*testpeer.Cert
		opts    ImportOptions
		wantOK  bool
		wantIn  string // in Java's output and in ccewiz's error
	}{
		{"self-signed, not imported", JKS, []*testpeer.Cert{ss}, nil, ImportOptions{}, false, "PKIX path building failed"},
		{"self-signed, imported under the FQDN", JKS, []*testpeer.Cert{ss}, []*testpeer.Cert{ss}, ImportOptions{FQDN: "ece.example.com"}, true, ""},
		{"CA chain, not imported", PKCS12, []*testpeer.Cert{ch.Leaf, ch.Intermediate}, nil, ImportOptions{}, false, "PKIX path building failed"},
		{"CA chain, root and intermediate imported", PKCS12, []*testpeer.Cert{ch.Leaf, ch.Intermediate}, []*testpeer.Cert{ch.Leaf, ch.Intermediate, ch.Root}, ImportOptions{}, true, ""},
		{"CA chain, root only imported", JKS, []*testpeer.Cert{ch.Leaf, ch.Intermediate}, []*testpeer.Cert{ch.Root}, ImportOptions{CA: true}, true, ""},
		{"expired leaf, root trusted, nothing else sent", JKS, []*testpeer.Cert{expiredDirect}, []*testpeer.Cert{ch.Root}, ImportOptions{CA: true}, false, "validity check failed"},
		// Java never checks a trust anchor's own dates.
		{"expired root as the anchor", PKCS12, []*testpeer.Cert{oldLeaf, oldInter}, []*testpeer.Cert{oldRoot}, ImportOptions{CA: true}, true, ""},
		{"expired leaf under trusted CAs", JKS, []*testpeer.Cert{expired, ch.Intermediate}, []*testpeer.Cert{ch.Root, ch.Intermediate}, ImportOptions{CA: true}, false, "validity check failed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // each case starts JVMs: let them overlap
			// Java refuses an empty trust store with an unrelated message; a
			// real cacerts is never empty, so start from one unrelated CA.
			ks := NewKeystore(tc.kind)
			ks.AddTrusted("unrelated", unrelated.Cert, false)
			data, err := ks.Marshal([]byte("changeit"))
			if err != nil {
				t.Fatal(err)
			}
			store := filepath.Join(t.TempDir(), "cacerts")
			os.WriteFile(store, data, 0o644)
			if len(tc.import_) > 0 {
				var list []*x509.Certificate
				for _, c := range tc.import_ {
					list = append(list, c.Cert)
				}
				if _, err := ImportFile(store, []byte("changeit"), list, tc.opts); err != nil {
					t.Fatal(err)
				}
			}
			addr := testpeer.ServeTLS(t, tc.served[0], tc.served[1:]...)
			out, javaErr := testpeer.JavaTLSConnect(t, store, "changeit", addr, "")
			if (javaErr == nil) != tc.wantOK {
				t.Fatalf("Java: err=%v, want ok=%v\n%s", javaErr, tc.wantOK, out)
			}
			if javaErr != nil && !errors.Is(javaErr, testpeer.ErrJavaRejected) {
				t.Fatal(javaErr)
			}
			if tc.wantIn != "" && !strings.Contains(out, tc.wantIn) {
				t.Fatalf("Java's output lacks %q:\n%s", tc.wantIn, out)
			}

			b, _ := os.ReadFile(store)
			after, err := OpenKeystore(b, []byte("changeit"))
			if err != nil {
				t.Fatal(err)
			}
			var chain []*x509.Certificate
			for _, c := range tc.served {
				chain = append(chain, c.Cert)
			}
			verdict := after.JavaTrusts(chain, time.Now(), "ece.example.com")
			if (verdict == nil) != tc.wantOK {
				t.Fatalf("JavaTrusts = %v, Java said ok=%v", verdict, tc.wantOK)
			}
			if verdict != nil {
				if !errors.Is(verdict, ErrPKIX) || !strings.Contains(verdict.Error(), tc.wantIn) {
					t.Fatalf("JavaTrusts error %q lacks %q", verdict, tc.wantIn)
				}
			}
		})
	}
}

// The failure names what to import and under which alias, per the seed.
func TestJavaTrustsSuggestsTheFix(t *testing.T) {
	ss := testpeer.NewLeaf(t, "ece.example.com", nil)
	ch := testpeer.NewChain(t, "ece.example.com")
	now := time.Now()
	cases := []struct {
		name    string
		chain   []*x509.Certificate
		trusted []*x509.Certificate
		want    []string // aliases to import; nil = accepted
		detail  string
	}{
		{"self-signed", []*x509.Certificate{ss.Cert}, nil, []string{"ece.example.com"}, "self-signed"},
		{"full chain sent", []*x509.Certificate{ch.Leaf.Cert, ch.Intermediate.Cert, ch.Root.Cert}, nil, []string{"ccewiz test root ca", "ccewiz test issuing ca"}, "trusts no certificate"},
		{"root not sent", []*x509.Certificate{ch.Leaf.Cert, ch.Intermediate.Cert}, nil, []string{"ccewiz test issuing ca"}, "is not sent by the server"},
		{"leaf alone", []*x509.Certificate{ch.Leaf.Cert}, nil, nil, "import the root"},
		{"trusted leaf is an anchor", []*x509.Certificate{ch.Leaf.Cert}, []*x509.Certificate{ch.Leaf.Cert}, nil, ""},
		{"intermediate is an anchor", []*x509.Certificate{ch.Leaf.Cert, ch.Intermediate.Cert}, []*x509.Certificate{ch.Intermediate.Cert}, nil, ""},
		{"root anchors a chain sent without it", []*x509.Certificate{ch.Leaf.Cert, ch.Intermediate.Cert}, []*x509.Certificate{ch.Root.Cert}, nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := JavaTrusts(tc.chain, tc.trusted, now, "ece.example.com")
			if tc.detail == "" {
				if err != nil {
					t.Fatalf("want accepted, got %v", err)
				}
				return
			}
			var pe *PKIXError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want *PKIXError", err)
			}
			var got []string
			for _, p := range pe.Import {
				got = append(got, p.Alias)
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Fatalf("import %v, want %v", got, tc.want)
			}
			if !strings.Contains(err.Error(), tc.detail) || !strings.HasPrefix(err.Error(), "PKIX path building failed: unable to find valid certification path to requested target") {
				t.Fatalf("message %q lacks %q", err, tc.detail)
			}
		})
	}
}
