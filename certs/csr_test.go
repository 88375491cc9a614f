package certs

import (
	"strings"
	"testing"
)

func TestCSROpenSSL(t *testing.T) {
	key, err := GenerateKey(2048)
	if err != nil {
		t.Fatal(err)
	}
	r := Request{CN: "ece.example.com", SANs: []string{"chat.example.com", "ece.example.com"},
		O: "Example Corp", OU: "Contact Center", L: "Sao Paulo", ST: "SP", C: "BR"}
	csrPEM, err := CSR(r, key)
	if err != nil {
		t.Fatal(err)
	}
	req, err := ParseCSR(csrPEM)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(req.DNSNames, ",") != "ece.example.com,chat.example.com" {
		t.Fatalf("CSR SANs %v", req.DNSNames)
	}
	p := writeFile(t, t.TempDir(), "ece.example.com.csr", csrPEM)
	out := mustOpenssl(t, "req", "-in", p, "-verify", "-noout", "-text")
	for _, want := range []string{"verify OK", "DNS:ece.example.com, DNS:chat.example.com",
		"CN = ece.example.com", "O = Example Corp", "OU = Contact Center", "L = Sao Paulo", "ST = SP", "C = BR", "Public-Key: (2048 bit)"} {
		if !strings.Contains(out, want) {
			t.Errorf("openssl req output lacks %q:\n%s", want, out)
		}
	}
	// An incomplete subject is refused before any request is made.
	r.ST = ""
	if _, err := CSR(r, key); err == nil || !strings.Contains(err.Error(), "state/province (ST) is empty") {
		t.Fatalf("CSR without ST: %v", err)
	}
}

func TestParseCSRRejects(t *testing.T) {
	for name, in := range map[string][]byte{
		"garbage":     []byte("hello"),
		"certificate": []byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"),
	} {
		if _, err := ParseCSR(in); err == nil {
			t.Errorf("%s: ParseCSR accepted it", name)
		}
	}
}

func TestAssessRequestAndKey(t *testing.T) {
	key, err := GenerateKey(2048)
	if err != nil {
		t.Fatal(err)
	}
	other, err := GenerateKey(2048)
	if err != nil {
		t.Fatal(err)
	}
	csrPEM, err := CSR(Request{CN: "ece.example.com", SANs: []string{"chat.example.com"}, O: "Example Corp", OU: "CC", L: "Springfield", ST: "Illinois", C: "US"}, key)
	if err != nil {
		t.Fatal(err)
	}
	req, err := ParseCSR(csrPEM)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]int{"": 0, "ECE.example.com": 0, "chat.example.com": 0, "other.example.com": 1} {
		fs := AssessRequest(req, name)
		if len(fs) != want || (want == 1 && (fs[0].Code != CodeNameMismatch || fs[0].Severity != SevError || !strings.Contains(fs[0].Fix, "--cn "+name))) {
			t.Errorf("AssessRequest(%q) = %v, want %d finding(s)", name, fs, want)
		}
	}
	if !RequestKeyMatches(req, key) || RequestKeyMatches(req, other) || RequestKeyMatches(nil, key) || RequestKeyMatches(req, nil) {
		t.Error("RequestKeyMatches is wrong")
	}
}
