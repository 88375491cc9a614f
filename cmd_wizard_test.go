package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ccewiz/steps"
)

// TestWizardCommand runs `ccewiz wizard` without a terminal: the plain
// line-prompt mode, with its exit codes.
func TestWizardCommand(t *testing.T) {
	example, err := os.ReadFile("examples/ccewiz.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		answers []byte // nil: no file yet
		stdin   string
		code    int
		stdout  []string
		stderr  string
	}{
		{name: "first run, input ends at once", stdin: "", code: 2,
			stdout: []string{"plain mode", "== Step 1 of"}, stderr: "input ended before the wizard finished; progress is saved in"},
		{name: "resume from a file", answers: example, stdin: strings.Repeat("\n", 15) + "n\nq\n", code: 0,
			stdout: []string{"PCCE version (1) 12.0(1)", "[12.5(1)]", "Apply this plan?", "Not applied."}},
		{name: "broken answers file", answers: []byte("version: 1\nprofil: {}\n"), code: 2, stderr: `unknown key "profil"`},
		{name: "an argument", answers: example, code: 2, stderr: "unexpected argument"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "ccewiz.yaml")
			if c.answers != nil {
				if err := os.WriteFile(path, c.answers, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			args := []string{"wizard", "--answers", path, "--no-color"}
			if c.name == "an argument" {
				args = append(args, "extra")
			}
			var out, errb bytes.Buffer
			code := run(context.Background(), args, strings.NewReader(c.stdin), &out, &errb)
			if code != c.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, c.code, out.String(), errb.String())
			}
			for _, w := range c.stdout {
				if !strings.Contains(out.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, out.String())
				}
			}
			if !strings.Contains(errb.String(), c.stderr) {
				t.Errorf("stderr lacks %q:\n%s", c.stderr, errb.String())
			}
			if c.code == 0 || strings.Contains(c.name, "input ends") {
				if _, err := steps.LoadAnswers(path); err != nil {
					t.Errorf("the answers file was not saved readable: %v", err)
				}
			}
		})
	}
}

// TestGlobalFlags: --accessible and --flow are global (before or after the
// command), CCEWIZ_ACCESSIBLE turns plain mode on, and an unknown flow is
// one line with the flows there are, exit 2.
func TestGlobalFlags(t *testing.T) {
	cases := []struct {
		args   []string
		env    string
		code   int
		stdout string
		stderr string
	}{
		{args: []string{"--accessible"}, code: 2, stdout: "plain mode", stderr: "input ended"},
		{args: []string{"wizard", "--accessible"}, code: 2, stdout: "plain mode", stderr: "input ended"},
		{args: []string{"wizard"}, env: "1", code: 2, stdout: "plain mode", stderr: "input ended"},
		{args: []string{"--flow", "ece", "--accessible"}, code: 2, stdout: "plain mode", stderr: "input ended"},
		{args: []string{"--flow", "nope"}, code: 2, stderr: `no flow is called "nope"; choose ece`},
		{args: []string{"check", "--flow", "nope"}, code: 2, stderr: `no flow is called "nope"; choose ece`},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " ")+" "+c.env, func(t *testing.T) {
			t.Setenv("CCEWIZ_ACCESSIBLE", c.env)
			path := filepath.Join(t.TempDir(), "ccewiz.yaml")
			if err := os.WriteFile(path, []byte("version: 1\nprofile: {}\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			var out, errb bytes.Buffer
			code := run(context.Background(), append(c.args, "--answers", path), strings.NewReader(""), &out, &errb)
			if code != c.code || !strings.Contains(out.String(), c.stdout) || !strings.Contains(errb.String(), c.stderr) ||
				strings.Contains(errb.String(), "not defined") {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, c.code, out.String(), errb.String())
			}
		})
	}
}
