package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ccewiz/steps"
	"ccewiz/steps/ece"
	"ccewiz/steps/wxm"
)

// A flow defined here only — two steps and an answers section of its own —
// to prove that a flow is added as steps alone: apply, check and the
// wizard's plain mode run it through --flow, with no change to the engine,
// the TUI or main.go.

type greetAnswers struct {
	Name string `yaml:"name"`
}

func greet(a *steps.Answers) *greetAnswers { return steps.Section[greetAnswers](a, "greet") }

func init() {
	steps.RegisterSection("greet", func() any { return &greetAnswers{} })
	steps.RegisterFlow(func() *steps.Flow {
		return &steps.Flow{ID: "greet", Title: "Greeting", Steps: []steps.Step{greetName{}, greetWrite{}}}
	})
}

// greetName asks a name; its check wants one.
type greetName struct{}

func (greetName) ID() string    { return "name" }
func (greetName) Title() string { return "Who to greet" }
func (greetName) Intro() string { return "The name the greeting is for." }
func (greetName) Fields() []steps.Field {
	f := steps.TextField("greet.name", "Name", "who to greet", func(a *steps.Answers) *string { return &greet(a).Name })
	f.Validate = func(_ *steps.Answers, v string) error {
		if strings.TrimSpace(v) == "" {
			return fmt.Errorf("give a name")
		}
		return nil
	}
	return []steps.Field{f}
}
func (greetName) Needed(*steps.Answers) (steps.Need, string) {
	return steps.Required, "the greeting needs a name"
}
func (greetName) Plan(_ context.Context, env *steps.Env) (*steps.Plan, error) {
	return &steps.Plan{Step: "name", Summary: "greet " + greet(env.Answers).Name}, nil
}
func (greetName) Apply(context.Context, *steps.Env, *steps.Plan) (*steps.Outcome, error) {
	return &steps.Outcome{}, nil
}
func (greetName) Checks() []steps.Check {
	return []steps.Check{{ID: "name.given", Title: "A name is given", Run: func(_ context.Context, env *steps.Env) steps.Result {
		if greet(env.Answers).Name == "" {
			return steps.Result{Status: steps.Fail, Detail: "no name", Fix: "answer greet.name"}
		}
		return steps.Result{Status: steps.Pass, Detail: greet(env.Answers).Name}
	}}}
}

// greetWrite writes hello.txt beside the answers; its check reads it back.
type greetWrite struct{}

func (greetWrite) ID() string            { return "write" }
func (greetWrite) Title() string         { return "Write the greeting" }
func (greetWrite) Intro() string         { return "hello.txt, beside the answers file." }
func (greetWrite) Fields() []steps.Field { return nil }
func (greetWrite) Needed(*steps.Answers) (steps.Need, string) {
	return steps.Required, "it is the point"
}
func (greetWrite) text(a *steps.Answers) []byte { return []byte("Hello, " + greet(a).Name + "\n") }
func (greetWrite) path(env *steps.Env) string   { return env.Path("hello.txt") }
func (s greetWrite) Plan(_ context.Context, env *steps.Env) (*steps.Plan, error) {
	old, _ := os.ReadFile(s.path(env))
	fc := steps.FileChange{Path: s.path(env), Action: steps.Create, Backup: true, Data: s.text(env.Answers), BaseSHA256: steps.SHA256Hex(old)}
	if old != nil {
		fc.Action = steps.Modify
	}
	return &steps.Plan{Step: "write", Files: []steps.FileChange{fc}}, nil
}
func (greetWrite) Apply(_ context.Context, env *steps.Env, p *steps.Plan) (*steps.Outcome, error) {
	return steps.ApplyFiles(env, p)
}
func (s greetWrite) Checks() []steps.Check {
	return []steps.Check{{ID: "write.file", Title: "hello.txt greets", Run: func(_ context.Context, env *steps.Env) steps.Result {
		b, err := os.ReadFile(s.path(env))
		if err != nil || string(b) != string(s.text(env.Answers)) {
			return steps.Result{Status: steps.Fail, Detail: fmt.Sprintf("hello.txt: %q, %v", b, err), Fix: "ccewiz apply --flow greet"}
		}
		return steps.Result{Status: steps.Pass, Detail: strings.TrimSpace(string(b))}
	}}}
}

