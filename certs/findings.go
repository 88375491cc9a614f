package certs

import (
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Severity grades a Finding.
type Severity string

const (
	SevInfo  Severity = "info"
	SevWarn  Severity = "warn"
	SevError Severity = "error" // SPOG (or a browser) will fail
)

// Code names a kind of finding; callers branch on it and JSON carries it.
type Code string

const (
	CodeNameMismatch    Code = "name-mismatch"
	CodeCNNotInSAN      Code = "cn-not-in-san"
	CodeExpired         Code = "expired"
	CodeNotYetValid     Code = "not-yet-valid"
	CodeExpiresSoon     Code = "expires-soon"
	CodeSelfSigned      Code = "self-signed"
	CodeIncompleteChain Code = "incomplete-chain"
	CodeUntrusted       Code = "untrusted-root"
	CodeBadChain        Code = "bad-chain"
	CodeWeakKey         Code = "weak-key"
	CodeNoServerAuth    Code = "no-server-auth"
	CodeExtraCerts      Code = "extra-certs"
	CodeNeedsSNI        Code = "needs-sni"
	CodeSNIDiffers      Code = "sni-differs"
	CodeOldTLS          Code = "old-tls"
)

// Finding is one thing worth telling about a certificate or a server.
type Finding struct {
	Code     Code     `json:"code"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	Fix      string   `json:"fix,omitempty"`
}

func (f Finding) String() string {
	if f.Fix == "" {
		return fmt.Sprintf("%s: %s", f.Severity, f.Message)
	}
	return fmt.Sprintf("%s: %s; fix: %s", f.Severity, f.Message, f.Fix)
}

// Worst returns the highest severity among fs ("" when fs is empty).
func Worst(fs []Finding) Severity {
	var w Severity
	for _, f := range fs {
		switch {
		case f.Severity == SevError:
			return SevError
		case f.Severity == SevWarn:
			w = SevWarn
		case w == "":
			w = SevInfo
		}
	}
	return w
}

// Has reports whether fs holds a finding with code.
func Has(fs []Finding, code Code) bool {
	for _, f := range fs {
		if f.Code == code {
			return true
		}
	}
	return false
}

// SoonDays is how close to expiry a certificate draws a warning.
const SoonDays = 30

// AssessOptions say what a chain is checked against.
type AssessOptions struct {
	Name string    // the FQDN SPOG uses; "" skips the name check
	Now  time.Time // zero = time.Now()
	// Anchors are the certificates the Java in question trusts (the ADS's
	// cacerts, a --ca-file); nil = not known. Without them the path is still
	// judged as Java would, against the chain's own root, and trust is left
	// to the ADS's cacerts (step 4.1): a private CA's root usually is not in
	// any store ccewiz can see.
	Anchors []*x509.Certificate
	// Java is the profile whose rules judge the path; nil = Java 17.
	Java *JavaProfile
	// Live marks a chain a server sent (a probe) rather than files: a
	// missing intermediate there breaks Java clients, which never fetch one.
	Live bool
}

// Assess checks a chain the way SPOG's Java client will — name, dates,
// key, use and the path to an anchor, each verdict the Java judge's
// (JavaProfile.JudgePath, JavaHostname, Java's end-entity checks) — plus
// what an admin should fix before Java minds (expiry soon, a CN missing
// from the SANs, a key CAs no longer issue). Every finding says what to do.
func Assess(c *Chain, o AssessOptions) []Finding {
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	leaf := c.Leaf
	var fs []Finding
	add := func(code Code, sev Severity, fix, format string, args ...any) {
		fs = append(fs, Finding{Code: code, Severity: sev, Message: fmt.Sprintf(format, args...), Fix: fix})
	}
	// Java's own limit (RSA under 1024 bits) is the judge's; this is the
	// size public CAs and browsers require.
	if k, ok := leaf.PublicKey.(*rsa.PublicKey); ok && k.N.BitLen() < MinKeySize {
		add(CodeWeakKey, SevWarn, "issue the next certificate with a 2048-bit (or larger) key",
			"the key is RSA %d; Java accepts it, but CAs no longer issue and browsers refuse RSA keys under %d bits", k.N.BitLen(), MinKeySize)
	}
	if o.Name != "" {
		if err := JavaHostname(leaf, o.Name, HTTPSCheck); err != nil {
			add(CodeNameMismatch, SevError, fmt.Sprintf("reissue the certificate with %s as CN and as a DNS SAN (ccewiz cert csr --cn %s)", o.Name, o.Name),
				"%s is not in the certificate's names (CN %q, DNS SANs: %s); SPOG refuses it: %v", o.Name, leaf.Subject.CommonName, orNone(leaf.DNSNames), err)
		}
	}
	if cn := leaf.Subject.CommonName; cn != "" && len(leaf.DNSNames) > 0 && !containsFold(leaf.DNSNames, cn) && !strings.Contains(cn, " ") {
		add(CodeCNNotInSAN, SevWarn, "reissue with the CN also listed as a DNS SAN",
			"the CN %s is not among the DNS SANs (%s); clients that see SANs ignore the CN", cn, strings.Join(leaf.DNSNames, ", "))
	}
	switch left := leaf.NotAfter.Sub(now); {
	case now.After(leaf.NotAfter):
		add(CodeExpired, SevError, "renew it now (a new self-signed certificate or a new CSR), then bind and import it again",
			"the certificate expired on %s (%d days ago)", leaf.NotAfter.UTC().Format("2006-01-02"), int(-left.Hours()/24))
	case now.Before(leaf.NotBefore):
		add(CodeNotYetValid, SevError, "check this machine's and the server's clocks, or wait",
			"the certificate is not valid before %s", leaf.NotBefore.UTC().Format(time.RFC3339))
	case left < SoonDays*24*time.Hour:
		add(CodeExpiresSoon, SevWarn, "renew it before then; every ADS must import the new one",
			"the certificate expires on %s, in %d days", leaf.NotAfter.UTC().Format("2006-01-02"), int(left.Hours()/24))
	}
	if err := endEntityTLSServer(leaf); err != nil {
		add(CodeNoServerAuth, SevError, "request a web server (TLS server authentication) certificate from the CA",
			"the certificate is not for TLS servers: %v", err)
	}
	if len(c.Extra) > 0 && !o.Live {
		var names []string
		for _, e := range c.Extra {
			names = append(names, fmt.Sprintf("%q", e.Subject.String()))
		}
		add(CodeExtraCerts, SevInfo, "", "%d certificate(s) given are not part of this chain and are left out: %s", len(c.Extra), strings.Join(names, ", "))
	}
	fs = append(fs, assessPath(c, o, now)...)
	return fs
}

// AssessRequest checks a certificate signing request against the FQDN
// SPOG will use (name; "" checks nothing): the CA signs the names the
// request carries, so a missing one can only be fixed by a new request.
func AssessRequest(req *x509.CertificateRequest, name string) []Finding {
	if name == "" || containsFold(req.DNSNames, name) {
		return nil
	}
	return []Finding{{Code: CodeNameMismatch, Severity: SevError,
		Message: name + " is not among the request's DNS names", Fix: "make a new request: ccewiz cert csr --cn " + name}}
}

func assessPath(c *Chain, o AssessOptions, now time.Time) []Finding {
	leaf := c.Leaf
	if c.BrokenLink != nil {
		return []Finding{{Code: CodeBadChain, Severity: SevError, Message: c.BrokenLink.Error(),
			Fix: "get the correct CA certificates from the CA (the ones that signed this certificate)"}}
	}
	p := Java17()
	if o.Java != nil {
		p = *o.Java
	}
	anchors, given := o.Anchors, o.Anchors != nil
	if !given {
		anchors = OwnRoot(c)
	}
	err := p.JudgePath(c.Certs(), anchors, now, leaf.Subject.CommonName)
	var pe *PKIXError
	switch {
	case err == nil && given:
		return nil
	case err == nil && IsSelfSigned(leaf):
		return []Finding{{Code: CodeSelfSigned, Severity: SevInfo,
			Message: "the certificate is self-signed: nothing vouches for it but itself",
			Fix:     "import this exact certificate (.cer) into every ADS's cacerts (step 4.1); browsers will warn unless it is trusted"}}
	case err == nil:
		return []Finding{{Code: CodeUntrusted, Severity: SevInfo,
			Message: fmt.Sprintf("Java accepts this chain where the root %q is trusted; no trust store was given to say whether it is", rootName(c)),
			Fix:     "import the root (then any intermediate) into every ADS's cacerts (step 4.1); pass --ca-file or --keystore to judge a store"}}
	case errors.As(err, &pe) && pe.Validation && pe.Cert == leaf:
		return nil // already reported from the dates
	case errors.As(err, &pe) && !pe.Validation && c.MissingIssuer != "" && o.Live && (given || c.Root == nil):
		if !given {
			return []Finding{{Code: CodeUntrusted, Severity: SevWarn,
				Message: fmt.Sprintf("cannot judge: %q is neither sent by the server nor in a given store; if it is an intermediate CA the server's chain is incomplete, and Java (SPOG) never downloads one", c.MissingIssuer),
				Fix:     "pass your root CA with --ca-file (or the ADS's cacerts with --keystore) to tell the two apart; every ADS must trust the root (step 4.1)"}}
		}
		return []Finding{{Code: CodeIncompleteChain, Severity: SevError,
			Message: fmt.Sprintf("the chain is incomplete: the server does not send the certificate of %q and the store does not trust it; Java (SPOG) never downloads missing intermediates: %v", c.MissingIssuer, err),
			Fix:     "import the intermediate CA certificate(s) into the web server's Intermediate Certification Authorities store (or import the PFX with its chain) and restart IIS"}}
	case errors.As(err, &pe) && !pe.Validation && c.MissingIssuer != "" && c.Root == nil:
		return []Finding{{Code: CodeIncompleteChain, Severity: SevWarn,
			Message: fmt.Sprintf("the chain stops at %q: its CA certificate was not given", c.MissingIssuer),
			Fix:     "add the CA's certificates with --chain (ask the CA for its root and intermediates, or a .p7b); the ADS needs the root and IIS the intermediates"}}
	case errors.As(err, &pe) && !pe.Validation && given && len(pe.Import) > 0:
		return []Finding{{Code: CodeUntrusted, Severity: SevError,
			Message: fmt.Sprintf("Java refuses it with this store: %v", err),
			Fix:     "import the root (then any intermediate) into every ADS's cacerts (step 4.1), or give the store that holds it"}}
	}
	return []Finding{{Code: CodeBadChain, Severity: SevError, Message: "Java refuses the chain: " + err.Error(),
		Fix: "check the CA certificates (expired, not allowed to issue, constrained, weak) or request again"}}
}

// OwnRoot is the chain's own root — or its leaf, when self-signed — as the
// one anchor: to judge a chain on its merits when the store that will
// trust it is not at hand. Nil when the chain ends below a root.
func OwnRoot(c *Chain) []*x509.Certificate {
	switch {
	case c == nil:
	case c.Root != nil:
		return []*x509.Certificate{c.Root}
	case IsSelfSigned(c.Leaf):
		return []*x509.Certificate{c.Leaf}
	}
	return nil
}

func rootName(c *Chain) string {
	if c.Root != nil {
		return c.Root.Subject.String()
	}
	all := c.Certs()
	return all[len(all)-1].Issuer.String()
}

func hasEKU(c *x509.Certificate, u x509.ExtKeyUsage) bool {
	for _, e := range c.ExtKeyUsage {
		if e == u {
			return true
		}
	}
	return false
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

func orNone(list []string) string {
	if len(list) == 0 {
		return "none"
	}
	return strings.Join(list, ", ")
}
