package certs

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"

	"ccewiz/secret"
)

// Verifiers for safefile.Options.Verify: what a file holds after it is
// written, read back the way the next program will read it. Each caller
// that writes a certificate or a key uses these, so "read back and
// compare" means the same everywhere.

// VerifyCertPEM returns a check that data holds exactly want, in order,
// byte for byte.
func VerifyCertPEM(want ...*x509.Certificate) func([]byte) error {
	return func(data []byte) error {
		b, err := ReadBundle("written file", data)
		if err != nil {
			return err
		}
		if len(b.Certs) != len(want) {
			return fmt.Errorf("read back %d certificate(s), want %d", len(b.Certs), len(want))
		}
		for i, c := range b.Certs {
			if !bytes.Equal(c.Raw, want[i].Raw) {
				return fmt.Errorf("certificate %d read back differs from the one written (%s)", i+1, want[i].Subject)
			}
		}
		return nil
	}
}

// VerifyKeyPEM returns a check that data holds key (compared by its public half).
func VerifyKeyPEM(key crypto.Signer) func([]byte) error {
	return func(data []byte) error {
		got, err := ParseKey(data)
		if err != nil {
			return err
		}
		if !pubMatches(got.Public(), key) {
			return errors.New("the key read back differs from the one written")
		}
		return nil
	}
}

// VerifyPFX returns a check that a PFX opens with password and holds
// exactly chain (see PFXHolds).
func VerifyPFX(password secret.Secret, chain *Chain) func([]byte) error {
	return func(data []byte) error {
		if !PFXHolds(data, password, chain) {
			return errors.New("the PFX read back does not open or lacks the certificate and its chain")
		}
		return nil
	}
}
