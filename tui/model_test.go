package tui

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"ccewiz/steps"
	"ccewiz/steps/ece"
)

const pfxPassword = "s3cret!pw-never-on-disk"

// demoFormKeys fill the demo step: fix the choice, reject then fix the key
// size, tick TLS, type the password.
func demoFormKeys() []tea.Msg {
	var k []tea.Msg
	k = append(k, keys(tea.KeyTab)...)                       // → Certificate mode
	k = append(k, keys(tea.KeyRight, tea.KeyTab, "4096")...) // selfsigned, → Key size
	k = append(k, keys(tea.KeyTab, tea.KeyTab, " ", tea.KeyTab, pfxPassword)...)
	return k
}

func mustView(t *testing.T, m *Model, want ...string) string {
	t.Helper()
	v := m.View()
	for _, w := range want {
		if !strings.Contains(v, w) {
			t.Fatalf("screen lacks %q:\n%s", w, v)
		}
	}
	return v
}

// TestWalkFixedFlow walks profile → demo → report the way an admin does and
// checks what reached the disk: answers without the password, the file the
// step wrote with its backup, the Markdown report with the ticked item.
func TestWalkFixedFlow(t *testing.T) {
	m := testModel(t, profileAnswers(), demoStep{}, 100, 30)
	os.MkdirAll("out", 0o755)
	os.WriteFile(demoConfig, []byte("server_name = old.example.com\n"), 0o644)

	drive(t, m, keys(tea.KeyCtrlO)...)
	mustView(t, m, "Values to type", "Press enter to apply")
	drive(t, m, keys(tea.KeyEnter)...)
	mustView(t, m, "Checks: 5 passed", "[ ] ECE media routing domains")
	drive(t, m, keys(tea.KeyEnter)...)
	if m.cur != 1 || m.mode != modeForm {
		t.Fatalf("after the profile: step %d mode %d, want the demo form", m.cur, m.mode)
	}

	// Continuing with the mode unset shows the field's own Set error in place.
	drive(t, m, keys(tea.KeyCtrlO)...)
	mustView(t, m, `✗ Certificate mode: "" is not one of selfsigned, ca`, "1 field(s) need attention")
	drive(t, m, keys(tea.KeyRight, tea.KeyTab, "1024", tea.KeyTab)...)
	mustView(t, m, "✗ 1024 bits is too small; use 2048 or more")
	drive(t, m, keys(tea.KeyShiftTab, tea.KeyCtrlU, "4096", tea.KeyTab, tea.KeyTab, " ", tea.KeyTab, pfxPassword)...)
	if v := m.View(); strings.Contains(v, pfxPassword) {
		t.Fatalf("the password is on screen:\n%s", v)
	}
	drive(t, m, keys(tea.KeyCtrlO)...)
	v := mustView(t, m, "IRREVERSIBLE", "Type ece.example.com to confirm", "modify    out/demo.conf",
		"-server_name = old.example.com", "+server_name = ece.example.com", "secret content, not shown", "Backups made first", "↓ 14 more lines")
	drive(t, m, keys(tea.KeyPgDown)...) // a page down skips no line: Keystore entries is on both pages
	v += mustView(t, m, "Keystore entries", "add \"ece-web\" in ads/cacerts", "on web1 (powershell)", "iisreset /restart", "Server name: ece.example.com", "the key is written with mode 0600", "more lines")
	if strings.Contains(v, "KEY ") {
		t.Fatalf("sensitive file content shown:\n%s", v)
	}

	// A confirmation that differs in case only is refused and writes nothing.
	drive(t, m, append(keys("ECE.example.com"), keys(tea.KeyEnter)...)...)
	mustView(t, m, `type "ece.example.com" exactly`)
	if b, _ := os.ReadFile(demoConfig); !bytes.Contains(b, []byte("old.example.com")) {
		t.Fatal("a wrong confirmation changed the file")
	}
	drive(t, m, append(keys(tea.KeyCtrlU, "ece.example.com"), keys(tea.KeyEnter)...)...)
	mustView(t, m, "wrote out/demo.conf (previous version: demo.conf.ccewiz-", "Checks: 2 passed")
	drive(t, m, keys(tea.KeyDown, tea.KeyDown, " ")...)
	mustView(t, m, "[x] Server name shown in ECE")
	drive(t, m, keys(tea.KeyEnter)...)
	mustView(t, m, "Integration report", "saved to ccewiz-report.md")

	saved, err := os.ReadFile("ccewiz.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(saved, []byte(pfxPassword)) {
		t.Fatal("the password reached the answers file")
	}
	a, err := steps.LoadAnswers("ccewiz.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(a.FlowState("").Progress.Done, ","); got != "profile,demo" {
		t.Errorf("progress.done = %q, want profile,demo", got)
	}
	if tk := a.FlowState("").Ticked["demo.look"]; !a.FlowState("").Ticked.IsTicked("demo.look") || tk.At != "2026-11-23T05:00:00Z" || tk.By == "" || ece.CertificateOf(a).KeySize != 4096 || !ece.SSOOf(a).SSLEnabled {
		t.Errorf("answers not saved: ticked %v key size %d tls %v", a.FlowState("").Ticked, ece.CertificateOf(a).KeySize, ece.SSOOf(a).SSLEnabled)
	}
	if key, _ := os.ReadFile("out/demo.key"); string(key) != "KEY "+pfxPassword {
		t.Errorf("the typed password did not reach the step through Env.Secrets: %q", key)
	}
	report, err := os.ReadFile(ReportName)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"- [x] `demo.look`", "`out/demo.conf` — previous version kept as `out/demo.conf.ccewiz-20261123-050000.bak`",
		"| ✓ | pass | `demo.file` |", "`profile.mrds`"} {
		if !bytes.Contains(report, []byte(want)) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	if bytes.Contains(report, []byte(pfxPassword)) {
		t.Fatal("the password reached the report")
	}
}

