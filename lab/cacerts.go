package lab

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"strings"

	"ccewiz/certs"
)

// adsCacerts returns the bytes of the ADS's Java trust store and where they
// came from: the JDK's own cacerts when this machine has a JDK (so the lab
// behaves like a real ADS, a hundred-odd public roots), else a JKS made here
// holding a few CA certificates from the operating system's bundle.
func adsCacerts(storepass string) ([]byte, string, error) {
	if p := jdkCacerts(); p != "" {
		if b, err := os.ReadFile(p); err == nil {
			if _, err := certs.OpenKeystore(b, []byte(storepass)); err == nil {
				return b, "a copy of " + p, nil
			}
		}
	}
	ks := certs.NewKeystore(certs.JKS)
	n := 0
	for _, c := range systemRoots(5) {
		alias := strings.ToLower(strings.ReplaceAll(c.Subject.CommonName, " ", ""))
		if alias == "" {
			continue
		}
		if _, err := ks.AddTrusted(alias+" [jdk]", c, false); err == nil {
			n++
		}
	}
	if n == 0 {
		// No JDK and no OS bundle: an ADS trust store still holds something.
		ca, err := newCA()
		if err != nil {
			return nil, "", err
		}
		if _, err := ks.AddTrusted("example-corp-root [lab]", ca.Chain[0], false); err != nil {
			return nil, "", err
		}
	}
	b, err := ks.Marshal([]byte(storepass))
	if err != nil {
		return nil, "", fmt.Errorf("make the ADS trust store: %w", err)
	}
	return b, "generated (no JDK found: set JAVA_HOME to use the JDK's cacerts)", nil
}

// systemRoots reads up to n CA certificates from the usual OS bundles.
func systemRoots(n int) []*x509.Certificate {
	var out []*x509.Certificate
	for _, p := range []string{"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem"} {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		for len(out) < n {
			var blk *pem.Block
			blk, b = pem.Decode(b)
			if blk == nil {
				break
			}
			if c, err := x509.ParseCertificate(blk.Bytes); err == nil && c.IsCA {
				out = append(out, c)
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return out
}
