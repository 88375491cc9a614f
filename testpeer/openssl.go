package testpeer

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// OpenSSLOptions shape a leaf openssl issues: what crypto/x509 will not
// sign itself (a SHA-1 signature, a negative serial, a 1024-bit key) or
// what real domain controllers carry (a CN and no SAN at all).
type OpenSSLOptions struct {
	CN     string   // subject CN
	DNS    []string // DNS SANs; none: a CN-only certificate, as many AD DCs hold
	Bits   string   // RSA key size; default "2048"
	Digest string   // signature digest: sha1, sha256…; default "sha256"
	Serial string   // decimal serial, may be negative; default "4242"
}

// OpenSSLLeaf has openssl issue a TLS server certificate signed by ca's
// key. A test that reads a negative serial needs `//go:debug
// x509negativeserial=1` in one of its _test.go files, as ccewiz's main.go has.
func OpenSSLLeaf(t testing.TB, ca *Cert, o OpenSSLOptions) *Cert {
	t.Helper()
	Need(t, "openssl")
	if o.Bits == "" {
		o.Bits = "2048"
	}
	if o.Digest == "" {
		o.Digest = "sha256"
	}
	if o.Serial == "" {
		o.Serial = "4242"
	}
	dir := t.TempDir()
	rc, rk := ca.WriteFiles(t, dir, "ca")
	key, csr, crt := filepath.Join(dir, "leaf.key"), filepath.Join(dir, "leaf.csr"), filepath.Join(dir, "leaf.crt")
	ext := "extendedKeyUsage=serverAuth\nkeyUsage=digitalSignature,keyEncipherment\n"
	if len(o.DNS) > 0 {
		ext += "subjectAltName=DNS:" + strings.Join(o.DNS, ",DNS:") + "\n"
	}
	extf := filepath.Join(dir, "ext.cnf")
	if err := os.WriteFile(extf, []byte(ext), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"req", "-new", "-newkey", "rsa:" + o.Bits, "-nodes", "-keyout", key, "-out", csr, "-subj", "/CN=" + o.CN},
		{"x509", "-req", "-in", csr, "-CA", rc, "-CAkey", rk, "-set_serial", o.Serial, "-days", "30",
			"-" + o.Digest, "-extfile", extf, "-out", crt},
	} {
		if out, err := exec.Command("openssl", args...).CombinedOutput(); err != nil {
			t.Fatalf("openssl %v: %v\n%s", args, err, out)
		}
	}
	return &Cert{Cert: mustParse(t, crt), Key: readRSAKey(t, key), DER: mustDER(t, crt)}
}

func mustDER(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := pem.Decode(data)
	if b == nil {
		t.Fatalf("%s: no PEM block", path)
	}
	return b.Bytes
}

func mustParse(t testing.TB, path string) *x509.Certificate {
	t.Helper()
	c, err := x509.ParseCertificate(mustDER(t, path))
	if err != nil {
		t.Fatalf("%s: %v (a negative serial needs //go:debug x509negativeserial=1 in the test)", path, err)
	}
	return c
}

// readRSAKey reads what `openssl req -nodes` writes: PKCS#8 (OpenSSL 3) or
// PKCS#1 (older releases).
func readRSAKey(t testing.TB, path string) *rsa.PrivateKey {
	t.Helper()
	der := mustDER(t, path)
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		if rk, ok := k.(*rsa.PrivateKey); ok {
			return rk
		}
	}
	k, err := x509.ParsePKCS1PrivateKey(der)
	if err != nil {
		t.Fatalf("%s: not an RSA key: %v", path, err)
	}
	return k
}
