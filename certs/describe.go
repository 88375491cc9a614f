package certs

import (
	"bytes"
	"crypto/x509"
	"encoding/hex"
	"strings"
	"time"
)

// CertInfo describes one certificate for people and for JSON output; its
// field names are part of `ccewiz cert inspect/probe --format json`.
type CertInfo struct {
	Subject    string    `json:"subject"`
	Issuer     string    `json:"issuer"`
	CN         string    `json:"cn"`
	DNSNames   []string  `json:"dns_names,omitempty"`
	IPs        []string  `json:"ip_addresses,omitempty"`
	Serial     string    `json:"serial"`
	NotBefore  time.Time `json:"not_before"`
	NotAfter   time.Time `json:"not_after"`
	Key        string    `json:"key"`
	IsCA       bool      `json:"is_ca"`
	SelfSigned bool      `json:"self_signed"`
	SHA256     string    `json:"sha256"`
	// Thumbprint is the SHA-1 hash Windows shows and IIS binds by; it
	// identifies, it does not protect.
	Thumbprint string `json:"thumbprint"`
}

// Describe summarises c.
func Describe(c *x509.Certificate) CertInfo {
	ci := CertInfo{
		Subject:    c.Subject.String(),
		Issuer:     c.Issuer.String(),
		CN:         c.Subject.CommonName,
		DNSNames:   c.DNSNames,
		Serial:     strings.ToUpper(c.SerialNumber.Text(16)),
		NotBefore:  c.NotBefore.UTC(),
		NotAfter:   c.NotAfter.UTC(),
		Key:        KeyDescription(c.PublicKey),
		IsCA:       c.IsCA,
		SelfSigned: IsSelfSigned(c),
		SHA256:     Fingerprint(c.Raw),
		Thumbprint: Thumbprint(c),
	}
	for _, ip := range c.IPAddresses {
		ci.IPs = append(ci.IPs, ip.String())
	}
	return ci
}

// Thumbprint is the SHA-1 hex Windows (certlm.msc, IIS, Cert:\ drive) uses to name a certificate.
func Thumbprint(c *x509.Certificate) string {
	return strings.ToUpper(hex.EncodeToString(sha1Sum(c.Raw)))
}

// IsSelfSigned reports whether c names itself as issuer and its signature
// verifies with its own key. Not CheckSignatureFrom: an IIS self-signed
// certificate is often not marked as a CA.
func IsSelfSigned(c *x509.Certificate) bool {
	if !bytes.Equal(c.RawIssuer, c.RawSubject) {
		return false
	}
	return c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
}
