package certs

import (
	"bytes"
	"ccewiz/safefile"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"github.com/smallstep/pkcs7"
)

// ErrNoCertificate means a file held no certificate ccewiz could read.
var ErrNoCertificate = errors.New("no certificate found")

// ErrIsPFX means the file is a password-protected PFX (PKCS#12), which
// DecodePFX reads, not a certificate bundle.
var ErrIsPFX = errors.New("this is a PFX/PKCS#12 file (certificate with private key, password-protected)")

// Bundle is what a certificate file (or several) held. CAs send their
// answer in every shape — a PEM chain, a DER .cer, a .p7b (DER or PEM),
// all in one file or spread over several, in any order — so the reader
// takes any mix and says which shapes it found.
type Bundle struct {
	Certs []*x509.Certificate
	// Found lists, per file, what was recognised: "ece.p7b: PKCS#7 DER (3 certificates)".
	Found []string
	// Keys counts private keys seen in the input; they are never taken from
	// a certificate file (the key comes from --key), only reported.
	Keys int
}

// ReadBundleFiles reads every file and merges their certificates, dropping duplicates.
func ReadBundleFiles(paths ...string) (*Bundle, error) {
	out := &Bundle{}
	for _, p := range paths {
		data, err := safefile.Read(p, safefile.MaxSmall)
		if err != nil {
			return nil, fmt.Errorf("read certificate file: %w", err)
		}
		b, err := ReadBundle(p, data)
		if err != nil {
			return nil, err
		}
		out.merge(b)
	}
	return out, nil
}

func (b *Bundle) merge(o *Bundle) {
	b.Found = append(b.Found, o.Found...)
	b.Keys += o.Keys
	for _, c := range o.Certs {
		b.add(c)
	}
}

func (b *Bundle) add(c *x509.Certificate) {
	for _, have := range b.Certs {
		if bytes.Equal(have.Raw, c.Raw) {
			return
		}
	}
	b.Certs = append(b.Certs, c)
}

// ReadBundle reads the certificates in data: PEM (CERTIFICATE, TRUSTED
// CERTIFICATE, PKCS7 blocks, with any text around them), DER (one
// certificate, several concatenated, or PKCS#7), or Base-64 without PEM
// armour. name labels messages. It never panics on hostile input.
func ReadBundle(name string, data []byte) (*Bundle, error) {
	b := &Bundle{}
	if err := b.read(name, data, 0); err != nil {
		return nil, err
	}
	if len(b.Certs) == 0 {
		what := "the file is empty"
		switch {
		case b.Keys > 0:
			what = "it holds only a private key"
		case len(bytes.TrimSpace(data)) > 0:
			what = "it is not PEM, DER, Base-64 or PKCS#7"
		}
		return nil, fmt.Errorf("%s: %w: %s; give the certificate as Base-64 (PEM), DER (.cer) or a PKCS#7 bundle (.p7b)", name, ErrNoCertificate, what)
	}
	return b, nil
}

func (b *Bundle) read(name string, data []byte, depth int) error {
	// DER is binary: trimming "whitespace" would cut a signature that happens
	// to end in 0x0a or 0x20 (about one certificate in forty). Decide on the
	// raw bytes first; only text gets trimmed.
	if len(data) > 0 && data[0] == 0x30 && !bytes.Contains(data, []byte("-----BEGIN ")) {
		return b.readDER(name, data, "DER")
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil
	}
	if bytes.Contains(trimmed, []byte("-----BEGIN ")) {
		return b.readPEM(name, trimmed)
	}
	if trimmed[0] == 0x30 {
		return b.readDER(name, trimmed, "DER")
	}
	// Some CAs hand out the Base-64 of a .p7b or .cer without the PEM lines.
	if depth == 0 {
		clean := strings.Map(func(r rune) rune {
			if r == '\r' || r == '\n' || r == ' ' || r == '\t' {
				return -1
			}
			return r
		}, string(trimmed))
		if der, err := base64.StdEncoding.DecodeString(clean); err == nil && len(der) > 0 && der[0] == 0x30 {
			return b.readDER(name, der, "Base-64 DER")
		}
	}
	// Not a PFX either: that is DER and starts with 0x30, handled above.
	return nil
}

