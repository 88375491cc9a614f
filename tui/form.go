package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"ccewiz/secret"
	"ccewiz/steps"
)

// form is one step's fields as inputs. Typed values stay here until the
// admin moves on (or saves): only then are they validated and Set into the
// answers, so leaving with Ctrl+C can ask before discarding them.
//
// Why not charmbracelet/huh, the ecosystem's form library: the steps' one
// field model (steps.Field) shows and hides fields one by one from what is
// being typed — an ES level only for 12.5(1), a proxy's host only for a
// proxy, a disk size only while Cloud Connect is upgraded — and huh hides
// whole groups only, not fields (charmbracelet/huh discussion #589: "Forms
// with conditional field visibility are not currently supported"). One
// group per field would make every field a page of its own. Plain mode
// (accessible.go) reads the same steps.Field values with the same
// Visible/Default/Validate/Set, which is what huh's RunAccessible would
// have given.
type form struct {
	env    *steps.Env
	st     styles
	inputs []*input
	focus  int // index into inputs; always a visible one
	// scratch is the answers with this form's values applied: Visible,
	// Validate and Default see what the admin is typing, not what was saved.
	scratch *steps.Answers
	tried   bool // the admin tried to continue: show every error
	// notes are what committing the passwords had to say (a source set, a
	// typed password that a later check will not use); the caller shows them.
	notes []string
}

type input struct {
	f       steps.Field
	ti      textinput.Model // Text, Int, List, SecretField
	choice  int             // Choice: index into f.Options, -1 = none yet
	on      bool            // Bool
	initial string
	touched bool // left at least once: its messages show
	edited  bool // typed into: a default no longer replaces it
	err     string
	visible bool
}

func newForm(fields []steps.Field, env *steps.Env, st styles) *form {
	fm := &form{env: env, st: st}
	a := env.Answers
	for _, f := range fields {
		in := &input{f: f, choice: -1, visible: true}
		v := shownValue(f, a)
		switch f.Kind {
		case steps.Choice:
			in.choice = indexFold(f.Options, v)
		case steps.Bool:
			in.on = v == "true"
		default:
			in.ti = newInput(st)
			in.ti.CharLimit = 1024
			if f.Kind == steps.SecretField {
				in.ti.EchoMode = textinput.EchoPassword
				in.ti.EchoCharacter = '•'
				in.ti.Placeholder = steps.SecretSource(env, f)
				v = ""
			}
			in.ti.SetValue(v)
		}
		in.initial = in.value()
		fm.inputs = append(fm.inputs, in)
	}
	fm.refresh()
	fm.focus = fm.firstVisible()
	return fm
}

// shownValue is what a field starts with: the current answer, else its
// default — except for a password field, whose "value" is its Ref and
// which has no default.
func shownValue(f steps.Field, a *steps.Answers) string {
	v := ""
	if f.Get != nil {
		v = f.Get(a)
	}
	if v == "" && f.Default != nil && f.Kind != steps.SecretField {
		v = f.Default(a)
	}
	return v
}

func indexFold(opts []string, v string) int {
	for i, o := range opts {
		if strings.EqualFold(o, strings.TrimSpace(v)) {
			return i
		}
	}
	return -1
}

func (in *input) value() string {
	switch in.f.Kind {
	case steps.Choice:
		if in.choice < 0 || in.choice >= len(in.f.Options) {
			return ""
		}
		return in.f.Options[in.choice]
	case steps.Bool:
		if in.on {
			return "true"
		}
		return "false"
	}
	return in.ti.Value()
}

func (in *input) usesText() bool {
	return in.f.Kind != steps.Choice && in.f.Kind != steps.Bool
}

// changed reports input not yet in the answers.
func (fm *form) changed() bool {
	for _, in := range fm.inputs {
		if in.value() != in.initial {
			return true
		}
	}
	return false
}

