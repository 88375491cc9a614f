package certs

import (
	"strings"
	"testing"

	"ccewiz/testpeer"
)

func TestParseKey(t *testing.T) {
	leaf := testpeer.NewLeaf(t, "ece.example.com", nil)
	cases := []struct {
		name string
		in   []byte
		err  string
	}{
		{"PKCS#8 PEM", leaf.KeyPEM(), ""},
		{"certificate then key", append(leaf.PEM(), leaf.KeyPEM()...), ""},
		{"encrypted", []byte("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMAA=\n-----END ENCRYPTED PRIVATE KEY-----\n"), "encrypted"},
		{"certificate only", leaf.PEM(), "no private key found"},
		{"garbage", []byte("nope"), "no private key found"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			k, err := ParseKey(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("want %q, got %v", tc.err, err)
				}
				return
			}
			if err != nil || !KeyMatches(leaf.Cert, k) {
				t.Fatalf("ParseKey: %v", err)
			}
		})
	}
}

// FuzzParseKey: a --key file never panics the reader; seeds hold PKCS#8,
// PKCS#1, SEC 1, DER, encrypted keys and a certificate.
func FuzzParseKey(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := ParseKey(data)
		if err == nil && k == nil {
			t.Fatal("no error and no key")
		}
	})
}

// FuzzParseCSR: a request file never panics the reader.
func FuzzParseCSR(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseCSR(data)
		if err == nil && r == nil {
			t.Fatal("no error and no request")
		}
	})
}
