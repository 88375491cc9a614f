package lab

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"time"
)

// The lab's own PKI: a root CA that signs the domain controller's
// certificate (as an enterprise AD CS would), and the placeholder
// certificate IIS shows before step 1. Keys are RSA 2048 like the real ones,
// so every client (Go, Java, openssl) treats them as it would in production.

const labKeyBits = 2048

// keyPair is a certificate chain and its key, as PEM files on disk.
type keyPair struct {
	CertFile, KeyFile string
	Chain             []*x509.Certificate // leaf first
	Key               *rsa.PrivateKey
}

func (k *keyPair) tlsCert() tls.Certificate {
	c := tls.Certificate{PrivateKey: k.Key, Leaf: k.Chain[0]}
	for _, x := range k.Chain {
		c.Certificate = append(c.Certificate, x.Raw)
	}
	return c
}

// loadOrMake returns the pair stored at certFile/keyFile, or makes one with
// mk and stores it, so a lab restarted in the same folder keeps its CA and
// the keystores built from it stay valid.
func loadOrMake(certFile, keyFile string, mk func() (*keyPair, error)) (*keyPair, error) {
	if kp, err := loadPair(certFile, keyFile); err == nil {
		return kp, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	kp, err := mk()
	if err != nil {
		return nil, err
	}
	kp.CertFile, kp.KeyFile = certFile, keyFile
	if err := writePair(kp); err != nil {
		return nil, err
	}
	return kp, nil
}

func loadPair(certFile, keyFile string) (*keyPair, error) {
	cb, err := os.ReadFile(certFile)
	if err != nil {
		return nil, err
	}
	kb, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, err
	}
	kp := &keyPair{CertFile: certFile, KeyFile: keyFile}
	for rest := cb; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("lab certificate %s: %w; delete it and restart the lab to make a new one", certFile, err)
		}
		kp.Chain = append(kp.Chain, c)
	}
	b, _ := pem.Decode(kb)
	if len(kp.Chain) == 0 || b == nil {
		return nil, fmt.Errorf("lab certificate %s or key %s holds no PEM data; delete both and restart the lab", certFile, keyFile)
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("lab key %s: %w; delete it and restart the lab", keyFile, err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("lab key %s is not an RSA key; delete it and restart the lab", keyFile)
	}
	kp.Key = rk
	return kp, nil
}

func writePair(kp *keyPair) error {
	var cb []byte
	for _, c := range kp.Chain {
		cb = append(cb, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	der, err := x509.MarshalPKCS8PrivateKey(kp.Key)
	if err != nil {
		return fmt.Errorf("encode lab key: %w", err)
	}
	if err := writeFile(kp.KeyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		return fmt.Errorf("save lab key: %w", err)
	}
	if err := writeFile(kp.CertFile, cb, 0o644); err != nil {
		return fmt.Errorf("save lab certificate: %w", err)
	}
	return nil
}

func serial() (*big.Int, error) {
	return rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
}

// newCert signs tmpl with parent (self-signed when parent is nil).
func newCert(tmpl *x509.Certificate, parent *keyPair) (*keyPair, error) {
	key, err := rsa.GenerateKey(rand.Reader, labKeyBits)
	if err != nil {
		return nil, fmt.Errorf("generate lab key: %w", err)
	}
	if tmpl.SerialNumber, err = serial(); err != nil {
		return nil, err
	}
	signer, parentCert := key, tmpl
	var chain []*x509.Certificate
	if parent != nil {
		signer, parentCert = parent.Key, parent.Chain[0]
		chain = parent.Chain
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parentCert, &key.PublicKey, signer)
	if err != nil {
		return nil, fmt.Errorf("sign lab certificate %s: %w", tmpl.Subject.CommonName, err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &keyPair{Chain: append([]*x509.Certificate{c}, chain...), Key: key}, nil
}

// newCA makes the lab's enterprise root CA, named like the one AD CS creates.
func newCA() (*keyPair, error) {
	now := time.Now()
	return newCert(&x509.Certificate{
		Subject:               pkix.Name{CommonName: "example-DC1-CA", Organization: []string{"ccewiz lab"}},
		NotBefore:             now.Add(-24 * time.Hour),
		NotAfter:              now.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLen:            1,
	}, nil)
}

// newServerCert makes a TLS server certificate for names[0] (also every
// name as a DNS SAN), signed by ca or self-signed when ca is nil.
func newServerCert(ca *keyPair, names ...string) (*keyPair, error) {
	now := time.Now()
	return newCert(&x509.Certificate{
		Subject:     pkix.Name{CommonName: names[0]},
		DNSNames:    names,
		NotBefore:   now.Add(-24 * time.Hour),
		NotAfter:    now.AddDate(1, 0, 0),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}, ca)
}
