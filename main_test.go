package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs ccewiz in-process, as a user would from a shell without a terminal.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestCLIBasics(t *testing.T) {
	cases := []struct {
		name     string
		args     []string
		code     int
		contains string
	}{
		{"version", []string{"--version"}, 0, "ccewiz "},
		{"help", []string{"--help"}, 0, "Exit codes"},
		{"help lists check", []string{"help"}, 0, "check"},
		{"unknown command", []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{"unknown flag", []string{"check", "--bogus"}, 2, "bogus"},
		{"bad format", []string{"check", "--answers", "examples/ccewiz.yaml", "--format", "xml"}, 2, "--format"},
		{"unknown check id", []string{"check", "--answers", "examples/ccewiz.yaml", "--only", "nosuch.check"}, 2, "nosuch.check"},
		{"missing answers", []string{"check", "--answers", "does-not-exist.yaml"}, 2, "does not exist"},
		{"example passes", []string{"check", "--answers", "examples/ccewiz.yaml", "--only", "profile"}, 0, "ALMOST — 1 manual item(s) not confirmed yet"},
		{"answers before the command", []string{"--answers", "examples/ccewiz.yaml", "check", "--only", "profile"}, 0, "ALMOST — 1 manual item(s) not confirmed yet"},
		{"help after an action", []string{"cert", "selfsigned", "--help"}, 0, "ccewiz cert"},
		{"flags before the action", []string{"spog", "--server-name", "ece", "check", "--file", "x.js"}, 2, "short host name"},
		{"no action", []string{"keystore"}, 2, "say what to do: list or import"},
		{"unknown action", []string{"ldap", "frob"}, 2, `unknown action "frob": use fetch-cert or test`},
		{"apply needs --yes without a terminal", []string{"apply", "--answers", "examples/ccewiz.yaml"}, 2, "--yes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errs := runCLI(t, c.args...)
			if code != c.code || !strings.Contains(out+errs, c.contains) {
				t.Errorf("ccewiz %v: exit %d, want %d; output does not contain %q?\nstdout: %s\nstderr: %s", c.args, code, c.code, c.contains, out, errs)
			}
		})
	}
}

func TestHelpPrintedOnceToStdout(t *testing.T) {
	code, out, errs := runCLI(t, "--help")
	if code != 0 || strings.Count(out, "Exit codes") != 1 || errs != "" {
		t.Errorf("--help: exit %d, stdout has the usage %d times, stderr %q", code, strings.Count(out, "Exit codes"), errs)
	}
}

// Every registered subcommand has --help with an example.
func TestEveryCommandHasHelpWithExample(t *testing.T) {
	for name := range commands {
		code, out, _ := runCLI(t, name, "--help")
		if code != 0 || !strings.Contains(out, "ccewiz "+name) || !strings.Contains(strings.ToLower(out), "example") {
			t.Errorf("ccewiz %s --help: exit %d, no example?\n%s", name, code, out)
		}
	}
}

func TestCheckFailsWithExitOneAndJSONSchema(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.yaml")
	os.WriteFile(p, []byte("version: 1\nprofile:\n  pcce_version: 12.0(1)\n  pcce_es: 20\n"), 0o644)
	code, out, _ := runCLI(t, "check", "--answers", p, "--only", "profile", "--format", "json")
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	for _, key := range []string{`"checks"`, `"id"`, `"title"`, `"status": "fail"`, `"detail"`, `"fix"`, `"summary"`} {
		if !strings.Contains(out, key) {
			t.Errorf("JSON lacks %s:\n%s", key, out)
		}
	}
}

func TestApplyRecordsProgress(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "ccewiz.yaml")
	data, _ := os.ReadFile("examples/ccewiz.yaml")
	os.WriteFile(p, data, 0o644)
	code, out, errs := runCLI(t, "apply", "--answers", p, "--step", "profile", "--yes")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	saved, _ := os.ReadFile(p)
	if !strings.Contains(string(saved), "- profile") {
		t.Errorf("progress not recorded:\n%s", saved)
	}
	code, _, errs = runCLI(t, "apply", "--answers", p, "--step", "nosuch", "--yes")
	if code != 2 || !strings.Contains(errs, "nosuch") {
		t.Errorf("unknown step: exit %d: %s", code, errs)
	}
}

// TestVersionFromBuildInfo: a binary built from a checkout says which
// commit it was built from, as the Go toolchain stamped it (-buildvcs=true,
// since a machine may turn stamping off in its go env).
func TestVersionFromBuildInfo(t *testing.T) {
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skipf("not a git checkout: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "ccewiz")
	if out, err := exec.Command("go", "build", "-buildvcs=true", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		t.Fatal(err)
	}
	if want := "(rev " + string(head[:12]) + ", "; !strings.HasPrefix(string(out), "ccewiz v") || !strings.Contains(string(out), want) ||
		!strings.Contains(string(out), ", go1.") {
		t.Errorf("--version = %q, want the module version and %q", out, want)
	}
}

// TestErrorsAreInertForTheTerminal: an error quoting hostile text (a file
// name, a template cell) reaches stderr with its control characters made
// harmless.
func TestErrorsAreInertForTheTerminal(t *testing.T) {
	_, _, errs := runCLI(t, "check", "--answers", "no-such-\x1b]0;pwned\x07.yaml")
	if strings.ContainsAny(errs, "\x1b\x07") || !strings.Contains(errs, "no-such-") {
		t.Errorf("stderr carries control characters: %q", errs)
	}
}
