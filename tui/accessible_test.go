package tui

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"ccewiz/steps"
	"ccewiz/steps/ece"
)

func runPlain(t *testing.T, a *steps.Answers, input string) (string, error) {
	t.Helper()
	env := steps.NewEnv(a, "ccewiz.yaml")
	env.Now = fixedNow
	env.Timeout = 2 * time.Second
	var out bytes.Buffer
	err := RunAccessible(context.Background(), Options{Env: env, Flow: testFlow(demoStep{})}, strings.NewReader(input), &out)
	return out.String(), err
}

// TestAccessibleWalk answers the line prompts the way a screen-reader user
// would, mistakes included.
func TestAccessibleWalk(t *testing.T) {
	t.Chdir(t.TempDir())
	in := strings.Join([]string{
		strings.Repeat("\n", 14), // 15 profile fields: Enter keeps each
		"maybe", "y",             // apply? (a wrong answer is asked again)
		"y",      // MRDs checked
		"",       // server name: keep the default from the profile
		"3", "2", // mode: out of range, then ca
		"Contact Center", // OU, visible only for ca
		"1024", "4096",   // key size: refused, then accepted
		"", "yes", pfxPassword, // names, TLS, password
		"wrong",                    // irreversible: not the value
		"e",                        // edit the answers again
		"", "", "", "", "", "", "", // keep all seven (password: keeps the typed one)
		"ece.example.com", // confirm
		"y",               // manual item checked
		"",
	}, "\n")
	out, err := runPlain(t, profileAnswers(), in)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{
		"== Step 1 of 2: Deployment profile and prerequisites ==",
		"PCCE version (1) 12.0(1), 2) 12.5(1), 3) 12.6(1), 4) 12.6(2)) [12.5(1)]: ",
		"Please answer one of: y, n",
		"✗ Certificate mode: \"3\" is not one of selfsigned, ca",
		"Organisational unit",
		"✗ 1024 bits is too small",
		"PFX password (input hidden; typed here, kept for this session only; or type env:NAME or file:PATH to keep a source in the answers file): ",
		"IRREVERSIBLE: ECE keeps the first server name",
		`That is not "ece.example.com"; nothing was done.`,
		"PFX password (input hidden; typed earlier in this session — leave empty to keep it): ",
		"wrote out/demo.conf (new file)",
		"✓ pass   Configuration file written",
		"Report saved to ccewiz-report.md",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if strings.Contains(out, pfxPassword) {
		t.Error("the password was echoed")
	}
	a, err := steps.LoadAnswers("ccewiz.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(a.FlowState("").Progress.Done, ","); got != "profile,demo" || ece.CertificateOf(a).OU != "Contact Center" || ece.CertificateOf(a).KeySize != 4096 {
		t.Errorf("answers: done %q ou %q size %d", got, ece.CertificateOf(a).OU, ece.CertificateOf(a).KeySize)
	}
	for _, f := range []string{"ccewiz.yaml", ReportName} {
		b, _ := os.ReadFile(f)
		if bytes.Contains(b, []byte(pfxPassword)) {
			t.Errorf("%s holds the password", f)
		}
	}
	if key, _ := os.ReadFile("out/demo.key"); string(key) != "KEY "+pfxPassword {
		t.Errorf("typed password did not reach the step: %q", key)
	}
	if !slices.ContainsFunc(a.FlowState("").Progress.Written, func(w steps.Written) bool { return w.Path == "out/demo.conf" }) {
		t.Errorf("progress.written lacks out/demo.conf: %+v", a.FlowState("").Progress.Written)
	}
	if out == "" || !strings.Contains(out, "\n") || strings.Contains(out, "\x1b[") {
		t.Error("plain mode must print plain lines without escape sequences")
	}
}

// TestAccessibleInputEnds: stdin closing mid-step saves what was answered
// and says so; the next run resumes at that step.
func TestAccessibleInputEnds(t *testing.T) {
	t.Chdir(t.TempDir())
	out, err := runPlain(t, profileAnswers(), strings.Repeat("\n", 15)+"y\ny\n\n2\n")
	if !errors.Is(err, ErrInputEnded) {
		t.Fatalf("err = %v, want ErrInputEnded\n%s", err, out)
	}
	a, lerr := steps.LoadAnswers("ccewiz.yaml")
	if lerr != nil {
		t.Fatal(lerr)
	}
	if a.FlowState("").Progress.Current != "demo" || strings.Join(a.FlowState("").Progress.Done, ",") != "profile" || ece.CertificateOf(a).Mode != "ca" {
		t.Fatalf("progress not saved: %+v mode %q", a.FlowState("").Progress, ece.CertificateOf(a).Mode)
	}
	out, _ = runPlain(t, a, "")
	if !strings.Contains(out, "== Step 2 of 2") || strings.Contains(out, "== Step 1 of 2") {
		t.Fatalf("did not resume at the demo step:\n%s", out)
	}
}

// TestAccessiblePrompt: a step asking for a password nobody gave gets it
// from a line prompt (Env.Prompt), not from the TUI's bridge.
func TestAccessiblePrompt(t *testing.T) {
	t.Chdir(t.TempDir())
	a := profileAnswers()
	a.FlowState("").Progress.Current = "demo"
	a.FlowState("").Progress.MarkDone("profile") // resumed past it: the demo step is irreversible, so it waits for it
	env := steps.NewEnv(a, "ccewiz.yaml")
	env.Now = fixedNow
	var out bytes.Buffer
	in := strings.Join([]string{"", "1", "", "", "", "", // every demo field, no password typed
		"typed-at-the-prompt", // asked by the step's Plan
		"ece.example.com", "y", ""}, "\n")
	done := make(chan error, 1)
	go func() {
		done <- RunAccessible(context.Background(), Options{Env: env, Flow: testFlow(demoStep{})}, strings.NewReader(in), &out)
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("%v\n%s", err, out.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the line-prompt wizard hung waiting for a password")
	}
	if !strings.Contains(out.String(), "PFX password (input hidden): ") {
		t.Fatalf("no password prompt:\n%s", out.String())
	}
	if key, _ := os.ReadFile("out/demo.key"); string(key) != "KEY typed-at-the-prompt" {
		t.Fatalf("prompted password did not reach the step: %q", key)
	}
}

// TestAccessibleInterrupted: Ctrl+C in line mode cancels the context while
// a read is blocked; the wizard returns at once and keeps what was answered.
func TestAccessibleInterrupted(t *testing.T) {
	t.Chdir(t.TempDir())
	env := steps.NewEnv(profileAnswers(), "ccewiz.yaml")
	in, inW := io.Pipe() // a person who types nothing
	defer inW.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var out bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- RunAccessible(ctx, Options{Env: env, Flow: testFlow(demoStep{})}, in, &out) }()
	time.Sleep(100 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("still blocked reading after the interrupt")
	}
	a, err := steps.LoadAnswers("ccewiz.yaml")
	if err != nil || a.FlowState("").Progress.Current != "profile" {
		t.Fatalf("progress not saved on interrupt: %v %+v", err, a)
	}
}

// verifyingApply is the demo step with an Apply that verifies with one of
// the step's own checks, as real steps do.
type verifyingApply struct{ demoStep }

func (v verifyingApply) Apply(ctx context.Context, env *steps.Env, p *steps.Plan) (*steps.Outcome, error) {
	out, err := v.demoStep.Apply(ctx, env, p)
	if out != nil {
		out.Results = append(out.Results,
			steps.Result{ID: "demo.file", Title: "Configuration file written", Status: steps.Pass, Detail: "verified by Apply"},
			steps.Result{ID: "demo.verified", Title: "Written bytes read back", Status: steps.Pass})
	}
	return out, err
}

// TestAccessibleCheckOnce: a check Apply already ran is printed once, from
// the fresh run, as the TUI shows it; Apply's other results stay.
func TestAccessibleCheckOnce(t *testing.T) {
	t.Chdir(t.TempDir())
	env := steps.NewEnv(profileAnswers(), "ccewiz.yaml")
	env.Now = fixedNow
	env.Timeout = 2 * time.Second
	in := strings.Join([]string{"", "1", "4096", "", "", pfxPassword, "ece.example.com", "y", ""}, "\n")
	var buf bytes.Buffer
	if err := RunAccessible(context.Background(), Options{Env: env, Flow: []steps.Step{verifyingApply{}}}, strings.NewReader(in), &buf); err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	out := buf.String()
	_, checks, ok := strings.Cut(out, "Applying, then running the checks…")
	checks, _, _ = strings.Cut(checks, "== Integration report ==")
	if !ok {
		t.Fatalf("no checks printed:\n%s", out)
	}
	if n := strings.Count(checks, "Configuration file written"); n != 1 || strings.Contains(checks, "verified by Apply") {
		t.Errorf("the check Apply ran is printed %d times (want once, the fresh run):\n%s", n, checks)
	}
	if !strings.Contains(checks, "Written bytes read back") {
		t.Errorf("Apply's own result is missing:\n%s", checks)
	}
}

// TestAccessibleWrapsOnWords: in a narrow terminal, plain mode breaks long
// lines between words, never inside one, and keeps the indentation.
func TestAccessibleWrapsOnWords(t *testing.T) {
	t.Chdir(t.TempDir())
	env := steps.NewEnv(profileAnswers(), "ccewiz.yaml")
	env.Timeout = 2 * time.Second
	var out bytes.Buffer
	in := strings.Repeat("\n", 14) + "n\nq\n"
	if err := RunAccessible(context.Background(), Options{Env: env, Flow: testFlow(demoStep{}), Width: 40}, strings.NewReader(in), &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	text := out.String()
	// The step's header lines (need, intro), up to its first question; the
	// questions themselves run on when stdin is a pipe (nothing echoes Enter).
	_, head, _ := strings.Cut(text, "== Step 1 of 2")
	head, _, _ = strings.Cut(head, "PCCE version")
	if n := strings.Count(head, "\n"); n < 6 {
		t.Fatalf("the header was not wrapped into lines (%d):\n%s", n, head)
	}
	for _, l := range strings.Split(head, "\n") {
		if ansi.StringWidth(l) > 39 {
			t.Errorf("line wider than the terminal: %q", l)
		}
	}
	// Every word of the intro is still whole.
	joined := strings.Join(strings.Fields(text), " ")
	for _, w := range []string{"minimum patch levels", "case-sensitive Application Instance"} {
		if !strings.Contains(text, strings.Fields(w)[0]) {
			t.Fatalf("%q not printed", w)
		}
		if !strings.Contains(joined, w) {
			t.Errorf("%q was split:\n%s", w, text)
		}
	}
}

func TestWrapLines(t *testing.T) {
	got := wrapLines("short\n         a detail line that is much longer than twenty cells\nend", 20)
	want := "short\n         a detail\n         line that\n         is much\n         longer than\n         twenty\n         cells\nend"
	if got != want {
		t.Errorf("wrapLines:\n%s\nwant:\n%s", got, want)
	}
}
