package tui

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"ccewiz/steps"
	"ccewiz/steps/ece"
	// The binary under test carries every flow; its answers file has their sections.
	_ "ccewiz/steps/orchestration"
	_ "ccewiz/steps/wxm"
	"ccewiz/testpeer"
)

// TestMain removes the ccewiz binary the end-to-end tests built.
func TestMain(m *testing.M) {
	code := m.Run()
	testpeer.RemoveBuilds()
	os.Exit(code)
}

// tmuxTerm is one ccewiz run at a time in a detached tmux session on a
// private tmux server, so the test never touches the user's own tmux.
type tmuxTerm struct {
	*testpeer.Tmux
	t      *testing.T
	n      int    // sessions started
	target string // the current session
}

func newTmux(t *testing.T) *tmuxTerm {
	t.Helper()
	return &tmuxTerm{Tmux: testpeer.NewTmux(t), t: t}
}

// start runs ccewiz at 120×40; the shell prints its exit code and keeps
// the pane so the test can read what ccewiz printed last.
func (tm *tmuxTerm) start(args ...string) {
	tm.t.Helper()
	prev := tm.target
	tm.n++
	tm.target = fmt.Sprintf("w%d", tm.n)
	tm.Start(tm.target, testpeer.ShellQuote(append([]string{testpeer.BuildCcewiz(tm.t)}, args...)...)+"; echo EXIT=$?; sleep 600")
	if prev != "" {
		// Only now: killing the last session first would stop the tmux server under the new one.
		tm.Run("kill-session", "-t", prev)
	}
}

func (tm *tmuxTerm) screen() string { return tm.Capture(tm.target) }

func (tm *tmuxTerm) keys(k ...string) { tm.Keys(tm.target, k...) }

func (tm *tmuxTerm) literal(s string) { tm.Keys(tm.target, "-l", s) }

// waitFor polls the screen until cond holds.
func (tm *tmuxTerm) waitFor(what string, d time.Duration, cond func(string) bool) string {
	tm.t.Helper()
	return tm.WaitFor(tm.target, what, d, cond)
}

// startLab runs `ccewiz lab --no-tui` — a real HTTPS "ECE web server", an
// LDAP/LDAPS "domain controller", spog_config.js and an ADS cacerts on
// loopback — and returns its answers file. It is stopped when the test ends.
func startLab(t *testing.T) string {
	t.Helper()
	return testpeer.StartLab(t, testpeer.BuildCcewiz(t), filepath.Join(t.TempDir(), "lab"))
}

var reConfirm = regexp.MustCompile(`Type (\S+) to confirm:`)

// walk answers whatever screen the wizard shows until the integration
// report is on screen or stop says so. It knows no step: it continues
// forms (the lab's answers are complete), applies plans, types irreversible
// confirmations and moves on from results. A failing plan or apply fails
// the test but is skipped so the rest of the flow is still exercised.
func walk(t *testing.T, tm *tmuxTerm, stop func(screen string) bool) string {
	t.Helper()
	last := ""
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		s := tm.screen()
		if stop != nil && stop(s) {
			return s
		}
		if s == last || strings.Contains(s, "esc cancels") || strings.Contains(s, "saving…") {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		switch {
		case strings.Contains(s, "Integration report") && strings.Contains(s, "saved to "):
			return s
		case strings.Contains(s, "EXIT="):
			t.Fatalf("ccewiz ended during the walk:\n%s", s)
		case strings.Contains(s, "✗ Working out the plan failed"), strings.Contains(s, "✗ Applying the change failed"):
			t.Errorf("a step failed against the lab:\n%s", s)
			tm.keys("C-n")
		case reConfirm.MatchString(s) && !strings.Contains(s, "type it here") && strings.Contains(s, "(case matters)"):
			t.Fatalf("confirmation refused:\n%s", s)
		case reConfirm.MatchString(s) && strings.Contains(s, "type it here"):
			tm.literal(reConfirm.FindStringSubmatch(s)[1])
			tm.keys("Enter")
		case strings.Contains(s, "Press enter to apply this plan"):
			tm.keys("Enter")
		case strings.Contains(s, "enter: record this step and go on"):
			tm.keys("Enter")
		case strings.Contains(s, "need attention — the message is under each"):
			t.Fatalf("the lab's answers do not satisfy a form:\n%s", s)
		case regexp.MustCompile(`Step \d+ of \d+`).MatchString(s) && strings.Contains(s, "tab/↑↓ field"):
			tm.keys("C-o")
		default:
			time.Sleep(50 * time.Millisecond)
			continue
		}
		last = s
		// Wait for the screen to react before reading it again.
		for end := time.Now().Add(10 * time.Second); time.Now().Before(end) && tm.screen() == s; {
			time.Sleep(20 * time.Millisecond)
		}
	}
	t.Fatalf("the walk did not reach the report in time:\n%s", tm.screen())
	return ""
}

