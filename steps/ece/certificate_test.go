package ece

import (
	"context"
	"crypto/tls"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ccewiz/certs"
	"ccewiz/secret"
	"ccewiz/steps"
	"ccewiz/testpeer"
)

func certEnv(t *testing.T, mutate func(a *steps.Answers)) *steps.Env {
	t.Helper()
	dir := t.TempDir()
	pw := filepath.Join(dir, "pfx-password")
	os.WriteFile(pw, []byte("pfx-Secret-1\n"), 0o600)
	a := steps.NewAnswers()
	*ProfileOf(a) = Profile{ECEFQDN: "ece.example.com", WebServers: []string{"ece.example.com"}, LoadBalancer: "none"}
	*CertificateOf(a) = CertificateAnswers{Mode: "selfsigned", SANs: []string{"chat.example.com"}, PFXPassword: secret.Ref{File: pw}}
	if mutate != nil {
		mutate(a)
	}
	return steps.NewEnv(a, filepath.Join(dir, "ccewiz.yaml"))
}

func certActions(p *steps.Plan) map[string]steps.FileAction {
	m := map[string]steps.FileAction{}
	for _, f := range p.Files {
		m[filepath.Base(f.Path)] = f.Action
	}
	return m
}

func runCertCheck(t *testing.T, env *steps.Env, id string) steps.Result {
	t.Helper()
	return checkResult(t, env, NewCertificateStep(), id, 5*time.Second)
}