// TestAFlowIsStepsAlone: the greeting flow through check, apply, check and
// plain mode; its answers and its progress are its own, beside the ECE flow's.
func TestAFlowIsStepsAlone(t *testing.T) {
	dir := t.TempDir()
	answers := filepath.Join(dir, "ccewiz.yaml")
	os.WriteFile(answers, []byte(goodProfile+"greet:\n  name: World\n"), 0o644)

	check := func(want int) steps.Report {
		t.Helper()
		code, out, errs := runCLI(t, "check", "--flow", "greet", "--answers", answers, "--format", "json")
		var r steps.Report
		if err := json.Unmarshal([]byte(out), &r); err != nil || code != want {
			t.Fatalf("check: exit %d (want %d), %v\n%s%s", code, want, err, out, errs)
		}
		return r
	}
	if r := check(1); r.Summary.Fail != 1 || r.Summary.Pass != 1 {
		t.Fatalf("before apply: %+v", r.Summary)
	}
	if code, out, errs := runCLI(t, "apply", "--flow", "greet", "--answers", answers, "--yes"); code != 0 {
		t.Fatalf("apply: exit %d\n%s%s", code, out, errs)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "hello.txt")); string(b) != "Hello, World\n" {
		t.Fatalf("hello.txt = %q", b)
	}
	check(0)
	a, err := steps.LoadAnswers(answers)
	if err != nil {
		t.Fatal(err)
	}
	gp, _ := a.State("greet")
	if greet(a).Name != "World" || strings.Join(gp.Done, ",") != "name,write" || len(gp.Written) != 1 || len(a.FlowState("").Progress.Done) != 0 || ece.ProfileOf(a).ECEFQDN != "ece.example.com" {
		t.Fatalf("after apply: greet %+v, its progress %+v, ECE's %+v", greet(a), gp, a.FlowState("").Progress)
	}

	// Plain mode, from a fresh file: the name typed, both plans applied.
	fresh := filepath.Join(t.TempDir(), "ccewiz.yaml")
	in := strings.NewReader("Ada\ny\ny\n")
	var out, errb strings.Builder
	code := run(context.Background(), []string{"--flow", "greet", "--accessible", "--answers", fresh}, in, &out, &errb)
	if code != 0 || !strings.Contains(out.String(), "ccewiz — Greeting integration, plain mode.") || !strings.Contains(out.String(), "READY") {
		t.Fatalf("plain mode: exit %d\n%s%s", code, out.String(), errb.String())
	}
	if b, _ := os.ReadFile(filepath.Join(filepath.Dir(fresh), "hello.txt")); string(b) != "Hello, Ada\n" {
		t.Fatalf("plain mode's hello.txt = %q", b)
	}
	saved, _ := os.ReadFile(fresh)
	if !strings.Contains(string(saved), "greet:\n    name: Ada") && !strings.Contains(string(saved), "greet:\n  name: Ada") {
		t.Errorf("the flow's section was not saved:\n%s", saved)
	}
}

// TestMissingAnswersNameTheFlow: without an answers file, a flow's check
// says how to create one for that flow.
func TestMissingAnswersNameTheFlow(t *testing.T) {
	answers := filepath.Join(t.TempDir(), "ccewiz.yaml")
	code, _, errs := runCLI(t, "check", "--flow", "greet", "--answers", answers)
	if code != 2 || !strings.Contains(errs, "run `ccewiz wizard --flow greet` to create it") || strings.Count(strings.TrimSpace(errs), "\n") > 0 {
		t.Errorf("exit %d, %q; want exit 2 and one line naming the flow", code, errs)
	}
}

// TestNewFileListsTheDefaultFlowFirst: a new answers file reads top down —
// the default flow's sections in its steps' order, then the other flows',
// then what ccewiz records — whatever order Go initialised the flow
// packages in (orchestration's and wxm's registered theirs before ECE's).
func TestNewFileListsTheDefaultFlowFirst(t *testing.T) {
	a := steps.NewAnswers()
	wxm.Of(a).AW.Servers = []string{"aw1a.example.com"}
	ece.ValidationOf(a).TestAgent = "agent01"
	ece.ProfileOf(a).ECEFQDN = "ece.example.com"
	a.FlowState("").Progress.MarkDone("profile")
	b, err := steps.MarshalAnswers(a)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	order := []string{"\nversion:", "\nprofile:", "\nvalidation:", "\nwxm:", "\nflows:"}
	for i := 1; i < len(order); i++ {
		if !strings.Contains(s, order[i]) || strings.Index(s, order[i-1]) > strings.Index(s, order[i]) {
			t.Fatalf("%q is not before %q:\n%s", order[i-1], order[i], s)
		}
	}
}