// refresh rebuilds the scratch answers from the inputs and re-evaluates
// visibility, untouched defaults and the messages of touched fields. It is
// pure computation over the fields' own funcs: no I/O.
func (fm *form) refresh() {
	fm.scratch = fm.env.Answers.Overlay()
	setErrs := make([]error, len(fm.inputs))
	for i, in := range fm.inputs {
		if in.f.Kind == steps.SecretField || in.f.Set == nil {
			continue
		}
		setErrs[i] = in.f.Set(fm.scratch, in.value())
	}
	for i, in := range fm.inputs {
		in.visible = in.f.Visible == nil || in.f.Visible(fm.scratch)
		if in.usesText() && !in.touched && !in.edited && in.ti.Value() == "" && in.f.Default != nil && in.f.Kind != steps.SecretField {
			if d := in.f.Default(fm.scratch); d != "" {
				in.ti.SetValue(d)
				if in.f.Set != nil {
					setErrs[i] = in.f.Set(fm.scratch, d)
				}
			}
		}
		in.err = ""
		if in.f.Kind == steps.SecretField && in.visible && (in.touched || fm.tried) {
			// A typed source must parse; a password itself is never checked here.
			if v := strings.TrimSpace(in.ti.Value()); strings.HasPrefix(v, "env:") || strings.HasPrefix(v, "file:") {
				if _, err := secret.ParseRef(v); err != nil {
					in.err = err.Error()
				}
			}
			continue
		}
		if !in.visible || !(in.touched || fm.tried) {
			continue
		}
		if in.f.Validate != nil {
			if err := in.f.Validate(fm.scratch, in.value()); err != nil {
				in.err = err.Error()
				continue
			}
		}
		if setErrs[i] != nil {
			in.err = setErrs[i].Error()
		}
	}
	if fm.focus < len(fm.inputs) && !fm.inputs[fm.focus].visible {
		fm.focus = fm.nextVisible(fm.focus, 1)
	}
}

func (fm *form) firstVisible() int {
	for i, in := range fm.inputs {
		if in.visible {
			return i
		}
	}
	return 0
}

func (fm *form) lastVisible() int {
	for i := len(fm.inputs) - 1; i >= 0; i-- {
		if fm.inputs[i].visible {
			return i
		}
	}
	return 0
}

// nextVisible steps from i in direction d to a visible input, staying put at the ends.
func (fm *form) nextVisible(i, d int) int {
	for j := i + d; j >= 0 && j < len(fm.inputs); j += d {
		if fm.inputs[j].visible {
			return j
		}
	}
	return i
}

func (fm *form) focused() *input {
	if fm.focus < 0 || fm.focus >= len(fm.inputs) {
		return nil
	}
	return fm.inputs[fm.focus]
}

// focusInputs puts the cursor in the focused text input and takes it out of the others.
func (fm *form) focusInputs() {
	for i, in := range fm.inputs {
		if in.usesText() {
			if i == fm.focus {
				in.ti.Focus()
			} else {
				in.ti.Blur()
			}
		}
	}
}

// move focuses the next (d=1) or previous (d=-1) visible input; it returns
// false at the end of the form.
func (fm *form) move(d int) bool {
	if in := fm.focused(); in != nil {
		in.touched = true
	}
	fm.refresh()
	n := fm.nextVisible(fm.focus, d)
	if n == fm.focus {
		return false
	}
	fm.focus = n
	fm.focusInputs()
	return true
}

