package tui

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"ccewiz/secret"
	"ccewiz/steps"
	"ccewiz/steps/ece"
)

// TestNextAndBackDoWhatTheHelpSays: ctrl+n goes to the next step from a
// form or a plan without recording anything (what was typed stays),
// ctrl+p comes back, ctrl+o reviews the plan from any field.
func TestNextAndBackDoWhatTheHelpSays(t *testing.T) {
	m := testModel(t, profileAnswers(), demoStep{}, 100, 30)
	drive(t, m, keys(tea.KeyTab, tea.KeyTab, tea.KeyTab)...)
	drive(t, m, keys(tea.KeyCtrlN)...)
	if m.cur != 1 || m.mode != modeForm || m.env.Answers.FlowState("").Progress.IsDone("profile") {
		t.Fatalf("ctrl+n in a form: step %d mode %d done %v; want the next step's form, nothing recorded", m.cur, m.mode, m.env.Answers.FlowState("").Progress.Done)
	}
	drive(t, m, keys(tea.KeyCtrlP)...)
	if m.cur != 0 || m.mode != modeForm {
		t.Fatalf("ctrl+p: step %d mode %d", m.cur, m.mode)
	}
	drive(t, m, keys(tea.KeyCtrlO)...)
	if m.mode != modePlan || m.cur != 0 {
		t.Fatalf("ctrl+o from the third field: mode %d step %d, want the profile's plan", m.mode, m.cur)
	}
	drive(t, m, keys(tea.KeyCtrlN)...)
	if m.cur != 1 || m.mode != modeForm || m.env.Answers.FlowState("").Progress.IsDone("profile") {
		t.Fatalf("ctrl+n on a plan: step %d mode %d done %v; want the next form, the plan not applied", m.cur, m.mode, m.env.Answers.FlowState("").Progress.Done)
	}
	drive(t, m, keys(tea.KeyCtrlN)...) // after the last step: the report
	mustView(t, m, "Integration report")
}

// TestHelpLineKeepsQuit: however narrow, the help line ends with the full
// help and quit; f1 (or ? outside a text field) shows every key, esc closes.
func TestHelpLineKeepsQuit(t *testing.T) {
	for _, w := range []int{60, 80, 120} {
		m := testModel(t, profileAnswers(), demoStep{}, w, 24)
		for _, screen := range [][]tea.Msg{nil, keys(tea.KeyCtrlO), keys(tea.KeyEnter), keys(tea.KeyCtrlG)} {
			drive(t, m, screen...)
			lines := strings.Split(m.View(), "\n")
			help := lines[len(lines)-2]
			if !strings.HasSuffix(help, "f1 all keys • ctrl+c quit") || ansi.StringWidth(help) > w {
				t.Errorf("%d columns: help line %q", w, help)
			}
		}
	}
	m := testModel(t, profileAnswers(), demoStep{}, 80, 24)
	drive(t, m, keys(tea.KeyF1)...)
	mustView(t, m, "Keys on this screen", "ctrl+o", "review the plan", "ctrl+s", "f1/esc close help")
	drive(t, m, keys("x")...) // swallowed while the help is open
	drive(t, m, keys(tea.KeyEsc)...)
	if v := m.View(); strings.Contains(v, "Keys on this screen") {
		t.Fatalf("esc did not close the help:\n%s", v)
	}
	drive(t, m, keys(tea.KeyCtrlO, tea.KeyEnter)...) // the results: no text field, so ? is help
	drive(t, m, keys("?")...)
	mustView(t, m, "Keys on this screen", "ctrl+r       re-run")
}

// okStep is a required step that applies nothing and passes.
type okStep struct{ brokenStep }

func (okStep) ID() string    { return "ok" }
func (okStep) Title() string { return "Passing step" }
func (okStep) Checks() []steps.Check {
	return []steps.Check{{ID: "ok.fine", Title: "Fine", Run: func(context.Context, *steps.Env) steps.Result {
		return steps.Result{Status: steps.Pass}
	}}}
}

// TestFinishedFlowReturnsToTheReport: redoing a step of a finished flow
// goes back to the report, and ctrl+r on the report says it ran again.
func TestFinishedFlowReturnsToTheReport(t *testing.T) {
	a := profileAnswers()
	a.FlowState("").Progress.MarkDone("profile")
	a.FlowState("").Progress.MarkDone("ok")
	m := testModel(t, a, demoStep{}, 100, 30)
	m.flow = []steps.Step{ece.NewProfileStep(), okStep{}}
	m.env.Flow = m.flow
	m.refreshNeeds()
	drive(t, m, keys(tea.KeyCtrlO, tea.KeyEnter, tea.KeyEnter)...) // redo the profile
	if m.mode != modeReport {
		t.Fatalf("after redoing step 1 of a finished flow: step %d mode %d, want the report", m.cur, m.mode)
	}
	if strings.Contains(m.status, "checks run again") {
		t.Fatal("the first report says it ran again")
	}
	drive(t, m, keys(tea.KeyCtrlR)...)
	mustView(t, m, "checks run again at", "; report saved")
}