// TestE2ETmux runs the real binary and the real ece.Flow().Steps in tmux
// against the lab: two steps, quit, resume at the third, walk to the
// report, quit, and start once more.
func TestE2ETmux(t *testing.T) {
	tm := newTmux(t)
	answers := startLab(t)
	flow := ece.Flow().Steps
	if len(flow) < 2 {
		t.Skip("the flow has a single step; nothing to resume between")
	}
	args := []string{"wizard", "--answers", answers, "--no-color"}

	// Session 1: the first two steps, then quit.
	tm.start(args...)
	tm.waitFor("the first step", 10*time.Second, func(s string) bool {
		return strings.Contains(s, fmt.Sprintf("Step 1 of %d", len(flow)))
	})
	third := fmt.Sprintf("Step 3 of %d", len(flow))
	if len(flow) == 2 {
		third = "Integration report"
	}
	walk(t, tm, func(s string) bool { return strings.Contains(s, third) && strings.Contains(s, "all saved") })
	tm.keys("C-c")
	s := tm.waitFor("ccewiz to exit", 10*time.Second, func(s string) bool { return strings.Contains(s, "EXIT=") })
	if !strings.Contains(s, "EXIT=0") || !strings.Contains(s, "answers: "+answers) {
		t.Fatalf("first session did not end cleanly:\n%s", s)
	}
	a, err := steps.LoadAnswers(answers)
	if err != nil {
		t.Fatal(err)
	}
	if a.FlowState("").Progress.Current != flow[min(2, len(flow)-1)].ID() {
		t.Fatalf("progress.current = %q after two steps, want %q", a.FlowState("").Progress.Current, flow[2].ID())
	}

	// Session 2: resumes at the third step with the first two done.
	tm.start(args...)
	s = tm.waitFor("the resumed step", 10*time.Second, func(s string) bool { return strings.Contains(s, third) })
	for i := 0; i < 2; i++ {
		title := []rune(steps.ShortTitle(flow[i]))
		if !strings.Contains(s, fmt.Sprintf("● %d %s", i+1, string(title[:min(10, len(title))]))) {
			t.Errorf("step %d is not shown as done after resuming:\n%s", i+1, s)
		}
	}
	s = walk(t, tm, nil)
	report := filepath.Join(filepath.Dir(answers), ReportName)
	md, err := os.ReadFile(report)
	if err != nil {
		t.Fatalf("no report next to the answers file: %v\n%s", err, s)
	}
	for _, st := range flow {
		if !strings.Contains(string(md), "(`"+st.ID()+"`)") {
			t.Errorf("the report does not list step %s", st.ID())
		}
		// A step may report per item (spog.1, trust.<server>): ask for its prefix.
		if len(st.Checks()) > 0 && !strings.Contains(string(md), "| `"+st.ID()+".") {
			t.Errorf("the report has no check result of step %s:\n%s", st.ID(), md)
		}
	}
	tm.keys("C-c")
	if s := tm.screen(); strings.Contains(s, "Quit ccewiz?") {
		tm.keys("s")
	}
	s = tm.waitFor("ccewiz to exit", 10*time.Second, func(s string) bool { return strings.Contains(s, "EXIT=") })
	if !strings.Contains(s, "EXIT=0") || !strings.Contains(s, "integration report: "+report) {
		t.Fatalf("second session did not end cleanly:\n%s", s)
	}

	// Session 3: starts on the last step; every step that passed is done.
	tm.start(args...)
	last := fmt.Sprintf("Step %d of %d", len(flow), len(flow))
	s = tm.waitFor("the last step", 10*time.Second, func(s string) bool { return strings.Contains(s, last) })
	if !strings.Contains(s, "● 1 ") {
		t.Errorf("the profile is not done after the walk:\n%s", s)
	}
	tm.keys("C-c")
	tm.waitFor("ccewiz to exit", 10*time.Second, func(s string) bool { return strings.Contains(s, "EXIT=0") })
}

// TestE2ETmuxOrchestration walks the orchestration flow in the real
// binary's TUI against the lab, at 120×40, from the first step to the
// integration report, and checks every step is recorded as done: the
// flow's work (certificates, keys on the Windows node, inventory.conf)
// done from the wizard as `apply` does it.
func TestE2ETmuxOrchestration(t *testing.T) {
	tm := newTmux(t)
	answers := startLab(t)
	f, err := steps.FlowByID("orchestration")
	if err != nil {
		t.Fatal(err)
	}
	tm.start("wizard", "--flow", "orchestration", "--answers", answers, "--no-color")
	tm.waitFor("the first step", 10*time.Second, func(s string) bool {
		return strings.Contains(s, fmt.Sprintf("Step 1 of %d", len(f.Steps))) && strings.Contains(s, "Prerequisites")
	})
	s := walk(t, tm, nil)
	if !strings.Contains(s, "Integration report") {
		t.Fatalf("no report at the end:\n%s", s)
	}
	tm.keys("C-c")
	if s := tm.screen(); strings.Contains(s, "Quit ccewiz?") {
		tm.keys("s")
	}
	tm.waitFor("ccewiz to exit", 10*time.Second, func(s string) bool { return strings.Contains(s, "EXIT=") })
	a, err := steps.LoadAnswers(answers)
	if err != nil {
		t.Fatal(err)
	}
	prog, _ := a.State("orchestration")
	for _, st := range f.Steps {
		if !prog.IsDone(st.ID()) {
			t.Errorf("step %s is not done after the walk", st.ID())
		}
	}
	keys := filepath.Join(filepath.Dir(answers), "windows", "rgr1a.example.com", "ProgramData", "ssh", "administrators_authorized_keys")
	if b, err := os.ReadFile(keys); err != nil || strings.Count(string(b), "root@localhost") != 2 {
		t.Errorf("the Windows node's key file after the walk: %q, %v", b, err)
	}
}
