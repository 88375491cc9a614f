package tui

import (
	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textinput"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"ccewiz/steps"
)

// styles are made from the session's renderer, so an SSH session gets the
// colours its own terminal supports and NO_COLOR gets none. Meaning never
// rests on colour alone: every state also has a symbol and a word.
type styles struct {
	plain, bold, dim, accent, focus, title sty
	pass, warn, fail, skip, manual         sty
}

// sty is a lipgloss style that skips rendering altogether when the
// terminal gets no escape sequences (NO_COLOR, an Ascii profile): the
// output is the same and a frame costs a fraction.
type sty struct {
	lipgloss.Style
	off bool
}

func (s sty) Render(str string) string {
	if s.off {
		return str
	}
	return s.Style.Render(str)
}

func newStyles(r *lipgloss.Renderer) styles {
	s := r.NewStyle()
	off := r.ColorProfile() == termenv.Ascii
	mk := func(l lipgloss.Style) sty { return sty{l, off} }
	return styles{
		plain:  mk(s),
		bold:   mk(s.Bold(true)),
		dim:    mk(s.Faint(true)),
		accent: mk(s.Foreground(lipgloss.Color("12"))),
		focus:  mk(s.Bold(true).Foreground(lipgloss.Color("12"))),
		title:  mk(s.Bold(true).Foreground(lipgloss.Color("15")).Background(lipgloss.Color("4"))),
		pass:   mk(s.Foreground(lipgloss.Color("2"))),
		warn:   mk(s.Foreground(lipgloss.Color("3"))),
		fail:   mk(s.Foreground(lipgloss.Color("1")).Bold(true)),
		skip:   mk(s.Faint(true)),
		manual: mk(s.Foreground(lipgloss.Color("6"))),
	}
}

func (st styles) status(s steps.Status) sty {
	switch s {
	case steps.Pass:
		return st.pass
	case steps.Warn:
		return st.warn
	case steps.Fail:
		return st.fail
	case steps.Manual:
		return st.manual
	}
	return st.skip
}

// newInput is a text input drawn with the session's styles and a steady
// cursor: a blinking one repaints twice a second, which is noise on a slow
// SSH link and makes screens differ from one capture to the next.
func newInput(st styles) textinput.Model {
	ti := textinput.New()
	ti.Prompt = ""
	ti.TextStyle = st.plain.Style
	ti.PlaceholderStyle = st.dim.Style
	ti.PromptStyle = st.plain.Style
	ti.CompletionStyle = st.dim.Style
	ti.Cursor.Style = st.plain.Style
	ti.Cursor.TextStyle = st.plain.Style
	ti.Cursor.SetMode(cursor.CursorStatic)
	return ti
}
