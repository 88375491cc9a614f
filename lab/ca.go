package lab

import (
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"ccewiz/safefile"
)

// enrollment plays the enterprise CA's web enrollment page (AD CS
// certsrv): every certificate request (*.csr) that appears in the
// certificate step's folder is signed at once by example-DC1-CA, and the
// answer is left where an admin would save it from the browser —
// <dir>/ca/issued/<name>.cer (Base 64) beside the CA's own certificate
// <dir>/ca/example-DC1-CA.cer — ready for certificate.ca_response.
type enrollment struct {
	ca     *keyPair
	watch  string // the folder step 1 writes the CSR into
	outDir string // <dir>/ca
	logf   func(string, ...any)

	seen map[string]string // csr path → stamp already handled
	stop chan struct{}
	wg   sync.WaitGroup
}

func (e *enrollment) start() error {
	if err := os.MkdirAll(filepath.Join(e.outDir, "issued"), 0o755); err != nil {
		return fmt.Errorf("lab CA folder: %w", err)
	}
	root := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: e.ca.Chain[0].Raw})
	if err := writeFile(filepath.Join(e.outDir, "example-DC1-CA.cer"), root, 0o644); err != nil {
		return fmt.Errorf("lab CA certificate: %w", err)
	}
	e.seen = map[string]string{}
	e.stop = make(chan struct{})
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			e.scan()
			select {
			case <-e.stop:
				return
			case <-t.C:
			}
		}
	}()
	return nil
}

func (e *enrollment) close() {
	if e.stop != nil {
		close(e.stop)
		e.wg.Wait()
		e.stop = nil
	}
}

func (e *enrollment) scan() {
	csrs, _ := filepath.Glob(filepath.Join(e.watch, "*.csr"))
	for _, p := range csrs {
		stamp := fileStamp(p)
		if e.seen[p] == stamp {
			continue
		}
		e.seen[p] = stamp
		out, err := e.issue(p)
		if err != nil {
			e.logf("lab CA: %v", err)
			continue
		}
		e.logf("lab CA: issued %s for %s; CA certificate %s", out, filepath.Base(p), filepath.Join(e.outDir, "example-DC1-CA.cer"))
	}
}

// issue signs the request at path the way AD CS's Web Server template does:
// the subject and DNS names of the request, server authentication, two years.
func (e *enrollment) issue(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	der := b
	if blk, _ := pem.Decode(b); blk != nil {
		der = blk.Bytes
	}
	req, err := x509.ParseCertificateRequest(der)
	if err != nil {
		return "", fmt.Errorf("%s is not a certificate request the CA can read: %w", path, err)
	}
	if err := req.CheckSignature(); err != nil {
		return "", fmt.Errorf("%s: the request's signature does not verify: %w", path, err)
	}
	if req.Subject.CommonName == "" && len(req.DNSNames) == 0 {
		return "", fmt.Errorf("%s names no host (no CN, no DNS SAN); the CA refuses it", path)
	}
	sn, err := serial()
	if err != nil {
		return "", err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: sn,
		Subject:      req.Subject,
		DNSNames:     req.DNSNames,
		IPAddresses:  req.IPAddresses,
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(2, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	cert, err := x509.CreateCertificate(rand.Reader, tmpl, e.ca.Chain[0], req.PublicKey, e.ca.Key)
	if err != nil {
		return "", fmt.Errorf("sign %s: %w", path, err)
	}
	out := filepath.Join(e.outDir, "issued", strings.TrimSuffix(filepath.Base(path), ".csr")+".cer")
	// Whoever waits for the answer (the admin, a test) reads it as soon as
	// the name appears, so the name must never show a half-written file.
	if _, err := safefile.Replace(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert}), safefile.Options{NoBackup: true}); err != nil {
		return "", err
	}
	return out, nil
}
