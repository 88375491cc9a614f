package steps

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"ccewiz/secret"
)

// NewEnv returns an Env for the answers in a, loaded from path.
func NewEnv(a *Answers, path string) *Env {
	return &Env{
		Answers:     a,
		AnswersPath: path,
		Secrets:     map[string]secret.Secret{},
		Now:         time.Now,
		Timeout:     5 * time.Second,
		User:        osUser(),
	}
}

// Path resolves p (from the answers file) against the answers file's folder,
// so an answers file and its outputs can be moved together.
func (e *Env) Path(p string) string {
	if p == "" || filepath.IsAbs(p) || isWindowsAbs(p) {
		return p
	}
	if e.AnswersPath == "" {
		return p
	}
	return filepath.Join(filepath.Dir(e.AnswersPath), p)
}

// isWindowsAbs reports C:\… and \\server\share paths, which filepath.IsAbs
// does not recognise when ccewiz runs on Linux.
func isWindowsAbs(p string) bool {
	if strings.HasPrefix(p, `\\`) {
		return true
	}
	return len(p) >= 3 && p[1] == ':' && (p[2] == '\\' || p[2] == '/') &&
		(p[0]|0x20 >= 'a' && p[0]|0x20 <= 'z')
}

// Stage reports progress to the UI, if any.
func (e *Env) Stage(format string, args ...any) {
	if e.Progress != nil {
		e.Progress(fmt.Sprintf(format, args...))
	}
}

// Secret returns the password for a field: typed this session, else from its
// Ref, else asked for. key is the field key (sso.bind_password); label names
// it for the user.
func (e *Env) Secret(key string, ref secret.Ref, label string) (secret.Secret, error) {
	if s, ok := e.Secrets[key]; ok && !s.IsZero() {
		return s, nil
	}
	if !ref.IsZero() {
		// {file: relative} is relative to the answers file, as every other
		// path in it (and as serve's confinement checks it), not to the
		// folder ccewiz happens to run in.
		ref.File = e.Path(ref.File)
		return ref.Resolve(label)
	}
	if e.Prompt != nil {
		s, err := e.Prompt(label)
		if err == nil && e.Secrets != nil {
			e.Secrets[key] = s
		}
		return s, err
	}
	_, err := ref.Resolve(label)
	return secret.Secret{}, BadInput(fmt.Errorf("%w; set %s in the answers file to {env: NAME} or {file: PATH}", err, key))
}

// Time is the run's clock: Env.Now when set (tests, a fixed report date),
// else the time now.
func (e *Env) Time() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

// TimeLimit is what one network operation of a check may take: Env.Timeout,
// else 5 s.
func (e *Env) TimeLimit() time.Duration {
	if e.Timeout > 0 {
		return e.Timeout
	}
	return 5 * time.Second
}

// Target maps an address the admin knows (ece.example.com:443) to the one to
// dial. The answers file's `resolve` section overrides DNS without touching
// /etc/hosts — the lab uses it to point example names at loopback ports.
// Keys are "host:port" (exact) or "host" (any port, same port kept).
func (e *Env) Target(addr string) string {
	if e.Answers == nil || len(e.Answers.Resolve) == 0 {
		return addr
	}
	if to, ok := e.Answers.Resolve[strings.ToLower(addr)]; ok {
		return to
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if to, ok := e.Answers.Resolve[strings.ToLower(host)]; ok {
		if _, _, err := net.SplitHostPort(to); err == nil {
			return to
		}
		return net.JoinHostPort(to, port)
	}
	return addr
}

// Dial connects to addr through the resolve overrides, bounded by ctx and the env timeout.
func (e *Env) Dial(ctx context.Context, network, addr string) (net.Conn, error) {
	d := net.Dialer{Timeout: e.TimeLimit()}
	return d.DialContext(ctx, network, e.Target(addr))
}

// HTTPClient returns a client that dials through the overrides with the
// given TLS settings (nil: system roots). ServerName stays the URL's host, so
// certificate names are checked against what the admin typed.
func (e *Env) HTTPClient(tc *tls.Config) *http.Client {
	if tc == nil {
		tc = &tls.Config{}
	}
	tr := &http.Transport{
		DialContext:         e.Dial,
		TLSHandshakeTimeout: e.TimeLimit(),
		TLSClientConfig:     tc,
	}
	return &http.Client{Transport: tr, Timeout: e.TimeLimit()}
}
