package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"ccewiz/ccerest"
	"ccewiz/safefile"
	"ccewiz/secret"
	"ccewiz/steps"
	"ccewiz/steps/ece"
	"ccewiz/testpeer"
)

// TestMain removes the ccewiz binary the lab tests built. It is package
// main's only TestMain: add to it rather than writing another.
//
// It also fails the run when a test left an answers file in the package
// folder: a step's front-end (spog patch, cert selfsigned) records what it
// wrote in ./ccewiz.yaml, so a test must give it --answers or its own folder.
func TestMain(m *testing.M) {
	_, before := os.Stat(steps.DefaultAnswersPath)
	code := m.Run()
	testpeer.RemoveBuilds()
	if _, after := os.Stat(steps.DefaultAnswersPath); before != nil && after == nil {
		os.Remove(steps.DefaultAnswersPath)
		fmt.Fprintf(os.Stderr, "FAIL: a test wrote %s into the package folder; give the command --answers or run it in t.TempDir()\n", steps.DefaultAnswersPath)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// startLabCLI runs `ccewiz lab --no-tui` — the real executable, signals
// included, as a script would — and returns the answers file from its
// ready line. The lab is stopped with SIGTERM when the test ends, and must
// exit 0.
func startLabCLI(t *testing.T, extra ...string) string {
	t.Helper()
	return testpeer.StartLab(t, testpeer.BuildCcewiz(t), t.TempDir(), extra...)
}

func runBinary(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, testpeer.BuildCcewiz(t), args...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, out.String(), errb.String()
}

// labCheck runs `ccewiz check --format json` on the lab and returns the
// exit code and the IDs of failed checks.
func labCheck(t *testing.T, answers string) (int, []string, steps.Report) {
	t.Helper()
	return flowCheck(t, answers, "")
}

// flowCheck is labCheck for one flow ("" = the default); every failure
// must carry its fix.
func flowCheck(t *testing.T, answers, flow string) (int, []string, steps.Report) {
	t.Helper()
	args := []string{"check", "--answers", answers, "--format", "json", "--timeout", "20s"}
	if flow != "" {
		args = append(args, "--flow", flow)
	}
	code, out, errs := runBinary(t, args...)
	var r steps.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("check output is not JSON (exit %d): %v\n%s\n%s", code, err, out, errs)
	}
	var failed []string
	for _, c := range r.Checks {
		if c.Status == steps.Fail {
			failed = append(failed, c.ID)
			if c.Fix == "" {
				t.Errorf("%s fails with no fix: %s", c.ID, c.Detail)
			}
		}
	}
	return code, failed, r
}

func describeFailures(r steps.Report) string {
	var b strings.Builder
	for _, c := range r.Checks {
		if c.Status == steps.Fail {
			fmt.Fprintf(&b, "  %s: %s\n    fix: %s\n", c.ID, c.Detail, c.Fix)
		}
	}
	return b.String()
}

func labApply(t *testing.T, answers string) {
	t.Helper()
	a, err := steps.LoadAnswers(answers)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := ece.AppInstance(*ece.ProfileOf(a))
	if err != nil {
		t.Fatal(err)
	}
	if code, out, errs := runBinary(t, "apply", "--answers", answers, "--yes", "--confirm", inst); code != 0 {
		t.Fatalf("apply exited %d\n%s\n%s", code, out, errs)
	}
}

func TestLabCheckBeforeAndAfterApply(t *testing.T) {
	answers := startLabCLI(t)
	code, failed, _ := labCheck(t, answers)
	if code != 1 || !containsAll(failed, "certificate.tls", "spog.", "trust.", "sso.") {
		t.Errorf("check before apply: exit %d, failed %v; want exit 1 with certificate.tls and spog, trust and sso checks among the failures", code, failed)
	}
	labApply(t, answers)
	code, failed, r := labCheck(t, answers)
	if code != 0 || len(failed) > 0 {
		t.Errorf("check after apply: exit %d, failed %v; want exit 0 and no failure\n%s", code, failed, describeFailures(r))
	}

	// Every file apply changed is in the answers file with its backup, so
	// the report of a later session (TUI, serve) lists them all.
	a, err := steps.LoadAnswers(answers)
	if err != nil {
		t.Fatal(err)
	}
	backups := map[string]string{}
	for _, w := range a.FlowState("").Progress.Written {
		backups[filepath.Base(w.Path)] = w.Backup
		if w.Backup != "" {
			if _, err := os.Stat(w.Backup); err != nil {
				t.Errorf("recorded backup of %s: %v", w.Path, err)
			}
		}
	}
	for _, name := range []string{"spog_config.js", "cacerts"} {
		if backups[name] == "" {
			t.Errorf("progress.written has no %s with a backup: %+v", name, a.FlowState("").Progress.Written)
		}
	}
	md := string(steps.BuildIntegrationReport(ece.Flow().Steps, steps.NewEnv(a, answers), nil).Markdown())
	if !strings.Contains(md, "spog_config.js` — previous version kept as `") {
		t.Errorf("a later session's report does not list spog_config.js and its backup:\n%s", md)
	}
}

func TestLabSNIRequiredFailsOnlyTheSNICheck(t *testing.T) {
	answers := startLabCLI(t, "--sni-required")
	a, err := steps.LoadAnswers(answers)
	if err != nil {
		t.Fatal(err)
	}
	inst, _ := ece.AppInstance(*ece.ProfileOf(a))
	// Step 1 is applied but not done (its TLS check fails), so the permanent
	// Save waits: apply goes through the other steps and exits 1 naming both.
	code, out, errs := runBinary(t, "apply", "--answers", answers, "--yes", "--confirm", inst)
	if code != 1 || !strings.Contains(errs, "certificate is not done: certificate.tls fail(s)") ||
		!strings.Contains(errs, "ECE web server certificate (certificate): check certificate.tls fails") ||
		!strings.Contains(errs, "not done: certificate, integration") {
		t.Errorf("apply with Require SNI: exit %d\n%s\n%s", code, out, errs)
	}
	_, failed, r := labCheck(t, answers)
	if strings.Join(failed, " ") != "certificate.tls integration.ready" {
		t.Errorf("with Require SNI, failed checks = %v, want exactly [certificate.tls integration.ready]\n%s", failed, describeFailures(r))
	}
}

func TestLabSpogConfigIsPatchable(t *testing.T) {
	answers := startLabCLI(t)
	a, err := steps.LoadAnswers(answers)
	if err != nil {
		t.Fatal(err)
	}
	file := ece.SpogOf(a).Files[0]
	if code, out, errs := runBinary(t, "spog", "check", "--file", file, "--server-name", ece.ProfileOf(a).ECEFQDN); code != 1 {
		t.Errorf("spog check on the lab's fresh spog_config.js: exit %d, want 1 (placeholders)\n%s%s", code, out, errs)
	}
	// The lab's own answers already list the file: patch records into them.
	if code, out, errs := runBinary(t, "spog", "patch", "--file", file, "--server-name", ece.ProfileOf(a).ECEFQDN, "--answers", answers); code != 0 {
		t.Fatalf("spog patch: exit %d\n%s%s", code, out, errs)
	}
	b, _ := os.ReadFile(file)
	if !strings.Contains(string(b), "var web_server_name = \"ece.example.com\";\r\n") {
		t.Errorf("patched file lost its CRLF or value:\n%q", b)
	}
}

// containsAll reports whether every want is in list; a want ending in "."
// matches any check of that step (per-file checks are numbered: spog.1).
func containsAll(list []string, want ...string) bool {
	for _, w := range want {
		found := false
		for _, l := range list {
			found = found || l == w || strings.HasSuffix(w, ".") && strings.HasPrefix(l, w)
		}
		if !found {
			return false
		}
	}
	return true
}

// TestLabWizardUnderTmux runs `ccewiz lab` as a newcomer would — in a real
// terminal (tmux) — and checks the wizard opens on the lab's answers file,
// then quits and leaves the folder behind.
func TestLabWizardUnderTmux(t *testing.T) {
	tm := testpeer.NewTmux(t)
	tm.Join = true
	bin := testpeer.BuildCcewiz(t)
	dir := t.TempDir()
	tm.Start("lab", testpeer.ShellQuote(bin, "lab", "--dir", dir)+"; echo exit=$?; sleep 30")
	// The lab's banner names the answers file too; the wizard's status line
	// ("answers: …") is what shows the TUI has drawn.
	screen := tm.WaitForText("lab", "answers: "+filepath.Join(dir, "ccewiz.yaml"), 30*time.Second)
	if !strings.Contains(screen, "Deployment profile") {
		t.Errorf("the wizard did not open on the profile step:\n%s", screen)
	}
	for i := 0; i < 3 && !strings.Contains(tm.Capture("lab"), "exit="); i++ {
		tm.Keys("lab", "C-c")
		time.Sleep(500 * time.Millisecond)
	}
	screen = tm.WaitForText("lab", "exit=0", 30*time.Second)
	if !strings.Contains(screen, "lab stopped; the folder "+dir+" is kept") {
		t.Errorf("after quitting:\n%s", screen)
	}
}

// TestLabCASignedCertificate practises the CA-signed path: step 1 writes a
// CSR, the lab's CA answers it, the answer goes into ca_response, and then
// every automated check passes.
func TestLabCASignedCertificate(t *testing.T) {
	answers := startLabCLI(t)
	a, err := steps.LoadAnswers(answers)
	if err != nil {
		t.Fatal(err)
	}
	ece.CertificateOf(a).Mode = "ca"
	if _, err := steps.SaveAnswers(answers, a, false); err != nil {
		t.Fatal(err)
	}
	// The key and CSR are written, but the step is not done until the CA answers.
	if code, out, errs := runBinary(t, "apply", "--answers", answers, "--yes", "--step", "certificate"); code != 1 ||
		!strings.Contains(errs, "certificate is not done: certificate.files") {
		t.Fatalf("apply --step certificate (CSR): exit %d\n%s\n%s", code, out, errs)
	}
	if a, err := steps.LoadAnswers(answers); err != nil || a.FlowState("").Progress.IsDone("certificate") || len(a.FlowState("").Progress.Written) != 2 {
		t.Fatalf("after the CSR: %v, done %v, written %+v", err, a.FlowState("").Progress.Done, a.FlowState("").Progress.Written)
	}
	dir := filepath.Dir(answers)
	issued := filepath.Join(dir, "ca", "issued", ece.ProfileOf(a).ECEFQDN+".cer")
	deadline := time.Now().Add(10 * time.Second)
	for _, err := os.Stat(issued); err != nil; _, err = os.Stat(issued) {
		if time.Now().After(deadline) {
			t.Fatalf("the lab's CA issued nothing at %s", issued)
		}
		time.Sleep(100 * time.Millisecond)
	}
	ece.CertificateOf(a).CAResponse = []string{issued, filepath.Join(dir, "ca", "example-DC1-CA.cer")}
	if _, err := steps.SaveAnswers(answers, a, false); err != nil {
		t.Fatal(err)
	}
	labApply(t, answers)
	if code, failed, r := labCheck(t, answers); code != 0 || len(failed) > 0 {
		t.Errorf("check after the CA-signed path: exit %d, failed %v\n%s", code, failed, describeFailures(r))
	}
}

// pointSSOAtDC points the lab's SSO at a domain controller port instead of
// the Global Catalog (the guide's PartialResultException) and returns the answers.
func pointSSOAtDC(t *testing.T, answers string) *steps.Answers {
	t.Helper()
	a, err := steps.LoadAnswers(answers)
	if err != nil {
		t.Fatal(err)
	}
	ece.SSOOf(a).LDAPURL = "ldaps://dc1.example.local:636"
	ece.SSOOf(a).Base = "DC=example,DC=local"
	if _, err := steps.SaveAnswers(answers, a, false); err != nil {
		t.Fatal(err)
	}
	return a
}

// TestLabDomainControllerInsteadOfGC: pointing ECE at a DC port instead of
// the Global Catalog is the guide's PartialResultException; the lab
// reproduces it and check names it.
func TestLabDomainControllerInsteadOfGC(t *testing.T) {
	answers := startLabCLI(t)
	labApply(t, answers)
	pointSSOAtDC(t, answers)
	code, out, errs := runBinary(t, "check", "--answers", answers, "--only", "sso.ldap")
	if code != 1 || !strings.Contains(out, "PartialResultException") {
		t.Errorf("check --only sso.ldap with a DC port: exit %d\n%s%s", code, out, errs)
	}
}

// An apply that fails half-way through its renames still records the files
// it wrote (and their backups) in the answers file, does not mark the step
// done, and the next run completes the set and says so.
func TestApplyFailureRecordsWhatWasWritten(t *testing.T) {
	answers := startLabCLI(t)
	restore := safefile.SetTestHook(func(s safefile.Stage) error {
		if s == safefile.StageFirstRenamed {
			return errors.New("injected failure after the first file")
		}
		return nil
	})
	code, out, errs := runCLI(t, "apply", "--answers", answers, "--step", "certificate", "--yes")
	restore()
	if code != 1 || !strings.Contains(errs, "injected failure") {
		t.Fatalf("exit %d, want 1 with the failure\n%s\n%s", code, out, errs)
	}
	a, err := steps.LoadAnswers(answers)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.FlowState("").Progress.Written) != 1 || a.FlowState("").Progress.IsDone("certificate") {
		t.Fatalf("progress after a half-done apply: written %+v, done %v", a.FlowState("").Progress.Written, a.FlowState("").Progress.Done)
	}
	if _, err := os.Stat(a.FlowState("").Progress.Written[0].Path); err != nil {
		t.Errorf("the recorded file: %v", err)
	}
	// The next run finds the half-renamed set and completes it first.
	code, out, errs = runCLI(t, "apply", "--answers", answers, "--step", "certificate", "--yes")
	if code != 0 || !strings.Contains(out, "completed a write that a stopped run left half done") {
		t.Errorf("the next run: exit %d\n%s\n%s", code, out, errs)
	}
}

