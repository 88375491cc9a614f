package certs

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"strings"
	"time"
)

// JudgeServer is the verdict of Java's default X509TrustManager with
// endpoint identification on (SPOG's Tomcat reaching ECE, the AW reaching
// Cloud Connect, JNDI's LDAPS) for a server chain: nil when Java accepts
// it, else an error whose text starts with Java's own exception. It is
// JavaTrusts (path building from the store's anchors, Java's way), then
// what Java checks of the path and of the leaf beyond it:
//   - an unrecognised critical extension on any certificate below the
//     anchor;
//   - each intermediate's pathLenConstraint and DNS name constraints (the
//     anchor's own are not applied, as Java builds its TrustAnchor without
//     them);
//   - the leaf's use for a TLS server (EndEntityChecker): extendedKeyUsage
//     serverAuth or anyExtendedKeyUsage when present, keyUsage
//     digitalSignature when present (every key exchange of TLS 1.3 and of
//     ECDHE signs), Netscape cert type SSL server when present;
//   - the host name (JavaHostname, HTTPS or LDAPS rules).
//
// The server is assumed to negotiate TLS 1.2 ECDHE or TLS 1.3, as every
// current server does; RSA key exchange (keyEncipherment) is not judged.
func JudgeServer(chain, trusted []*x509.Certificate, host string, check HostCheck, now time.Time, fqdn string) error {
	return Java17().Judge(chain, trusted, host, check, now, fqdn)
}

// Judge is JudgeServer for the Java of p: its certificate-path algorithm
// constraints too (disabled signature digests, minimum key sizes).
func (p JavaProfile) Judge(chain, trusted []*x509.Certificate, host string, check HostCheck, now time.Time, fqdn string) error {
	if err := p.JudgePath(chain, trusted, now, fqdn); err != nil {
		return err
	}
	if err := endEntityTLSServer(chain[0]); err != nil {
		return err
	}
	return JavaHostname(chain[0], host, check)
}

// JudgePath is the part of Judge that concerns the certification path:
// building it from trusted, then Java's checks of each certificate on it
// below the anchor. The leaf's use and name are Judge's.
func (p JavaProfile) JudgePath(chain, trusted []*x509.Certificate, now time.Time, fqdn string) error {
	if err := JavaTrusts(chain, trusted, now, fqdn); err != nil {
		return err
	}
	path, anchor := javaPath(chain, trusted)
	if err := p.certpathCheck(path, anchor); err != nil {
		return err
	}
	// An anchor that signed the path must be a CA: Java refuses a v3 anchor
	// without basicConstraints cA (a v1 root has no extensions and passes).
	if anchor != nil && anchor.Version == 3 && !(anchor.BasicConstraintsValid && anchor.IsCA) {
		return fmt.Errorf("PKIX path validation failed: sun.security.validator.ValidatorException: TrustAnchor with subject %q is not a CA certificate; import the CA's real root (with basicConstraints cA=true) instead", anchor.Subject.String())
	}
	for _, c := range path {
		if anchor == nil {
			break // the leaf itself is trusted: Java validates no path
		}
		if len(c.UnhandledCriticalExtensions) > 0 {
			var oids []string
			for _, o := range c.UnhandledCriticalExtensions {
				if !javaKnowsExtension(o) {
					oids = append(oids, o.String())
				}
			}
			if len(oids) > 0 {
				return fmt.Errorf("java.security.cert.CertPathValidatorException: Unrecognized critical extension(s) %s in %s; the CA must issue it without them", strings.Join(oids, ", "), name1(c))
			}
		}
	}
	// pathLen: a CA may have at most MaxPathLen CA certificates below it
	// (self-issued ones do not count) before the leaf.
	for i := 1; i < len(path); i++ {
		ca := path[i]
		if !ca.BasicConstraintsValid || ca.MaxPathLen < 0 || ca.MaxPathLen == 0 && !ca.MaxPathLenZero {
			continue
		}
		below := 0
		for j := 1; j < i; j++ {
			if !bytes.Equal(path[j].RawSubject, path[j].RawIssuer) {
				below++
			}
		}
		if below > ca.MaxPathLen {
			return fmt.Errorf("java.security.cert.CertPathValidatorException: pathLenConstraint violated - this cert must be the last cert in the certification path (%s allows %d CA(s) below it); the CA must reissue the chain", name1(ca), ca.MaxPathLen)
		}
	}
	leaf := chain[0]
	for i := 1; i < len(path); i++ {
		if err := nameConstraints(path[i], leaf); err != nil {
			return err
		}
	}
	return nil
}

// javaPath is the path JavaTrusts accepted, leaf first, without the anchor
// (whose own extensions and constraints Java does not apply), and the
// anchor that signed it: nil when the leaf itself is trusted.
func javaPath(chain, trusted []*x509.Certificate) ([]*x509.Certificate, *x509.Certificate) {
	anchorOf := func(c *x509.Certificate) *x509.Certificate { return anchorFor(c, trusted) }
	isAnchor := func(c *x509.Certificate) bool { return anchorOf(c) != nil }
	for i, c := range chain {
		if i > 0 && !bytes.Equal(c.RawSubject, chain[i-1].RawIssuer) {
			break
		}
		if a := anchorOf(c); a != nil {
			if i == 0 {
				return chain[:1], nil
			}
			return chain[:i], a
		}
	}
	for _, p := range pathsToAnchors(chain[0], chain[1:], trusted, isAnchor) {
		return p[:len(p)-1], anchorOf(p[len(p)-1])
	}
	return chain[:1], nil
}

