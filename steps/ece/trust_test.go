package ece

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"ccewiz/certs"
	"ccewiz/safefile"
	"ccewiz/secret"
	"ccewiz/steps"
	"ccewiz/testpeer"
)

// smallCacerts writes a JKS trust store holding one unrelated CA, like a
// cacerts that does not know ECE yet.
func smallCacerts(t *testing.T, path, pass string, kind certs.Kind) []byte {
	t.Helper()
	ks := certs.NewKeystore(kind)
	if _, err := ks.AddTrusted("some public root", testpeer.NewCA(t, "Some Public Root", nil).Cert, false); err != nil {
		t.Fatal(err)
	}
	data, err := ks.Marshal([]byte(pass))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o640); err != nil {
		t.Fatal(err)
	}
	return data
}

func trustEnv(t *testing.T, dir string) *steps.Env {
	t.Helper()
	a := steps.NewAnswers()
	ProfileOf(a).ECEFQDN = "ece.example.com"
	ProfileOf(a).AdminDataServers = []string{"ads1.example.com", "ads2.example.com"}
	env := steps.NewEnv(a, filepath.Join(dir, "ccewiz.yaml"))
	env.Timeout = 3 * time.Second
	// The test certificates are valid from an hour ago: the clock must be
	// the real one, fixed to the second so backup names are known.
	now := time.Now().UTC().Truncate(time.Second)
	env.Now = func() time.Time { return now }
	return env
}

func runTrustCheck(t *testing.T, env *steps.Env, id string) steps.Result {
	t.Helper()
	return checkResult(t, env, NewTrustStep(), id, time.Minute)
}

