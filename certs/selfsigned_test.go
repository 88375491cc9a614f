package certs

import (
	"crypto/x509"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestRequestValidate(t *testing.T) {
	full := Request{CN: "ece.example.com", O: "Example", OU: "CC", L: "Sao Paulo", ST: "SP", C: "BR"}
	cases := []struct {
		name   string
		mod    func(r *Request)
		forCSR bool
		want   string // substring of the error; "" = valid
	}{
		{"complete CSR", func(*Request) {}, true, ""},
		{"self-signed needs no subject fields", func(r *Request) { *r = Request{CN: "ece.example.com"} }, false, ""},
		{"CSR needs every subject field", func(r *Request) { r.OU = "" }, true, "organizational unit (OU) is empty"},
		{"key under 2048", func(r *Request) { r.KeySize = 1024 }, false, "key size 1024 is too small"},
		{"odd key size", func(r *Request) { r.KeySize = 2500 }, false, "unusual"},
		{"3072 accepted", func(r *Request) { r.KeySize = 3072 }, true, ""},
		{"country three letters", func(r *Request) { r.C = "BRA" }, true, "two-letter ISO 3166"},
		{"country digits", func(r *Request) { r.C = "12" }, false, "two-letter"},
		{"empty CN", func(r *Request) { r.CN = "" }, false, "common name (CN) is empty"},
		{"short name SAN", func(r *Request) { r.SANs = []string{"ece"} }, false, "short host name"},
		{"IP SAN", func(r *Request) { r.SANs = []string{"10.0.0.1"} }, false, "IP address"},
		{"URL as CN", func(r *Request) { r.CN = "https://ece.example.com" }, false, "not a host name"},
		{"validity too long", func(r *Request) { r.Validity = 3 * 365 * 24 * time.Hour }, false, "out of range"},
		{"wildcard SAN", func(r *Request) { r.SANs = []string{"*.example.com"} }, false, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := full
			tc.mod(&r)
			err := r.Validate(tc.forCSR)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, ErrInvalidRequest) {
				t.Fatalf("want ErrInvalidRequest containing %q, got %v", tc.want, err)
			}
		})
	}
}

func TestDNSNamesAlwaysHoldCN(t *testing.T) {
	r := Request{CN: "ECE.example.com", SANs: []string{"chat.example.com", "ece.example.com.", " ", "chat.example.com"}}
	got := strings.Join(r.DNSNames(), ",")
	if got != "ece.example.com,chat.example.com" {
		t.Fatalf("DNSNames = %s", got)
	}
}

func TestGenerateKeyRefusesSmall(t *testing.T) {
	if _, err := GenerateKey(1024); !errors.Is(err, ErrInvalidRequest) {
		t.Fatalf("GenerateKey(1024) = %v, want ErrInvalidRequest", err)
	}
}

// TestSelfSignedOpenSSL checks the certificate with the real openssl: it
// reads the Base-64 .cer, shows the SANs, the serverAuth usage, and verifies
// the certificate against itself as the trust anchor (what an ADS does
// after importing it).
func TestSelfSignedOpenSSL(t *testing.T) {
	key, err := GenerateKey(2048)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	r := Request{CN: "ece.example.com", SANs: []string{"chat.example.com"}, O: "Example", C: "us"}
	cert, _, err := SelfSigned(r, key, now)
	if err != nil {
		t.Fatal(err)
	}
	if !KeyMatches(cert, key) || !IsSelfSigned(cert) {
		t.Fatal("self-signed certificate does not match its key or is not self-signed")
	}
	if got := cert.NotAfter.Sub(now); got < DefaultValidity-time.Minute || got > DefaultValidity+time.Minute {
		t.Fatalf("validity %v, want %v", got, DefaultValidity)
	}
	if len(cert.ExtKeyUsage) != 1 || cert.ExtKeyUsage[0] != x509.ExtKeyUsageServerAuth {
		t.Fatalf("EKU = %v, want serverAuth", cert.ExtKeyUsage)
	}
	if cert.Subject.Country[0] != "US" {
		t.Fatalf("country not upper-cased: %v", cert.Subject.Country)
	}
	dir := t.TempDir()
	cer := writeFile(t, dir, "ece.example.com.cer", CertPEM(cert))
	out := mustOpenssl(t, "x509", "-in", cer, "-noout", "-subject", "-ext", "subjectAltName,extendedKeyUsage", "-fingerprint", "-sha256")
	for _, want := range []string{"CN = ece.example.com", "DNS:ece.example.com", "DNS:chat.example.com", "TLS Web Server Authentication",
		Describe(cert).SHA256} {
		if !strings.Contains(out, want) {
			t.Errorf("openssl x509 output lacks %q:\n%s", want, out)
		}
	}
	out = mustOpenssl(t, "verify", "-CAfile", cer, "-purpose", "sslserver", cer)
	if !strings.Contains(out, "OK") {
		t.Fatalf("openssl verify: %s", out)
	}
	if fs := Assess(BuildChain(cert, nil), AssessOptions{Name: "ece.example.com"}); Worst(fs) != SevInfo || !Has(fs, CodeSelfSigned) {
		t.Fatalf("fresh self-signed certificate: findings %v, want only the self-signed note", fs)
	}
}
