package certs

// An offline answer to "would SPOG's Tomcat accept ECE's certificate?":
// the decision of Java's default X509TrustManager (PKIXValidator) for a
// server chain and the trustedCertEntry anchors of a cacerts, without a JVM.
// It follows Java where Java differs from crypto/x509: any trusted entry is
// an anchor (a self-signed leaf included), an anchor's own validity is not
// checked, and a chain whose leaf is itself trusted is accepted at once.
// Host names are not checked here: that is a separate failure in Java too.

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrPKIX is matched (errors.Is) by every *PKIXError.
var ErrPKIX = errors.New("PKIX path building failed")

// PKIXError is Java's "PKIX path building failed" predicted offline, with
// what to import to fix it.
type PKIXError struct {
	// Validation is true for Java's "PKIX path validation failed" (a path to
	// an anchor exists but a certificate on it is expired or not yet valid).
	Validation bool
	Detail     string
	// Cert is the certificate that failed validation (Validation only).
	Cert *x509.Certificate
	// Import lists the certificates (with keytool-style aliases) that would
	// make Java accept the chain, per the seed's rules. Empty when the fix is
	// a new certificate on the server (expired, broken chain).
	Import []Planned
}

func (e *PKIXError) Error() string {
	var b strings.Builder
	if e.Validation {
		b.WriteString("PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed")
	} else {
		b.WriteString("PKIX path building failed: unable to find valid certification path to requested target")
	}
	if e.Detail != "" {
		b.WriteString(" — ")
		b.WriteString(e.Detail)
	}
	if len(e.Import) > 0 {
		var parts []string
		for _, p := range e.Import {
			parts = append(parts, fmt.Sprintf("%q under alias %q", p.Cert.Subject.CommonName, p.Alias))
		}
		b.WriteString("; import ")
		b.WriteString(strings.Join(parts, ", then "))
		b.WriteString(" into the ADS cacerts and restart the ADS")
	}
	return b.String()
}

func (e *PKIXError) Is(target error) bool { return target == ErrPKIX }

// JavaTrusts reports whether Java's default TrustManager, with trusted as
// its anchors (a cacerts' trustedCertEntry certificates), accepts chain
// (leaf first, as the server sends it) at time now. fqdn is the alias a
// self-signed ECE certificate should get in the suggested fix. It returns
// nil or a *PKIXError.
func JavaTrusts(chain, trusted []*x509.Certificate, now time.Time, fqdn string) error {
	if len(chain) == 0 {
		return &PKIXError{Detail: "the server sent no certificate"}
	}
	isAnchor := func(c *x509.Certificate) bool { return anchorFor(c, trusted) != nil }
	// PKIXValidator first walks the chain as sent; if it is in order and one
	// of its certificates is trusted, only the part below it is validated.
	for i, c := range chain {
		if i > 0 && !bytes.Equal(c.RawSubject, chain[i-1].RawIssuer) {
			break // an unordered chain goes to the builder, as in Java
		}
		if isAnchor(c) {
			if i == 0 {
				return nil
			}
			return validatePartial(chain[:i+1], now)
		}
	}
	// Otherwise Java's builder looks for a path from the leaf to any anchor
	// through the certificates the server sent.
	var lastErr error
	for _, path := range pathsToAnchors(chain[0], chain[1:], trusted, isAnchor) {
		err := validatePartial(path, now)
		if err == nil {
			return nil
		}
		lastErr = err
	}
	if lastErr != nil {
		return lastErr
	}
	e := &PKIXError{}
	leaf := chain[0]
	if plan, perr := TrustPlan(chain, ImportOptions{FQDN: fqdn}); perr == nil {
		e.Import = plan
	}
	switch {
	case IsSelfSigned(leaf):
		e.Detail = fmt.Sprintf("the store does not trust the self-signed certificate %s", name1(leaf))
	case len(chain) == 1:
		e.Detail = fmt.Sprintf("the store trusts neither %s nor its issuer %q, and the server sent no CA certificate", name1(leaf), leaf.Issuer.String())
		if len(e.Import) == 0 {
			e.Detail += "; import the root (and intermediates) of " + leaf.Issuer.String() + " from the CA's files"
		}
	default:
		top := chain[len(chain)-1]
		e.Detail = fmt.Sprintf("the store trusts no certificate of the chain %s ← … ← %s", name1(leaf), name1(top))
		if !IsSelfSigned(top) {
			e.Detail += fmt.Sprintf(" (the root %q is not sent by the server; importing it is best)", top.Issuer.String())
		}
	}
	return e
}

