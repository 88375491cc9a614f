package certs

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // Java accepts SHA-1 below a private CA; so must its judge
	"crypto/x509"
	"errors"
)

// javaSignatureOK reports whether Java's PKIX checker verifies c's
// signature with parent's key. It differs from crypto/x509, which refuses
// every SHA-1 signature: Java 17's default jdk.certpath.disabledAlgorithms
// ("SHA1 jdkCA & usage TLSServer") refuses SHA-1 only in chains that end at
// a CA the JDK ships — and the CAs of these integrations (an enterprise AD
// CS, a self-signed IIS or Cloud Connect) are private.
func javaSignatureOK(parent, c *x509.Certificate) error {
	switch c.SignatureAlgorithm {
	case x509.SHA1WithRSA, x509.ECDSAWithSHA1:
		h := sha1.Sum(c.RawTBSCertificate) //nolint:gosec // see above
		switch pub := parent.PublicKey.(type) {
		case *rsa.PublicKey:
			if c.SignatureAlgorithm == x509.SHA1WithRSA {
				return rsa.VerifyPKCS1v15(pub, crypto.SHA1, h[:], c.Signature)
			}
		case *ecdsa.PublicKey:
			if c.SignatureAlgorithm == x509.ECDSAWithSHA1 && ecdsa.VerifyASN1(pub, h[:], c.Signature) {
				return nil
			}
			return errors.New("ECDSA verification failure")
		}
		return errors.New("the signature algorithm does not match the issuer's key")
	}
	return parent.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature)
}
