package certs

import (
	"bytes"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"ccewiz/testpeer"
)

// TestReadBundle feeds the reader every shape a CA returns, the PKCS#7 ones
// made by the real openssl, and checks it finds each certificate once and
// says what it found.
func TestReadBundle(t *testing.T) {
	ch := testpeer.NewChain(t, "ece.example.com")
	dir := t.TempDir()
	chainPEM := append(append(ch.Root.PEM(), ch.Leaf.PEM()...), ch.Intermediate.PEM()...) // any order
	chainFile := writeFile(t, dir, "chain.pem", chainPEM)
	p7der := filepath.Join(dir, "chain.p7b")
	mustOpenssl(t, "crl2pkcs7", "-nocrl", "-certfile", chainFile, "-outform", "DER", "-out", p7der)
	p7pem := filepath.Join(dir, "chain-pem.p7b")
	mustOpenssl(t, "crl2pkcs7", "-nocrl", "-certfile", chainFile, "-out", p7pem)
	trusted := filepath.Join(dir, "trusted.pem")
	rootFile := writeFile(t, dir, "root.pem", ch.Root.PEM())
	mustOpenssl(t, "x509", "-in", rootFile, "-trustout", "-addtrust", "serverAuth", "-out", trusted)
	p7 := readFile(t, p7der)
	// openssl cms -stream writes BER with indefinite lengths, as Windows exports do.
	msg := writeFile(t, dir, "msg.txt", []byte("hello"))
	berFile := filepath.Join(dir, "chain-ber.p7b")
	mustOpenssl(t, "cms", "-sign", "-in", msg, "-signer", writeFile(t, dir, "leaf-for-cms.pem", ch.Leaf.PEM()),
		"-inkey", writeFile(t, dir, "leaf-for-cms.key", ch.Leaf.KeyPEM()), "-certfile", writeFile(t, dir, "cas.pem", append(ch.Intermediate.PEM(), ch.Root.PEM()...)), "-outform", "DER", "-stream", "-nodetach", "-out", berFile)
	pfxFile := filepath.Join(dir, "x.pfx")
	crt, key := ch.Leaf.WriteFiles(t, dir, "leaf")
	mustOpenssl(t, "pkcs12", "-export", "-in", crt, "-inkey", key, "-out", pfxFile, "-passout", "pass:pw")
	csrFile := filepath.Join(dir, "x.csr")
	mustOpenssl(t, "req", "-new", "-key", key, "-subj", "/CN=ece.example.com", "-out", csrFile)

	cases := []struct {
		name  string
		data  []byte
		certs int
		found string // substring of Found
		err   string // substring of the error
	}{
		{"PEM one", ch.Leaf.PEM(), 1, "PEM certificate CN=ece.example.com", ""},
		{"PEM chain any order with text around", append([]byte("subject=whatever\r\nBag Attributes\r\n"), chainPEM...), 3, "PEM certificate", ""},
		{"PEM with CRLF", bytes.ReplaceAll(chainPEM, []byte("\n"), []byte("\r\n")), 3, "PEM certificate", ""},
		{"DER", ch.Leaf.DER, 1, "DER certificate", ""},
		{"DER concatenated", append(append([]byte{}, ch.Leaf.DER...), ch.Root.DER...), 2, "2 concatenated", ""},
		{"PKCS#7 DER from openssl", p7, 3, "PKCS#7 (3 certificates)", ""},
		{"PKCS#7 PEM from openssl", readFile(t, p7pem), 3, "PEM PKCS#7", ""},
		{"PKCS#7 BER (indefinite lengths) from openssl cms", readFile(t, berFile), 3, "BER PKCS#7 (3 certificates)", ""},
		{"PKCS#7 as bare Base-64", []byte(base64.StdEncoding.EncodeToString(p7)), 3, "Base-64 DER PKCS#7", ""},
		{"cert as bare Base-64 with line breaks", []byte(wrap(base64.StdEncoding.EncodeToString(ch.Leaf.DER))), 1, "Base-64 DER certificate", ""},
		{"openssl TRUSTED CERTIFICATE", readFile(t, trusted), 1, "PEM certificate", ""},
		{"duplicates dropped", append(ch.Leaf.PEM(), ch.Leaf.PEM()...), 1, "", ""},
		{"key beside cert", append(ch.Leaf.KeyPEM(), ch.Leaf.PEM()...), 1, "a private key", ""},
		{"key only", ch.Leaf.KeyPEM(), 0, "", "holds only a private key"},
		{"empty", nil, 0, "", "the file is empty"},
		{"garbage", []byte("this is not a certificate"), 0, "", "not PEM, DER, Base-64 or PKCS#7"},
		{"CSR", readFile(t, csrFile), 0, "", "certificate request (CSR)"},
		{"PFX", readFile(t, pfxFile), 0, "", "PFX/PKCS#12"},
		{"truncated DER", ch.Leaf.DER[:len(ch.Leaf.DER)/2], 0, "", "neither a certificate nor a PKCS#7"},
		{"truncated PKCS#7", p7[:len(p7)-40], 0, "", "PKCS#7"},
		{"broken PEM body", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{0x30, 1, 2}}), 0, "", "PEM certificate #1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := ReadBundle("in", tc.data)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.HasPrefix(err.Error(), "in: ") {
					t.Fatalf("want error with %q naming the file, got %v", tc.err, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(b.Certs) != tc.certs {
				t.Fatalf("got %d certificates, want %d (found: %v)", len(b.Certs), tc.certs, b.Found)
			}
			if !strings.Contains(strings.Join(b.Found, "\n"), tc.found) {
				t.Fatalf("Found %v lacks %q", b.Found, tc.found)
			}
		})
	}
	if _, err := ReadBundle("k", ch.Leaf.KeyPEM()); !errors.Is(err, ErrNoCertificate) {
		t.Fatalf("key only: want ErrNoCertificate, got %v", err)
	}
	// Several files merge into one set without duplicates.
	leafFile := writeFile(t, dir, "leaf.cer", ch.Leaf.DER)
	b, err := ReadBundleFiles(leafFile, p7der, chainFile)
	if err != nil || len(b.Certs) != 3 {
		t.Fatalf("ReadBundleFiles: %v, %d certs", err, len(b.Certs))
	}
	if _, err := ReadBundleFiles(filepath.Join(dir, "missing.pem")); err == nil || !strings.Contains(err.Error(), "missing.pem") {
		t.Fatalf("missing file: %v", err)
	}
}

func wrap(s string) string {
	var b strings.Builder
	for len(s) > 64 {
		b.WriteString(s[:64] + "\r\n")
		s = s[64:]
	}
	return b.String() + s + "\n"
}

// FuzzReadBundle: any input gives certificates or an error naming the
// input, never a panic. Seeds (testdata/fuzz/FuzzReadBundle) hold PEM, DER,
// PKCS#7 DER/PEM, BER, Base-64, keys and broken variants.
func FuzzReadBundle(f *testing.F) {
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := ReadBundle("fuzz.pem", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.pem") {
				t.Fatalf("error does not name the input: %v", err)
			}
			return
		}
		if len(b.Certs) == 0 {
			t.Fatal("no error and no certificate")
		}
		for _, c := range b.Certs {
			if c == nil || len(c.Raw) == 0 {
				t.Fatal("empty certificate returned")
			}
		}
	})
}