// anchorFor is the trusted certificate that makes c an anchor, or nil.
// Java also takes a certificate with an anchor's name and key as that
// anchor (a CA re-signed with a stronger algorithm).
func anchorFor(c *x509.Certificate, trusted []*x509.Certificate) *x509.Certificate {
	for _, t := range trusted {
		if bytes.Equal(t.Raw, c.Raw) || bytes.Equal(t.RawSubject, c.RawSubject) && bytes.Equal(t.RawSubjectPublicKeyInfo, c.RawSubjectPublicKeyInfo) {
			return t
		}
	}
	return nil
}

// pathsToAnchors lists every issuer path from leaf to an anchor (the anchor
// last), through the sent certificates and the anchors themselves.
func pathsToAnchors(leaf *x509.Certificate, sent, trusted []*x509.Certificate, isAnchor func(*x509.Certificate) bool) [][]*x509.Certificate {
	var out [][]*x509.Certificate
	var walk func(path []*x509.Certificate)
	walk = func(path []*x509.Certificate) {
		cur := path[len(path)-1]
		if len(path) > 1 && isAnchor(cur) {
			out = append(out, append([]*x509.Certificate(nil), path...))
			return
		}
		if len(path) > 8 || len(out) > 16 || IsSelfSigned(cur) && len(path) > 1 {
			return
		}
		for _, cands := range [][]*x509.Certificate{trusted, sent} {
			for _, c := range cands {
				if !bytes.Equal(c.RawSubject, cur.RawIssuer) || onPath(path, c) {
					continue
				}
				if javaSignatureOK(c, cur) == nil {
					walk(append(path, c))
				}
			}
		}
	}
	walk([]*x509.Certificate{leaf})
	return out
}

func onPath(path []*x509.Certificate, c *x509.Certificate) bool {
	for _, p := range path {
		if bytes.Equal(p.Raw, c.Raw) {
			return true
		}
	}
	return false
}

// validatePartial checks chain[:len-1] against the anchor chain[len-1]:
// signatures, CA flags and validity, but not the anchor's own validity.
func validatePartial(chain []*x509.Certificate, now time.Time) error {
	for j := 0; j < len(chain)-1; j++ {
		c, parent := chain[j], chain[j+1]
		if now.Before(c.NotBefore) || now.After(c.NotAfter) {
			return &PKIXError{Validation: true, Cert: c, Detail: fmt.Sprintf("%s is outside its validity period (%s – %s); the server needs a new certificate",
				name1(c), c.NotBefore.Format(time.DateOnly), c.NotAfter.Format(time.DateOnly))}
		}
		if j+1 < len(chain)-1 && !(parent.BasicConstraintsValid && parent.IsCA) {
			return &PKIXError{Validation: true, Cert: parent, Detail: fmt.Sprintf("%s signed %s but is not a CA", name1(parent), name1(c))}
		}
		if err := javaSignatureOK(parent, c); err != nil {
			return &PKIXError{Detail: fmt.Sprintf("the signature of %s does not verify with %s: %v", name1(c), name1(parent), err)}
		}
	}
	return nil
}

func name1(c *x509.Certificate) string {
	if c.Subject.CommonName != "" {
		return fmt.Sprintf("%q", c.Subject.CommonName)
	}
	return fmt.Sprintf("%q", c.Subject.String())
}

// JavaTrusts is the package func with this store's trusted entries as anchors.
func (ks *Keystore) JavaTrusts(chain []*x509.Certificate, now time.Time, fqdn string) error {
	return JavaTrusts(chain, ks.TrustedCerts(), now, fqdn)
}