func certPlanApply(t *testing.T, env *steps.Env) *steps.Plan {
	t.Helper()
	s := NewCertificateStep()
	p, err := s.Plan(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply(context.Background(), env, p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCertificateSelfSignedPlanApplyIdempotent(t *testing.T) {
	env := certEnv(t, nil)
	p := certPlanApply(t, env)
	got := certActions(p)
	for _, name := range []string{"ece.example.com.key", "ece.example.com.crt", "ece.example.com.cer", "ece.example.com.pfx", "iis-binding-ece.example.com.ps1"} {
		if got[name] != steps.Create {
			t.Errorf("%s: %s, want create (plan %v)", name, got[name], got)
		}
	}
	for _, f := range p.Files {
		if strings.HasSuffix(f.Path, ".key") || strings.HasSuffix(f.Path, ".pfx") {
			if !f.Sensitive {
				t.Errorf("%s is not marked sensitive", f.Path)
			}
			if st, err := os.Stat(f.Path); err != nil || st.Mode().Perm() != 0o600 {
				t.Errorf("%s mode %v, want 0600", f.Path, st.Mode().Perm())
			}
		}
	}
	for _, f := range p.Files {
		if strings.HasSuffix(f.Path, ".ps1") && !strings.Contains(f.Diff, "+        New-WebBinding -Name $site -Protocol https -IPAddress '*' -Port $port -HostHeader '' -SslFlags 0") {
			t.Errorf("the plan does not show the IIS script:\n%s", f.Diff)
		}
	}
	if len(p.Commands) != 1 || !strings.Contains(p.Commands[0].Script, "iis-binding-ece.example.com.ps1") {
		t.Errorf("commands %+v", p.Commands)
	}
	if dir := filepath.Dir(p.Files[0].Path); dir != filepath.Join(filepath.Dir(env.AnswersPath), "certs") {
		t.Errorf("out_dir default: files in %s", dir)
	}
	for _, id := range []string{"certificate.files", "certificate.pfx"} {
		if r := runCertCheck(t, env, id); r.Status != steps.Pass {
			t.Errorf("%s: %s %s (fix: %s)", id, r.Status, r.Detail, r.Fix)
		}
	}
	// A second run keeps everything: the ADS trust depends on the certificate staying put.
	p2, err := NewCertificateStep().Plan(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	if !p2.Empty() {
		t.Errorf("second plan is not empty: %v", certActions(p2))
	}
	// Two years on, the certificate is about to expire: a new one replaces it, with backups.
	env.Now = func() time.Time { return time.Now().AddDate(0, 0, 720) }
	if r := runCertCheck(t, env, "certificate.files"); r.Status != steps.Warn || !strings.Contains(r.Detail, "expires") {
		t.Errorf("files check near expiry: %s %s", r.Status, r.Detail)
	}
	p3 := certPlanApply(t, env)
	if a := certActions(p3); a["ece.example.com.key"] != steps.Modify || a["ece.example.com.crt"] != steps.Modify || a["ece.example.com.pfx"] != steps.Modify {
		t.Errorf("renewal plan %v", a)
	}
	if baks, _ := filepath.Glob(filepath.Join(filepath.Dir(p.Files[0].Path), "ece.example.com.key.ccewiz-*.bak")); len(baks) != 1 {
		t.Errorf("key backups: %v", baks)
	}
}

func TestCertificatePlanRefuses(t *testing.T) {
	cases := []struct {
		name string
		mut  func(a *steps.Answers)
		want string
	}{
		{"no FQDN", func(a *steps.Answers) { ProfileOf(a).ECEFQDN = "" }, "profile.ece_fqdn"},
		{"short SAN", func(a *steps.Answers) { CertificateOf(a).SANs = []string{"chat"} }, "short host name"},
		{"small key", func(a *steps.Answers) { CertificateOf(a).KeySize = 1024 }, "too small"},
		{"no PFX password", func(a *steps.Answers) { CertificateOf(a).PFXPassword = secret.Ref{} }, "certificate.pfx_password"},
		{"CA mode without subject", func(a *steps.Answers) { CertificateOf(a).Mode = "ca" }, "Organization (O)"},
		{"CA response without key", func(a *steps.Answers) {
			*CertificateOf(a) = CertificateAnswers{Mode: "ca", O: "E", OU: "C", L: "L", ST: "S", C: "US", CAResponse: []string{"x.cer"}, PFXPassword: CertificateOf(a).PFXPassword}
		}, "key"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := certEnv(t, tc.mut)
			_, err := NewCertificateStep().Plan(context.Background(), env)
			if !errors.Is(err, steps.ErrBadInput) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want bad input with %q, got %v", tc.want, err)
			}
			if entries, _ := os.ReadDir(filepath.Join(filepath.Dir(env.AnswersPath), "certs")); len(entries) > 0 {
				t.Fatalf("a refused plan wrote files: %v", entries)
			}
		})
	}
}

// TestCertificateCAMode runs the CA flow with openssl as the CA: our CSR
// goes in, openssl signs it, its answer (certificate + PKCS#7 chain) goes
// back through certificate.ca_response.
func TestCertificateCAMode(t *testing.T) {
	testpeer.Need(t, "openssl")
	ossl, err := exec.LookPath("openssl")
	if err != nil {
		t.Fatal(err)
	}
	env := certEnv(t, func(a *steps.Answers) {
		CertificateOf(a).Mode = "ca"
		CertificateOf(a).O, CertificateOf(a).OU, CertificateOf(a).L, CertificateOf(a).ST, CertificateOf(a).C = "Example", "CC", "Springfield", "Illinois", "US"
	})
	p := certPlanApply(t, env)
	if a := certActions(p); a["ece.example.com.key"] != steps.Create || a["ece.example.com.csr"] != steps.Create || len(a) != 2 {
		t.Fatalf("first CA plan %v", a)
	}
	if !strings.Contains(p.Summary, "waiting for the CA") {
		t.Fatalf("summary %q", p.Summary)
	}
	if r := runCertCheck(t, env, "certificate.files"); r.Status != steps.Fail || !strings.Contains(r.Detail, "waiting for the CA") {
		t.Fatalf("files check while waiting: %s %s", r.Status, r.Detail)
	}
	// Planning again while waiting never replaces the key of the pending request.
	p2, err := NewCertificateStep().Plan(context.Background(), env)
	if err != nil || !p2.Empty() {
		t.Fatalf("second plan while waiting: %v %v", err, certActions(p2))
	}
	dir := filepath.Dir(env.AnswersPath)
	ch := testpeer.NewChain(t, "unused.example.com")
	interCrt, interKey := ch.Intermediate.WriteFiles(t, dir, "issuing-ca")
	chainPEM := filepath.Join(dir, "ca-chain.pem")
	os.WriteFile(chainPEM, append(ch.Root.PEM(), ch.Intermediate.PEM()...), 0o644)
	signed := filepath.Join(dir, "certnew.cer")
	p7b := filepath.Join(dir, "certnew.p7b")
	for _, args := range [][]string{
		{"x509", "-req", "-in", filepath.Join(dir, "certs", "ece.example.com.csr"), "-CA", interCrt, "-CAkey", interKey, "-CAcreateserial",
			"-copy_extensions", "copy", "-days", "365", "-outform", "DER", "-out", signed},
		{"crl2pkcs7", "-nocrl", "-certfile", chainPEM, "-outform", "DER", "-out", p7b},
	} {
		if out, err := exec.Command(ossl, args...).CombinedOutput(); err != nil {
			t.Fatalf("openssl %v: %v\n%s", args, err, out)
		}
	}
	CertificateOf(env.Answers).CAResponse = []string{"certnew.p7b", "certnew.cer"} // relative to the answers file
	p3 := certPlanApply(t, env)
	a := certActions(p3)
	if a["ece.example.com.key"] != steps.Unchanged || a["ece.example.com.crt"] != steps.Create || a["ece.example.com.pfx"] != steps.Create || a["iis-binding-ece.example.com.ps1"] != steps.Create {
		t.Fatalf("completion plan %v", a)
	}
	for _, id := range []string{"certificate.files", "certificate.pfx"} {
		if r := runCertCheck(t, env, id); r.Status != steps.Pass {
			t.Errorf("%s: %s %s", id, r.Status, r.Detail)
		}
	}
	b, err := certs.ReadBundleFiles(filepath.Join(dir, "certs", "ece.example.com.crt"))
	if err != nil || len(b.Certs) != 3 || b.Certs[0].Subject.CommonName != "ece.example.com" {
		t.Fatalf("written chain: %v %d", err, len(b.Certs))
	}
	// A CA answer for another key is refused, and nothing is written.
	CertificateOf(env.Answers).CAResponse = []string{filepath.Join(dir, "issuing-ca.crt")}
	if _, err := NewCertificateStep().Plan(context.Background(), env); !errors.Is(err, steps.ErrBadInput) || !errors.Is(err, certs.ErrKeyMismatch) {
		t.Fatalf("wrong CA answer: %v", err)
	}
}

func TestCertificateLoadBalancers(t *testing.T) {
	cases := []struct {
		name     string
		lb       string
		web      []string
		pfx      []string
		scripts  int
		commands int
	}{
		{"passthrough: one PFX for every web server", "passthrough", []string{"web1.example.com", "web2.example.com"}, []string{"ece.example.com.pfx"}, 2, 2},
		{"offload: one per web server plus the balancer", "offload", []string{"web1.example.com", "web2.example.com"},
			[]string{"web1.example.com.pfx", "web2.example.com.pfx", "ece.example.com.pfx"}, 2, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := certEnv(t, func(a *steps.Answers) { ProfileOf(a).LoadBalancer, ProfileOf(a).WebServers = tc.lb, tc.web })
			p, err := NewCertificateStep().Plan(context.Background(), env)
			if err != nil {
				t.Fatal(err)
			}
			var pfx []string
			scripts := 0
			for _, f := range p.Files {
				switch {
				case strings.HasSuffix(f.Path, ".pfx"):
					pfx = append(pfx, filepath.Base(f.Path))
				case strings.HasSuffix(f.Path, ".ps1"):
					scripts++
				}
			}
			if strings.Join(pfx, ",") != strings.Join(tc.pfx, ",") || scripts != tc.scripts || len(p.Commands) != tc.commands {
				t.Fatalf("pfx %v scripts %d commands %d", pfx, scripts, len(p.Commands))
			}
			if tc.web[0] != ProfileOf(env.Answers).WebServers[0] {
				t.Fatal("planning changed the answers")
			}
		})
	}
}

// TestCertificateTLSCheck serves the step's own files from a Go TLS server
// that ece.example.com:443 resolves to through the answers file's resolve
// section — the check must go through env.Dial — once as IIS should be
// bound and once requiring SNI.
func TestCertificateTLSCheck(t *testing.T) {
	env := certEnv(t, nil)
	certPlanApply(t, env)
	dir := filepath.Join(filepath.Dir(env.AnswersPath), "certs")
	pair, err := tls.LoadX509KeyPair(filepath.Join(dir, "ece.example.com.crt"), filepath.Join(dir, "ece.example.com.key"))
	if err != nil {
		t.Fatal(err)
	}
	other := testpeer.NewLeaf(t, "ece.example.com", nil)
	otherPair := tls.Certificate{Certificate: [][]byte{other.DER}, PrivateKey: other.Key}
	cases := []struct {
		name   string
		get    func(h *tls.ClientHelloInfo) (*tls.Certificate, error)
		status steps.Status
		want   string
	}{
		{"bound right", func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return &pair, nil }, steps.Pass, "same certificate with SNI: true"},
		{"SNI required", func(h *tls.ClientHelloInfo) (*tls.Certificate, error) {
			if h.ServerName == "" {
				return nil, errors.New("no binding")
			}
			return &pair, nil
		}, steps.Fail, "iis-binding"},
		{"another certificate still bound", func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return &otherPair, nil }, steps.Fail, "not the certificate in"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			addr := testpeer.ServeTLSConfig(t, &tls.Config{GetCertificate: tc.get})
			env.Answers.Resolve = map[string]string{"ece.example.com:443": addr}
			r := runCertCheck(t, env, "certificate.tls")
			if r.Status != tc.status || !strings.Contains(r.Detail+" "+r.Fix, tc.want) {
				t.Fatalf("%s: %s\n%s\nfix: %s", tc.name, r.Status, r.Detail, r.Fix)
			}
		})
	}
	// Nothing listens: a clear failure, not a hang.
	env.Answers.Resolve = map[string]string{"ece.example.com:443": testpeer.ClosedAddr(t)}
	if r := runCertCheck(t, env, "certificate.tls"); r.Status != steps.Fail || !strings.Contains(r.Detail, "connection refused") {
		t.Fatalf("closed port: %s %s", r.Status, r.Detail)
	}
}