// update handles a key inside the form; it returns whether the key was used.
func (fm *form) update(msg tea.KeyMsg, k keyMap) (bool, tea.Cmd) {
	in := fm.focused()
	if in == nil {
		return false, nil
	}
	switch in.f.Kind {
	case steps.Choice:
		n := len(in.f.Options)
		if n == 0 {
			return false, nil
		}
		switch msg.String() {
		case "left":
			in.choice = (in.choice - 1 + n) % n
		case "right", " ":
			in.choice = (in.choice + 1) % n
		default:
			// Typing the start of an option picks it (1 picks 12.0(1), 4 picks 4000).
			if msg.Type == tea.KeyRunes {
				s := string(msg.Runes)
				for i := 1; i <= n; i++ {
					j := (in.choice + i + n) % n
					if strings.HasPrefix(strings.ToLower(in.f.Options[j]), strings.ToLower(s)) {
						in.choice = j
						break
					}
				}
				break
			}
			return false, nil
		}
		in.touched = true
		fm.refresh()
		return true, nil
	case steps.Bool:
		switch msg.String() {
		case "left", "right", " ":
			in.on = !in.on
		case "y", "Y":
			in.on = true
		case "n", "N":
			in.on = false
		default:
			return false, nil
		}
		in.touched = true
		fm.refresh()
		return true, nil
	}
	if key.Matches(msg, k.Field, k.PrevField, k.Continue, k.Cancel) || msg.Type == tea.KeyCtrlC {
		return false, nil
	}
	old := in.ti.Value()
	var cmd tea.Cmd
	in.ti, cmd = in.ti.Update(msg)
	if in.ti.Value() != old {
		// Re-validate the typed field only when it stops being edited;
		// clearing a stale message at once keeps it honest meanwhile.
		in.err = ""
		in.touched = false
		in.edited = true
		if in.f.Kind != steps.SecretField && in.f.Set != nil {
			_ = in.f.Set(fm.scratch, in.ti.Value())
		}
	}
	return true, cmd
}

// commit validates every visible field and, when all are valid, Sets them
// into the answers and keeps typed passwords in Env.Secrets (never the
// answers). It returns the number of fields with errors.
func (fm *form) commit() int {
	fm.tried = true
	fm.refresh()
	bad := 0
	first := -1
	for i, in := range fm.inputs {
		if in.visible && in.err != "" {
			bad++
			if first < 0 {
				first = i
			}
		}
	}
	if bad > 0 {
		fm.focus = first
		fm.focusInputs()
		return bad
	}
	fm.apply(func(*input) bool { return true })
	return 0
}

// saveValid Sets the fields that are valid now (Ctrl+S mid-form) and
// returns the labels of those left out.
func (fm *form) saveValid() []string {
	fm.refresh()
	var left []string
	fm.apply(func(in *input) bool {
		if !in.visible {
			return false
		}
		if in.f.Validate != nil {
			if err := in.f.Validate(fm.scratch, in.value()); err != nil {
				left = append(left, in.f.Label)
				return false
			}
		}
		return true
	})
	return left
}

func (fm *form) apply(ok func(*input) bool) {
	a := fm.env.Answers
	for _, in := range fm.inputs {
		if !in.visible || !ok(in) {
			continue
		}
		v := in.value()
		if in.f.Kind == steps.SecretField {
			if v != "" {
				// One rule for every UI: env:/file: is a source, else the password.
				if note, err := steps.EnterSecret(fm.env, in.f, v); err != nil {
					in.err = err.Error()
					continue
				} else if note != "" {
					fm.notes = append(fm.notes, note)
				}
				in.ti.SetValue("")
				in.ti.Placeholder = steps.SecretSource(fm.env, in.f)
			}
			in.initial = ""
			continue
		}
		if in.f.Set == nil || in.f.Set(a, v) != nil {
			continue
		}
		in.initial = v
	}
	fm.refresh()
}

