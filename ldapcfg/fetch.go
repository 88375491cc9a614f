package ldapcfg

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"time"

	"ccewiz/certs"
)

// FetchOptions tune FetchCert.
type FetchOptions struct {
	Dial    DialFunc      // nil: a plain net.Dialer
	Timeout time.Duration // 0: 5 s
	// StartTLS forces StartTLS on a plain port; by default it is used for
	// 389 and 3268, and TLS from the first byte for every other port.
	StartTLS bool
}

// TOFU is said wherever a fetched certificate is shown: nothing vouches for
// it yet, so the admin must compare the fingerprint with the real one.
const TOFU = "trust on first use: this certificate came over the network and nothing vouches for it yet — " +
	"before trusting it, compare it with the original in certlm.msc on the DC (Personal › Certificates for the DC's own, " +
	"Trusted Root Certification Authorities for its CA): Details › Thumbprint is the SHA-1 thumbprint shown here"

// Fetched is the chain a domain controller presented.
type Fetched struct {
	Addr    string              `json:"addr"`
	Mode    string              `json:"mode"` // ldaps or StartTLS
	TLS     string              `json:"tls_version"`
	Certs   []certs.CertInfo    `json:"certificates"` // as sent: the DC's own first
	Notice  string              `json:"notice"`
	Chain   []*x509.Certificate `json:"-"`
	Fetched time.Time           `json:"fetched"`
}

// FetchCert connects to a domain controller at addr (host:port; 636 or 3269
// for LDAPS, 389/3268 with StartTLS) and returns the certificate chain it
// presents, without trusting or judging it: the admin confirms the
// fingerprint (see TOFU) and picks what to trust with Pick.
func FetchCert(ctx context.Context, addr string, opts FetchOptions) (*Fetched, error) {
	host, ps, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("domain controller address %q: %w; give host:port, e.g. dc1.example.local:636", addr, err)
	}
	port, err := parsePort(ps)
	if err != nil {
		return nil, fmt.Errorf("domain controller address %q: %w", addr, err)
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	ep := Endpoint{Scheme: "ldaps", Host: host, Port: port, TLS: true, GC: port == PortGC || port == PortGCTLS}
	if opts.StartTLS || port == PortLDAP || port == PortGC {
		ep.Scheme, ep.TLS = "ldap", false
	}
	ts := &tlsSetup{host: host, inspect: true}
	c, err := dialLDAP(ctx, ep, opts.Dial, timeout, ts)
	if err != nil {
		return nil, fmt.Errorf("fetch the domain controller's certificate: %w", err)
	}
	c.Close()
	if len(ts.chain) == 0 {
		return nil, fmt.Errorf("fetch the domain controller's certificate from %s: the server sent none", addr)
	}
	f := &Fetched{Addr: addr, Mode: c.mode, TLS: tls.VersionName(ts.version), Chain: ts.chain, Notice: TOFU, Fetched: time.Now().UTC()}
	for _, cert := range ts.chain {
		f.Certs = append(f.Certs, certs.Describe(cert))
	}
	return f, nil
}

// Trust choices: what goes into the AD keystore.
const (
	// TrustLeaf trusts the DC's own certificate, as the guide's keytool
	// command does. It must be redone when the DC renews its certificate.
	TrustLeaf = "leaf"
	// TrustCA trusts the CA that issued it: survives renewals and covers
	// every DC that CA issues for.
	TrustCA = "ca"
)

// ErrNoIssuer means the CA was asked for but the chain does not hold it.
var ErrNoIssuer = errors.New("the issuing CA's certificate is not in the chain")

// Pick chooses the certificate to put in the AD keystore from a chain (as
// a DC sent it, or as read from a file): the DC's own (TrustLeaf, the
// default) or the CA that issued it (TrustCA). A file holding a single
// certificate is trusted as it is when it is a CA certificate.
func Pick(chain []*x509.Certificate, choice string) (*x509.Certificate, error) {
	if len(chain) == 0 {
		return nil, errors.New("no certificate to trust")
	}
	leaf := chain[0]
	switch choice {
	case "", TrustLeaf:
		return leaf, nil
	case TrustCA:
	default:
		return nil, fmt.Errorf("trust %q: choose %s (the DC's own certificate) or %s (its issuing CA)", choice, TrustLeaf, TrustCA)
	}
	if len(chain) == 1 && leaf.IsCA {
		return leaf, nil
	}
	if certs.IsSelfSigned(leaf) {
		return nil, fmt.Errorf("%q is self-signed: it is its own CA, so trust it as the leaf (trust: leaf)", leaf.Subject.String())
	}
	for _, c := range chain[1:] {
		if bytes.Equal(c.RawSubject, leaf.RawIssuer) && leaf.CheckSignatureFrom(c) == nil {
			return c, nil
		}
	}
	return nil, fmt.Errorf("%w: the DC sent only %q, issued by %q; trust the DC's own certificate (trust: leaf), or export the CA's certificate (Base-64 .cer) from the CA and give it as the certificate file",
		ErrNoIssuer, leaf.Subject.String(), leaf.Issuer.String())
}

// ReadCertFile reads the DC certificate the admin already has — a Base-64
// .crt/.cer as the guide asks, or DER, or a PKCS#7 bundle — and returns its
// certificates with the DC's own first, and what was found in the file.
func ReadCertFile(path string) ([]*x509.Certificate, []string, error) {
	b, err := certs.ReadBundleFiles(path)
	if err != nil {
		return nil, nil, err
	}
	return leafFirst(b.Certs), b.Found, nil
}

// leafFirst puts the DC's own certificate first, then its issuers, then
// whatever else the file held, whatever order the file had.
func leafFirst(list []*x509.Certificate) []*x509.Certificate {
	if len(list) < 2 {
		return list
	}
	ch := certs.BuildChain(certs.PickLeaf(list), list)
	return append(ch.Certs(), ch.Extra...)
}