// TestResume quits after the first step and starts again: same step, same values.
func TestResume(t *testing.T) {
	m := testModel(t, profileAnswers(), demoStep{}, 100, 30)
	drive(t, m, keys(tea.KeyCtrlO, tea.KeyEnter, tea.KeyEnter)...) // profile done → demo
	drive(t, m, keys(tea.KeyTab, tea.KeyRight, tea.KeyTab, "3072")...)
	drive(t, m, keys(tea.KeyCtrlS)...)
	a, err := steps.LoadAnswers("ccewiz.yaml")
	if err != nil {
		t.Fatal(err)
	}
	env := steps.NewEnv(a, "ccewiz.yaml")
	m2 := newModel(Options{Env: env, Flow: testFlow(demoStep{}), NoColor: true, Width: 100, Height: 30})
	if m2.cur != 1 {
		t.Fatalf("resumed at step %d, want 1 (demo); progress %+v", m2.cur, a.FlowState("").Progress)
	}
	mustView(t, m2, "● 1 Profile", "Certificate mode", "selfsigned", "3072", "ece.example.com")
}

func TestVisibleFollowsTheForm(t *testing.T) {
	a := profileAnswers()
	a.FlowState("").Progress.Current = "demo"
	a.FlowState("").Progress.MarkDone("profile") // resumed past it: the demo step is irreversible, so it waits for it
	m := testModel(t, a, demoStep{}, 100, 30)
	if strings.Contains(m.View(), "Organisational unit") {
		t.Fatal("OU shown before ca is chosen")
	}
	drive(t, m, keys(tea.KeyTab, "c")...) // typing the start of an option picks it
	mustView(t, m, "‹ ca ›", "Organisational unit")
	drive(t, m, keys(tea.KeyLeft)...)
	if strings.Contains(m.View(), "Organisational unit") {
		t.Fatal("OU still shown after selfsigned")
	}
}

