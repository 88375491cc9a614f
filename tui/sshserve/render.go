package sshserve

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/ssh"
	"github.com/muesli/termenv"
)

// sessionRenderer is one session's lipgloss renderer: the colour profile of
// the client's TERM (sent with its pty request), writing to the session.
//
// It is wish's bm.MakeRenderer without the terminal query: for an emulated
// pty that one asks the client for its background colour and reads the
// answer from the session with a timeout it cannot enforce, so a terminal
// that does not answer (measured: BenchmarkTimeToFirstFrameSilentTerminal)
// never sees the wizard until a key is pressed — and that key is lost. The
// wizard's styles do not depend on the background, so nothing is lost by
// not asking.
func sessionRenderer(sess ssh.Session) *lipgloss.Renderer {
	pty, _, ok := sess.Pty()
	if !ok || pty.Term == "" || pty.Term == "dumb" {
		return lipgloss.NewRenderer(sess, termenv.WithProfile(termenv.Ascii))
	}
	env := sshEnviron(append(sess.Environ(), "TERM="+pty.Term))
	r := lipgloss.NewRenderer(sess, termenv.WithEnvironment(env), termenv.WithColorCache(true))
	r.SetHasDarkBackground(true)
	return r
}

// sshEnviron is the client's environment as termenv reads it.
type sshEnviron []string

func (e sshEnviron) Environ() []string { return e }

func (e sshEnviron) Getenv(k string) string {
	for i := len(e) - 1; i >= 0; i-- { // the last one wins, as TERM= is appended
		if v, ok := strings.CutPrefix(e[i], k+"="); ok {
			return v
		}
	}
	return ""
}
