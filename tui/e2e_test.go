package tui

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"ccewiz/steps"
	"ccewiz/testpeer"
)

// binary is ccewiz built once by TestMain for the end-to-end tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ccewiz-tui-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "ccewiz")
	if runtime.GOOS == "windows" {
		binary += ".exe"
	}
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Dir = ".." // the module root: package main
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build ccewiz for the end-to-end test: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// tmuxTerm is one ccewiz run in a detached tmux session on a private tmux
// server (-L), so the test never touches the user's own tmux.
type tmuxTerm struct {
	t      *testing.T
	socket string
	n      int    // sessions started
	target string // the current session
}

func newTmux(t *testing.T) *tmuxTerm {
	t.Helper()
	testpeer.Need(t, "tmux")
	tm := &tmuxTerm{t: t, socket: fmt.Sprintf("ccewiz-e2e-%d-%d", os.Getpid(), time.Now().UnixNano())}
	t.Cleanup(func() { exec.Command("tmux", "-L", tm.socket, "kill-server").Run() })
	return tm
}

func (tm *tmuxTerm) tmux(args ...string) string {
	tm.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", tm.socket}, args...)...).CombinedOutput()
	if err != nil {
		tm.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// start runs ccewiz at 120×40; the shell prints its exit code and keeps
// the pane so the test can read what ccewiz printed last.
func (tm *tmuxTerm) start(args ...string) {
	tm.t.Helper()
	prev := tm.target
	tm.n++
	tm.target = fmt.Sprintf("w%d", tm.n)
	cmd := shellQuote(binary) + " " + strings.Join(quoteAll(args), " ") + "; echo EXIT=$?; sleep 600"
	tm.tmux("new-session", "-d", "-x", "120", "-y", "40", "-s", tm.target, cmd)
	if prev != "" {
		// Only now: killing the last session first would stop the tmux server under the new one.
		tm.tmux("kill-session", "-t", prev)
	}
}

func (tm *tmuxTerm) screen() string { return tm.tmux("capture-pane", "-p", "-t", tm.target) }

func (tm *tmuxTerm) keys(k ...string) {
	tm.tmux(append([]string{"send-keys", "-t", tm.target}, k...)...)
}

func (tm *tmuxTerm) literal(s string) { tm.tmux("send-keys", "-t", tm.target, "-l", s) }

// waitFor polls the screen until cond holds.
func (tm *tmuxTerm) waitFor(what string, d time.Duration, cond func(string) bool) string {
	tm.t.Helper()
	var s string
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if s = tm.screen(); cond(s) {
			return s
		}
	}
	tm.t.Fatalf("waiting for %s: screen is\n%s", what, s)
	return ""
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = shellQuote(s)
	}
	return out
}

// startLab runs `ccewiz lab --no-tui` — a real HTTPS "ECE web server", an
// LDAP/LDAPS "domain controller", spog_config.js and an ADS cacerts on
// loopback — and returns its answers file. It is stopped when the test ends.
func startLab(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "lab")
	cmd := exec.Command(binary, "lab", "--no-tui", "--dir", dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stopProcess(cmd)
		cmd.Wait()
	})
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if p, ok := strings.CutPrefix(sc.Text(), "ready "); ok {
				ready <- p
			}
		}
		close(ready)
	}()
	select {
	case p, ok := <-ready:
		if !ok {
			t.Fatalf("ccewiz lab ended before it was ready:\n%s", stderr.String())
		}
		return p
	case <-time.After(60 * time.Second):
		t.Fatalf("ccewiz lab not ready after 60s:\n%s", stderr.String())
	}
	return ""
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
			tm.keys("C-n")
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

// TestE2ETmux runs the real binary and the real steps.Flow() in tmux
// against the lab: two steps, quit, resume at the third, walk to the
// report, quit, and start once more.
func TestE2ETmux(t *testing.T) {
	tm := newTmux(t)
	answers := startLab(t)
	flow := steps.Flow()
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
	if a.Progress.Current != flow[min(2, len(flow)-1)].ID() {
		t.Fatalf("progress.current = %q after two steps, want %q", a.Progress.Current, flow[2].ID())
	}

	// Session 2: resumes at the third step with the first two done.
	tm.start(args...)
	s = tm.waitFor("the resumed step", 10*time.Second, func(s string) bool { return strings.Contains(s, third) })
	for i := 0; i < 2; i++ {
		title := []rune(flow[i].Title())
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

// stopProcess asks the lab to stop (it cleans up on an interrupt) and kills
// it if it has not ended within five seconds.
func stopProcess(cmd *exec.Cmd) {
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		cmd.Process.Kill() // Windows has no interrupt for other processes
		return
	}
	time.AfterFunc(5*time.Second, func() { cmd.Process.Kill() })
}