// view renders the form as lines and returns the index of the focused line,
// so the caller can scroll it into view.
// keep: the caller is laying out (Model.layout), so the focused input may
// keep the width it is drawn at; View draws with keep false.
func (fm *form) view(width int, details, keep bool) ([]string, int) {
	st := fm.st
	labelW := 0
	for _, in := range fm.inputs {
		if in.visible {
			labelW = max(labelW, ansi.StringWidth(in.f.Label))
		}
	}
	labelW = min(labelW, max(12, width-26))
	valueW := max(8, width-labelW-4)
	var lines []string
	focusLine, cut := 0, false
	for i, in := range fm.inputs {
		if !in.visible {
			continue
		}
		focused := i == fm.focus
		fits := ansi.StringWidth(in.f.Label) <= labelW && (!in.usesText() || focused || ansi.StringWidth(fm.plainValue(in)) <= valueW)
		if details && !fits {
			// ctrl+t: a label or value too long for its column, whole, on lines of its own.
			lines = append(lines, indentLines(wrap(in.f.Label+":", width-2), "  ")...)
			lines = append(lines, indentLines(wrap(fm.plainValue(in), width-6), "      ")...)
		} else {
			cut = cut || !fits
			mark := "  "
			label := ansi.Truncate(in.f.Label, labelW, "…")
			label += strings.Repeat(" ", labelW-ansi.StringWidth(label))
			if focused {
				mark = "▸ "
				label = st.focus.Render(label)
				focusLine = len(lines)
			}
			lines = append(lines, mark+label+"  "+fm.valueView(in, focused, valueW, keep))
			if focused && in.usesText() && in.f.Kind != steps.SecretField && ansi.StringWidth(in.ti.Value()) > valueW-1 {
				// The input shows a window of a long value; here it is whole.
				lines = append(lines, indentLines(wrap("= "+in.ti.Value(), width-4), "    ")...)
			}
		}
		if in.err != "" {
			for _, l := range wrap("✗ "+in.err, width-4) {
				lines = append(lines, "    "+st.fail.Render(l))
			}
		}
		if (focused || details) && in.f.Help != "" {
			for _, l := range wrap(in.f.Help, width-4) {
				lines = append(lines, "    "+st.dim.Render(l))
			}
		}
		if (focused || details) && in.f.Kind == steps.SecretField {
			// The input shows it cut to its width; here it is whole.
			for _, l := range wrap("password: "+steps.SecretSource(fm.env, in.f), width-4) {
				lines = append(lines, "    "+st.dim.Render(l))
			}
		}
	}
	if cut {
		lines = append(lines, "", st.dim.Render("… marks a value cut to fit: ctrl+t shows it whole"))
	}
	return lines, focusLine
}

// plainValue is what an unfocused text field shows, unstyled: its value
// (a password as dots), or its placeholder when empty.
func (fm *form) plainValue(in *input) string {
	v := in.ti.Value()
	switch {
	case v == "":
		return in.ti.Placeholder
	case in.f.Kind == steps.SecretField:
		return strings.Repeat("•", len([]rune(v)))
	}
	return v
}

func (fm *form) valueView(in *input, focused bool, w int, keep bool) string {
	st := fm.st
	switch in.f.Kind {
	case steps.Choice:
		v := in.value()
		if v == "" {
			v = "(choose)"
		}
		if focused {
			pos := fmt.Sprintf("  %d of %d", in.choice+1, len(in.f.Options))
			if in.choice < 0 {
				pos = fmt.Sprintf("  %d options: ←/→ or type", len(in.f.Options))
			}
			return st.focus.Render("‹ "+v+" ›") + st.dim.Render(pos)
		}
		return v
	case steps.Bool:
		v := "[ ] no"
		if in.on {
			v = "[x] yes"
		}
		if focused {
			return st.focus.Render(v)
		}
		return v
	}
	if !focused {
		// Drawn directly: a text input's View styles every rune, which costs
		// more than the rest of the frame; only the focused one needs a cursor.
		if in.ti.Value() == "" {
			return st.dim.Render(ansi.Truncate(in.ti.Placeholder, w, "…"))
		}
		return ansi.Truncate(fm.plainValue(in), w, "…")
	}
	ti := in.ti
	ti.Width = w - 1
	if keep {
		in.ti.Width = ti.Width // the input scrolls its text by it
	}
	return ti.View()
}

// wrap breaks s into lines of at most w cells, on words where it can. It
// is where text from steps (subjects, server replies, file content) meets
// the screen, so control characters are made inert here (steps.Printable):
// an escape sequence in a certificate subject must not drive the terminal.
func wrap(s string, w int) []string {
	if w < 10 {
		w = 10
	}
	return strings.Split(ansi.Wrap(steps.Printable(s), w, ""), "\n")
}