func TestQuit(t *testing.T) {
	cases := []struct {
		name     string
		typed    bool
		answer   []tea.Msg
		wantQuit bool
		wantSave string // a value expected in the answers file afterwards
	}{
		{name: "nothing typed quits at once", wantQuit: true},
		{name: "typed then stay", typed: true, answer: keys("n"), wantQuit: false},
		{name: "typed then discard", typed: true, answer: keys("y"), wantQuit: true},
		{name: "typed then save and quit", typed: true, answer: keys("s"), wantQuit: true, wantSave: "ecex.example.com"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := testModel(t, profileAnswers(), demoStep{}, 80, 24)
			for range 8 {
				drive(t, m, keys(tea.KeyTab)...) // to the ECE FQDN field
			}
			if c.typed {
				drive(t, m, keys(tea.KeyCtrlU, "ecex.example.com")...)
			}
			quit := false
			run := func(msgs []tea.Msg) {
				for _, msg := range msgs {
					_, cmd := m.Update(msg)
					for cmd != nil {
						out := cmd()
						cmd = nil
						switch out := out.(type) {
						case tea.QuitMsg:
							quit = true
						case tea.BatchMsg:
						case savedMsg:
							_, cmd = m.Update(out)
						}
					}
				}
			}
			run(keys(tea.KeyCtrlC))
			if c.typed {
				mustView(t, m, "Quit ccewiz?", "Deployment profile and prerequisites")
				run(c.answer)
			}
			if quit != c.wantQuit {
				t.Fatalf("quit = %v, want %v", quit, c.wantQuit)
			}
			b, _ := os.ReadFile("ccewiz.yaml")
			if c.wantSave != "" && !bytes.Contains(b, []byte(c.wantSave)) {
				t.Fatalf("save and quit did not save %q:\n%s", c.wantSave, b)
			}
			if c.wantSave == "" && bytes.Contains(b, []byte("ecex")) {
				t.Fatal("discarded input was saved")
			}
		})
	}
}

// TestPlanErrorAndSkip: a step whose plan fails shows why, can be skipped,
// and stays "needs attention" in the sidebar and the report.
func TestPlanErrorAndSkip(t *testing.T) {
	a := profileAnswers()
	a.FlowState("").Progress.Current = "demo"
	a.FlowState("").Progress.MarkDone("profile") // resumed past it: the demo step is irreversible, so it waits for it
	ece.CertificateOf(a).Mode = "selfsigned"
	m := testModel(t, a, demoStep{}, 100, 30)
	drive(t, m, keys(tea.KeyCtrlO)...) // no password typed, none in the answers
	mustView(t, m, "✗ Working out the plan failed", "PFX password: no password given")
	drive(t, m, keys(tea.KeyCtrlN)...) // skip it
	v := mustView(t, m, "Integration report", "needs attention Demo web server change")
	if !strings.Contains(v, "! 2 Demo web server") {
		t.Fatalf("skipped failing step not marked:\n%s", v)
	}
}

// TestSizes: every screen fits exactly, from 60×20 up, after resizes.
func TestSizes(t *testing.T) {
	screens := map[string][]tea.Msg{
		"form":    nil,
		"plan":    keys(tea.KeyCtrlO),
		"results": keys(tea.KeyCtrlO, tea.KeyEnter),
		"report":  keys(tea.KeyCtrlO, tea.KeyEnter, tea.KeyEnter, tea.KeyCtrlO, tea.KeyCtrlN),
		"quit":    append(keys(tea.KeyTab, "x"), keys(tea.KeyCtrlC)...),
		"jump":    keys(tea.KeyCtrlG, tea.KeyDown),
	}
	for name, msgs := range screens {
		t.Run(name, func(t *testing.T) {
			m := testModel(t, profileAnswers(), demoStep{}, 80, 24)
			drive(t, m, msgs...)
			for _, sz := range [][2]int{{80, 24}, {100, 30}, {120, 40}, {200, 60}, {60, 20}, {79, 23}} {
				m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
				lines := strings.Split(m.View(), "\n")
				if len(lines) != sz[1] {
					t.Errorf("%dx%d: %d lines", sz[0], sz[1], len(lines))
				}
				for i, l := range lines {
					if w := ansi.StringWidth(l); w > sz[0] {
						t.Errorf("%dx%d: line %d is %d cells wide: %q", sz[0], sz[1], i, w, l)
					}
				}
			}
		})
	}
}

