package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"ccewiz/certs"
	"ccewiz/secret"
	"ccewiz/steps"
	"ccewiz/steps/ece"
	"ccewiz/testpeer"
)

const testPFXPassword = "Tr0ub4dor&3 secret"

// certCLI runs ccewiz cert with args; the front-ends of the certificate
// step record in an answers file, given with --answers (in a test folder,
// never the repository's ./ccewiz.yaml).
func certCLI(t *testing.T, args ...string) (int, string) {
	t.Helper()
	if len(args) > 0 && (args[0] == "selfsigned" || args[0] == "csr") && !slices.Contains(args, "--answers") {
		args = append(args, "--answers", filepath.Join(t.TempDir(), "ccewiz.yaml"))
	}
	var out, errb bytes.Buffer
	code := run(context.Background(), append([]string{"cert"}, args...), strings.NewReader(""), &out, &errb)
	all := out.String() + errb.String()
	if strings.Contains(all, testPFXPassword) || strings.Contains(all, "Tr0ub4dor") {
		t.Fatalf("the PFX password appears in the output of cert %v:\n%s", args, all)
	}
	return code, all
}

func TestCertCLI(t *testing.T) {
	t.Setenv("CCEWIZ_TEST_PFX", testPFXPassword)
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "pw.txt")
	os.WriteFile(pwFile, []byte(testPFXPassword+"\n"), 0o600)
	out := filepath.Join(dir, "out")
	now := time.Now()
	ch := testpeer.NewChain(t, "ece.example.com")
	crt, key := ch.Leaf.WriteFiles(t, dir, "leaf")
	chainFile := filepath.Join(dir, "ca.pem")
	os.WriteFile(chainFile, certs.CertPEM(ch.Root.Cert, ch.Intermediate.Cert), 0o644)
	other := testpeer.NewLeaf(t, "other.example.com", nil)
	_, otherKey := other.WriteFiles(t, dir, "other")
	expired := testpeer.NewLeaf(t, "ece.example.com", ch.Intermediate, testpeer.Validity(now.AddDate(-1, 0, 0), now.AddDate(0, 0, -2)))
	expCrt, expKey := expired.WriteFiles(t, dir, "expired")
	garbage := filepath.Join(dir, "garbage.txt")
	os.WriteFile(garbage, []byte("hello"), 0o644)
	outExp := filepath.Join(dir, "out-expired")

	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no action", nil, 2, "say what to do"},
		{"unknown action", []string{"frob"}, 2, `unknown action "frob"`},
		{"selfsigned", []string{"selfsigned", "--cn", "ece.example.com", "--san", "chat.example.com", "--out", out, "--pfx-pass-env", "CCEWIZ_TEST_PFX"}, 0, "wrote " + filepath.Join(out, "ece.example.com.pfx")},
		{"selfsigned with a password file", []string{"selfsigned", "--cn", "pwfile.example.com", "--out", out, "--pfx-pass-file", pwFile}, 0, "pwfile.example.com.pfx"},
		{"selfsigned without PFX password", []string{"selfsigned", "--cn", "nopfx.example.com", "--out", out}, 2, "the PFX for IIS needs a password: give --pfx-pass-env VAR"},
		{"selfsigned small key", []string{"selfsigned", "--cn", "ece.example.com", "--key-size", "1024", "--out", out}, 2, "too small"},
		{"selfsigned short name", []string{"selfsigned", "--cn", "ece", "--out", out}, 2, "short host name"},
		{"selfsigned, out folder from the answers", []string{"selfsigned", "--cn", "ece.example.com", "--pfx-pass-env", "CCEWIZ_TEST_PFX", "--answers", filepath.Join(dir, "a", "ccewiz.yaml")}, 0,
			"wrote " + filepath.Join(dir, "a", "certs", "ece.example.com.key")},
		{"selfsigned unset env", []string{"selfsigned", "--cn", "ece.example.com", "--out", out, "--pfx-pass-env", "CCEWIZ_NOT_SET_ANYWHERE"}, 2, "CCEWIZ_NOT_SET_ANYWHERE is not set"},
		{"both password flags", []string{"selfsigned", "--cn", "ece.example.com", "--out", out, "--pfx-pass-env", "A", "--pfx-pass-file", "B"}, 2, "choose one"},
		{"csr", []string{"csr", "--cn", "ece.example.com", "--o", "Example", "--ou", "CC", "--l", "Springfield", "--st", "Illinois", "--c", "US", "--out", filepath.Join(dir, "req")}, 0, "Send " + filepath.Join(dir, "req", "ece.example.com.csr") + " to your CA"},
		{"csr missing country", []string{"csr", "--cn", "ece.example.com", "--o", "Example", "--ou", "CC", "--l", "X", "--st", "Y", "--out", out}, 2, "country (C) is empty"},
		{"csr bad country", []string{"csr", "--cn", "ece.example.com", "--o", "E", "--ou", "CC", "--l", "X", "--st", "Y", "--c", "USA", "--out", out}, 2, "two-letter"},
		{"complete", []string{"complete", "--key", key, "--cert", crt, "--chain", chainFile, "--out", out, "--pfx-pass-env", "CCEWIZ_TEST_PFX"}, 0, "iis-binding-ece.example.com.ps1"},
		{"complete wrong key", []string{"complete", "--key", otherKey, "--cert", crt, "--chain", chainFile, "--out", out, "--pfx-pass-env", "CCEWIZ_TEST_PFX"}, 2, "does not match the private key"},
		{"complete expired writes nothing", []string{"complete", "--key", expKey, "--cert", expCrt, "--chain", chainFile, "--out", outExp, "--pfx-pass-env", "CCEWIZ_TEST_PFX"}, 1, "Nothing written"},
		{"complete needs a password", []string{"complete", "--key", key, "--cert", crt, "--out", out}, 2, "--pfx-pass-env"},
		{"complete garbage", []string{"complete", "--key", key, "--cert", garbage, "--out", out, "--pfx-pass-env", "CCEWIZ_TEST_PFX"}, 2, "no certificate found"},
		{"inspect", []string{"inspect", filepath.Join(out, "ece.example.com.crt"), "--name", "ece.example.com"}, 0, "Chain (leaf first)"},
		{"inspect wrong name", []string{"inspect", filepath.Join(out, "ece.example.com.crt"), "--name", "chat2.example.com"}, 1, "name-mismatch"},
		{"inspect expired", []string{"inspect", expCrt}, 1, "expired"},
		{"inspect csr", []string{"inspect", filepath.Join(dir, "req", "ece.example.com.csr")}, 0, "Certificate request"},
		{"inspect pfx", []string{"inspect", filepath.Join(out, "ece.example.com.pfx"), "--pfx-pass-env", "CCEWIZ_TEST_PFX", "--name", "ece.example.com"}, 0, "PFX with private key"},
		{"inspect pfx without password", []string{"inspect", filepath.Join(out, "ece.example.com.pfx")}, 2, "PFX/PKCS#12"},
		{"inspect garbage", []string{"inspect", garbage}, 2, "no certificate found"},
		{"inspect without a file", []string{"inspect"}, 2, "say which file"},
		{"inspect missing", []string{"inspect", filepath.Join(dir, "nope.pem")}, 2, "nope.pem"},
		{"probe without addr", []string{"probe"}, 2, "--addr"},
		{"bad format", []string{"probe", "--addr", "x:1", "--format", "xml"}, 2, "--format"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, all := certCLI(t, tc.args...)
			if code != tc.code || !strings.Contains(all, tc.want) {
				t.Fatalf("exit %d, want %d with %q:\n%s", code, tc.code, tc.want, all)
			}
		})
	}
	// What the runs above must have left behind.
	for name, mode := range map[string]os.FileMode{"ece.example.com.key": 0o600, "ece.example.com.pfx": 0o600, "ece.example.com.cer": 0o644} {
		st, err := os.Stat(filepath.Join(out, name))
		if err != nil || st.Mode().Perm() != mode {
			t.Errorf("%s: %v mode %v, want %v", name, err, st.Mode().Perm(), mode)
		}
	}
	if baks, _ := filepath.Glob(filepath.Join(out, "ece.example.com.key.ccewiz-*.bak")); len(baks) != 0 {
		t.Errorf("the key was replaced (backups %v): a current key is kept", baks)
	}
	if _, err := os.Stat(outExp); err == nil {
		t.Error("complete with an expired certificate created its output folder")
	}
	pfx, _ := os.ReadFile(filepath.Join(out, "ece.example.com.pfx"))
	if _, c, err := certs.DecodePFX(pfx, secret.New(testPFXPassword)); err != nil || c.Root == nil || !c.Leaf.Equal(ch.Leaf.Cert) {
		t.Errorf("completed PFX: %v", err)
	}
}

