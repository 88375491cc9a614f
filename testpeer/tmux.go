package testpeer

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Tmux is a private tmux server (its own socket, -L) for driving ccewiz in
// a real terminal, so a test never touches the user's own tmux. It is
// killed when the test ends.
type Tmux struct {
	t      testing.TB
	socket string
	// Join joins wrapped lines in captures (capture-pane -J), so a long
	// path the pane wrapped still matches.
	Join bool
}

// NewTmux prepares a private tmux server; Start opens its sessions. It skips the test
// without tmux (see Need).
func NewTmux(t testing.TB) *Tmux {
	t.Helper()
	Need(t, "tmux")
	tm := &Tmux{t: t, socket: fmt.Sprintf("ccewiz-test-%d-%d", os.Getpid(), time.Now().UnixNano())}
	t.Cleanup(func() { exec.Command("tmux", "-L", tm.socket, "kill-server").Run() })
	return tm
}

// Run runs a tmux command on the private server and returns its output.
func (tm *Tmux) Run(args ...string) string {
	tm.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", tm.socket}, args...)...).CombinedOutput()
	if err != nil {
		tm.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// Start opens a detached 120×40 session named name running the shell
// command line (see ShellQuote). End it with "; sleep N" to keep the pane,
// and with it the program's last words, readable after the program exits.
func (tm *Tmux) Start(name, command string) {
	tm.t.Helper()
	tm.Run("new-session", "-d", "-s", name, "-x", "120", "-y", "40", command)
}

// Capture returns what the pane of session name shows.
func (tm *Tmux) Capture(name string) string {
	tm.t.Helper()
	args := []string{"capture-pane", "-p", "-t", name}
	if tm.Join {
		args = append(args, "-J")
	}
	return tm.Run(args...)
}

// Keys sends keys (tmux key names, or text after "-l") to session name.
func (tm *Tmux) Keys(name string, keys ...string) {
	tm.t.Helper()
	tm.Run(append([]string{"send-keys", "-t", name}, keys...)...)
}

// WaitFor polls the pane of session name until cond holds and returns the
// screen; after within it fails the test, naming what it waited for.
func (tm *Tmux) WaitFor(name, what string, within time.Duration, cond func(screen string) bool) string {
	tm.t.Helper()
	var s string
	for end := time.Now().Add(within); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if s = tm.Capture(name); cond(s) {
			return s
		}
	}
	tm.t.Fatalf("pane %s: waiting for %s, nothing within %s; last screen:\n%s", name, what, within, s)
	return ""
}

// WaitForText waits until the pane of session name shows want.
func (tm *Tmux) WaitForText(name, want string, within time.Duration) string {
	tm.t.Helper()
	return tm.WaitFor(name, fmt.Sprintf("%q", want), within, func(s string) bool { return strings.Contains(s, want) })
}

// ShellQuote quotes each argument for a POSIX shell and joins them with
// spaces: a command line for Start.
func ShellQuote(args ...string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(q, " ")
}
