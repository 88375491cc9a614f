package logdoctor

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ccewiz/testpeer"
)

// TestSignaturesMatchTheJDK proves the table against the text the real JDK
// prints for each failure SPOG meets, so a JDK rewording cannot slip by:
// Java's exception chain, written as catalina writes it, must be found
// as the expected signature.
func TestSignaturesMatchTheJDK(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	chain := testpeer.NewChain(t, "ece.example.com")
	other := testpeer.NewCA(t, "Some Other Root", nil)
	expired := testpeer.NewLeaf(t, "ece.example.com", chain.Intermediate, testpeer.Validity(now.AddDate(-1, 0, 0), now.AddDate(0, 0, -2)))
	missing := testpeer.KeytoolStore(t, filepath.Join(dir, "missing-ca.jks"), other)
	trusting := testpeer.KeytoolStore(t, filepath.Join(dir, "with-root.jks"), chain.Root)

	good := testpeer.ServeTLS(t, chain.Leaf, chain.Intermediate)
	old := testpeer.ServeTLS(t, expired, chain.Intermediate)
	refused := testpeer.ClosedAddr(t)

	for _, tc := range []struct {
		name, store, addr, serverName string
		want                          string // signature ID
	}{
		{"ADS store lacks the CA", missing, good, "", "pkix"},
		{"name not in the certificate", trusting, good, "eceweb.example.com", "name-mismatch"},
		{"expired certificate", trusting, old, "", "cert-expired"},
		{"nothing listening", trusting, refused, "", "conn-refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // each case mostly waits for a JVM to start
			out, err := testpeer.JavaTLSConnect(t, tc.store, "changeit", tc.addr, tc.serverName)
			if !errors.Is(err, testpeer.ErrJavaRejected) {
				t.Fatalf("Java accepted or failed oddly: %v\n%s", err, out)
			}
			var log strings.Builder
			log.WriteString("23-Nov-2026 10:15:22.123 SEVERE [https-jsse-nio-443-exec-5] com.cisco.ccbu.cce.unifiedconfig.ece.EceProxy.get Request failed\n")
			for _, l := range strings.Split(out, "\n") {
				log.WriteString("\t" + l + "\n")
			}
			r, err := ScanReader(context.Background(), "catalina.2026-11-23.log", strings.NewReader(log.String()), Options{Local: est})
			if err != nil {
				t.Fatal(err)
			}
			var found []string
			for _, f := range r.Findings {
				found = append(found, f.Signature)
			}
			if len(found) == 0 || found[0] != tc.want {
				t.Errorf("Java said:\n%s\nthe log doctor found %q, want %s first", out, found, tc.want)
			}
		})
	}
	// The control: with its root in the store, Java accepts.
	t.Run("control", func(t *testing.T) {
		t.Parallel()
		if out, err := testpeer.JavaTLSConnect(t, trusting, "changeit", good, "ece.example.com"); err != nil {
			t.Fatalf("Java should accept the chain with its root in the store: %v\n%s", err, out)
		}
	})
}
