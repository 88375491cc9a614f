package certs

import (
	"crypto"
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"time"
)

// SelfSigned makes the ECE web server certificate signed by its own key, as
// IIS's "Create Self-Signed Certificate" would, but with the FQDN as CN and
// DNS SANs (IIS puts the short host name there, which SPOG rejects).
// now is the start of validity (back-dated five minutes for clock skew).
func SelfSigned(r Request, key crypto.Signer, now time.Time) (*x509.Certificate, []byte, error) {
	if err := r.Validate(false); err != nil {
		return nil, nil, err
	}
	serial, err := newSerial()
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      r.subject(),
		DNSNames:     r.DNSNames(),
		NotBefore:    now.Add(-5 * time.Minute),
		NotAfter:     now.Add(r.validity()),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		// Java's PKIX validator and Windows both accept a self-signed leaf
		// as its own trust anchor only when it is not marked as a CA.
		BasicConstraintsValid: true,
		SubjectKeyId:          keyID(key.Public()),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, nil, fmt.Errorf("sign self-signed certificate for %s: %w", r.CN, err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, fmt.Errorf("re-read self-signed certificate: %w", err)
	}
	return c, der, nil
}

func (r Request) subject() pkix.Name {
	n := pkix.Name{CommonName: r.CN}
	add := func(dst *[]string, v string) {
		if v != "" {
			*dst = append(*dst, v)
		}
	}
	add(&n.Organization, r.O)
	add(&n.OrganizationalUnit, r.OU)
	add(&n.Locality, r.L)
	add(&n.Province, r.ST)
	add(&n.Country, Country(r.C))
	return n
}

func newSerial() (*big.Int, error) {
	s, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("make serial number: %w", err)
	}
	return s.Add(s, big.NewInt(1)), nil
}

func keyID(pub crypto.PublicKey) []byte {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil
	}
	return sha1Sum(der) // RFC 5280's method 1; an identifier, not a security boundary
}

func sha1Sum(b []byte) []byte {
	sum := sha1.Sum(b)
	return sum[:]
}
