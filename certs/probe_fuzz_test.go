package certs

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"
)

// fuzzPKI is one ECDSA CA and leaf key for the whole fuzz process: RSA key
// generation per input would leave no time for the inputs.
var fuzzPKI = sync.OnceValues(func() (*x509.Certificate, *ecdsa.PrivateKey) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Fuzz Root"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(5, 0, 0),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	ca, _ := x509.ParseCertificate(der)
	return ca, key
})

// FuzzProbeAnswers feeds cert probe what a server on the wire can answer:
// raw bytes then a close (mode 0), raw bytes then silence (mode 1), or a
// TLS handshake whose leaf is built from the inputs — names, key usage,
// extended key usages, validity — followed by any extra
// certificate that crypto/x509 parses, and the root when asked (mode 2). The probe must never panic
// or hang, must classify every failure, and must report the chain it was
// sent, findings and all.
func FuzzProbeAnswers(f *testing.F) {
	ca, caKey := fuzzPKI()
	f.Add(uint8(0), []byte("HTTP/1.1 400 Bad Request\r\n\r\n"), "ece.example.com", "ece.example.com", "ece.example.com", uint16(5), uint8(1), int16(365), false, []byte(nil))
	f.Add(uint8(1), []byte{0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28}, "", "", "x", uint16(0), uint8(0), int16(0), false, []byte(nil))
	f.Add(uint8(2), []byte(nil), "DC1.Example.Local", "", "dc1.example.local", uint16(4), uint8(0), int16(-3), true, ca.Raw)
	f.Add(uint8(2), []byte(nil), "*.example.com", "w*.example.com", "web.example.com", uint16(1), uint8(6), int16(30), false, []byte{0x30, 0x03, 0x02, 0x01, 0x01})
	f.Fuzz(func(t *testing.T, mode uint8, raw []byte, cn, dns, name string, ku uint16, eku uint8, days int16, sendRoot bool, extra []byte) {
		var serve func(c net.Conn)
		var leafDER []byte
		switch mode % 3 {
		case 0, 1:
			hold := mode%3 == 1
			serve = func(c net.Conn) {
				c.Write(raw)
				if hold {
					time.Sleep(200 * time.Millisecond)
				}
				c.Close()
			}
		default:
			key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			serial := big.NewInt(int64(ku) + 2)
			tmpl := &x509.Certificate{
				SerialNumber: serial, Subject: pkix.Name{CommonName: cn},
				NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Duration(days) * 24 * time.Hour),
				KeyUsage: x509.KeyUsage(ku & 0x1ff),
			}
			if dns != "" {
				tmpl.DNSNames = []string{dns}
			}
			for i, u := range []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageAny} {
				if eku&(1<<i) != 0 {
					tmpl.ExtKeyUsage = append(tmpl.ExtKeyUsage, u)
				}
			}
			der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
			if err != nil {
				return // a template crypto/x509 will not sign (e.g. a name that is not IA5)
			}
			leafDER = der
			chain := [][]byte{der}
			if _, err := x509.ParseCertificate(extra); err == nil {
				chain = append(chain, extra)
			}
			if sendRoot { // servers that send their root too are common
				chain = append(chain, ca.Raw)
			}
			cfg := &tls.Config{Certificates: []tls.Certificate{{Certificate: chain, PrivateKey: key}}}
			serve = func(c net.Conn) {
				s := tls.Server(c, cfg)
				s.SetDeadline(time.Now().Add(2 * time.Second))
				if s.Handshake() == nil {
					s.Write([]byte("HTTP/1.1 200 OK\r\n\r\n"))
				}
				s.Close()
			}
		}
		var wg sync.WaitGroup
		dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
			client, server := net.Pipe()
			wg.Add(1)
			go func() { defer wg.Done(); serve(server) }()
			return client, nil
		}
		res, err := Probe(context.Background(), "ece.example.com:443", ProbeOptions{Name: name, Dial: dial, Timeout: 100 * time.Millisecond, Anchors: []*x509.Certificate{ca}})
		wg.Wait()
		if err != nil {
			var pe *ProbeError
			if !errors.As(err, &pe) || pe.Kind == nil {
				t.Fatalf("an unclassified probe error: %v", err)
			}
			if leafDER != nil {
				if _, perr := x509.ParseCertificate(leafDER); perr == nil {
					t.Logf("a signed, parseable leaf failed the probe: %v", err) // a name crypto/tls refuses as SNI, say
				}
			}
			return
		}
		if mode%3 != 2 {
			t.Fatalf("the probe accepted a raw answer %q", raw)
		}
		h := res.NoSNI
		if h == nil {
			h = res.SNI
		}
		if h == nil || len(h.Certs) == 0 || h.Certs[0].SHA256 != Fingerprint(leafDER) {
			t.Fatalf("the probe reports a chain that is not the one sent: %+v", h)
		}
		for _, fd := range res.Findings {
			if fd.Message == "" {
				t.Fatalf("a finding with no message: %+v", fd)
			}
		}
	})
}