// TestColour: NoColor output has no escape sequence at all; a colour
// renderer (as an SSH session passes) does colour.
func TestColour(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, c := range []struct {
		name     string
		o        Options
		wantANSI bool
	}{
		{"no-color", Options{NoColor: true}, false},
		{"ascii renderer", Options{Renderer: rendererWith(termenv.Ascii)}, false},
		{"truecolor renderer", Options{Renderer: rendererWith(termenv.TrueColor)}, true},
		{"no-color wins over a colour renderer", Options{NoColor: true, Renderer: rendererWith(termenv.TrueColor)}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.o.Answers, c.o.Flow = profileAnswers(), testFlow(demoStep{})
			v := New(c.o).View()
			if got := strings.Contains(v, "\x1b["); got != c.wantANSI {
				t.Fatalf("escape sequences = %v, want %v:\n%q", got, c.wantANSI, v)
			}
		})
	}
}

func rendererWith(p termenv.Profile) *lipgloss.Renderer {
	r := lipgloss.NewRenderer(&bytes.Buffer{})
	r.SetColorProfile(p)
	return r
}

// TestEscCancels runs the real Bubble Tea loop (teatest): a plan that waits
// for the network shows its stage under the spinner, and Esc cancels it.
func TestEscCancels(t *testing.T) {
	a := profileAnswers()
	a.FlowState("").Progress.Current = "demo"
	a.FlowState("").Progress.MarkDone("profile") // resumed past it: the demo step is irreversible, so it waits for it
	ece.CertificateOf(a).Mode = "selfsigned"
	m := testModel(t, a, demoStep{blockPlan: true}, 100, 30)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 30))
	waitScreen(t, tm, "Step 2 of 2")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlO})
	waitScreen(t, tm, "connecting to ece.example.com:443")
	tm.Send(tea.KeyMsg{Type: tea.KeyEsc})
	waitScreen(t, tm, "cancelled — nothing was changed")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	m.Wait()
	if fm := tm.FinalModel(t).(*Model); fm.run != nil || fm.mode != modeForm {
		t.Fatalf("after Esc: run %v mode %d", fm.run, fm.mode)
	}
}

// quitAndWait ends the program as cmd_wizard does: Quit, then Wait for the
// writes it asked for, so that nothing writes into the test's directory
// while it is being removed.
func quitAndWait(t *testing.T, tm *teatest.TestModel, m *Model) {
	t.Helper()
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	m.Wait()
}

func waitScreen(t *testing.T, tm *teatest.TestModel, s string) {
	t.Helper()
	var seen bytes.Buffer
	for start := time.Now(); time.Since(start) < 5*time.Second; time.Sleep(10 * time.Millisecond) {
		if _, err := io.Copy(&seen, tm.Output()); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(seen.Bytes(), []byte(s)) {
			return
		}
	}
	t.Fatalf("waiting for %q: not on screen after 5s; output: %q", s, seen.String())
}

