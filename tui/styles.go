package tui

import (
	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textinput"
	"github.com/charmbracelet/lipgloss"

	"ccewiz/steps"
)

// styles are made from the session's renderer, so an SSH session gets the
// colours its own terminal supports and NO_COLOR gets none. Meaning never
// rests on colour alone: every state also has a symbol and a word.
type styles struct {
	plain, bold, dim, accent, focus, title lipgloss.Style
	pass, warn, fail, skip, manual         lipgloss.Style
}

func newStyles(r *lipgloss.Renderer) styles {
	s := r.NewStyle()
	return styles{
		plain:  s,
		bold:   s.Bold(true),
		dim:    s.Faint(true),
		accent: s.Foreground(lipgloss.Color("12")),
		focus:  s.Bold(true).Foreground(lipgloss.Color("12")),
		title:  s.Bold(true).Foreground(lipgloss.Color("15")).Background(lipgloss.Color("4")),
		pass:   s.Foreground(lipgloss.Color("2")),
		warn:   s.Foreground(lipgloss.Color("3")),
		fail:   s.Foreground(lipgloss.Color("1")).Bold(true),
		skip:   s.Faint(true),
		manual: s.Foreground(lipgloss.Color("6")),
	}
}

func (st styles) status(s steps.Status) lipgloss.Style {
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
	ti.TextStyle = st.plain
	ti.PlaceholderStyle = st.dim
	ti.PromptStyle = st.plain
	ti.CompletionStyle = st.dim
	ti.Cursor.Style = st.plain
	ti.Cursor.TextStyle = st.plain
	ti.Cursor.SetMode(cursor.CursorStatic)
	return ti
}
