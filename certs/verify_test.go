package certs

import (
	"testing"

	"ccewiz/testpeer"
)

// TestVerifiers: the read-back checks accept exactly what was written.
func TestVerifiers(t *testing.T) {
	ch := testpeer.NewChain(t, "ece.example.com")
	other := testpeer.NewLeaf(t, "ece.example.com", nil)
	leaf, inter, root := ch.Leaf.Cert, ch.Intermediate.Cert, ch.Root.Cert

	for name, c := range map[string]struct {
		data []byte
		ok   bool
	}{
		"same chain":          {CertPEM(leaf, inter, root), true},
		"a certificate short": {CertPEM(leaf, inter), false},
		"another order":       {CertPEM(leaf, root, inter), false},
		"same name, new cert": {CertPEM(other.Cert, inter, root), false},
		"not a certificate":   {[]byte("hello"), false},
	} {
		if err := VerifyCertPEM(leaf, inter, root)(c.data); (err == nil) != c.ok {
			t.Errorf("VerifyCertPEM %s: %v", name, err)
		}
	}

	kp, err := KeyPEM(ch.Leaf.Key)
	if err != nil {
		t.Fatal(err)
	}
	if err := VerifyKeyPEM(ch.Leaf.Key)(kp); err != nil {
		t.Errorf("VerifyKeyPEM of the same key: %v", err)
	}
	if err := VerifyKeyPEM(other.Key)(kp); err == nil {
		t.Error("VerifyKeyPEM accepted another key")
	}
	if err := VerifyKeyPEM(ch.Leaf.Key)(CertPEM(leaf)); err == nil {
		t.Error("VerifyKeyPEM accepted a file without a key")
	}
}
