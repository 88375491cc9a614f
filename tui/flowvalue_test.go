package tui

import (
	"context"
	"os"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"ccewiz/steps"
)

// A flow defined in this file only, with its own answers section, run
// through the real Bubble Tea program: the TUI knows no flow.

type noteAnswers struct {
	Text string `yaml:"text"`
}

func note(a *steps.Answers) *noteAnswers { return steps.Section[noteAnswers](a, "tuinote") }

func init() {
	steps.RegisterSection("tuinote", func() any { return &noteAnswers{} })
}

type noteAsk struct{}

func (noteAsk) ID() string    { return "ask" }
func (noteAsk) Title() string { return "What to note" }
func (noteAsk) Intro() string { return "One line of text." }
func (noteAsk) Fields() []steps.Field {
	return []steps.Field{steps.TextField("tuinote.text", "Note", "any text", func(a *steps.Answers) *string { return &note(a).Text })}
}
func (noteAsk) Needed(*steps.Answers) (steps.Need, string) {
	return steps.Required, "the note needs its text"
}
func (noteAsk) Plan(context.Context, *steps.Env) (*steps.Plan, error) {
	return &steps.Plan{Step: "ask", Summary: "nothing to write"}, nil
}
func (noteAsk) Apply(context.Context, *steps.Env, *steps.Plan) (*steps.Outcome, error) {
	return &steps.Outcome{}, nil
}
func (noteAsk) Checks() []steps.Check {
	return []steps.Check{{ID: "ask.text", Title: "The note has text", Run: func(_ context.Context, env *steps.Env) steps.Result {
		if note(env.Answers).Text == "" {
			return steps.Result{Status: steps.Fail, Detail: "empty"}
		}
		return steps.Result{Status: steps.Pass, Detail: note(env.Answers).Text}
	}}}
}

type noteWrite struct{}

func (noteWrite) ID() string            { return "write" }
func (noteWrite) Title() string         { return "Write the note" }
func (noteWrite) Intro() string         { return "note.txt beside the answers." }
func (noteWrite) Fields() []steps.Field { return nil }
func (noteWrite) Needed(*steps.Answers) (steps.Need, string) {
	return steps.Required, "it is the point"
}
func (noteWrite) Plan(_ context.Context, env *steps.Env) (*steps.Plan, error) {
	return &steps.Plan{Step: "write", Files: []steps.FileChange{{Path: env.Path("note.txt"), Action: steps.Create,
		Data: []byte(note(env.Answers).Text + "\n")}}}, nil
}
func (noteWrite) Apply(_ context.Context, env *steps.Env, p *steps.Plan) (*steps.Outcome, error) {
	return steps.ApplyFiles(env, p)
}
func (noteWrite) Checks() []steps.Check {
	return []steps.Check{{ID: "write.file", Title: "note.txt holds the note", Run: func(_ context.Context, env *steps.Env) steps.Result {
		b, err := os.ReadFile(env.Path("note.txt"))
		if err != nil || string(b) != note(env.Answers).Text+"\n" {
			return steps.Result{Status: steps.Fail, Detail: "not written"}
		}
		return steps.Result{Status: steps.Pass}
	}}}
}

// TestAFlowOfItsOwnInTheTUI walks the two steps in the real program and
// finds the answers and the progress in the flow's own places.
func TestAFlowOfItsOwnInTheTUI(t *testing.T) {
	t.Chdir(t.TempDir())
	env := steps.NewEnv(steps.NewAnswers(), "ccewiz.yaml")
	env.FlowID = "tuinote"
	m := newModel(Options{Env: env, Flow: []steps.Step{noteAsk{}, noteWrite{}}, NoColor: true, Width: 100, Height: 30})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 30))
	waitScreen(t, tm, "Step 1 of 2 · What to note")
	tm.Type("remember the milk")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter}) // the last field: the plan
	waitScreen(t, tm, "Press enter to apply")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitScreen(t, tm, "Checks: 1 passed")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter}) // record, on to step 2
	waitScreen(t, tm, "Step 2 of 2 · Write the note")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter}) // no fields: the plan
	waitScreen(t, tm, "Press enter to apply")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitScreen(t, tm, "Checks: 1 passed")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitScreen(t, tm, "Integration report")
	quitAndWait(t, tm, m) // the report and answers saves may still be on their way
	if b, _ := os.ReadFile("note.txt"); string(b) != "remember the milk\n" {
		t.Fatalf("note.txt = %q", b)
	}
	a, err := steps.LoadAnswers("ccewiz.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, _ := a.State("tuinote")
	if note(a).Text != "remember the milk" || strings.Join(p.Done, ",") != "ask,write" || len(a.FlowState("").Progress.Done) != 0 {
		t.Fatalf("answers: note %+v, its progress %+v, ECE's %+v", note(a), p, a.FlowState("").Progress)
	}
}
