package certs

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// ErrKeyMismatch means a certificate does not belong to the private key:
// the CA signed a different request, or the wrong key file was picked.
var ErrKeyMismatch = errors.New("certificate does not match the private key")

// GenerateKey makes an RSA key of bits (0 = DefaultKeySize), refusing sizes under MinKeySize.
func GenerateKey(bits int) (*rsa.PrivateKey, error) {
	if bits == 0 {
		bits = DefaultKeySize
	}
	if bits < MinKeySize {
		return nil, fmt.Errorf("%w: key size %d is under %d bits", ErrInvalidRequest, bits, MinKeySize)
	}
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		return nil, fmt.Errorf("generate RSA %d key: %w", bits, err)
	}
	return k, nil
}

// KeyPEM encodes a private key as unencrypted PKCS#8 PEM ("PRIVATE KEY"),
// which OpenSSL, Java 11+ and most CAs' tools read. Callers write it with mode 0600.
func KeyPEM(key crypto.Signer) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("encode private key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// ParseKey reads a PEM private key: PKCS#8, PKCS#1 (RSA) or SEC 1 (EC).
// An encrypted key is refused with the command that decrypts it.
func ParseKey(data []byte) (crypto.Signer, error) {
	rest := data
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if !strings.Contains(b.Type, "PRIVATE KEY") {
			continue
		}
		if b.Type == "ENCRYPTED PRIVATE KEY" || b.Headers["Proc-Type"] != "" {
			return nil, errors.New("the private key is encrypted; decrypt it first: openssl pkey -in KEY -out KEY.plain (keep the result mode 0600)")
		}
		var k any
		var err error
		switch b.Type {
		case "RSA PRIVATE KEY":
			k, err = x509.ParsePKCS1PrivateKey(b.Bytes)
		case "EC PRIVATE KEY":
			k, err = x509.ParseECPrivateKey(b.Bytes)
		default:
			k, err = x509.ParsePKCS8PrivateKey(b.Bytes)
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", strings.ToLower(b.Type), err)
		}
		s, ok := k.(crypto.Signer)
		if !ok {
			return nil, fmt.Errorf("unsupported private key type %T", k)
		}
		return s, nil
	}
	if len(data) > 0 && data[0] == 0x30 {
		if k, err := x509.ParsePKCS8PrivateKey(data); err == nil {
			if s, ok := k.(crypto.Signer); ok {
				return s, nil
			}
		}
		if k, err := x509.ParsePKCS1PrivateKey(data); err == nil {
			return k, nil
		}
	}
	return nil, errors.New("no private key found (expected a PEM block \"PRIVATE KEY\" or \"RSA PRIVATE KEY\"); a .pfx holds one too: openssl pkcs12 -in F.pfx -nocerts -nodes -out F.key")
}

// KeyMatches reports whether cert carries the public half of key.
func KeyMatches(cert *x509.Certificate, key crypto.Signer) bool {
	return cert != nil && pubMatches(cert.PublicKey, key)
}

// RequestKeyMatches reports whether a certificate signing request carries
// the public half of key.
func RequestKeyMatches(req *x509.CertificateRequest, key crypto.Signer) bool {
	return req != nil && pubMatches(req.PublicKey, key)
}

// pubMatches reports whether pub is the public half of key.
func pubMatches(pub crypto.PublicKey, key crypto.Signer) bool {
	if key == nil {
		return false
	}
	type equaler interface{ Equal(crypto.PublicKey) bool }
	own, ok := key.Public().(equaler)
	return ok && own.Equal(pub)
}

// KeyDescription names a key for people: "RSA 2048".
func KeyDescription(pub crypto.PublicKey) string {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d", k.N.BitLen())
	case *ecdsa.PublicKey:
		return "ECDSA " + k.Curve.Params().Name
	case ed25519.PublicKey:
		return "Ed25519"
	}
	return fmt.Sprintf("%T", pub)
}
