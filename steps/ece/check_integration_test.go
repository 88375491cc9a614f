package ece

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ccewiz/steps"
	"ccewiz/testpeer"
)

// These tests run `check`'s checks of several steps against the same real
// peers, so their verdicts are seen side by side: what a browser gets
// (validate.https-*), what SPOG's no-SNI connection gets (certificate.tls),
// what each ADS's Java decides (trust.*), each time next to the JDK's own
// TLS client on the same server and trust store.

// flowResults runs the real flow's checks selected by only.
func flowResults(t *testing.T, env *steps.Env, only ...string) map[string]steps.Result {
	t.Helper()
	out := map[string]steps.Result{}
	for _, r := range steps.RunChecks(context.Background(), Flow().Steps, env, steps.RunOptions{Only: only, Timeout: 20 * time.Second}) {
		out[r.ID] = r
	}
	for _, id := range only {
		if _, ok := out[id]; !ok && !strings.HasSuffix(id, ".") {
			if steps.Find(Flow().Steps, steps.StepOf(id)) == nil {
				t.Fatalf("the flow has no step %q (steps/flow.go)", steps.StepOf(id))
			}
		}
	}
	return out
}

// peerEnv is a complete-enough profile for ece.example.com served at addr,
// with step 1's files (certificate and key) in place.
func peerEnv(t *testing.T, addr string, leaf *testpeer.Cert) *steps.Env {
	t.Helper()
	env := eceEnv(t, addr)
	dir := filepath.Dir(env.AnswersPath)
	os.MkdirAll(filepath.Join(dir, "certs"), 0o755)
	leaf.WriteFiles(t, filepath.Join(dir, "certs"), "ece.example.com")
	a := env.Answers
	ProfileOf(a).WebServers = []string{"ece.example.com"}
	ProfileOf(a).AdminDataServers = []string{"aw1a.example.com"}
	ProfileOf(a).LoadBalancer = "none"
	env.Timeout = 10 * time.Second
	return env
}

// TestTLSVerdictsAgree: an IIS binding requiring SNI, an expired
// certificate and a wrong name, each judged by certificate.tls, by
// validate.https-default and by Java connecting as SPOG does (no SNI).
func TestTLSVerdictsAgree(t *testing.T) {
	now := time.Now()
	good := testpeer.NewLeaf(t, "ece.example.com", nil)
	past := testpeer.Validity(now.AddDate(-1, 0, 0), now.AddDate(0, 0, -1))
	expired := testpeer.NewLeaf(t, "ece.example.com", nil, past)
	root := testpeer.NewCA(t, "ccewiz Test Root CA", nil)
	expiredCA := testpeer.NewLeaf(t, "ece.example.com", root, past)
	wrong := testpeer.NewLeaf(t, "eceweb.example.com", nil)
	for _, tc := range []struct {
		name       string
		leaf       *testpeer.Cert
		anchor     *testpeer.Cert // what the ADS store holds; nil: the leaf itself
		requireSNI bool
		tls        steps.Status // certificate.tls: SPOG's view, no SNI
		https      steps.Status // validate.https-default: a browser's view
		javaOK     bool         // Java without SNI, trusting the certificate
		fix        string       // in certificate.tls's fix or detail
	}{
		{"good", good, nil, false, steps.Pass, steps.Pass, true, ""},
		{"IIS requires SNI", good, nil, true, steps.Fail, steps.Pass, false, "Require Server Name Indication"},
		{"expired, CA-signed", expiredCA, root, false, steps.Fail, steps.Fail, false, "expired"},
		// Java does not check the dates of a trust anchor: an expired
		// self-signed certificate imported into cacerts still passes SPOG's
		// handshake, while agents' browsers refuse it. ccewiz fails it.
		{"expired, self-signed in cacerts", expired, nil, false, steps.Fail, steps.Fail, true, "expired"},
		{"wrong name", wrong, nil, false, steps.Fail, steps.Fail, true, "ece.example.com"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // each case waits mostly on keytool and java starting
			addr := eceServer(t, ece, tc.requireSNI, tc.leaf)
			env := peerEnv(t, addr, tc.leaf)
			rs := flowResults(t, env, "certificate.tls", "validate.https-default")
			ct, hv := rs["certificate.tls"], rs["validate.https-default"]
			if ct.Status != tc.tls || !strings.Contains(ct.Detail+ct.Fix, tc.fix) {
				t.Errorf("certificate.tls = %s, want %s with %q\n%s\nfix: %s", ct.Status, tc.tls, tc.fix, ct.Detail, ct.Fix)
			}
			if hv.Status != tc.https {
				t.Errorf("validate.https-default = %s, want %s\n%s\nfix: %s", hv.Status, tc.https, hv.Detail, hv.Fix)
			}
			anchor := tc.anchor
			if anchor == nil {
				anchor = tc.leaf
			}
			store := testpeer.KeytoolStore(t, filepath.Join(t.TempDir(), "cacerts.jks"), anchor)
			// Java without SNI and without endpoint identification: what the
			// handshake alone says (the name is judged by the checks above).
			out, err := testpeer.JavaTLSConnect(t, store, "changeit", addr, "")
			if (err == nil) != tc.javaOK {
				t.Errorf("Java (no SNI) accepted=%v, want %v: %v\n%s", err == nil, tc.javaOK, err, out)
			}
			if err != nil && !errors.Is(err, testpeer.ErrJavaRejected) {
				t.Fatal(err)
			}
		})
	}
}

// TestTrustVerdictMatchesJava: one ADS store lacks the CA, the other has
// it; trust.<ads> must say what the JDK says with the same store.
func TestTrustVerdictMatchesJava(t *testing.T) {
	chain := testpeer.NewChain(t, "ece.example.com")
	addr := testpeer.ServeTLS(t, chain.Leaf, chain.Intermediate)
	env := peerEnv(t, addr, chain.Leaf)
	dir := filepath.Dir(env.AnswersPath)
	missing := testpeer.KeytoolStore(t, filepath.Join(dir, "aw1a-cacerts"), testpeer.NewCA(t, "Unrelated Root", nil))
	trusting := testpeer.KeytoolStore(t, filepath.Join(dir, "aw1b-cacerts"), chain.Root)
	ProfileOf(env.Answers).AdminDataServers = []string{"aw1a.example.com", "aw1b.example.com"}
	TrustOf(env.Answers).Stores = []TrustStore{{Server: "aw1a.example.com", Path: "aw1a-cacerts"}, {Server: "aw1b.example.com", Path: "aw1b-cacerts"}}
	rs := flowResults(t, env, "trust")
	for _, tc := range []struct {
		id, store string
	}{
		{"trust.aw1a.example.com", missing},
		{"trust.aw1b.example.com", trusting},
	} {
		r, ok := rs[tc.id]
		if !ok {
			t.Fatalf("no %s among %v", tc.id, keys(rs))
		}
		t.Run(tc.id, func(t *testing.T) {
			t.Parallel()
			out, err := testpeer.JavaTLSConnect(t, tc.store, "changeit", addr, "")
			javaTrusts := err == nil
			if (r.Status == steps.Pass) != javaTrusts {
				t.Errorf("%s = %s (%s), but Java trusts=%v:\n%s", tc.id, r.Status, r.Detail, javaTrusts, out)
			}
			if !javaTrusts && !strings.Contains(out, "PKIX path building failed") {
				t.Errorf("Java should fail with PKIX path building failed:\n%s", out)
			}
		})
	}
}

func keys(m map[string]steps.Result) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
