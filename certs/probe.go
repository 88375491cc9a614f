package certs

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Probe errors: what went wrong on the way to a TLS handshake. A
// *ProbeError matches exactly one of them with errors.Is.
var (
	ErrRefused     = errors.New("connection refused")
	ErrReset       = errors.New("connection reset or closed during the TLS handshake")
	ErrNotTLS      = errors.New("the server does not speak TLS")
	ErrTimeout     = errors.New("no answer in time")
	ErrNoAddress   = errors.New("name does not resolve")
	ErrHandshake   = errors.New("TLS handshake refused by the server")
	ErrUnreachable = errors.New("cannot connect")
)

// ProbeError is a failed connection or handshake to Addr.
type ProbeError struct {
	Addr string
	SNI  string // the server name sent, "" when none
	Kind error  // one of ErrRefused, ErrReset, ErrNotTLS, ErrTimeout, ErrNoAddress, ErrHandshake, ErrUnreachable
	Err  error  // the underlying error
}

func (e *ProbeError) Error() string {
	how := "without SNI"
	if e.SNI != "" {
		how = "with SNI " + e.SNI
	}
	return fmt.Sprintf("TLS to %s %s: %v (%v); %s", e.Addr, how, e.Kind, e.Err, e.fix())
}

func (e *ProbeError) Unwrap() []error { return []error{e.Kind, e.Err} }

func (e *ProbeError) fix() string {
	switch e.Kind {
	case ErrRefused:
		return "nothing listens there: check the address and port, that IIS (World Wide Web Publishing Service) runs and has an https binding on that port"
	case ErrReset:
		if e.SNI == "" {
			return "the server dropped a client that sent no server name: the IIS binding probably requires SNI or has a host name (run the iis-binding script)"
		}
		return "the server or a firewall dropped the connection; check the IIS https binding and any balancer in between"
	case ErrNotTLS:
		return "this port answers in plain text (http?); ECE needs https on 443"
	case ErrTimeout:
		return "no answer: a firewall drops the packets or the server hangs; check routing and the firewall between here and the server"
	case ErrNoAddress:
		return "check the name in DNS, or add it to the answers file's resolve section"
	case ErrUnreachable:
		return "check the address, the route and the firewall between here and the server"
	}
	msg := ""
	if e.Err != nil {
		msg = e.Err.Error()
	}
	switch {
	case strings.Contains(msg, "protocol version") || strings.Contains(msg, "cipher suite") || strings.Contains(msg, "no cipher"):
		return "the server and ccewiz share no TLS version or cipher; enable TLS 1.2 on the web server"
	case e.SNI == "":
		return "the server refused a client that sent no server name: the IIS binding probably requires SNI or has a host name (run the iis-binding script)"
	}
	return "the server refused the handshake; check its certificate binding"
}

// DialFunc connects to addr ("host:port"); steps.Env.Dial fits, so the
// answers file's resolve overrides apply.
type DialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

// ProbeOptions tune Probe.
type ProbeOptions struct {
	// Name is the FQDN to check against CN/SAN and to send as SNI; "" =
	// the host part of the address (unless it is an IP).
	Name string
	// Dial connects; nil = net.Dialer.
	Dial DialFunc
	// Timeout bounds the whole probe; 0 = 5 s.
	Timeout time.Duration
	// Now is the clock for expiry; nil = time.Now.
	Now func() time.Time
	// Java, when set, adds the handshake that Java makes — no SNI, as SPOG
	// sends none; only the profile's protocols and suites — and the
	// verdict of its TrustManager with Anchors (a cacerts' trusted
	// certificates) and Check's host name rules. Anchors and Java also
	// judge the findings (Assess); nil Anchors leave trust to the ADS.
	Java    *JavaProfile
	Anchors []*x509.Certificate
	Check   HostCheck
}

// JavaVerdict is what the Java of a profile says of a server.
type JavaVerdict struct {
	Profile  string `json:"profile"`
	Protocol string `json:"tls_version,omitempty"`
	Cipher   string `json:"cipher,omitempty"`
	// Judged is false when ccewiz cannot tell (no trust store given, or a
	// server crypto/tls cannot speak to): Reason says why.
	Judged   bool   `json:"judged"`
	Accepted bool   `json:"accepted"`
	Reason   string `json:"reason,omitempty"`
}