// javaKnowsExtension: the critical extensions Java's PKIX checkers handle.
func javaKnowsExtension(o asn1.ObjectIdentifier) bool {
	for _, k := range []asn1.ObjectIdentifier{
		{2, 5, 29, 15}, {2, 5, 29, 17}, {2, 5, 29, 19}, {2, 5, 29, 30}, {2, 5, 29, 32}, {2, 5, 29, 33},
		{2, 5, 29, 36}, {2, 5, 29, 37}, {2, 5, 29, 54}, {2, 16, 840, 1, 113730, 1, 1},
	} {
		if o.Equal(k) {
			return true
		}
	}
	return false
}

// nameConstraints applies ca's DNS subtrees to the leaf's DNS names.
func nameConstraints(ca, leaf *x509.Certificate) error {
	// Java applies DNS constraints to the dNSName SANs only.
	for _, n := range leaf.DNSNames {
		n = strings.ToLower(n)
		for _, ex := range ca.ExcludedDNSDomains {
			if dnsWithin(n, ex) {
				return fmt.Errorf("java.security.cert.CertPathValidatorException: name constraints check failed (%s excludes %s, which %s names); the CA must reissue the certificate", name1(ca), ex, name1(leaf))
			}
		}
		if len(ca.PermittedDNSDomains) > 0 {
			ok := false
			for _, p := range ca.PermittedDNSDomains {
				ok = ok || dnsWithin(n, p)
			}
			if !ok {
				return fmt.Errorf("java.security.cert.CertPathValidatorException: name constraints check failed (%s permits only %s, not %s); the CA must reissue the certificate", name1(ca), strings.Join(ca.PermittedDNSDomains, ", "), n)
			}
		}
	}
	return nil
}

// dnsWithin: name is constraint or below it (RFC 5280 DNS subtree).
func dnsWithin(name, constraint string) bool {
	c := strings.ToLower(strings.TrimPrefix(constraint, "."))
	return name == c || strings.HasSuffix(name, "."+c)
}

var oidNetscapeCertType = asn1.ObjectIdentifier{2, 16, 840, 1, 113730, 1, 1}

// endEntityTLSServer is Java's EndEntityChecker for a TLS server's leaf.
func endEntityTLSServer(leaf *x509.Certificate) error {
	if len(leaf.ExtKeyUsage) > 0 || len(leaf.UnknownExtKeyUsage) > 0 {
		ok := false
		for _, u := range leaf.ExtKeyUsage {
			ok = ok || u == x509.ExtKeyUsageServerAuth || u == x509.ExtKeyUsageAny
		}
		if !ok {
			return errors.New("java.security.cert.CertificateException: Extended key usage does not permit use for TLS server authentication; the certificate needs serverAuth in its extended key usage")
		}
	}
	if leaf.KeyUsage != 0 && leaf.KeyUsage&x509.KeyUsageDigitalSignature == 0 {
		return errors.New("java.security.cert.CertificateException: KeyUsage does not allow digital signatures; the certificate needs digitalSignature in its key usage (TLS 1.3 and ECDHE sign with it)")
	}
	for _, e := range leaf.Extensions {
		if !e.Id.Equal(oidNetscapeCertType) {
			continue
		}
		var bits asn1.BitString
		if _, err := asn1.Unmarshal(e.Value, &bits); err == nil && bits.At(1) == 0 {
			return errors.New("java.security.cert.CertificateException: Netscape cert type does not permit use for SSL server; the certificate must be reissued without it, or with SSL server")
		}
	}
	return nil
}

// TLSConfig is a client configuration whose verdict on the server is the
// judge's: ccewiz talking to a server on behalf of a Java client (VOS,
// the AW's Tomcat) with anchors as that client's store. It offers the
// profile's protocols and suites.
func (p JavaProfile) TLSConfig(anchors []*x509.Certificate, host string, check HostCheck, now func() time.Time) *tls.Config {
	if now == nil {
		now = time.Now
	}
	return &tls.Config{
		ServerName:         host,
		InsecureSkipVerify: true, //nolint:gosec // VerifyConnection judges as Java does
		MinVersion:         minOf(p.Versions()),
		MaxVersion:         maxOf(p.Versions()),
		CipherSuites:       p.Suites(),
		VerifyConnection: func(cs tls.ConnectionState) error {
			return p.Judge(cs.PeerCertificates, anchors, host, check, now(), host)
		},
	}
}

func minOf(vs []uint16) uint16 {
	m := uint16(tls.VersionTLS12)
	for _, v := range vs {
		if v < m {
			m = v
		}
	}
	return m
}

func maxOf(vs []uint16) uint16 {
	m := uint16(tls.VersionTLS12)
	for _, v := range vs {
		if v > m {
			m = v
		}
	}
	return m
}