// TestJumpThenQuit: moving to another step is not "unsaved input" — quitting
// does not ask, and the resume point is saved.
func TestJumpThenQuit(t *testing.T) {
	m := testModel(t, profileAnswers(), demoStep{}, 80, 24)
	drive(t, m, keys(tea.KeyCtrlG, tea.KeyDown, tea.KeyEnter)...)
	if m.cur != 1 {
		t.Fatalf("jumped to step %d, want 1", m.cur)
	}
	_, cmd := m.Update(tea.KeyMsg{Type: tea.KeyCtrlC})
	if m.quitting {
		t.Fatal("asked before quitting although nothing was typed")
	}
	saved, ok := cmd().(savedMsg)
	if !ok || saved.err != nil || !saved.quit {
		t.Fatalf("want a save then quit, got %#v", saved)
	}
	if _, cmd := m.Update(saved); cmd == nil || cmd() != tea.Quit() {
		t.Fatal("did not quit after saving")
	}
	a, err := steps.LoadAnswers("ccewiz.yaml")
	if err != nil || a.FlowState("").Progress.Current != "demo" {
		t.Fatalf("resume point not saved: %v %+v", err, a)
	}
}

// TestPasswordPrompt: a step asks for a password nobody typed (Env.Prompt);
// the wizard shows a masked input while the step waits, and the password
// reaches the step but never the answers file.
func TestPasswordPrompt(t *testing.T) {
	a := profileAnswers()
	a.FlowState("").Progress.Current = "demo"
	a.FlowState("").Progress.MarkDone("profile") // resumed past it: the demo step is irreversible, so it waits for it
	ece.CertificateOf(a).Mode = "selfsigned"
	m := testModel(t, a, demoStep{}, 100, 30)
	m.env.Prompt = m.prompts.prompt // the session's own bridge, as in production
	if err := os.MkdirAll("out", 0o755); err != nil {
		t.Fatal(err)
	}
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 30))
	waitScreen(t, tm, "Step 2 of 2")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlO})
	// The whole placeholder, not its first letter (an input without a width).
	waitScreen(t, tm, "for this session only, never saved")
	tm.Type(pfxPassword)
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitScreen(t, tm, "to confirm")
	tm.Type("ece.example.com")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitScreen(t, tm, "Checks:")
	quitAndWait(t, tm, m) // the answers save that follows Apply may still be on its way
	if key, _ := os.ReadFile("out/demo.key"); string(key) != "KEY "+pfxPassword {
		t.Fatalf("the prompted password did not reach the step: %q", key)
	}
	if b, _ := os.ReadFile("ccewiz.yaml"); len(b) == 0 || bytes.Contains(b, []byte(pfxPassword)) {
		t.Fatalf("answers file missing or holding the password:\n%s", b)
	}
}

// TestDefaultsFollowEarlierSteps: a form visited before the profile changed
// shows the new default when nothing was typed into it.
func TestDefaultsFollowEarlierSteps(t *testing.T) {
	m := testModel(t, profileAnswers(), demoStep{}, 100, 30)
	drive(t, m, keys(tea.KeyCtrlG, tea.KeyDown, tea.KeyEnter)...) // visit demo: Server name = ece.example.com
	mustView(t, m, "Server name       ece.example.com")
	drive(t, m, keys(tea.KeyCtrlP)...)
	for range 8 {
		drive(t, m, keys(tea.KeyTab)...) // to the ECE FQDN
	}
	drive(t, m, keys(tea.KeyCtrlU, "chat.example.com", tea.KeyCtrlO, tea.KeyEnter, tea.KeyEnter)...)
	if m.cur != 1 {
		t.Fatalf("on step %d, want the demo step", m.cur)
	}
	mustView(t, m, "Server name       chat.example.com")
}