// Handshake is what a server presented in one TLS handshake.
type Handshake struct {
	SNI     string     `json:"sni"` // the name sent, "" for none
	Version string     `json:"tls_version"`
	Cipher  string     `json:"cipher"`
	Certs   []CertInfo `json:"certificates"` // as sent: leaf first
	// NameMatch: the leaf's CN/SAN covers ProbeResult.Name.
	NameMatch bool                `json:"name_match"`
	Chain     []*x509.Certificate `json:"-"`
	version   uint16
}

// ProbeResult is what a server presents with and without SNI.
type ProbeResult struct {
	Addr string `json:"addr"`
	Name string `json:"name"`
	// NoSNI is the handshake SPOG makes: no server name sent. Nil when it failed (NoSNIError).
	NoSNI      *Handshake `json:"no_sni,omitempty"`
	NoSNIError string     `json:"no_sni_error,omitempty"`
	SNI        *Handshake `json:"sni,omitempty"`
	SNIError   string     `json:"sni_error,omitempty"`
	// Differ: the two handshakes presented different leaf certificates.
	Differ bool `json:"differ"`
	// NeedsSNI: only the handshake with SNI succeeded.
	NeedsSNI bool `json:"needs_sni"`
	// Findings about the certificate SPOG gets (without SNI), and about SNI.
	Findings []Finding `json:"findings"`
	NoSNIErr error     `json:"-"`
	SNIErr   error     `json:"-"`
	// Java is the verdict of ProbeOptions.Java, when asked.
	Java *JavaVerdict `json:"java,omitempty"`
}

// Leaf returns the certificate SPOG would see (without SNI), else the SNI one.
func (r *ProbeResult) Leaf() *x509.Certificate {
	switch {
	case r.NoSNI != nil:
		return r.NoSNI.Chain[0]
	case r.SNI != nil:
		return r.SNI.Chain[0]
	}
	return nil
}

// Probe connects to addr twice at once — without SNI, as SPOG's Java client
// does when it reaches ECE, and with SNI, as a browser does — and reports
// both chains, whether they differ, whether the server needs SNI, and
// findings on name, expiry and chain. It returns an error (a *ProbeError)
// only when neither handshake succeeded; both run in parallel, so a silent
// server costs one timeout.
func Probe(ctx context.Context, addr string, o ProbeOptions) (*ProbeResult, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("probe %q: %w (give host:port, e.g. ece.example.com:443)", addr, err)
	}
	name := strings.TrimSuffix(o.Name, ".")
	if name == "" && net.ParseIP(host) == nil {
		name = host
	}
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	res := &ProbeResult{Addr: addr, Name: name}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		res.NoSNI, res.NoSNIErr = handshake(ctx, addr, "", o.Dial)
	}()
	if name != "" {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res.SNI, res.SNIErr = handshake(ctx, addr, name, o.Dial)
		}()
	}
	var java *Handshake
	var javaErr error
	if o.Java != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			java, javaErr = handshakeAs(ctx, addr, o.Dial, o.Java)
		}()
	}
	wg.Wait()
	if o.Java != nil {
		res.Java = javaVerdict(o, addr, name, java, javaErr, res.NoSNI != nil || res.SNI != nil)
	}
	if res.NoSNIErr != nil {
		res.NoSNIError = res.NoSNIErr.Error()
	}
	if res.SNIErr != nil {
		res.SNIError = res.SNIErr.Error()
	}
	if res.NoSNI == nil && res.SNI == nil {
		return res, res.NoSNIErr
	}
	now := time.Now()
	if o.Now != nil {
		now = o.Now()
	}
	res.assess(name, now, o)
	return res, nil
}