// The whole step, both seed cases: a reachable cacerts (ads1) is imported
// into with a backup and verified; an unreachable one (ads2) gets the exact
// keytool lines; the check fails before and passes after, and the JDK's own
// TLS client agrees with it against a server presenting ECE's chain.
func TestTrustStep(t *testing.T) {
	ss := testpeer.NewLeaf(t, "ece.example.com", nil)
	ch := testpeer.NewChain(t, "ece.example.com")
	cases := []struct {
		name       string
		kind       certs.Kind
		served     []*testpeer.Cert
		setup      func(t *testing.T, env *steps.Env, dir string)
		wantAlias  []string
		wantKeytol []string
	}{
		{"self-signed", certs.JKS, []*testpeer.Cert{ss},
			func(t *testing.T, env *steps.Env, dir string) {
				ss.WriteFiles(t, filepath.Join(dir, "certs"), "ece.example.com")
			},
			[]string{"ece.example.com"},
			[]string{`-alias "ece.example.com" -file "C:\temp\trust-ece.example.com.cer"`, "-storepass changeit"}},
		{"CA-signed, CA's answer in two files", certs.PKCS12, []*testpeer.Cert{ch.Leaf, ch.Intermediate},
			func(t *testing.T, env *steps.Env, dir string) {
				os.WriteFile(filepath.Join(dir, "certs", "ece.example.com.crt"), append(ch.Leaf.PEM(), ch.Intermediate.PEM()...), 0o644)
				os.WriteFile(filepath.Join(dir, "root.cer"), ch.Root.PEM(), 0o644)
				CertificateOf(env.Answers).CAResponse = []string{"root.cer"}
				TrustOf(env.Answers).Password = secret.Ref{Env: "CCEWIZ_TEST_CACERTS_PASS"}
				t.Setenv("CCEWIZ_TEST_CACERTS_PASS", "s3cret")
			},
			[]string{"ccewiz test root ca", "ccewiz test issuing ca"},
			[]string{`-trustcacerts -keystore ..\lib\security\cacerts -storepass:env CCEWIZ_TEST_CACERTS_PASS -alias "ccewiz test root ca"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			os.MkdirAll(filepath.Join(dir, "certs"), 0o755)
			env := trustEnv(t, dir)
			tc.setup(t, env, dir)
			pass := DefaultCacertsPassword
			if !TrustOf(env.Answers).Password.IsZero() {
				pass = "s3cret"
			}
			store := filepath.Join(dir, "ads1-cacerts")
			orig := smallCacerts(t, store, pass, tc.kind)
			TrustOf(env.Answers).Stores = []TrustStore{{Server: "ads1.example.com", Path: "ads1-cacerts"}}
			addr := testpeer.ServeTLS(t, tc.served[0], tc.served[1:]...)
			env.Answers.Resolve = map[string]string{"ece.example.com:443": addr}

			before := runTrustCheck(t, env, "trust.ads1.example.com")
			if before.Status != steps.Fail || !strings.Contains(before.Detail, "PKIX path building failed") {
				t.Fatalf("before: %+v", before)
			}
			if r := runTrustCheck(t, env, "trust.ads2.example.com"); r.Status != steps.Manual || !strings.Contains(r.Detail, "keytool") {
				t.Fatalf("ads2 without a path should be a manual check: %+v", r)
			}
			javaOut, javaErr := testpeer.JavaTLSConnect(t, store, pass, addr, "")
			if javaErr == nil || !strings.Contains(javaOut, "PKIX path building failed") {
				t.Fatalf("Java before the import: %v\n%s", javaErr, javaOut)
			}

			step := NewTrustStep()
			plan, err := step.Plan(context.Background(), env)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, k := range plan.Keystore {
				if k.Keystore == store {
					got = append(got, k.Alias)
					if k.Action != "add" {
						t.Errorf("%s: action %s, want add", k.Alias, k.Action)
					}
				}
			}
			if strings.Join(got, "|") != strings.Join(tc.wantAlias, "|") {
				t.Fatalf("aliases %v, want %v", got, tc.wantAlias)
			}
			if len(plan.Commands) != 1 || plan.Commands[0].Host != "ads2.example.com" {
				t.Fatalf("commands: %+v", plan.Commands)
			}
			for _, w := range append(tc.wantKeytol, `cd /d "%JAVA_HOME%\bin"`, `copy ..\lib\security\cacerts "..\lib\security\`+safefile.BackupName("cacerts", env.Now())+`"`, "restart") {
				if !strings.Contains(plan.Commands[0].Script, w) {
					t.Errorf("keytool script lacks %q:\n%s", w, plan.Commands[0].Script)
				}
			}
			if b, _ := os.ReadFile(store); !bytes.Equal(b, orig) {
				t.Fatal("Plan wrote the store")
			}

			out, err := step.Apply(context.Background(), env, plan)
			if err != nil {
				t.Fatal(err)
			}
			backup := ""
			for _, w := range out.Written {
				if w.Path == store {
					backup = w.Backup
				}
			}
			if b, _ := os.ReadFile(backup); !bytes.Equal(b, orig) {
				t.Fatalf("backup %q is not the original", backup)
			}
			if fi, _ := os.Stat(store); fi.Mode().Perm() != 0o640 {
				t.Errorf("mode %v, want 0640 kept", fi.Mode().Perm())
			}
			for _, f := range plan.Files {
				if strings.HasSuffix(f.Path, ".cer") {
					if _, err := os.Stat(f.Path); err != nil {
						t.Errorf("the .cer for keytool was not written: %v", err)
					}
				}
			}
			after := runTrustCheck(t, env, "trust.ads1.example.com")
			if after.Status != steps.Pass {
				t.Fatalf("after: %+v", after)
			}
			if javaOut, err := testpeer.JavaTLSConnect(t, store, pass, addr, ""); err != nil {
				t.Fatalf("Java after the import: %v\n%s", err, javaOut)
			}

			again, err := step.Plan(context.Background(), env)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range again.Files {
				if f.Path == store && f.Action != steps.Unchanged {
					t.Fatalf("a second plan changes the store again: %+v", f)
				}
			}
		})
	}
}

func TestTrustStepErrors(t *testing.T) {
	dir := t.TempDir()
	ch := testpeer.NewChain(t, "ece.example.com")
	os.MkdirAll(filepath.Join(dir, "certs"), 0o755)
	cases := []struct {
		name  string
		setup func(env *steps.Env)
		want  string
	}{
		{"wrong password changes nothing", func(env *steps.Env) {
			ch.Root.WriteFiles(t, filepath.Join(dir, "certs"), "ece.example.com")
			smallCacerts(t, filepath.Join(dir, "cacerts"), "not-changeit", certs.JKS)
			TrustOf(env.Answers).Stores = []TrustStore{{Server: "ads1.example.com", Path: "cacerts"}}
		}, "wrong password"},
		{"CA-signed leaf without its CA", func(env *steps.Env) {
			os.WriteFile(filepath.Join(dir, "certs", "ece.example.com.crt"), ch.Leaf.PEM(), 0o644)
		}, "CA's certificate is needed"},
		{"no certificate at all", func(env *steps.Env) {
			TrustOf(env.Answers).CertFiles = []string{"missing.cer"}
			env.Answers.Resolve = map[string]string{"ece.example.com:443": "127.0.0.1:1"}
		}, "run the certificate step first"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := trustEnv(t, dir)
			env.Answers.Resolve = map[string]string{"ece.example.com:443": "127.0.0.1:1"}
			tc.setup(env)
			_, err := NewTrustStep().Plan(context.Background(), env)
			if !errors.Is(err, steps.ErrBadInput) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want bad input with %q", err, tc.want)
			}
		})
	}
}

func TestTrustStoresField(t *testing.T) {
	a := steps.NewAnswers()
	TrustOf(a).Stores = []TrustStore{{Server: "ads1.example.com", Password: secret.Ref{Env: "P"}}}
	fields := NewTrustStep().Fields()
	if err := steps.SetField(a, fields, "trust.stores", `ads1.example.com=C:\Java\lib\security\cacerts, ads2.example.com`); err != nil {
		t.Fatal(err)
	}
	want := []TrustStore{{Server: "ads1.example.com", Path: `C:\Java\lib\security\cacerts`, Password: secret.Ref{Env: "P"}}, {Server: "ads2.example.com"}}
	if len(TrustOf(a).Stores) != 2 || TrustOf(a).Stores[0] != want[0] || TrustOf(a).Stores[1] != want[1] {
		t.Fatalf("stores %+v", TrustOf(a).Stores)
	}
	if err := steps.SetField(a, fields, "trust.stores", "ads1"); err == nil {
		t.Fatal("a short host name was accepted")
	}
}

// Run on the ADS itself, ccewiz imports into %JAVA_HOME%\lib\security\cacerts
// instead of printing commands.
func TestTrustStepOnTheADS(t *testing.T) {
	dir := t.TempDir()
	javaHome := filepath.Join(dir, "jre")
	os.MkdirAll(filepath.Join(javaHome, "lib", "security"), 0o755)
	store := filepath.Join(javaHome, "lib", "security", "cacerts")
	smallCacerts(t, store, DefaultCacertsPassword, certs.JKS)
	t.Setenv("JAVA_HOME", javaHome)
	old := hostname
	hostname = func() (string, error) { return "ADS2", nil }
	defer func() { hostname = old }()

	os.MkdirAll(filepath.Join(dir, "certs"), 0o755)
	testpeer.NewLeaf(t, "ece.example.com", nil).WriteFiles(t, filepath.Join(dir, "certs"), "ece.example.com")
	env := trustEnv(t, dir)
	env.Answers.Resolve = map[string]string{"ece.example.com:443": "127.0.0.1:1"}
	plan, err := NewTrustStep().Plan(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Commands) != 1 || plan.Commands[0].Host != "ads1.example.com" {
		t.Fatalf("only ads1 should get commands: %+v", plan.Commands)
	}
	found := false
	for _, f := range plan.Files {
		found = found || f.Path == store && f.Action == steps.Modify
	}
	if !found {
		t.Fatalf("the local cacerts is not in the plan: %+v", plan.Files)
	}
}

// TestTrustRestartIsAManualItem: each ADS's restart after the import is a
// manual item to tick, not a note that scrolls away.
func TestTrustRestartIsAManualItem(t *testing.T) {
	a := steps.NewAnswers()
	ProfileOf(a).AdminDataServers = []string{"aw1a.example.com", "aw1b.example.com"}
	TrustOf(a).Stores = []TrustStore{{Server: "aw1a.example.com", Path: "ads/cacerts"}}
	var manual []string
	for _, c := range NewTrustStep().(steps.DynamicChecks).ChecksFor(a) {
		if c.Manual && strings.HasSuffix(c.ID, ".restarted") && strings.Contains(c.What, "Apache Tomcat") {
			manual = append(manual, c.ID)
		}
	}
	if strings.Join(manual, " ") != "trust.aw1a.example.com.restarted trust.aw1b.example.com.restarted" {
		t.Errorf("restart items = %v", manual)
	}
}

// TestPrintedCommandsResistHostileNames: a CA whose CN is a cmd injection
// gets an alias of safe characters, quoted; a password file path cmd would
// not take as text stops the plan instead of printing a command.
func TestPrintedCommandsResistHostileNames(t *testing.T) {
	root := testpeer.NewCA(t, `Evil" & calc & "CA`, nil)
	leaf := testpeer.NewLeaf(t, "ece.example.com", root)
	planned, err := certs.TrustPlan([]*x509.Certificate{leaf.Cert, root.Cert}, certs.ImportOptions{FQDN: "ece.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	a := steps.NewAnswers()
	cmd, err := keytoolCommand(a, TrustStore{Server: "aw1a.example.com"}, planned, []string{"/x/trust-evil.cer"}, "cacerts.ccewiz-20261204-210000.bak")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(cmd.Script, "\n") {
		// Outside double quotes nothing but words, dashes, backslashes and dots.
		outside := regexp.MustCompile(`"[^"]*"`).ReplaceAllString(line, "")
		if strings.ContainsAny(outside, "&|<>^\"") && !strings.HasPrefix(line, "rem ") {
			t.Errorf("cmd would interpret %q in:\n%s", outside, line)
		}
	}
	if !strings.Contains(cmd.Script, `-alias "evil_ _ calc _ _ca"`) {
		t.Errorf("alias not made safe:\n%s", cmd.Script)
	}
	TrustOf(a).Password = secret.Ref{File: `C:\secrets\pw" & calc & ".txt`}
	if _, err := keytoolCommand(a, TrustStore{Server: "aw1a.example.com"}, planned, []string{"/x/trust-evil.cer"}, "b.bak"); err == nil ||
		!strings.Contains(err.Error(), "cmd would not take as text") || !isBadInput(err) {
		t.Errorf("a hostile password file path: %v", err)
	}
}

// TestLocalCacertsIsALocalPath: when the ADS is this machine, its own
// JAVA_HOME cacerts is used — so it is a local path, which serve confines
// (a session must not read, or try passwords on, the server's cacerts).
func TestLocalCacertsIsALocalPath(t *testing.T) {
	home := t.TempDir()
	os.MkdirAll(filepath.Join(home, "lib", "security"), 0o755)
	os.WriteFile(filepath.Join(home, "lib", "security", "cacerts"), []byte("x"), 0o644)
	t.Setenv("JAVA_HOME", home)
	defer func(h func() (string, error)) { hostname = h }(hostname)
	hostname = func() (string, error) { return "aw1a", nil }
	a := steps.NewAnswers()
	ProfileOf(a).AdminDataServers = []string{"aw1a.example.com"}
	found := false
	for k, ps := range LocalPaths(a) {
		for _, p := range ps {
			if p == filepath.Join(home, "lib", "security", "cacerts") && strings.Contains(k, "own JAVA_HOME cacerts") {
				found = true
			}
		}
	}
	if !found {
		t.Errorf("LocalPaths does not list this machine's cacerts: %v", LocalPaths(a))
	}
}

// TestTrustPasswordInForce: with every store's own source set, the
// shared field says so instead of "typed here".
func TestTrustPasswordInForce(t *testing.T) {
	env := steps.NewEnv(steps.NewAnswers(), "")
	TrustOf(env.Answers).Stores = []TrustStore{{Server: "aw1a.example.com", Path: "ads/cacerts", Password: secret.Ref{File: "secrets/storepass"}}}
	f := trustPasswordField()
	if got := steps.SecretSource(env, f); !strings.Contains(got, "each store uses its own password (aw1a.example.com from file:secrets/storepass)") {
		t.Errorf("source = %q", got)
	}
	TrustOf(env.Answers).Stores = append(TrustOf(env.Answers).Stores, TrustStore{Server: "aw1b.example.com"})
	if got := steps.SecretSource(env, f); !strings.Contains(got, "the others (aw1b.example.com) use the JDK default changeit") {
		t.Errorf("source = %q", got)
	}
}