// TestPlanLinesDetails: long script and diff lines are cut by the frame
// normally and wrapped to their end with details on; secret content is
// never shown either way.
func TestPlanLinesDetails(t *testing.T) {
	script := "Import-PfxCertificate -FilePath C:\\ccewiz\\ece.example.com.pfx -CertStoreLocation Cert:\\LocalMachine\\My -Password $pw END"
	p := &steps.Plan{
		Files:    []steps.FileChange{{Path: "k.pem", Action: steps.Create, Sensitive: true, Data: []byte("SECRETKEY")}},
		Commands: []steps.Command{{Host: "web1", Shell: "powershell", Script: script}},
	}
	st := plainStyles(rendererWith(termenv.Ascii))
	for _, details := range []bool{false, true} {
		lines := planLines(p, 60, details, st)
		got := strings.Join(lines, "\n")
		if strings.Contains(got, "SECRETKEY") {
			t.Fatalf("details=%v shows secret content", details)
		}
		widest := 0
		for _, l := range lines {
			widest = max(widest, ansi.StringWidth(l))
		}
		// Without details the one long line is left to the frame to cut.
		if wrapped := widest <= 60; wrapped != details || !strings.Contains(got, "END") {
			t.Errorf("details=%v: widest line %d:\n%s", details, widest, got)
		}
	}
}

// TestLateApplyRecorded: an Apply stopped by its time limit that still
// writes a file has it recorded in progress.written when it returns.
func TestLateApplyRecorded(t *testing.T) {
	m := testModel(t, profileAnswers(), demoStep{}, 100, 30)
	m.flow = []steps.Step{ece.NewProfileStep(), slowApply{}}
	m.cur = 1
	m.plan = &steps.Plan{Step: "demo"}
	m.o.ActionTimeout = 50 * time.Millisecond
	m.dirty = false
	drive(t, m, runCmd(m.applyCmd())...)
	if m.mode != modeFailed || m.failure == nil || !strings.Contains(m.failure.Error(), "took longer") {
		t.Fatalf("the apply was not stopped by its time limit: mode %d, %v", m.mode, m.failure)
	}
	want := steps.Written{Path: "out/late.conf", Backup: "out/late.conf.bak"}
	if !slices.Contains(m.env.Answers.FlowState("").Progress.Written, want) || !m.dirty {
		t.Errorf("the late apply's file is not recorded: written %+v, dirty %v", m.env.Answers.FlowState("").Progress.Written, m.dirty)
	}
}

// TestQuitViewListsStepsInOrder: the steps with unsaved input are named in
// flow order, every time (the forms are kept in a map).
func TestQuitViewListsStepsInOrder(t *testing.T) {
	m := testModel(t, profileAnswers(), demoStep{}, 100, 30)
	for i := range m.flow {
		m.cur = i
		for _, in := range m.form().inputs {
			if in.usesText() && in.f.Kind != steps.SecretField {
				in.ti.SetValue(in.ti.Value() + "x")
				break
			}
		}
	}
	want := "in: Deployment profile and prerequisites, Demo web server change."
	for range 20 {
		if v := strings.Join(m.quitView(200), "\n"); !strings.Contains(v, want) {
			t.Fatalf("quit screen does not list the steps in flow order:\n%s", v)
		}
	}
}

// TestPlanLinesInert: a plan's text from servers (a certificate subject
// with an escape sequence) is drawn inert, in the TUI and plain mode alike.
func TestPlanLinesInert(t *testing.T) {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	evil := "CN=ece.example.com\x1b[2J\x1b]0;pwned\x07"
	p := &steps.Plan{Summary: evil, Notes: []string{evil},
		Keystore: []steps.KeystoreChange{{Keystore: "cacerts", Alias: "ece", Subject: evil, Action: "add"}},
		Files:    []steps.FileChange{{Path: "spog_config.js", Action: steps.Modify, Diff: "+" + evil}}}
	for _, details := range []bool{false, true} {
		if v := strings.Join(planLines(p, 80, details, plainStyles(r)), "\n"); strings.ContainsAny(v, "\x1b\x07") {
			t.Errorf("plan lines (details %v) carry control characters: %q", details, v)
		}
	}
}