func (r *ProbeResult) assess(name string, now time.Time, o ProbeOptions) {
	for _, h := range []*Handshake{r.NoSNI, r.SNI} {
		if h != nil && name != "" {
			h.NameMatch = JavaHostname(h.Chain[0], name, HTTPSCheck) == nil
		}
	}
	switch {
	case r.NoSNI == nil:
		r.NeedsSNI = true
		r.Findings = append(r.Findings, Finding{Code: CodeNeedsSNI, Severity: SevError,
			Message: fmt.Sprintf("the server presents a certificate only when the client sends a server name (SNI); SPOG sends none and fails (%v)", r.NoSNIErr),
			Fix:     "in IIS, Default Web Site › Bindings › https 443: clear the host name and untick \"Require Server Name Indication\" (the iis-binding script does it)"})
	case r.SNI != nil && !r.NoSNI.Chain[0].Equal(r.SNI.Chain[0]):
		r.Differ = true
		r.Findings = append(r.Findings, Finding{Code: CodeSNIDiffers, Severity: SevError,
			Message: fmt.Sprintf("without SNI the server presents %q (SHA-256 %s), with SNI %s it presents %q (SHA-256 %s); SPOG gets the first",
				r.NoSNI.Chain[0].Subject.CommonName, r.NoSNI.Certs[0].SHA256, name, r.SNI.Chain[0].Subject.CommonName, r.SNI.Certs[0].SHA256),
			Fix: "remove the host-name/SNI binding and bind the ECE certificate on https *:443 with an empty host name (the iis-binding script does it)"})
	}
	h := r.NoSNI
	if h == nil {
		h = r.SNI
	}
	if h.version < tls.VersionTLS12 {
		// Java 17 and 8u291+ disable TLS 1.0 and 1.1 in java.security.
		r.Findings = append(r.Findings, Finding{Code: CodeOldTLS, Severity: SevError,
			Message: fmt.Sprintf("the server negotiated %s at best; Java 8u291+ and 17 (SPOG) and browsers refuse TLS 1.0 and 1.1", h.Version),
			Fix:     "enable TLS 1.2 on the web server (Schannel registry settings or IIS Crypto) and restart it"})
	}
	chain := BuildChain(h.Chain[0], h.Chain[1:])
	r.Findings = append(r.Findings, Assess(chain, AssessOptions{Name: name, Now: now, Anchors: o.Anchors, Java: o.Java, Live: true})...)
}

