package ldapcfg

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/go-ldap/ldap/v3"

	"ccewiz/certs"
)

// DialFunc connects to addr ("host:port"). steps.Env.Dial fits, so the
// answers file's resolve overrides (and the lab's loopback ports) apply.
type DialFunc = certs.DialFunc

// Connection failures, for errors.Is on a *ConnectError. Where the words
// fit LDAP they are certs' own, so one errors.Is serves both probes.
var (
	ErrRefused   = certs.ErrRefused
	ErrTimeout   = certs.ErrTimeout
	ErrNoAddress = certs.ErrNoAddress
	ErrConnect   = certs.ErrUnreachable
	ErrNotTLS    = errors.New("the port does not speak TLS")
	ErrClosed    = errors.New("the server closed the connection")
	ErrStartTLS  = errors.New("the server refused StartTLS")
)

// ConnectError is a failed TCP connection or TLS handshake (other than an
// untrusted certificate, which is a *TrustError).
type ConnectError struct {
	Addr string
	Kind error // one of the Err* values above
	Err  error
	Fix  string
}

func (e *ConnectError) Error() string {
	return fmt.Sprintf("%s: %v (%v)", e.Addr, e.Kind, e.Err)
}

func (e *ConnectError) Unwrap() []error { return []error{e.Kind, e.Err} }

// TrustError means the server's certificate is not trusted by the anchors
// given — for the live test, exactly the AD keystore ECE will use.
type TrustError struct {
	Host   string
	Reason string // plain language
	Fix    string
	Err    error // the judge's error (*certs.PKIXError, *certs.HostnameError, or Java's other refusals)
	Chain  []*x509.Certificate
}

func (e *TrustError) Error() string {
	return fmt.Sprintf("%s: certificate not trusted: %s", e.Host, e.Reason)
}

func (e *TrustError) Unwrap() error { return e.Err }

// verifyChain judges the presented chain as JNDI's LDAPS will, with Java's
// default TrustManager (certs.JavaProfile.Judge): anchored in the keystore's
// certificates only, valid now, and issued for host by Java's LDAP host
// name rules (a CN-only DC certificate matches by its CN, in any case).
func verifyChain(chain []*x509.Certificate, host string, roots []*x509.Certificate, java *certs.JavaProfile, now time.Time, rootsName string) *TrustError {
	if len(chain) == 0 {
		return &TrustError{Host: host, Reason: "the server sent no certificate", Fix: "check the DC's LDAPS certificate", Err: errors.New("no certificate")}
	}
	leaf := chain[0]
	if roots == nil {
		return &TrustError{Host: host, Chain: chain, Reason: "no keystore to verify it with", Fix: "build the AD keystore first (ccewiz ldap fetch-cert, then the sso step)", Err: errors.New("no trust anchors")}
	}
	p := certs.Java17()
	if java != nil {
		p = *java
	}
	err := p.Judge(chain, roots, host, certs.LDAPSCheck, now, "")
	if err == nil {
		return nil
	}
	te := &TrustError{Host: host, Err: err, Chain: chain}
	var pe *certs.PKIXError
	var he *certs.HostnameError
	switch {
	case errors.As(err, &pe) && pe.Validation:
		te.Reason = fmt.Sprintf("it is outside its validity (%s to %s) — Java reports this as %q",
			leaf.NotBefore.UTC().Format(time.DateOnly), leaf.NotAfter.UTC().Format(time.DateOnly), err.Error())
		te.Fix = "renew the DC's certificate (AD CS autoenrollment usually does), then rebuild the AD keystore if it trusts the certificate itself"
	case errors.As(err, &pe):
		te.Reason = fmt.Sprintf("%s (issued by %q) is not trusted by %s: it holds neither this certificate nor its issuing CA, nor a root the chain the DC sent leads to — Java reports this as \"PKIX path building failed\"",
			leaf.Subject.String(), leaf.Issuer.String(), rootsName)
		te.Fix = "rebuild the AD keystore from this DC's certificate or its issuing CA (ccewiz ldap fetch-cert --addr " + host + ":636), and copy it to every application server"
	case errors.As(err, &he):
		te.Reason = fmt.Sprintf("it is issued for %s, not for %s; Java checks the name in the LDAP URL against it (%v)", strings.Join(he.Names, ", "), host, err)
		te.Fix = "use one of the certificate's names in the LDAP URL (the DC's fully qualified name, not an IP address or alias)"
	default:
		te.Reason = err.Error()
		te.Fix = "issue the DC a Domain Controller (or Kerberos Authentication) certificate from the domain's CA, then rebuild the AD keystore"
	}
	return te
}