// TestOneSaveAtATime: a save asked for while one runs does not start a
// second writer on the same file; it runs when the first ends, with the
// answers as they are then.
func TestOneSaveAtATime(t *testing.T) {
	m := testModel(t, profileAnswers(), demoStep{}, 100, 30)
	m.dirty = true
	first := m.saveCmd(false)
	if first == nil {
		t.Fatal("no save started")
	}
	ece.CertificateOf(m.env.Answers).O = "changed while saving"
	m.dirty = true
	if second := m.saveCmd(false); second != nil {
		t.Fatal("a second save started while the first was running")
	}
	drive(t, m, first())
	a, err := steps.LoadAnswers("ccewiz.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if ece.CertificateOf(a).O != "changed while saving" || m.saving || m.unsaved() {
		t.Errorf("the change made during the first save was not saved after it: o %q, saving %v, unsaved %v", ece.CertificateOf(a).O, m.saving, m.unsaved())
	}
}

// TestSaveKeepsItsFile: saves run in the background; one that runs after
// the working directory changed (a test's Chdir undone, a library caller
// that moves on) still writes the file the wizard opened, never a
// ccewiz.yaml wherever the process now is.
func TestSaveKeepsItsFile(t *testing.T) {
	m := testModel(t, profileAnswers(), demoStep{}, 100, 30) // cwd: a temp dir
	opened, _ := os.Getwd()
	elsewhere := t.TempDir()
	t.Chdir(elsewhere)
	drive(t, m, keys(tea.KeyCtrlS)...)
	if _, err := os.Stat(filepath.Join(opened, "ccewiz.yaml")); err != nil {
		t.Fatalf("the answers were not saved where the wizard opened them: %v", err)
	}
	if ents, _ := os.ReadDir(elsewhere); len(ents) != 0 {
		t.Fatalf("a save wrote into the new working directory: %v", ents)
	}
	if v := m.View(); !strings.Contains(v, "answers: ccewiz.yaml") {
		t.Fatalf("the status line no longer shows the path as given:\n%s", v)
	}
}

// TestViewChangesNothing: View only reads the model — on the form, on a
// plan scrolled past its end, on the results — so Bubble Tea may draw as
// often as it likes; what a frame measures is kept by layout after Update.
func TestViewChangesNothing(t *testing.T) {
	type snap struct {
		scroll, scrollMax, confirmW, forms int
		helpID, helpText                   string
	}
	take := func(m *Model) snap {
		return snap{m.scroll, m.scrollMax, m.confirm.Width, len(m.forms), m.helpID, m.helpText}
	}
	m := testModel(t, profileAnswers(), demoStep{}, 80, 24)
	check := func(where string) {
		t.Helper()
		before := take(m)
		v1 := m.View()
		if after := take(m); after != before {
			t.Fatalf("%s: View changed the model: %+v → %+v", where, before, after)
		}
		if v2 := m.View(); v2 != v1 {
			t.Fatalf("%s: two Views differ", where)
		}
	}
	check("the first frame, before any Update")
	drive(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})
	check("the form")
	drive(t, m, tea.WindowSizeMsg{Width: 80, Height: 10}) // small, so the plan scrolls
	drive(t, m, keys(tea.KeyCtrlO)...)
	for i := 0; i < 40; i++ {
		drive(t, m, keys(tea.KeyDown)...)
	}
	check("the plan, scrolled far down")
	if m.scrollMax <= 0 {
		t.Fatalf("the demo plan fits at 80×10 (scroll limit %d): the case proves nothing\n%s", m.scrollMax, m.View())
	}
	if m.scrollMax >= 0 && m.scroll > m.scrollMax {
		t.Fatalf("layout left the scroll at %d past its end %d", m.scroll, m.scrollMax)
	}
	up := m.scroll
	drive(t, m, keys(tea.KeyUp)...)
	if up > 0 && m.scroll != up-1 {
		t.Fatalf("one ↑ after scrolling past the end moved from %d to %d: the presses past the end were kept", up, m.scroll)
	}
	drive(t, m, keys(tea.KeyEnter)...)
	check("the results")
}
