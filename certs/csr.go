package certs

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"strings"
)

// CSR makes a PKCS#10 certificate signing request in Base-64 (PEM), the
// form most CAs (Microsoft AD CS's web enrolment included) accept. Every
// Subject field is required and the CN is also a DNS SAN.
func CSR(r Request, key crypto.Signer) ([]byte, error) {
	if err := r.Validate(true); err != nil {
		return nil, err
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject:  r.subject(),
		DNSNames: r.DNSNames(),
	}, key)
	if err != nil {
		return nil, fmt.Errorf("create certificate request for %s: %w", r.CN, err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}), nil
}

// ParseCSR reads a PEM or DER request and checks its signature.
func ParseCSR(data []byte) (*x509.CertificateRequest, error) {
	der := data
	if b, _ := pem.Decode(data); b != nil {
		if !strings.Contains(b.Type, "CERTIFICATE REQUEST") {
			return nil, fmt.Errorf("PEM block %q is not a certificate request", b.Type)
		}
		der = b.Bytes
	}
	req, err := x509.ParseCertificateRequest(der)
	if err != nil {
		return nil, fmt.Errorf("read certificate request: %w", err)
	}
	if err := req.CheckSignature(); err != nil {
		return nil, fmt.Errorf("certificate request signature is invalid: %w", err)
	}
	return req, nil
}

// CSRInstructions tells the admin what to send to the CA and what to ask for.
func CSRInstructions(r Request, csrPath, keyPath string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Send %s to your CA (paste its Base-64 text into the request form).\n", csrPath)
	fmt.Fprintf(&b, "Ask for: a web server (TLS server authentication) certificate for %s\n", r.CN)
	fmt.Fprintf(&b, "  with these DNS names: %s\n", strings.Join(r.DNSNames(), ", "))
	b.WriteString("  and ask for the CA certificates (intermediate and root) too, Base-64 or a .p7b bundle.\n")
	fmt.Fprintf(&b, "Keep %s secret and where it is: the signed certificate only works with it.\n", keyPath)
	b.WriteString("Then run: ccewiz cert complete --key " + keyPath + " --cert <the signed certificate> [--chain <CA certs>] --out <folder> --pfx-pass-env VAR\n")
	return b.String()
}