// tlsSetup is one TLS client handshake's configuration and what it saw.
type tlsSetup struct {
	host      string
	roots     []*x509.Certificate
	java      *certs.JavaProfile
	rootsName string
	now       time.Time
	inspect   bool // fetch mode: record the chain, trust nothing, judge nothing
	insecure  bool // verify and record, but let the connection proceed

	chain     []*x509.Certificate
	version   uint16
	verifyErr *TrustError
}

func (s *tlsSetup) config() *tls.Config {
	return &tls.Config{
		ServerName: s.host,
		// Verification runs in VerifyConnection against s.roots alone, so the
		// error stays a typed x509 error — go-ldap's StartTLS flattens a
		// handshake error to text — and the chain is kept even when it fails.
		InsecureSkipVerify: true, //nolint:gosec // verified below
		MinVersion:         tls.VersionTLS12,
		VerifyConnection: func(cs tls.ConnectionState) error {
			s.chain, s.version = cs.PeerCertificates, cs.Version
			if s.inspect {
				return nil
			}
			s.verifyErr = verifyChain(cs.PeerCertificates, s.host, s.roots, s.java, s.now, s.rootsName)
			if s.verifyErr == nil || s.insecure {
				return nil
			}
			return s.verifyErr
		},
	}
}

// conn is an LDAP connection over a socket we dialled ourselves.
type conn struct {
	raw  net.Conn
	ldap *ldap.Conn
	mode string // "ldaps" or "StartTLS"
}

func (c *conn) Close() {
	if c.ldap != nil {
		// Close waits for the reader; closing the socket first makes sure it
		// cannot hang on a server that stopped answering.
		c.raw.Close()
		done := make(chan struct{})
		go func() { c.ldap.Close(); close(done) }()
		select {
		case <-done:
		case <-time.After(time.Second):
		}
		return
	}
	c.raw.Close()
}

// dialLDAP connects to ep with TLS — directly for ldaps and the TLS ports,
// with StartTLS otherwise — through dial, bounded by timeout.
func dialLDAP(ctx context.Context, ep Endpoint, dial DialFunc, timeout time.Duration, ts *tlsSetup) (*conn, error) {
	if dial == nil {
		var d net.Dialer
		dial = d.DialContext
	}
	addr := ep.Addr()
	dctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	raw, err := dial(dctx, "tcp", addr)
	if err != nil {
		return nil, classify(addr, err, false)
	}
	c := &conn{raw: raw}
	if ep.TLS {
		c.mode = "ldaps"
		raw.SetDeadline(time.Now().Add(timeout))
		tc := tls.Client(raw, ts.config())
		if err := tc.HandshakeContext(dctx); err != nil {
			raw.Close()
			if ts.verifyErr != nil && !ts.insecure {
				return nil, ts.verifyErr
			}
			return nil, classify(addr, err, true)
		}
		raw.SetDeadline(time.Time{})
		c.raw = tc
		c.ldap = ldap.NewConn(tc, true)
		c.ldap.Start()
		c.ldap.SetTimeout(timeout)
		return c, nil
	}
	c.mode = "StartTLS"
	c.ldap = ldap.NewConn(raw, false)
	c.ldap.Start()
	c.ldap.SetTimeout(timeout)
	err = bounded(ctx, timeout, c.raw.Close, func() error { return c.ldap.StartTLS(ts.config()) })
	if err != nil {
		c.Close()
		switch {
		case ts.verifyErr != nil && !ts.insecure:
			return nil, ts.verifyErr
		case errors.Is(err, ErrTimeout) || errors.Is(err, context.Canceled) || ldapTimedOut(err):
			// go-ldap's own request timeout is the same length as bounded's:
			// whichever fires first, the server did not answer.
			return nil, &ConnectError{Addr: addr, Kind: ErrTimeout, Err: err,
				Fix: "the server accepted the connection but did not answer the StartTLS request: check that it is an LDAP server and not overloaded"}
		}
		var le *ldap.Error
		if errors.As(err, &le) && le.ResultCode != ldap.ErrorNetwork {
			return nil, &ConnectError{Addr: addr, Kind: ErrStartTLS, Err: err,
				Fix: "the DC has no certificate for LDAP over TLS, or refuses StartTLS; enrol a Domain Controller certificate, or use ldaps:// on 636/3269"}
		}
		return nil, classify(addr, err, true)
	}
	return c, nil
}