// handshake dials addr and completes a TLS handshake, sending sni when not
// empty. Verification is off on purpose: the point is to see what the
// server presents, broken or not; Assess judges it afterwards.
func handshake(ctx context.Context, addr, sni string, dial DialFunc) (*Handshake, error) {
	if dial == nil {
		var d net.Dialer
		dial = d.DialContext
	}
	conn, err := dial(ctx, "tcp", addr)
	if err != nil {
		return nil, classify(addr, sni, err, false)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	// An empty ServerName makes crypto/tls send no SNI extension at all.
	tc := tls.Client(conn, &tls.Config{ServerName: sni, InsecureSkipVerify: true, //nolint:gosec // we inspect, not trust
		MinVersion: tls.VersionTLS10, CipherSuites: probeSuites()})
	if err := tc.HandshakeContext(ctx); err != nil {
		return nil, classify(addr, sni, err, true)
	}
	st := tc.ConnectionState()
	h := &Handshake{SNI: sni, Version: tls.VersionName(st.Version), Cipher: tls.CipherSuiteName(st.CipherSuite), Chain: st.PeerCertificates, version: st.Version}
	for _, c := range st.PeerCertificates {
		h.Certs = append(h.Certs, Describe(c))
	}
	if len(h.Chain) == 0 {
		return nil, &ProbeError{Addr: addr, SNI: sni, Kind: ErrHandshake, Err: errors.New("the server sent no certificate")}
	}
	return h, nil
}

// handshakeAs makes Java's handshake: no SNI (SPOG sends none), only the
// profile's protocols and suites.
func handshakeAs(ctx context.Context, addr string, dial DialFunc, p *JavaProfile) (*Handshake, error) {
	if dial == nil {
		var d net.Dialer
		dial = d.DialContext
	}
	vs := p.Versions()
	if len(vs) == 0 {
		return nil, errors.New("the profile enables no TLS version")
	}
	conn, err := dial(ctx, "tcp", addr)
	if err != nil {
		return nil, classify(addr, "", err, false)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	tc := tls.Client(conn, &tls.Config{InsecureSkipVerify: true, //nolint:gosec // judged by the profile afterwards
		MinVersion: vs[0], MaxVersion: vs[len(vs)-1], CipherSuites: p.Suites()})
	if err := tc.HandshakeContext(ctx); err != nil {
		return nil, classify(addr, "", err, true)
	}
	st := tc.ConnectionState()
	if len(st.PeerCertificates) == 0 {
		return nil, &ProbeError{Addr: addr, Kind: ErrHandshake, Err: errors.New("the server sent no certificate")}
	}
	return &Handshake{Version: tls.VersionName(st.Version), Cipher: tls.CipherSuiteName(st.CipherSuite), Chain: st.PeerCertificates, version: st.Version}, nil
}

// javaVerdict turns Java's handshake into a verdict. A handshake that only
// Go's full offer completes is Java's refusal (old protocol, weak suite);
// one that neither completes cannot be judged (a server crypto/tls cannot
// speak to — DHE suites only, say).
func javaVerdict(o ProbeOptions, addr, name string, h *Handshake, err error, goCompleted bool) *JavaVerdict {
	v := &JavaVerdict{Profile: o.Java.Name}
	switch {
	case err != nil && goCompleted:
		v.Judged = true
		v.Reason = fmt.Sprintf("javax.net.ssl.SSLHandshakeException: %s cannot negotiate with this server (%v): the server offers only protocols or cipher suites its java.security disables (jdk.tls.disabledAlgorithms: %s); enable TLS 1.2 with an ECDHE/AES-GCM suite on the server",
			o.Java.Name, err, strings.Join(o.Java.TLSDisabled, ", "))
	case err != nil:
		v.Reason = fmt.Sprintf("cannot judge: no handshake completed (%v); the server may offer only what Go's TLS does not speak (DHE suites), which Java may still accept — try the JDK or `openssl s_client -connect %s` from the ADS", err, addr)
	case len(o.Anchors) == 0:
		v.Protocol, v.Cipher = h.Version, h.Cipher
		v.Reason = "cannot judge the certificate: give the trust store Java uses (the ADS's cacerts) to judge it"
	default:
		v.Protocol, v.Cipher, v.Judged = h.Version, h.Cipher, true
		now := time.Now()
		if o.Now != nil {
			now = o.Now()
		}
		host := name
		if jerr := o.Java.Judge(h.Chain, o.Anchors, host, o.Check, now, host); jerr != nil {
			v.Reason = jerr.Error()
		} else {
			v.Accepted = true
		}
	}
	return v
}

// probeSuites offers every suite crypto/tls implements, weak ones included:
// an old IIS that only speaks RSA key exchange must still show its
// certificate (Go leaves those suites out by default).
var probeSuites = sync.OnceValue(func() []uint16 {
	var ids []uint16
	for _, cs := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		ids = append(ids, cs.ID)
	}
	return ids
})

// classify turns a dial or handshake error into a *ProbeError with a Kind
// the caller can branch on.
func classify(addr, sni string, err error, inHandshake bool) error {
	return &ProbeError{Addr: addr, SNI: sni, Kind: NetErrorKind(err, inHandshake), Err: err}
}

// NetErrorKind names what went wrong on the way to a TLS handshake: one of
// ErrNotTLS, ErrTimeout, ErrNoAddress, ErrRefused, ErrReset, and otherwise
// ErrHandshake (inHandshake) or ErrUnreachable. Every client in ccewiz that
// dials a server (the probe, the LDAP test) classifies with it. Windows
// reports resets and refusals with its own error numbers, hence the message
// fallbacks.
func NetErrorKind(err error, inHandshake bool) error {
	kind := ErrHandshake
	msg := strings.ToLower(err.Error())
	var rh tls.RecordHeaderError
	var ne net.Error
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &rh):
		kind = ErrNotTLS
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		kind = ErrTimeout
	case errors.As(err, &dnsErr):
		kind = ErrNoAddress
	case errors.Is(err, syscall.ECONNREFUSED) || strings.Contains(msg, "refused"):
		kind = ErrRefused
	case errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		strings.Contains(msg, "reset") || strings.Contains(msg, "forcibly closed") || strings.Contains(msg, "broken pipe"):
		kind = ErrReset
	case !inHandshake:
		kind = ErrUnreachable
	}
	return kind
}

// ProbeTarget is one endpoint for ProbeAll.
type ProbeTarget struct {
	Addr string
	Name string // "" = host of Addr
}

// ProbeOutcome is one endpoint's result in ProbeAll.
type ProbeOutcome struct {
	Target ProbeTarget
	Result *ProbeResult
	Err    error
}

// ProbeAll probes every target at once, each bounded by o.Timeout, so N
// silent endpoints cost about one timeout rather than N. Outcomes come
// back in the order of targets.
func ProbeAll(ctx context.Context, targets []ProbeTarget, o ProbeOptions) []ProbeOutcome {
	out := make([]ProbeOutcome, len(targets))
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			oo := o
			oo.Name = t.Name
			r, err := Probe(ctx, t.Addr, oo)
			out[i] = ProbeOutcome{Target: t, Result: r, Err: err}
		}()
	}
	wg.Wait()
	return out
}