// TestLabPermanentSaveWaitsForSSO: with every step before the integration
// applied and then the SSO pointed at a DC port (its referral check fails),
// apply refuses the permanent Save even with the exact confirmation,
// naming the SSO check, and records nothing.
func TestLabPermanentSaveWaitsForSSO(t *testing.T) {
	answers := startLabCLI(t)
	if code, out, errs := runBinary(t, "apply", "--answers", answers, "--yes", "--step", "profile,certificate,sso,spog,trust,inventory"); code != 0 {
		t.Fatalf("apply of the earlier steps: exit %d\n%s\n%s", code, out, errs)
	}
	a := pointSSOAtDC(t, answers)
	inst, _ := ece.AppInstance(*ece.ProfileOf(a))
	code, out, errs := runBinary(t, "apply", "--answers", answers, "--yes", "--step", "integration", "--confirm", inst)
	if code != 1 || !strings.Contains(out, "NOT YET") || !strings.Contains(errs, "(sso): check sso.ldap fails") ||
		strings.Contains(errs, "(certificate)") {
		t.Errorf("apply --step integration with the SSO failing: exit %d\n%s\n%s", code, out, errs)
	}
	if b, _ := os.ReadFile(answers); strings.Contains(string(b), "confirmed_at") {
		t.Errorf("a confirmation was recorded:\n%s", b)
	}
}

