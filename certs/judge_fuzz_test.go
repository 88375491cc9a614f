package certs

import (
	"crypto/x509"
	"testing"
	"time"
)

// FuzzJudgeServer: any chain x509 parses, any store, any host — the judge
// answers without panicking, and an acceptance always carries a leaf the
// store's path reaches.
func FuzzJudgeServer(f *testing.F) {
	for _, name := range []string{"ece.example.com", "dc1.example.local", "10.0.0.1", ""} {
		f.Add([]byte(nil), []byte(nil), []byte(nil), name)
	}
	f.Fuzz(func(t *testing.T, leaf, mid, anchor []byte, host string) {
		var chain, trusted []*x509.Certificate
		for _, b := range [][]byte{leaf, mid} {
			if c, err := x509.ParseCertificate(b); err == nil {
				chain = append(chain, c)
			}
		}
		if c, err := x509.ParseCertificate(anchor); err == nil {
			trusted = append(trusted, c)
		}
		err := JudgeServer(chain, trusted, host, HTTPSCheck, time.Now(), host)
		if err == nil && (len(chain) == 0 || len(trusted) == 0) {
			t.Fatalf("accepted with %d certificates and %d anchors", len(chain), len(trusted))
		}
		JudgeServer(chain, trusted, host, LDAPSCheck, time.Now(), host)
	})
}
