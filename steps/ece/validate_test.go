package ece

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ccewiz/steps"
	"ccewiz/testpeer"
)

// eceServer is a stand-in ECE web server on 127.0.0.1: IIS's answers for
// /default and /system, over TLS with leaf (+chain). requireSNI refuses
// handshakes without a server name, as an IIS binding with "Require Server
// Name Indication" does.
func eceServer(t *testing.T, handler http.HandlerFunc, requireSNI bool, leaf *testpeer.Cert, chain ...*testpeer.Cert) string {
	t.Helper()
	tc := tls.Certificate{Certificate: [][]byte{leaf.DER}, PrivateKey: leaf.Key}
	for _, c := range chain {
		tc.Certificate = append(tc.Certificate, c.DER)
	}
	// Our own TLS listener: httptest's StartTLS would add its own certificate
	// for clients without SNI, hiding exactly what these tests look at.
	srv := httptest.NewUnstartedServer(handler)
	srv.Listener = tls.NewListener(srv.Listener, &tls.Config{GetCertificate: func(h *tls.ClientHelloInfo) (*tls.Certificate, error) {
		if requireSNI && h.ServerName == "" {
			return nil, errors.New("no SNI")
		}
		return &tc, nil
	}})
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are the point of some cases
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

// eceAnswers points ece.example.com at addr and, when crt is not nil,
// stores it where step 1 writes the certificate.
func eceEnv(t *testing.T, addr string, crt ...*testpeer.Cert) *steps.Env {
	t.Helper()
	dir := t.TempDir()
	a := steps.NewAnswers()
	ProfileOf(a).ECEFQDN = "ece.example.com"
	a.Resolve = map[string]string{"ece.example.com:443": addr}
	if len(crt) > 0 {
		os.MkdirAll(filepath.Join(dir, "certs"), 0o755)
		var pem []byte
		for _, c := range crt {
			pem = append(pem, c.PEM()...)
		}
		if err := os.WriteFile(filepath.Join(dir, "certs", "ece.example.com.crt"), pem, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env := steps.NewEnv(a, filepath.Join(dir, "ccewiz.yaml"))
	env.Timeout = 3 * time.Second
	return env
}

// ece answers like ECE behind IIS: /default redirects to the login page, /system is a page.
func ece(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/default":
		http.Redirect(w, r, "/default/web/view/platform/common/login/root.jsp?partitionId=1", http.StatusFound)
	case "/system":
		w.Write([]byte("<html>eGain System Console</html>"))
	default:
		http.NotFound(w, r)
	}
}

func status(code int, loc string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		if loc != "" {
			w.Header().Set("Location", loc)
		}
		w.WriteHeader(code)
	}
}

func runValidate(t *testing.T, env *steps.Env) map[string]steps.Result {
	t.Helper()
	return checkResults(t, env, []steps.Step{NewValidateStep()}, 5*time.Second)
}

func TestValidateHTTPS(t *testing.T) {
	now := time.Now()
	selfSigned := testpeer.NewLeaf(t, "ece.example.com", nil)
	chain := testpeer.NewChain(t, "ece.example.com")
	expired := testpeer.NewLeaf(t, "ece.example.com", nil, testpeer.Validity(now.AddDate(-2, 0, 0), now.AddDate(0, 0, -1)))
	wrongName := testpeer.NewLeaf(t, "eceweb.example.com", nil)
	// A name crafted to drive a terminal: it must be printed inert.
	escape := testpeer.NewLeaf(t, "evil\x1b[2J.example.com", nil, testpeer.DNS("evil.example.com"))
	type want struct {
		status steps.Status
		detail string // substring of both results' Detail (or Fix, for fixes)
		fix    string
	}
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		sni     bool
		served  []*testpeer.Cert
		file    []*testpeer.Cert // step 1's certificate file, none = absent
		def     want
		sys     want
	}{
		{"self-signed from step 1", ece, false, []*testpeer.Cert{selfSigned}, []*testpeer.Cert{selfSigned},
			want{steps.Pass, "HTTP 302 Found", ""}, want{steps.Pass, "HTTP 200 OK", ""}},
		{"CA-signed chain, root in the file", ece, false, []*testpeer.Cert{chain.Leaf, chain.Intermediate}, []*testpeer.Cert{chain.Root},
			want{steps.Pass, "trusting ccewiz Test Root CA", ""}, want{steps.Pass, "HTTP 200", ""}},
		// SNI is what browsers send; the no-SNI probe of SPOG's view is certificate.tls's job.
		{"server requires SNI", ece, true, []*testpeer.Cert{selfSigned}, []*testpeer.Cert{selfSigned},
			want{steps.Pass, "HTTP 302", ""}, want{steps.Pass, "HTTP 200", ""}},
		{"expired", ece, false, []*testpeer.Cert{expired}, []*testpeer.Cert{expired},
			want{steps.Fail, "the certificate expired on " + now.AddDate(0, 0, -1).UTC().Format("2006-01-02"), "renew the certificate"}, want{steps.Fail, "expired", "renew"}},
		{"wrong name", ece, false, []*testpeer.Cert{wrongName}, []*testpeer.Cert{wrongName},
			want{steps.Fail, "does not name ece.example.com (served: CN=eceweb.example.com", "reissue the certificate with ece.example.com"}, want{steps.Fail, "does not name", "reissue"}},
		{"escape sequence in the served name", ece, false, []*testpeer.Cert{escape}, []*testpeer.Cert{escape},
			want{steps.Fail, "CN=evil\uFFFD[2J.example.com", "reissue"}, want{steps.Fail, "does not name", "reissue"}},
		{"no step-1 certificate", ece, false, []*testpeer.Cert{selfSigned}, nil,
			want{steps.Fail, "not trusted (trusted here: this machine's roots (no step-1 certificate at", "cacerts"}, want{steps.Fail, "not trusted", "step 4.1"}},
		{"ECE down behind IIS", status(503, ""), false, []*testpeer.Cert{selfSigned}, []*testpeer.Cert{selfSigned},
			want{steps.Fail, "HTTP 503 Service Unavailable", "Cisco Service"}, want{steps.Fail, "503", "Cisco Service"}},
		{"not the ECE site", status(404, ""), false, []*testpeer.Cert{selfSigned}, []*testpeer.Cert{selfSigned},
			want{steps.Fail, "HTTP 404", "has no /default"}, want{steps.Fail, "404", "has no /system"}},
		{"redirect to plain HTTP", status(301, "http://ece.example.com/default"), false, []*testpeer.Cert{selfSigned}, []*testpeer.Cert{selfSigned},
			want{steps.Warn, "(plain HTTP)", "non-SSL"}, want{steps.Warn, "plain HTTP", "non-SSL"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := eceServer(t, tc.handler, tc.sni, tc.served[0], tc.served[1:]...)
			rs := runValidate(t, eceEnv(t, addr, tc.file...))
			for id, w := range map[string]want{"validate.https-default": tc.def, "validate.https-system": tc.sys} {
				r := rs[id]
				if strings.ContainsRune(r.Detail+r.Fix, 0x1b) {
					t.Errorf("%s prints an escape character: %q", id, r.Detail)
				}
				if r.Status != w.status || !strings.Contains(r.Detail, w.detail) || !strings.Contains(r.Fix, w.fix) {
					t.Errorf("%s = %s\n  detail: %s\n  fix: %s\nwant %s, detail with %q, fix with %q", id, r.Status, r.Detail, r.Fix, w.status, w.detail, w.fix)
				}
			}
		})
	}
}

