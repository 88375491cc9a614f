package tui

import (
	"fmt"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// keyMap holds every binding; the help line shows the ones that apply to
// the screen on display. Control keys are used for the wizard's own moves so
// that every printable key can be typed into a field.
type keyMap struct {
	Next, Back, Jump, Save, Quit, Details key.Binding
	Plan, Help                            key.Binding
	Field, PrevField, Choose              key.Binding
	Continue, Confirm, Cancel, Tick       key.Binding
	Scroll, Rerun                         key.Binding
	Yes, No, SaveQuit                     key.Binding
}

func newKeyMap() keyMap {
	return keyMap{
		Next: key.NewBinding(key.WithKeys("ctrl+n"), key.WithHelp("ctrl+n", "next step")),
		Back: key.NewBinding(key.WithKeys("ctrl+p"), key.WithHelp("ctrl+p", "back")),
		// From any field: what enter does on the last one. ctrl+o is free in
		// every terminal, tmux and Windows Terminal alike.
		Plan: key.NewBinding(key.WithKeys("ctrl+o"), key.WithHelp("ctrl+o", "review the plan")),
		// f1 everywhere; ? too where no text field would take it (helpKey).
		Help:      key.NewBinding(key.WithKeys("f1"), key.WithHelp("f1", "all keys")),
		Jump:      key.NewBinding(key.WithKeys("ctrl+g"), key.WithHelp("ctrl+g", "jump to step")),
		Save:      key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "save")),
		Quit:      key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		Details:   key.NewBinding(key.WithKeys("ctrl+t"), key.WithHelp("ctrl+t", "details")),
		Field:     key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab/↓", "next field")),
		PrevField: key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab/↑", "previous field")),
		Choose:    key.NewBinding(key.WithKeys("left", "right"), key.WithHelp("←/→", "choose")),
		Continue:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "next")),
		Confirm:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "confirm")),
		Cancel:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		Tick:      key.NewBinding(key.WithKeys(" "), key.WithHelp("space", "tick manual item")),
		Scroll:    key.NewBinding(key.WithKeys("up", "down", "pgup", "pgdown"), key.WithHelp("↑/↓", "scroll")),
		Rerun:     key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "run checks again")),
		Yes:       key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "quit without saving")),
		No:        key.NewBinding(key.WithKeys("n", "N", "esc"), key.WithHelp("n/esc", "stay")),
		SaveQuit:  key.NewBinding(key.WithKeys("s", "S"), key.WithHelp("s", "save and quit")),
	}
}

// helpKeys adapts a list of bindings to help.KeyMap.
type helpKeys []key.Binding

func (h helpKeys) ShortHelp() []key.Binding  { return h }
func (h helpKeys) FullHelp() [][]key.Binding { return [][]key.Binding{h} }

var _ help.KeyMap = helpKeys(nil)

// bindings returns the keys that do something on the current screen, the
// most useful first: help.Model drops the tail when the line is too narrow.
func (m *Model) bindings() helpKeys {
	k := m.keys
	switch {
	case m.quitting:
		return helpKeys{k.Yes, k.SaveQuit, k.No}
	case m.jumping:
		return helpKeys{withHelp(k.Scroll, "↑/↓", "choose step"), withHelp(k.Continue, "enter", "go"), withHelp(k.Cancel, "esc", "stay")}
	}
	switch m.mode {
	case modeRunning:
		if m.asking != nil {
			return helpKeys{withHelp(k.Continue, "enter", "use it"), withHelp(k.Cancel, "esc", "do not give it"), k.Quit}
		}
		return helpKeys{k.Cancel, k.Quit}
	case modePlan:
		if m.plan != nil && len(m.plan.Blocked) > 0 {
			return helpKeys{withHelp(k.Cancel, "esc", "back to form"), k.Scroll, withHelp(k.Jump, "ctrl+g", "jump to a step"), k.Quit}
		}
		return helpKeys{withHelp(k.Confirm, "enter", "apply"), withHelp(k.Cancel, "esc", "back to form"), k.Scroll, withHelp(k.Details, "ctrl+t", "full diff"),
			withHelp(k.Next, "ctrl+n/p", "next/back step"), k.Quit}
	case modeResults:
		return helpKeys{withHelp(k.Continue, "enter", "next step"), withHelp(k.Tick, "space", "tick"), withHelp(k.Scroll, "↑/↓", "select"), withHelp(k.Details, "ctrl+t", "fix/details"),
			withHelp(k.Rerun, "ctrl+r", "re-run"), withHelp(k.Cancel, "esc", "form"), withHelp(k.Jump, "ctrl+g", "jump"), k.Save, k.Quit}
	case modeFailed:
		return helpKeys{withHelp(k.Continue, "enter", "try again"), withHelp(k.Cancel, "esc", "back to form"), withHelp(k.Next, "ctrl+n", "skip step"), k.Jump, k.Quit}
	case modeReport:
		return helpKeys{k.Scroll, withHelp(k.Rerun, "ctrl+r", "re-run checks"), withHelp(k.Back, "ctrl+p", "back"), withHelp(k.Jump, "ctrl+g", "jump"), k.Quit}
	}
	return helpKeys{k.Continue, k.Plan, withHelp(k.Field, "tab/↑↓", "field"), k.Choose, withHelp(k.Next, "ctrl+n/p", "next/back step"),
		withHelp(k.Jump, "ctrl+g", "jump"), k.Save, k.Details, k.Quit}
}

func withHelp(b key.Binding, keys, desc string) key.Binding {
	b.SetHelp(keys, desc)
	return b
}

func newHelp(st styles) help.Model {
	h := help.New()
	h.Styles = help.Styles{
		Ellipsis:       st.dim.Style,
		ShortKey:       st.bold.Style,
		ShortDesc:      st.dim.Style,
		ShortSeparator: st.dim.Style,
		FullKey:        st.bold.Style,
		FullDesc:       st.dim.Style,
		FullSeparator:  st.dim.Style,
	}
	return h
}

// helpKey reports whether msg opens or closes the full help: f1 anywhere,
// ? where it cannot be meant as text (no text field or confirmation has
// the focus).
func (m *Model) helpKey(msg tea.KeyMsg) bool {
	if key.Matches(msg, m.keys.Help) {
		return true
	}
	if msg.String() != "?" || m.asking != nil {
		return false
	}
	switch m.mode {
	case modeForm:
		f := m.form()
		return len(f.inputs) == 0 || !f.inputs[f.focus].usesText()
	case modePlan:
		return m.plan == nil || m.plan.Irreversible == nil || len(m.plan.Blocked) > 0
	case modeRunning:
		return false
	}
	return true
}

// fullHelpLines lists every key of the screen with what it does.
func (m *Model) fullHelpLines(w int) []string {
	lines := []string{m.st.bold.Render("Keys on this screen"), ""}
	for _, b := range append(m.bindings(), m.keys.Help) {
		h := b.Help()
		lines = append(lines, fmt.Sprintf("  %-12s %s", h.Key, h.Desc))
	}
	return append(lines, "", m.st.dim.Render("f1 or ? closes this, esc too"))
}