// TestLabResumesByDefault: without --dir, ccewiz lab uses this user's one
// lab folder and finds it again the next time; --new moves it aside (kept)
// and starts afresh.
func TestLabResumesByDefault(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	bin := testpeer.BuildCcewiz(t)
	start := func(extra ...string) (answers, stderr string) {
		t.Helper()
		cmd := exec.Command(bin, append([]string{"lab", "--no-tui"}, extra...)...)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var errb testpeer.SyncBuffer
		cmd.Stderr = &errb
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		line, _ := bufio.NewReader(out).ReadString('\n')
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
		return strings.TrimPrefix(strings.TrimSpace(line), "ready "), errb.String()
	}
	want := filepath.Join(cache, "ccewiz", "lab", "ccewiz.yaml")
	first, errs := start()
	if first != want {
		t.Fatalf("the first lab's answers are at %q, want %q\n%s", first, want, errs)
	}
	marker := filepath.Join(filepath.Dir(first), "my-notes.txt")
	if err := os.WriteFile(marker, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if again, errs := start(); again != want || !fileExists(marker) {
		t.Fatalf("the second lab did not resume the first: %q\n%s", again, errs)
	}
	fresh, errs := start("--new")
	old, _ := filepath.Glob(filepath.Join(cache, "ccewiz", "lab-*", "my-notes.txt"))
	if fresh != want || fileExists(marker) || len(old) != 1 || !strings.Contains(errs, "the previous lab is kept in ") {
		t.Fatalf("--new: answers %q, marker still there %v, old %v\n%s", fresh, fileExists(marker), old, errs)
	}
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// TestLabInventoryThroughTheAPI: before the inventory step the lab's AW
// reports the missing ECE web server; the step adds it through the API
// (visible in ccewiz cce inventory list), a second run changes nothing,
// and the validation reads no alert. A certificate that no longer names
// the web server raises the AW's alert again, with the step to revisit.
func TestLabInventoryThroughTheAPI(t *testing.T) {
	answers := startLabCLI(t)
	code, out, errs := runBinary(t, "cce", "inventory", "status", "--answers", answers)
	if code != 1 || !strings.Contains(out, "ECE_WEB_SERVER not found") || !strings.Contains(out, "fix: redo step 6") {
		t.Fatalf("status before: exit %d\n%s%s", code, out, errs)
	}
	if code, out, errs := runBinary(t, "apply", "--answers", answers, "--yes", "--step", "profile,certificate,inventory"); code != 0 ||
		!strings.Contains(out, "created ECE_WEB_SERVER ece.example.com in CCE Administration's inventory on aw1a.example.com") {
		t.Fatalf("apply: exit %d\n%s%s", code, out, errs)
	}
	code, out, _ = runBinary(t, "cce", "inventory", "list", "--answers", answers, "--type", "ECE_WEB_SERVER")
	if code != 0 || !regexp.MustCompile(`ECE_WEB_SERVER\s+ece\.example\.com\s+ece\.example\.com\s+pa\s+MultiChannel`).MatchString(out) {
		t.Fatalf("list: exit %d\n%s", code, out)
	}
	if code, out, errs := runBinary(t, "apply", "--answers", answers, "--yes", "--step", "inventory"); code != 0 ||
		!strings.Contains(out, "unchanged ECE_WEB_SERVER ece.example.com") || !strings.Contains(out, "nothing changed") {
		t.Fatalf("second apply: exit %d\n%s%s", code, out, errs)
	}
	if _, failed, r := labCheck(t, answers); slices.Contains(failed, "validate.no-alerts") || slices.Contains(failed, "inventory.api") {
		t.Fatalf("after the inventory step: failed %v\n%s", failed, describeFailures(r))
	}
	// The web server's name changes to one the certificate does not carry.
	a, err := steps.LoadAnswers(answers)
	if err != nil {
		t.Fatal(err)
	}
	ece.InventoryOf(a).WebServerName = "chat.example.com"
	a.Resolve["chat.example.com"] = "127.0.0.1"
	if _, err := steps.SaveAnswers(answers, a, false); err != nil {
		t.Fatal(err)
	}
	code, out, errs = runBinary(t, "apply", "--answers", answers, "--yes", "--step", "inventory")
	if code != 2 || !strings.Contains(errs, "chat.example.com is neither the CN") {
		t.Fatalf("a web server name outside the certificate is refused before the API: exit %d\n%s%s", code, out, errs)
	}
	code, out, _ = runBinary(t, "cce", "inventory", "show", "chat.example.com", "--answers", answers)
	if code != 1 {
		t.Errorf("nothing was created for the refused name: exit %d\n%s", code, out)
	}
	// Entered by hand anyway (the API does not judge names): the AW's alert says so.
	env := steps.NewEnv(a, answers)
	c, err := ece.AWClient(env)
	if err != nil {
		t.Fatal(err)
	}
	m := ccerest.Machine{Name: "chat.example.com", Type: ccerest.TypeECEWebServer, HostName: "chat.example.com"}
	if _, err := c.Create(context.Background(), m, secret.Secret{}); err != nil {
		t.Fatal(err)
	}
	code, out, _ = runBinary(t, "cce", "inventory", "status", "--answers", answers)
	if code != 1 || !strings.Contains(out, "the certificate of chat.example.com does not name it") || !strings.Contains(out, "redo step 2") {
		t.Errorf("status with a web server outside the certificate: exit %d\n%s", code, out)
	}
}

// TestCCEInventoryFailures: every way the API cannot be used is one line
// with the fix, exit 1 (the server's answer) or 2 (the admin's input).
func TestCCEInventoryFailures(t *testing.T) {
	answers := startLabCLI(t)
	dir := filepath.Dir(answers)
	wrong := filepath.Join(dir, "wrong-password")
	os.WriteFile(wrong, []byte("not it\n"), 0o600)
	other := filepath.Join(dir, "other-ca.pem")
	os.WriteFile(other, testpeer.NewLeaf(t, "other.example.com", nil).PEM(), 0o644)
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"wrong password", []string{"--password-file", wrong}, 1, "give a CCE administrator's user name and password"},
		{"untrusted certificate", []string{"--ca-file", other}, 1, "trust the AW's certificate explicitly"},
		{"nothing listens", []string{"--aw", "aw1a.example.com:1"}, 1, "check that the AW's name resolves and that HTTPS (443) is open"},
		{"a short AW name", []string{"--aw", "aw1a"}, 2, "short host name"},
		{"an unknown request", []string{"frob"}, 2, `unknown request "frob"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"cce", "inventory"}, c.args...)
			if c.name != "an unknown request" {
				args = append(args, "list")
			}
			code, out, errs := runBinary(t, append(args, "--answers", answers)...)
			if code != c.code || !strings.Contains(errs, c.want) || strings.Count(strings.TrimSpace(errs), "\n") > 0 || strings.Contains(out+errs, "not it") {
				t.Errorf("exit %d (want %d)\n%s%s", code, c.code, out, errs)
			}
		})
	}
}

// TestLabKeepsTheAdminsAnswers: a lab started again on its folder keeps the
// entries the admin added to resolve and their comments, and moves only its
// own ports.
func TestLabKeepsTheAdminsAnswers(t *testing.T) {
	bin := testpeer.BuildCcewiz(t)
	dir := t.TempDir()
	start := func() {
		t.Helper()
		cmd := exec.Command(bin, "lab", "--no-tui", "--dir", dir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		bufio.NewReader(out).ReadString('\n')
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	}
	start()
	answers := filepath.Join(dir, "ccewiz.yaml")
	b, _ := os.ReadFile(answers)
	edited := strings.Replace(string(b), "resolve:\n", "resolve:\n  # my jump host's view\n  extra.example.com: 127.0.0.2\n", 1)
	if edited == string(b) {
		t.Fatalf("no resolve section to edit:\n%s", b)
	}
	os.WriteFile(answers, []byte(edited), 0o644)
	start()
	a, err := steps.LoadAnswers(answers)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = os.ReadFile(answers)
	if a.Resolve["extra.example.com"] != "127.0.0.2" || !strings.Contains(string(b), "# my jump host's view") || a.Resolve["ece.example.com:443"] == "" {
		t.Errorf("after the second start:\n%s", b)
	}
}