func TestCertProbeCLI(t *testing.T) {
	ch := testpeer.NewChain(t, "ece.example.com")
	good := tls.Certificate{Certificate: [][]byte{ch.Leaf.DER, ch.Intermediate.DER}, PrivateKey: ch.Leaf.Key}
	serve := func(cfg *tls.Config) string { return testpeer.ServeTLSConfig(t, cfg) }
	okAddr := serve(&tls.Config{Certificates: []tls.Certificate{good}})
	sniAddr := serve(&tls.Config{GetCertificate: func(h *tls.ClientHelloInfo) (*tls.Certificate, error) {
		if h.ServerName == "" {
			return nil, errors.New("SNI required")
		}
		return &good, nil
	}})
	dir := t.TempDir()
	root := filepath.Join(dir, "root.pem")
	os.WriteFile(root, ch.Root.PEM(), 0o644)

	code, all := certCLI(t, "probe", "--addr", okAddr, "--name", "ece.example.com", "--ca-file", root)
	if code != 0 || !strings.Contains(all, "no problem found") || !strings.Contains(all, "needs SNI: false") {
		t.Fatalf("good server: exit %d\n%s", code, all)
	}
	code, all = certCLI(t, "probe", "--addr", sniAddr, "--name", "ece.example.com", "--ca-file", root, "--format", "json")
	var res certs.ProbeResult
	if err := json.Unmarshal([]byte(all), &res); err != nil {
		t.Fatalf("probe json: %v\n%s", err, all)
	}
	if code != 1 || !res.NeedsSNI || res.SNI == nil || res.NoSNI != nil || !certs.Has(res.Findings, certs.CodeNeedsSNI) {
		t.Fatalf("SNI-required server: exit %d %+v", code, res)
	}
	closed := testpeer.ClosedAddr(t)
	code, all = certCLI(t, "probe", "--addr", closed, "--timeout", "2s")
	if code != 1 || !strings.Contains(all, "connection refused") {
		t.Fatalf("closed port: exit %d\n%s", code, all)
	}
}

