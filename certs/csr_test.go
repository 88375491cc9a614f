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
