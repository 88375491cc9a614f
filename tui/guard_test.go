package tui

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"ccewiz/secret"
	"ccewiz/steps"
	"ccewiz/steps/ece"
)

// brokenStep is an earlier required step, recorded as done, whose check
// fails now (an SSO whose referral check broke after it was applied).
type brokenStep struct{}

func (brokenStep) ID() string            { return "broken" }
func (brokenStep) Title() string         { return "Broken earlier step" }
func (brokenStep) Intro() string         { return "" }
func (brokenStep) Fields() []steps.Field { return nil }
func (brokenStep) Needed(*steps.Answers) (steps.Need, string) {
	return steps.Required, "the demo needs it"
}
func (brokenStep) Plan(context.Context, *steps.Env) (*steps.Plan, error) { return &steps.Plan{}, nil }
func (brokenStep) Apply(context.Context, *steps.Env, *steps.Plan) (*steps.Outcome, error) {
	return &steps.Outcome{}, nil
}
func (brokenStep) Checks() []steps.Check {
	return []steps.Check{{ID: "broken.referrals", Title: "Referrals followed", Run: func(context.Context, *steps.Env) steps.Result {
		return steps.Result{Status: steps.Fail, Detail: "PartialResultException from the DC", Fix: "use the Global Catalog port 3269"}
	}}}
}

// guardedAnswers resume at the irreversible demo step with everything
// filled in and the earlier steps recorded as done.
func guardedAnswers() *steps.Answers {
	a := profileAnswers()
	*ece.CertificateOf(a) = ece.CertificateAnswers{O: "ece.example.com", Mode: "selfsigned", KeySize: 4096}
	a.FlowState("").Progress.Current = "demo"
	a.FlowState("").Progress.MarkDone("profile")
	a.FlowState("").Progress.MarkDone("broken")
	return a
}

func guardedFlow() []steps.Step {
	return []steps.Step{ece.NewProfileStep(), brokenStep{}, demoStep{}}
}

// TestGuardTUI: the irreversible step's plan lists the failing earlier
// step under "Not yet", asks for no confirmation, and Enter — even after
// typing the exact value — applies nothing.
func TestGuardTUI(t *testing.T) {
	m := testModel(t, guardedAnswers(), demoStep{}, 100, 30)
	m.flow = guardedFlow()
	m.env.Flow = m.flow
	m.cur = 2
	m.env.Secrets["certificate.pfx_password"] = secret.New(pfxPassword)
	drive(t, m, keys(tea.KeyCtrlO)...)
	v := mustView(t, m, "Not yet: this step waits for", "Broken earlier step (broken): check broken.referrals fails:", "PartialResultException from the DC",
		"fix: use the Global Catalog port 3269", "IRREVERSIBLE — NOT YET")
	if strings.Contains(v, "Type ece.example.com to confirm") || strings.Contains(v, "enter apply") {
		t.Fatalf("a blocked step asks for its confirmation:\n%s", v)
	}
	drive(t, m, append(keys("ece.example.com"), keys(tea.KeyEnter)...)...)
	mustView(t, m, "waits for the earlier steps listed under NOT YET")
	if _, err := os.Stat(demoConfig); err == nil || m.env.Answers.FlowState("").Progress.IsDone("demo") {
		t.Fatal("the blocked step was applied")
	}
}

// TestGuardPlain: plain mode refuses the same way and asks for no value.
func TestGuardPlain(t *testing.T) {
	t.Chdir(t.TempDir())
	env := steps.NewEnv(guardedAnswers(), "ccewiz.yaml")
	env.Now = fixedNow
	env.Timeout = 2 * time.Second
	// Seven demo fields kept (the password typed), then the plan: quit.
	in := strings.Join([]string{"", "", "", "", "", pfxPassword, "q", ""}, "\n")
	var out bytes.Buffer
	if err := RunAccessible(context.Background(), Options{Env: env, Flow: guardedFlow()}, strings.NewReader(in), &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{"Not yet: this step waits for", "Broken earlier step (broken): check broken.referrals fails",
		"This step cannot be undone and waits for the earlier steps above (NOT YET); nothing can be confirmed now."} {
		if !strings.Contains(got, want) {
			t.Errorf("plain mode lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Type ece.example.com exactly") {
		t.Errorf("plain mode asked for the confirmation of a blocked step:\n%s", got)
	}
	if _, err := os.Stat(demoConfig); err == nil {
		t.Fatal("the blocked step was applied")
	}
}