// TestCertProbeBrokenAnswers: a ./ccewiz.yaml that does not load is
// reported, not silently skipped (its resolve section would be missing).
func TestCertProbeBrokenAnswers(t *testing.T) {
	t.Chdir(t.TempDir())
	if err := os.WriteFile(steps.DefaultAnswersPath, []byte("version: 1\nprofile: [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCLI(t, "cert", "probe", "--addr", "127.0.0.1:1", "--timeout", "1s")
	if code != 2 || !strings.Contains(errs, steps.DefaultAnswersPath) {
		t.Fatalf("broken ./ccewiz.yaml: exit %d, want 2 and the file named\nstdout: %s\nstderr: %s", code, out, errs)
	}
	// Without a file, probe works as before (here: nothing listens).
	os.Remove(steps.DefaultAnswersPath)
	if code, out, errs = runCLI(t, "cert", "probe", "--addr", "127.0.0.1:1", "--timeout", "1s"); code != 1 {
		t.Fatalf("no answers file: exit %d, want 1\nstdout: %s\nstderr: %s", code, out, errs)
	}
}

// TestCertWebServerNamed: a --web-server that is not a fully qualified
// name is refused by name, and nothing is written.
func TestCertWebServerNamed(t *testing.T) {
	out := filepath.Join(t.TempDir(), "certs")
	code, stdout, errs := runCLI(t, "cert", "selfsigned", "--cn", "ece.example.com", "--web-server", "web1.example.com,iis-a", "--out", out)
	if code != 2 || !strings.Contains(errs, `"iis-a" is a short host name`) {
		t.Fatalf("exit %d, want 2 and iis-a named\nstdout: %s\nstderr: %s", code, stdout, errs)
	}
	if _, err := os.Stat(out); err == nil {
		t.Fatal("files were written for a refused --web-server")
	}
}

// TestTextOutputIsInert: a certificate whose names carry terminal escapes
// (an OSC title change, a bell) is shown with them replaced in text
// output, in cert inspect and keystore list; JSON keeps the real value.
func TestTextOutputIsInert(t *testing.T) {
	const evil = "evil\x1b]0;pwned\x07.example.com"
	dir := t.TempDir()
	leaf := testpeer.NewLeaf(t, evil, nil)
	crt, _ := leaf.WriteFiles(t, dir, "evil")
	ks := certs.NewKeystore(certs.JKS)
	if _, err := ks.AddTrusted("evil\x1b[2J", leaf.Cert, false); err != nil {
		t.Fatal(err)
	}
	data, err := ks.Marshal([]byte("changeit"))
	if err != nil {
		t.Fatal(err)
	}
	cacerts := filepath.Join(dir, "cacerts")
	os.WriteFile(cacerts, data, 0o644)

	for _, args := range [][]string{
		{"cert", "inspect", crt, "--name", evil},
		{"cert", "inspect", crt},
		{"keystore", "list", "--keystore", cacerts},
	} {
		_, out, errs := runCLI(t, args...)
		if strings.ContainsAny(out+errs, "\x1b\x07") {
			t.Errorf("%v printed a control character:\n%q", args, out+errs)
		}
		if !strings.Contains(out, "evil\uFFFD") {
			t.Errorf("%v does not show the name at all:\n%s", args, out)
		}
	}
	_, out, _ := runCLI(t, "cert", "inspect", crt, "--format", "json")
	var rep struct{ Chain []certs.CertInfo }
	if err := json.Unmarshal([]byte(out), &rep); err != nil || len(rep.Chain) != 1 || rep.Chain[0].CN != evil {
		t.Errorf("JSON must keep the real name: %v\n%s", err, out)
	}
}

// TestCertFrontEndsKeepTheKey: cert selfsigned and cert csr are the
// certificate step. Run twice, each keeps its key (a new self-signed key
// means importing again into every ADS; a new CSR key orphans the request
// the CA has) and writes no new backup; what they wrote is in the answers
// file, so the report lists it.
func TestCertFrontEndsKeepTheKey(t *testing.T) {
	t.Setenv("CCEWIZ_TEST_PFX", testPFXPassword)
	for _, c := range []struct {
		action string
		args   []string
		files  []string
	}{
		{"selfsigned", []string{"--pfx-pass-env", "CCEWIZ_TEST_PFX"}, []string{"ece.example.com.key", "ece.example.com.crt", "ece.example.com.pfx"}},
		{"csr", []string{"--o", "Example", "--ou", "CC", "--l", "Springfield", "--st", "Illinois", "--c", "US"}, []string{"ece.example.com.key", "ece.example.com.csr"}},
	} {
		t.Run(c.action, func(t *testing.T) {
			dir := t.TempDir()
			answers := filepath.Join(dir, "ccewiz.yaml")
			args := append([]string{c.action, "--cn", "ece.example.com", "--out", filepath.Join(dir, "certs"), "--answers", answers}, c.args...)
			if code, out := certCLI(t, args...); code != 0 {
				t.Fatalf("first run: exit %d\n%s", code, out)
			}
			key1, _ := os.ReadFile(filepath.Join(dir, "certs", "ece.example.com.key"))
			if code, out := certCLI(t, args...); code != 0 || !strings.Contains(out, "unchanged "+filepath.Join(dir, "certs", "ece.example.com.key")) {
				t.Fatalf("second run: exit %d\n%s", code, out)
			}
			key2, _ := os.ReadFile(filepath.Join(dir, "certs", "ece.example.com.key"))
			if len(key1) == 0 || !bytes.Equal(key1, key2) {
				t.Error("the second run replaced the key")
			}
			if baks, _ := filepath.Glob(filepath.Join(dir, "certs", "*.bak")); len(baks) != 0 {
				t.Errorf("the second run wrote backups: %v", baks)
			}
			a, err := steps.LoadAnswers(answers)
			if err != nil {
				t.Fatal(err)
			}
			md := string(steps.BuildIntegrationReport(ece.Flow().Steps, steps.NewEnv(a, answers), nil).Markdown())
			for _, f := range c.files {
				if !strings.Contains(md, "`"+filepath.Join(dir, "certs", f)+"` — new file") {
					t.Errorf("the report does not list %s:\n%s", f, md)
				}
			}
		})
	}
}

// TestNegativeSerialIsReadable: a certificate with a negative serial (a
// Samba AD DC's) is read by the ccewiz binary, as Java reads it.
func TestNegativeSerialIsReadable(t *testing.T) {
	testpeer.Need(t, "openssl")
	dir := t.TempDir()
	pem := filepath.Join(dir, "dc.pem")
	out, err := exec.Command("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", filepath.Join(dir, "dc.key"),
		"-out", pem, "-subj", "/CN=dc1.example.local", "-days", "30", "-set_serial", "-12345").CombinedOutput()
	if err != nil {
		t.Fatalf("openssl: %v\n%s", err, out)
	}
	code, stdout, errs := runBinary(t, "cert", "inspect", pem)
	if code != 0 || !strings.Contains(stdout, "dc1.example.local") {
		t.Errorf("cert inspect of a negative serial: exit %d\n%s%s", code, stdout, errs)
	}
}

// TestProbeGivesJavasVerdict: with --keystore, cert probe says what Java's
// TrustManager says with that store (exit 1 for a refusal); with the
// server's CA as --ca-file, Java accepts (exit 0).
func TestProbeGivesJavasVerdict(t *testing.T) {
	dir := t.TempDir()
	root := testpeer.NewCA(t, "Probe CLI Root", nil)
	leaf := testpeer.NewLeaf(t, "ece.example.com", root)
	addr := testpeer.ServeTLS(t, leaf)
	rootFile, _ := root.WriteFiles(t, dir, "root")
	empty := testpeer.KeytoolStore(t, filepath.Join(dir, "other.jks"), testpeer.NewCA(t, "Someone Else", nil))
	code, out, errs := runCLI(t, "cert", "probe", "--addr", addr, "--name", "ece.example.com", "--keystore", empty)
	if code != 1 || !strings.Contains(out, "✗ Java 17 (default java.security) refuses the server") || !strings.Contains(out, "PKIX path building failed") {
		t.Errorf("a store without the CA: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = runCLI(t, "cert", "probe", "--addr", addr, "--name", "ece.example.com", "--ca-file", rootFile, "--java", "8")
	if code != 0 || !strings.Contains(out, "✓ Java 8u261+ (default java.security) accepts the server") {
		t.Errorf("with the CA: exit %d\n%s%s", code, out, errs)
	}
}