func (b *Bundle) readPEM(name string, data []byte) error {
	rest := data
	for {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			break
		}
		switch {
		case blk.Type == "CERTIFICATE" || blk.Type == "X509 CERTIFICATE" || blk.Type == "TRUSTED CERTIFICATE":
			c, err := parseCert(blk.Bytes, blk.Type == "TRUSTED CERTIFICATE")
			if err != nil {
				return fmt.Errorf("%s: PEM certificate #%d: %w", name, len(b.Certs)+1, err)
			}
			b.add(c)
			b.Found = append(b.Found, name+": PEM certificate "+c.Subject.String())
		case blk.Type == "PKCS7" || blk.Type == "CERTIFICATE CHAIN":
			if err := b.readPKCS7(name, blk.Bytes, "PEM PKCS#7"); err != nil {
				return err
			}
		case strings.HasSuffix(blk.Type, "PRIVATE KEY"):
			b.Keys++
			b.Found = append(b.Found, name+": a private key (not used from here; pass it with --key)")
		case strings.Contains(blk.Type, "CERTIFICATE REQUEST"):
			return fmt.Errorf("%s: this is a certificate request (CSR), not a certificate; send it to the CA and use what the CA returns", name)
		default:
			b.Found = append(b.Found, fmt.Sprintf("%s: PEM block %q ignored", name, blk.Type))
		}
	}
	return nil
}

func (b *Bundle) readDER(name string, der []byte, label string) error {
	c, certErr := parseCert(der, false)
	if certErr == nil {
		b.add(c)
		b.Found = append(b.Found, fmt.Sprintf("%s: %s certificate %s", name, label, c.Subject))
		return nil
	}
	if isPKCS7(der) {
		if len(der) > 1 && der[1] == 0x80 {
			// Indefinite lengths: BER, as Windows and `openssl cms -stream` write it.
			label = strings.Replace(label, "DER", "BER", 1)
		}
		return b.readPKCS7(name, der, label+" PKCS#7")
	}
	if cs, err := x509.ParseCertificates(der); err == nil && len(cs) > 0 {
		for _, c := range cs {
			b.add(c)
		}
		b.Found = append(b.Found, fmt.Sprintf("%s: %s, %d concatenated certificates", name, label, len(cs)))
		return nil
	}
	if isPFX(der) {
		return fmt.Errorf("%s: %w; give its password (--pfx-pass-env), or extract the certificate: openssl pkcs12 -in %s -nokeys -out cert.pem", name, ErrIsPFX, name)
	}
	return fmt.Errorf("%s: %s data is neither a certificate nor a PKCS#7 bundle: %w", name, label, certErr)
}

func (b *Bundle) readPKCS7(name string, der []byte, label string) (err error) {
	var p7 *pkcs7.PKCS7
	func() {
		// The PKCS#7 parser is third-party code fed with user files; a
		// panic there must become an error naming the file, not a crash.
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("%s: %s bundle is malformed (%v)", name, label, r)
			}
		}()
		if p7, err = pkcs7.Parse(der); err != nil {
			err = fmt.Errorf("%s: %s bundle cannot be read: %w", name, label, err)
		}
	}()
	if err != nil {
		return err
	}
	if len(p7.Certificates) == 0 {
		return fmt.Errorf("%s: %s bundle holds no certificates", name, label)
	}
	for _, c := range p7.Certificates {
		b.add(c)
	}
	b.Found = append(b.Found, fmt.Sprintf("%s: %s (%d certificates)", name, label, len(p7.Certificates)))
	return nil
}

// parseCert reads one DER certificate; trusted is OpenSSL's "TRUSTED
// CERTIFICATE" form, a certificate followed by trust settings.
func parseCert(der []byte, trusted bool) (*x509.Certificate, error) {
	if trusted {
		var raw asn1.RawValue
		if _, err := asn1.Unmarshal(der, &raw); err == nil {
			der = raw.FullBytes
		}
	}
	return x509.ParseCertificate(der)
}

var oidSignedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}

// isPKCS7 reports whether der starts like a ContentInfo of signedData.
func isPKCS7(der []byte) bool {
	var ci struct {
		Type asn1.ObjectIdentifier
		Rest asn1.RawValue `asn1:"optional,explicit,tag:0"`
	}
	_, err := asn1.Unmarshal(der, &ci)
	if err != nil {
		// BER with indefinite lengths (Windows exports them) does not
		// unmarshal as DER; look for the OID near the start instead.
		oid, _ := asn1.Marshal(oidSignedData)
		return len(der) > 32 && bytes.Contains(der[:32], oid)
	}
	return ci.Type.Equal(oidSignedData)
}

// isPFX reports whether der looks like a PKCS#12 PFX: SEQUENCE { INTEGER 3, ContentInfo … }.
func isPFX(der []byte) bool {
	var pfx struct {
		Version  int
		AuthSafe asn1.RawValue
		Rest     asn1.RawValue `asn1:"optional"`
	}
	_, err := asn1.Unmarshal(der, &pfx)
	return err == nil && pfx.Version == 3
}

// CertPEM encodes certificates as Base-64 X.509 (PEM), the form the ADS
// keytool import and most tools read. One certificate is a .cer file.
func CertPEM(certs ...*x509.Certificate) []byte {
	var buf bytes.Buffer
	for _, c := range certs {
		pem.Encode(&buf, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	return buf.Bytes()
}