// TestResultsCursorStartsOnTheFirstLine: with Apply's own results listed
// before the fresh checks, the cursor starts on the first line and can
// select every line.
func TestResultsCursorStartsOnTheFirstLine(t *testing.T) {
	a := profileAnswers()
	a.FlowState("").Progress.Current = "demo"
	a.FlowState("").Progress.MarkDone("profile")
	*ece.CertificateOf(a) = ece.CertificateAnswers{O: "ece.example.com", Mode: "selfsigned", KeySize: 4096}
	m := testModel(t, a, demoStep{}, 100, 40)
	m.flow = []steps.Step{ece.NewProfileStep(), verifyingApply{}}
	m.env.Flow = m.flow
	m.cur = 1
	m.env.Secrets["certificate.pfx_password"] = secret.New(pfxPassword)
	drive(t, m, append(keys(tea.KeyCtrlO, "ece.example.com"), keys(tea.KeyEnter)...)...)
	v := mustView(t, m, "Checks:")
	var checks []string
	for _, l := range strings.Split(v, "\n") {
		if _, r, ok := strings.Cut(l, "│ "); ok && (strings.Contains(r, "pass ") || strings.Contains(r, "warn ") || strings.Contains(r, "manual ")) {
			checks = append(checks, r)
		}
	}
	if len(checks) < 3 || !strings.HasPrefix(checks[0], "› ") || !strings.Contains(checks[0], "Written bytes read back") {
		t.Fatalf("the cursor is not on the first check:\n%s", strings.Join(checks, "\n"))
	}
	for range len(checks) {
		drive(t, m, keys(tea.KeyDown)...)
	}
	if m.resSel != len(checks)-1 {
		t.Errorf("down reaches line %d of %d", m.resSel+1, len(checks))
	}
}

// TestNothingCutAt80: at 80 columns a password's source (focused field), a
// backup's name in the plan and in the results stay readable whole.
func TestNothingCutAt80(t *testing.T) {
	a := profileAnswers()
	a.FlowState("").Progress.Current = "demo"
	a.FlowState("").Progress.MarkDone("profile")
	*ece.CertificateOf(a) = ece.CertificateAnswers{O: "ece.example.com", Mode: "selfsigned", KeySize: 4096,
		PFXPassword: secret.Ref{File: "secrets/a-rather-long-folder-name/pfx-password.txt"}}
	m := testModel(t, a, demoStep{}, 80, 24)
	if err := os.MkdirAll("secrets/a-rather-long-folder-name", 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile("secrets/a-rather-long-folder-name/pfx-password.txt", []byte(pfxPassword+"\n"), 0o600)
	os.MkdirAll("out", 0o755)
	os.WriteFile(demoConfig, []byte("server_name = old.example.com\n"), 0o644)
	for range 6 {
		drive(t, m, keys(tea.KeyTab)...) // to the PFX password
	}
	// The main pane's text with every line break, border and space gone:
	// whole means no character is missing, wherever the lines were broken.
	joined := func() string {
		var b strings.Builder
		for _, l := range strings.Split(m.View(), "\n") {
			if _, r, ok := strings.Cut(l, "│"); ok {
				l = r
			}
			b.WriteString(strings.Join(strings.Fields(l), ""))
		}
		return b.String()
	}
	nospace := func(s string) string { return strings.Join(strings.Fields(s), "") }
	if v := joined(); !strings.Contains(v, nospace("password: from file:secrets/a-rather-long-folder-name/pfx-password.txt (in the answers file) — leave empty to use it")) {
		t.Errorf("the password's source is cut:\n%s", m.View())
	}
	drive(t, m, keys(tea.KeyCtrlO)...)
	for i := 0; i < 3 && !strings.Contains(joined(), "demo.conf.ccewiz-YYYYMMDD-HHMMSS.bak"); i++ {
		drive(t, m, keys(tea.KeyPgDown)...)
	}
	if v := joined(); !strings.Contains(v, nospace("out/demo.conf → demo.conf.ccewiz-YYYYMMDD-HHMMSS.bak")) {
		t.Errorf("the backup's name is cut in the plan:\n%s", m.View())
	}
	drive(t, m, append(keys(tea.KeyHome, "ece.example.com"), keys(tea.KeyEnter)...)...)
	if v := joined(); !regexp.MustCompile(`wroteout/demo\.conf\(previousversion:demo\.conf\.ccewiz-\d{8}-\d{6}\.bak\)`).MatchString(v) {
		t.Errorf("the backup's name is cut in the results:\n%s", m.View())
	}
}

// TestPlanShowsAPIChanges: a change made through a server's API is on the
// plan with its diff, like a file's.
func TestPlanShowsAPIChanges(t *testing.T) {
	p := &steps.Plan{Remote: []steps.RemoteChange{{Target: "CCE Administration on aw1a.example.com", Action: steps.Modify,
		What: "ECE_WEB_SERVER ece.example.com", Diff: "-Application Instance: Multichannel\n+Application Instance: MultiChannel"}}}
	got := strings.Join(planLines(p, 80, false, plainStyles(rendererWith(termenv.Ascii))), "\n")
	for _, want := range []string{"Changes through a server's API", "modify    ECE_WEB_SERVER ece.example.com in CCE Administration on\n  aw1a.example.com",
		"-Application Instance: Multichannel", "+Application Instance: MultiChannel"} {
		if !strings.Contains(got, want) {
			t.Errorf("plan lacks %q:\n%s", want, got)
		}
	}
}