// ldapTimedOut reports go-ldap's own request timeout (it words it
// "ldap: connection timed out", under LDAP Result Code 200 Network Error).
func ldapTimedOut(err error) bool {
	var le *ldap.Error
	return errors.As(err, &le) && le.ResultCode == ldap.ErrorNetwork && le.Err != nil && strings.Contains(le.Err.Error(), "timed out")
}

// bounded runs fn, and when it overruns timeout or ctx ends, calls abort
// (closing the socket) so fn returns, then reports ErrTimeout. go-ldap's
// calls take no context; this is how a silent server is cut off.
func bounded(ctx context.Context, timeout time.Duration, abort func() error, fn func() error) error {
	done := make(chan error, 1)
	go func() { done <- fn() }()
	t := time.NewTimer(timeout)
	defer t.Stop()
	var why error
	select {
	case err := <-done:
		return err
	case <-t.C:
		why = fmt.Errorf("%w within %s", ErrTimeout, timeout)
	case <-ctx.Done():
		why = ctx.Err()
		if errors.Is(why, context.DeadlineExceeded) {
			why = fmt.Errorf("%w: %w", ErrTimeout, why)
		}
	}
	abort()
	select {
	case <-done:
	case <-time.After(time.Second):
	}
	return why
}

// classify turns a dial or handshake error into a *ConnectError with a
// fix. Windows reports refusals and resets with its own numbers, hence the
// message fallbacks.
func classify(addr string, err error, inHandshake bool) error {
	ce := &ConnectError{Addr: addr, Kind: ErrConnect, Err: err}
	kind := certs.NetErrorKind(err, inHandshake)
	switch {
	case kind == certs.ErrNotTLS:
		ce.Kind = ErrNotTLS
		ce.Fix = "this port answers in plain LDAP: use the TLS port (3269 on a Global Catalog, 636 on a DC), or ldap:// on 3268/389"
	case kind == ErrTimeout:
		ce.Kind = kind
		ce.Fix = "no answer: a firewall drops the packets or the server hangs; check the route and the firewall between ECE's application servers and the DC"
		if inHandshake {
			ce.Fix = "the server accepted the connection but never completed the TLS handshake: check that this port is LDAPS and the DC is not overloaded"
		}
	case kind == ErrNoAddress:
		ce.Kind = kind
		ce.Fix = "check the DC's name in DNS (ECE's application servers must resolve it too), or add it to the answers file's resolve section"
	case kind == ErrRefused:
		ce.Kind = kind
		ce.Fix = "nothing listens there: the DC is down, the port is wrong, or a firewall rejects the connection"
	case inHandshake && kind == certs.ErrReset:
		ce.Kind = ErrClosed
		ce.Fix = "the DC dropped the TLS handshake: it usually has no certificate for LDAPS — enrol a Domain Controller certificate (AD CS) and restart it, or check a balancer in between"
	case inHandshake:
		ce.Fix = "the TLS handshake failed; check the DC's LDAPS certificate and TLS settings (TLS 1.2 or later is required)"
	default:
		ce.Fix = "check the address, the route and the firewall between here and the DC"
	}
	return ce
}
