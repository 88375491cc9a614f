package certs

import (
	"testing"
	"time"

	"ccewiz/secret"
)

// FuzzDecodePFX: a PFX from anywhere (the admin's, an attacker's) decodes
// or fails with an error; it never panics, and what decodes holds a key
// and a certificate.
func FuzzDecodePFX(f *testing.F) {
	key, err := GenerateKey(2048)
	if err != nil {
		f.Fatal(err)
	}
	leaf, _, err := SelfSigned(Request{CN: "ece.example.com"}, key, time.Now())
	if err != nil {
		f.Fatal(err)
	}
	good, err := EncodePFX(key, BuildChain(leaf, nil), secret.New("pw"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good, "pw")
	f.Add(good, "wrong")
	f.Add(good[:len(good)/2], "pw")
	f.Add([]byte{0x30, 0x82, 0x00, 0x00}, "")
	f.Fuzz(func(t *testing.T, data []byte, pw string) {
		k, c, err := DecodePFX(data, secret.New(pw))
		if err == nil && (k == nil || c == nil || c.Leaf == nil) {
			t.Fatalf("decoded without a key or a certificate: %v %v", k, c)
		}
	})
}