func TestValidateUnreachable(t *testing.T) {
	closed := testpeer.ClosedAddr(t)
	// A listener that accepts and never speaks TLS.
	silent := testpeer.HoldingServer(t, nil)
	for _, tc := range []struct {
		name, addr, detail, fix string
		timeout                 time.Duration
	}{
		{"refused", closed, "cannot connect to " + closed, "start IIS", 0},
		{"silent", silent, "no answer", "port 443", 300 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := eceEnv(t, tc.addr)
			if tc.timeout > 0 {
				env.Timeout = tc.timeout
			}
			r := runValidate(t, env)["validate.https-default"]
			if r.Status != steps.Fail || !strings.Contains(r.Detail, tc.detail) || !strings.Contains(r.Fix, tc.fix) {
				t.Errorf("got %s %q fix %q; want fail with %q / %q", r.Status, r.Detail, r.Fix, tc.detail, tc.fix)
			}
		})
	}
}

func TestValidateManualAndSkip(t *testing.T) {
	env := steps.NewEnv(steps.NewAnswers(), "")
	State(env.Answers).Ticked = map[string]steps.Tick{"validate.no-alerts": {}}
	rs := runValidate(t, env)
	if r := rs["validate.https-default"]; r.Status != steps.Skip || !strings.Contains(r.Detail, "profile.ece_fqdn") {
		t.Errorf("no FQDN: %+v, want skip naming profile.ece_fqdn", r)
	}
	for id, where := range map[string]string{
		"validate.no-alerts":      "confirmed by the admin: CCE Administration: the status bar",
		"validate.agent-checkbox": "\"Support Email and Chat\" checkbox",
		"validate.agent-tab":      "\"Enable Email and Chat\" tab",
		"validate.test-agent":     "Screen Name",
		"validate.agent-in-ece":   "\"Service\" department holds PCCE's Global objects",
	} {
		if r := rs[id]; r.Status != steps.Manual || !strings.Contains(r.Detail, where) {
			t.Errorf("%s = %s %q, want manual with %q", id, r.Status, r.Detail, where)
		}
	}
	if len(rs) != 7 {
		t.Errorf("%d checks, want 7", len(rs))
	}
	ValidationOf(env.Answers).TestAgent = "jdoe"
	rs = runValidate(t, env)
	if r := rs["validate.test-agent"]; !strings.Contains(r.Detail, "Agents › jdoe: tick") {
		t.Errorf("the test agent's name should replace the placeholder: %q", r.Detail)
	}
	if r := rs["validate.agent-in-ece"]; !strings.HasSuffix(r.Detail, "Users lists jdoe.") {
		t.Errorf("agent-in-ece should name the agent: %q", r.Detail)
	}
	p, err := NewValidateStep().Plan(context.Background(), &steps.Env{Answers: answersWith(func(a *steps.Answers) { ValidationOf(a).TestAgent = "jdoe" })})
	if err != nil || len(p.GUI) != 3 || !strings.Contains(p.GUI[0].Where, "Agents › jdoe › General") {
		t.Errorf("plan: %+v %v", p, err)
	}
}

// TestValidateApplyPointsAtItsChecks: the note after Apply speaks of the
// checks every driver shows next, not of a command to run elsewhere.
func TestValidateApplyPointsAtItsChecks(t *testing.T) {
	out, err := NewValidateStep().Apply(context.Background(), steps.NewEnv(steps.NewAnswers(), ""), &steps.Plan{})
	if err != nil || len(out.Notes) != 1 || strings.Contains(out.Notes[0], "ccewiz check") || !strings.Contains(out.Notes[0], "the checks below") {
		t.Errorf("apply note = %q, %v", out.Notes, err)
	}
}
