// Package testpeer starts and prepares the real peers ccewiz's tests talk
// to — a throwaway PKI, OpenLDAP slapd, the JDK's TLS and JNDI clients, TLS
// servers, tmux, the ccewiz binary and its lab — on loopback only, and
// stops them when the test ends. Need says which peers a test requires.
// Test code only: nothing outside _test.go files imports it, and it imports
// no ccewiz package (it builds ccewiz with the go command).
package testpeer

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

// Cert is a certificate with its key, as tests need both.
type Cert struct {
	Cert *x509.Certificate
	Key  *rsa.PrivateKey
	DER  []byte
}

// PEM returns the certificate in Base-64 (PEM) form.
func (c *Cert) PEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.DER})
}

// KeyPEM returns the private key as PKCS#8 PEM.
func (c *Cert) KeyPEM() []byte {
	der, err := x509.MarshalPKCS8PrivateKey(c.Key)
	if err != nil {
		panic(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// WriteFiles writes <base>.crt and <base>.key into dir and returns their paths.
func (c *Cert) WriteFiles(t testing.TB, dir, base string) (crt, key string) {
	t.Helper()
	crt, key = filepath.Join(dir, base+".crt"), filepath.Join(dir, base+".key")
	if err := os.WriteFile(crt, c.PEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(key, c.KeyPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	return crt, key
}

// Opt changes the template of a certificate before it is signed.
type Opt func(*x509.Certificate)

// Validity sets NotBefore/NotAfter (use it for expired and not-yet-valid cases).
func Validity(from, to time.Time) Opt {
	return func(c *x509.Certificate) { c.NotBefore, c.NotAfter = from, to }
}

// DNS sets the DNS SANs (replacing the CN-derived default).
func DNS(names ...string) Opt { return func(c *x509.Certificate) { c.DNSNames = names } }

// IPs adds IP SANs.
func IPs(ips ...string) Opt {
	return func(c *x509.Certificate) {
		for _, s := range ips {
			c.IPAddresses = append(c.IPAddresses, net.ParseIP(s))
		}
	}
}

// keyBits is the smallest size ccewiz accepts for real certificates, so the
// test PKI is one it would not refuse; smaller keys would be faster.
const keyBits = 2048

// serial numbers every certificate; packages and tests may sign in parallel.
var serial atomic.Int64

func newKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, keyBits)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func sign(t testing.TB, tmpl *x509.Certificate, parent *Cert, key *rsa.PrivateKey, opts []Opt) *Cert {
	t.Helper()
	for _, o := range opts {
		o(tmpl)
	}
	tmpl.SerialNumber = big.NewInt(1000 + serial.Add(1))
	signer, parentCert := key, tmpl
	if parent != nil {
		signer, parentCert = parent.Key, parent.Cert
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parentCert, &key.PublicKey, signer)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &Cert{Cert: c, Key: key, DER: der}
}

// NewCA makes a CA certificate named cn, self-signed when parent is nil
// (a root), else signed by parent (an intermediate).
func NewCA(t testing.TB, cn string, parent *Cert, opts ...Opt) *Cert {
	t.Helper()
	now := time.Now()
	tmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: cn, Organization: []string{"ccewiz test PKI"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(5, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	return sign(t, tmpl, parent, newKey(t), opts)
}

// NewLeaf makes a TLS server certificate for cn (also its DNS SAN unless
// DNS() says otherwise), signed by parent, or self-signed when parent is nil.
func NewLeaf(t testing.TB, cn string, parent *Cert, opts ...Opt) *Cert {
	t.Helper()
	now := time.Now()
	tmpl := &x509.Certificate{
		Subject:     pkix.Name{CommonName: cn},
		DNSNames:    []string{cn},
		NotBefore:   now.Add(-time.Hour),
		NotAfter:    now.AddDate(1, 0, 0),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	return sign(t, tmpl, parent, newKey(t), opts)
}

// Chain is a root, an intermediate and a leaf for name: the usual CA-signed case.
type Chain struct{ Root, Intermediate, Leaf *Cert }

// NewChain builds root → intermediate → leaf(name).
func NewChain(t testing.TB, name string, leafOpts ...Opt) Chain {
	t.Helper()
	root := NewCA(t, "ccewiz Test Root CA", nil)
	inter := NewCA(t, "ccewiz Test Issuing CA", root)
	return Chain{Root: root, Intermediate: inter, Leaf: NewLeaf(t, name, inter, leafOpts...)}
}
