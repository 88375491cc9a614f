package certs

import (
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"

	"software.sslmate.com/src/go-pkcs12"

	"ccewiz/secret"
)

// ErrPFXPassword means a PFX could not be opened with the given password.
var ErrPFXPassword = errors.New("wrong PFX password (integrity check failed)")

// EncodePFX packs key, leaf and CA certificates into a PFX (PKCS#12) that
// IIS imports with the private key.
//
// The encoder is pkcs12.LegacyDES: 3DES (PBE-SHA1-3DES) for key and
// certificates, SHA-1 MAC. Windows Server 2016 — still common under ECE
// 12.x — cannot import PFX files protected with AES-256/PBES2 (the
// pkcs12.Modern encoders; support arrived in Windows Server 2019 /
// Windows 10 1709), and it fails with a misleading "password incorrect".
// The weak cipher is why the password must be strong and the file moved
// only between the web servers and deleted afterwards.
func EncodePFX(key crypto.Signer, c *Chain, password secret.Secret) ([]byte, error) {
	if password.IsZero() {
		return nil, errors.New("export PFX: a password is required (IIS refuses to import the private key from an unprotected PFX)")
	}
	if !KeyMatches(c.Leaf, key) {
		return nil, fmt.Errorf("export PFX: %w", ErrKeyMismatch)
	}
	data, err := pkcs12.LegacyDES.Encode(key, c.Leaf, c.CACerts(), password.Reveal())
	if err != nil {
		return nil, fmt.Errorf("export PFX for %s: %w", c.Leaf.Subject.CommonName, err)
	}
	return data, nil
}

// DecodePFX opens a PFX and returns its key and chain (as BuildChain orders it).
func DecodePFX(data []byte, password secret.Secret) (crypto.Signer, *Chain, error) {
	key, leaf, cas, err := pkcs12.DecodeChain(data, password.Reveal())
	if err != nil {
		if errors.Is(err, pkcs12.ErrIncorrectPassword) {
			return nil, nil, ErrPFXPassword
		}
		return nil, nil, fmt.Errorf("read PFX: %w", err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, nil, fmt.Errorf("read PFX: unsupported private key type %T", key)
	}
	if !KeyMatches(leaf, signer) {
		return nil, nil, fmt.Errorf("read PFX: %w", ErrKeyMismatch)
	}
	return signer, BuildChain(leaf, cas), nil
}

// PFXHolds reports whether the PFX in data opens with password and holds
// exactly chain — leaf and every CA certificate, so a PFX from before a
// CA change is not kept. Callers use it to leave a good PFX alone instead
// of rewriting it (PFX bytes differ on every export because of random salts).
func PFXHolds(data []byte, password secret.Secret, chain *Chain) bool {
	if data == nil {
		return false
	}
	_, got, err := DecodePFX(data, password)
	if err != nil {
		return false
	}
	return slices.EqualFunc(got.Certs(), chain.Certs(), (*x509.Certificate).Equal)
}
