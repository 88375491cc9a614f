package tui

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/x/ansi"

	"ccewiz/steps"
)

// Step states in the sidebar: a symbol that reads without colour, and a word.
type stepState int

const (
	notStarted stepState = iota
	inProgress
	stepDone
	attention
	skipped
)

var stateIcon = [...]string{"○", "◐", "●", "!", "–"}

// The words are the engine's (steps.State), so the report says what the sidebar says.
var stateWord = [...]string{string(steps.NotStarted), string(steps.InProgress), string(steps.Done), string(steps.NeedsAttention), string(steps.Skipped)}

func (m *Model) state(i int) stepState {
	id := m.flow[i].ID()
	switch {
	case m.attention[i]:
		return attention
	case m.env.FlowProgress().IsDone(id):
		return stepDone
	case m.needs[i].need == steps.NotNeeded:
		return skipped
	case i == m.cur || m.visited[i]:
		return inProgress
	}
	if f, ok := m.forms[i]; ok && f.changed() {
		return inProgress
	}
	return notStarted
}

// View draws sidebar | main pane, then the help line and the status line,
// exactly m.h lines of at most m.w cells. It changes nothing in the model:
// what drawing measures is kept by layout, after each Update.
func (m *Model) View() string {
	if m.done {
		return ""
	}
	if m.drawn != "" {
		return m.drawn
	}
	return m.frame() // before the first Update
}

// layout draws the frame once with inLayout set, keeping it for View and
// what drawing measures — the scroll limit, the focused input's and the
// confirmation's width, the help line — and clamps the scroll to the body
// (the frame already shows it clamped). A keystroke costs one drawing.
func (m *Model) layout() {
	if m.done {
		return
	}
	m.inLayout, m.scrollMax = true, -1
	m.drawn = m.frame()
	m.inLayout = false
	if m.scrollMax < 0 {
		m.scroll = 0
	} else {
		m.scroll = min(m.scroll, m.scrollMax)
	}
}

func (m *Model) frame() string {
	w, h := max(m.w, 30), max(m.h, 8)
	sideW, mainW := m.paneWidths()
	bodyH := h - 2
	main := m.mainPane(mainW, bodyH)
	var side []string
	if sideW > 0 {
		side = m.sidebar(sideW, bodyH)
	}
	var b strings.Builder
	b.Grow(w * h * 2)
	for i := 0; i < bodyH; i++ {
		if sideW > 0 {
			s := ""
			if i < len(side) {
				s = side[i]
			}
			b.WriteString(pad(s, sideW))
			b.WriteString(m.sep)
		}
		if i < len(main) {
			b.WriteString(ansi.Truncate(main[i], mainW, "…"))
		}
		b.WriteByte('\n')
	}
	b.WriteString(m.helpLine(w))
	b.WriteByte('\n')
	b.WriteString(ansi.Truncate(m.statusLine(), w, "…"))
	return b.String()
}

// stepHead is the top of a step's screen. Nothing in it is cut without a
// way to read it whole: the title wraps, the reason and the intro shorten
// only until ctrl+t.
func (m *Model) stepHead(w, h int) []string {
	st, s := m.st, m.flow[m.cur]
	state := m.state(m.cur)
	var head []string
	for _, l := range wrap(fmt.Sprintf("Step %d of %d · %s", m.cur+1, len(m.flow), s.Title()), w-2) {
		head = append(head, st.title.Render(" "+l+" "))
	}
	head = append(head, st.dim.Render(fmt.Sprintf("%s %s · %s%s", stateIcon[state], stateWord[state], m.needs[m.cur].need, guideRef(s))))
	head = append(head, shorten(wrap(m.needs[m.cur].why, w), 1, w, m.details || h >= 30, st)...)
	return append(head, shorten(wrap(s.Intro(), w), 3, w, m.details || h >= 30, st)...)
}

// page is how far pgup/pgdn scroll: the lines the screen shows of the
// step's body (less the blank line under the head, a footer of up to five
// lines, the two "more lines" markers and one line kept in view), so a
// page down skips nothing.
func (m *Model) page() int {
	_, w := m.paneWidths()
	h := max(m.h, 8) - 2
	if m.mode == modeReport {
		return max(1, h-6)
	}
	return max(1, h-len(m.stepHead(w, h))-9)
}

// shorten keeps the first n lines of a wrapped text, the last one ending in
// "… ctrl+t" when more is hidden; whole keeps it all.
func shorten(lines []string, n, w int, whole bool, st styles) []string {
	if whole || len(lines) <= n {
		return lines
	}
	out := append([]string{}, lines[:n-1]...)
	return append(out, ansi.Truncate(lines[n-1], w-12, "")+st.dim.Render(" … ctrl+t"))
}

// guideRef is " (guide step 4.1)", so the wizard's numbering and the
// vendor guide's can both be followed.
func guideRef(s steps.Step) string {
	if g := steps.GuideStep(s); g != "" {
		return " · guide step " + g
	}
	return ""
}

// paneWidths splits the screen into the sidebar (none when narrow) and the main pane.
func (m *Model) paneWidths() (sideW, mainW int) {
	w := max(m.w, 30)
	switch {
	case w >= 100:
		sideW = 30
	case w >= 60:
		sideW = 24
	}
	if sideW > 0 {
		return sideW, w - sideW - 3
	}
	return 0, w
}

func pad(s string, w int) string {
	sw := ansi.StringWidth(s)
	if sw > w {
		return ansi.Truncate(s, w, "…")
	}
	return s + strings.Repeat(" ", w-sw)
}

func (m *Model) sidebar(w, h int) []string {
	st := m.st
	lines := []string{st.bold.Render("Steps")}
	sel := m.cur
	if m.jumping {
		sel = m.jumpSel
	}
	for i, s := range m.flow {
		state := m.state(i)
		mark := "  "
		if i == sel {
			mark = "› "
			if m.jumping {
				mark = "▸ "
			}
		}
		icon := stateIcon[state]
		switch state {
		case stepDone:
			icon = st.pass.Render(icon)
		case attention:
			icon = st.fail.Render(icon)
		case inProgress:
			icon = st.accent.Render(icon)
		}
		title := ansi.Truncate(fmt.Sprintf("%d %s", i+1, steps.ShortTitle(s)), w-4, "…")
		if i == sel {
			title = st.focus.Render(title)
		} else if state == skipped {
			title = st.dim.Render(title)
		}
		lines = append(lines, mark+icon+" "+title)
	}
	legend := m.legend()
	if len(lines)+len(legend) <= h {
		for len(lines)+len(legend) < h {
			lines = append(lines, "")
		}
		lines = append(lines, legend...)
	}
	return lines
}

func (m *Model) statusLine() string {
	st := m.st
	parts := []string{}
	if m.path != "" {
		parts = append(parts, "answers: "+m.path)
	} else {
		parts = append(parts, "answers: not saved (no file)")
	}
	switch {
	case m.saving:
		parts = append(parts, "saving…")
	case m.unsaved():
		parts = append(parts, st.warn.Render("● unsaved changes"))
	default:
		parts = append(parts, "all saved")
	}
	if m.status != "" {
		if m.statusErr {
			parts = append(parts, st.fail.Render(m.status))
		} else {
			parts = append(parts, m.status)
		}
	}
	return strings.Join(parts, " · ")
}

// mainPane renders the step header and the current screen into h lines.
func (m *Model) mainPane(w, h int) []string {
	if m.quitting {
		return m.quitView(w)
	}
	if m.fullHelp {
		return m.fullHelpLines(w)
	}
	if m.mode == modeReport {
		return m.reportView(w, h)
	}
	head := m.stepHead(w, h)
	head = append(head, "")
	room := max(1, h-len(head))
	var body []string
	switch m.mode {
	case modeForm:
		f := m.drawnForm()
		lines, focus := f.view(w, m.details, m.inLayout)
		if len(f.inputs) == 0 {
			lines = []string{"This step asks nothing. Press enter to see what it would change."}
		}
		body = window(lines, focus, room)
	case modeRunning:
		body = m.runningView(w)
	case modePlan:
		body = m.planView(w, room)
	case modeResults:
		body = m.resultsView(w, room)
	case modeFailed:
		body = m.failedView(w)
	}
	return append(head, body...)
}

// window cuts lines to n, keeping line focus in view with a little context.
func window(lines []string, focus, n int) []string {
	if len(lines) <= n {
		return lines
	}
	start := max(0, focus-n/3)
	start = min(start, len(lines)-n)
	out := append([]string{}, lines[start:start+n]...)
	if start > 0 {
		out[0] = "  ↑ more"
	}
	if start+n < len(lines) {
		out[n-1] = "  ↓ more"
	}
	return out
}

// scrolled cuts lines to n from m.scroll (layout keeps it in range).
func (m *Model) scrolled(lines []string, n int) []string {
	if len(lines) <= n {
		return lines
	}
	// One past the last full page: the "↑ more" marker takes the first
	// line. Never past the last line, though: on a screen with room for one
	// line there must still be one to show.
	last := min(len(lines)-n+1, len(lines)-1)
	if m.inLayout {
		m.scrollMax = last
	}
	start := min(m.scroll, last)
	end := min(len(lines), start+n)
	out := append([]string{}, lines[start:end]...)
	if start > 0 {
		out[0] = m.st.dim.Render(fmt.Sprintf("  ↑ %d more lines", start))
	}
	if end < len(lines) {
		out[len(out)-1] = m.st.dim.Render(fmt.Sprintf("  ↓ %d more lines (↑/↓, pgup/pgdn)", len(lines)-end+1))
	}
	return out
}

func (m *Model) runningView(w int) []string {
	r := m.run
	if r == nil {
		return nil
	}
	lines := []string{m.spin.View() + " " + r.what + "…"}
	if stage := r.stage.get(); stage != "" {
		for _, l := range wrap(stage, w-4) {
			lines = append(lines, "  "+m.st.dim.Render(l))
		}
	}
	if m.asking != nil {
		lines = append(lines, "", m.st.bold.Render(m.asking.label+":"), "  "+m.secretIn.View(),
			m.st.dim.Render("enter: use it for this session only (never saved) · esc: do not give it"))
		return lines
	}
	lines = append(lines, "", m.st.dim.Render("esc cancels"))
	return lines
}

func (m *Model) quitView(w int) []string {
	st := m.st
	var names []string
	for i, s := range m.flow { // in flow order: m.forms is a map
		if f, ok := m.forms[i]; ok && f.changed() {
			names = append(names, s.Title())
		}
	}
	lines := []string{st.bold.Render("Quit ccewiz?"), ""}
	if len(names) > 0 {
		lines = append(lines, wrap("You typed answers that are not saved yet in: "+strings.Join(names, ", ")+".", w)...)
	} else {
		lines = append(lines, "Some answers are not saved to the answers file yet.")
	}
	lines = append(lines, "",
		"  y  quit and discard them",
		"  s  save what is valid, then quit",
		"  n  stay (esc too)")
	return lines
}

func (m *Model) failedView(w int) []string {
	st := m.st
	what := "Working out the plan failed"
	if m.failAct == actApply {
		what = "Applying the change failed"
	}
	lines := []string{st.fail.Render("✗ " + what), ""}
	for _, l := range wrap(m.failure.Error(), w-2) {
		lines = append(lines, "  "+l)
	}
	if m.outcome != nil && len(m.outcome.Written) > 0 {
		lines = append(lines, "", "Files written before the failure:")
		lines = append(lines, writtenLines(m.outcome.Written, w)...)
	}
	lines = append(lines, "", st.dim.Render("enter: try again · esc: back to the form to change an answer"))
	return lines
}

// writtenLines lists the files an Apply wrote, each wrapped to w (0: one
// line each, for plain mode, which wraps for itself): a backup's name is
// the admin's way back and must be readable whole.
func writtenLines(ws []steps.Written, w int) []string {
	var out []string
	for _, wr := range ws {
		l := "wrote " + wr.Path + " (new file)"
		if wr.Backup != "" {
			l = "wrote " + wr.Path + " (previous version: " + filepath.Base(wr.Backup) + ")"
		}
		if w <= 0 {
			out = append(out, "  "+l)
			continue
		}
		out = append(out, indentLines(wrap(l, w-4), "  ")...)
	}
	return out
}

func (m *Model) planView(w, h int) []string {
	st, p := m.st, m.plan
	lines := planLines(p, w, m.details, st)
	var foot []string
	if irr := p.Irreversible; irr != nil && len(p.Blocked) > 0 {
		foot = append(foot, "", st.fail.Render("IRREVERSIBLE — NOT YET"))
		foot = append(foot, wrap(fmt.Sprintf("This step cannot be undone, so it waits for the %d earlier item(s) under \"Not yet\" above. Press esc, fix them, and come back.", len(p.Blocked)), w)...)
	} else if irr != nil {
		foot = append(foot, "", st.fail.Render("IRREVERSIBLE"))
		foot = append(foot, wrap(irr.What, w)...)
		prompt := fmt.Sprintf("Type %s to confirm: ", st.bold.Render(irr.Confirm))
		c := m.confirm
		c.Width = max(10, w-ansi.StringWidth(prompt)-1)
		if m.inLayout {
			m.confirm.Width = c.Width // the input scrolls its text by it
		}
		foot = append(foot, prompt+c.View())
	} else {
		foot = append(foot, "", st.bold.Render("Press enter to apply this plan, esc to go back."))
	}
	body := m.scrolled(lines, max(1, h-len(foot)))
	return append(body, foot...)
}

// planLines renders a plan: files with their diffs (secret content only
// described), backups, keystore entries, commands for other machines and
// values to type into GUIs. The line-prompt mode prints the same lines.
func planLines(p *steps.Plan, w int, details bool, st styles) []string {
	var lines []string
	if p.Summary != "" {
		lines = append(lines, wrap(p.Summary, w)...)
	}
	section := func(t string) { lines = append(lines, "", st.bold.Render(t)) }
	// First: while it is not empty, nothing below can be confirmed.
	if len(p.Blocked) > 0 {
		section("Not yet: this step waits for")
		for _, b := range p.Blocked {
			lines = append(lines, indentLines(wrap(st.fail.Render("✗")+" "+b.Title+" ("+b.Step+"): "+b.Why, w-4), "  ")...)
			if b.Fix != "" {
				lines = append(lines, indentLines(wrap("fix: "+b.Fix, w-6), "      ")...)
			}
		}
	}
	if len(p.Files) > 0 {
		section("Files")
		for _, f := range p.Files {
			lines = append(lines, fmt.Sprintf("  %-9s %s", f.Action, f.Path))
			if f.Why != "" {
				lines = append(lines, indentLines(wrap(f.Why, w-6), "      ")...)
			}
			switch {
			case f.Sensitive:
				// Not even its size: it would tell a password's length.
				lines = append(lines, st.dim.Render("      secret content, not shown"))
			case f.Diff != "":
				diff := strings.Split(strings.TrimRight(f.Diff, "\n"), "\n")
				if !details && len(diff) > 12 {
					diff = append(diff[:12:12], fmt.Sprintf("… %d more diff lines (ctrl+t)", len(diff)-12))
				}
				for _, d := range diff {
					for _, part := range long(d, w-6, details) {
						lines = append(lines, "      "+diffLine(st, part))
					}
				}
			}
		}
		var backups []string
		for _, f := range p.Files {
			if f.Backup && f.Action == steps.Modify {
				backups = append(backups, indentLines(wrap(f.Path+" → "+filepath.Base(f.Path)+".ccewiz-YYYYMMDD-HHMMSS.bak", w-4), "  ")...)
			}
		}
		if len(backups) > 0 {
			section("Backups made first")
			lines = append(lines, backups...)
		}
	}
	if len(p.Remote) > 0 {
		section("Changes through a server's API")
		for _, r := range p.Remote {
			lines = append(lines, indentLines(wrap(fmt.Sprintf("%-9s %s in %s", r.Action, r.What, r.Target), w-2), "  ")...)
			for _, d := range strings.Split(strings.TrimRight(r.Diff, "\n"), "\n") {
				if d != "" {
					lines = append(lines, indentLines(wrap(diffLine(st, d), w-6), "      ")...)
				}
			}
		}
	}
	if len(p.Keystore) > 0 {
		section("Keystore entries")
		for _, k := range p.Keystore {
			lines = append(lines, fmt.Sprintf("  %s %q in %s", k.Action, k.Alias, k.Keystore))
			lines = append(lines, indentLines(wrap(k.Subject+" · SHA-256 "+k.SHA256, w-6), "      ")...)
		}
	}
	if len(p.Commands) > 0 {
		section("Commands to run on other machines")
		for _, c := range p.Commands {
			head := fmt.Sprintf("  on %s (%s)", c.Host, c.Shell)
			lines = append(lines, head)
			if c.Why != "" {
				lines = append(lines, indentLines(wrap(c.Why, w-6), "      ")...)
			}
			for _, l := range strings.Split(strings.TrimRight(c.Script, "\n"), "\n") {
				for _, part := range long(l, w-6, details) {
					lines = append(lines, "      "+st.accent.Render(part))
				}
			}
		}
	}
	if len(p.GUI) > 0 {
		section("Values to type")
		where := ""
		for _, g := range p.GUI {
			if g.Where != where {
				lines = append(lines, indentLines(wrap("in "+g.Where+":", w-2), "  ")...)
				where = g.Where
			}
			lines = append(lines, indentLines(wrap(g.Field+": "+g.Value, w-6), "      ")...)
		}
	}
	if len(p.Notes) > 0 {
		section("Notes")
		for _, n := range p.Notes {
			lines = append(lines, indentLines(wrap(n, w-4), "  ")...)
		}
	}
	if p.Empty() && len(p.Notes) == 0 && p.Summary == "" {
		lines = append(lines, "Nothing to change.")
	}
	return lines
}

func diffLine(st styles, d string) string {
	switch {
	case strings.HasPrefix(d, "+") && !strings.HasPrefix(d, "+++"):
		return st.pass.Render(d)
	case strings.HasPrefix(d, "-") && !strings.HasPrefix(d, "---"):
		return st.fail.Render(d)
	}
	return d
}

func indentLines(ls []string, p string) []string {
	for i := range ls {
		ls[i] = p + ls[i]
	}
	return ls
}

func (m *Model) resultsView(w, h int) []string {
	st := m.st
	var lines []string
	if m.outcome != nil {
		lines = append(lines, writtenLines(m.outcome.Written, w)...)
		for _, n := range m.outcome.Notes {
			lines = append(lines, indentLines(wrap(n, w-2), "  ")...)
		}
		if len(lines) > 0 {
			lines = append(lines, "")
		}
	}
	rs := m.allResults()
	sum := steps.Summarize(rs)
	lines = append(lines, st.bold.Render(fmt.Sprintf("Checks: %d passed, %d warnings, %d failed, %d manual", sum.Pass, sum.Warn, sum.Fail, sum.Manual)))
	focus := 0
	for i, r := range rs {
		sel := i == m.resSel // any line can be selected, Apply's own results too
		mark := "  "
		if sel {
			mark = "› "
			focus = len(lines)
		}
		box := ""
		if r.Status == steps.Manual {
			box = "[ ] "
			if m.env.FlowTicks().IsTicked(r.ID) {
				box = "[x] "
			}
		}
		// Titles may name servers: wrap makes them inert, and long ones
		// continue under themselves instead of being cut.
		tl := wrap(box+r.Title, w-11)
		if sel {
			for j := range tl {
				tl[j] = st.focus.Render(tl[j])
			}
		}
		lines = append(lines, mark+st.status(r.Status).Render(steps.Symbol(r.Status)+" "+fmt.Sprintf("%-6s", r.Status))+" "+tl[0])
		lines = append(lines, indentLines(tl[1:], "           ")...)
		if r.Detail != "" && (sel || m.details || r.Status == steps.Fail || r.Status == steps.Manual) {
			lines = append(lines, indentLines(wrap(r.Detail, w-11), "           ")...)
		}
		if m.details {
			lines = append(lines, st.dim.Render("           id: "+r.ID+" (ccewiz check --only "+r.ID+")"))
		}
		if r.Fix != "" && (r.Status == steps.Fail || r.Status == steps.Warn) && (sel || m.details) {
			for _, l := range wrap("fix: "+r.Fix, w-11) {
				lines = append(lines, "           "+st.warn.Render(l))
			}
		}
	}
	// The way on stays in view however long the list is.
	foot := []string{""}
	for _, l := range wrap("enter: record this step and go on · space: tick the selected manual item", w) {
		foot = append(foot, st.dim.Render(l))
	}
	return append(window(lines, focus, max(1, h-len(foot))), foot...)
}

func (m *Model) reportView(w, h int) []string {
	st := m.st
	head := []string{st.title.Render(" Integration report ")}
	if m.report != "" {
		head = append(head, "saved to "+m.report)
	} else if m.reportPath() != "" {
		head = append(head, "saving to "+m.reportPath()+"…")
	}
	head = append(head, "")
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(m.reportText, "\n"), "\n") {
		text := strings.TrimLeft(l, " ")
		lead := len(l) - len(text)
		// Wrapped lines line up under the text they continue: after the
		// status column on a check line, under the first word elsewhere.
		cont := lead
		status, isCheck := checkLineStatus(text)
		if isCheck {
			cont = lead + 9
		}
		cont = min(cont, w/2)
		for j, wl := range wrap(text, w-cont) {
			pre := strings.Repeat(" ", lead)
			if j > 0 {
				pre = strings.Repeat(" ", cont)
			}
			if isCheck && j == 0 && (status == steps.Fail || status == steps.Pass) {
				wl = st.status(status).Render(wl)
			}
			lines = append(lines, pre+wl)
		}
	}
	return append(head, m.scrolled(lines, max(1, h-len(head)))...)
}

// checkLineStatus recognises a report line "✓ pass   id — title".
func checkLineStatus(text string) (steps.Status, bool) {
	for _, s := range []steps.Status{steps.Pass, steps.Warn, steps.Fail, steps.Skip, steps.Manual} {
		if strings.HasPrefix(text, steps.Symbol(s)+" "+string(s)) {
			return s, true
		}
	}
	return "", false
}

// legend says what the sidebar icons mean, so they need neither colour nor
// memory. It never changes: newModel renders it once.
func (m *Model) legend() []string { return m.legendLines }

// helpLine renders the key help — the screen's keys, most useful first, as
// many as fit, and always the two a newcomer needs: all keys (f1) and quit.
// layout keeps the last one, so a frame redrawn unchanged reuses it.
func (m *Model) helpLine(w int) string {
	keys := m.bindings()
	id := fmt.Sprint(w, m.fullHelp)
	for _, k := range keys {
		id += "|" + k.Help().Key + k.Help().Desc
	}
	if id == m.helpID {
		return m.helpText
	}
	tail := []key.Binding{withHelp(m.keys.Help, "f1", "all keys"), m.keys.Quit}
	if m.fullHelp {
		tail[0] = withHelp(m.keys.Help, "f1/esc", "close help")
	}
	var body []key.Binding
	for _, k := range keys {
		if k.Help().Key != m.keys.Quit.Help().Key {
			body = append(body, k)
		}
	}
	hm := m.help
	hm.Width = 0 // measured here, so the tail is never the part cut
	text := ""
	for n := len(body); n >= 0; n-- {
		text = hm.ShortHelpView(append(body[:n:n], tail...))
		if ansi.StringWidth(text) <= w {
			break
		}
	}
	text = ansi.Truncate(text, w, "…")
	if m.inLayout {
		m.helpID, m.helpText = id, text
	}
	return text
}

// long returns a line as is (the frame truncates it), or with details on,
// hard-wrapped so a long diff or script line can be read to its end.
func long(l string, w int, details bool) []string {
	l = steps.Printable(l) // a diff or script line is file content: inert, as in wrap
	if !details || ansi.StringWidth(l) <= w || w < 10 {
		return []string{l}
	}
	return strings.Split(ansi.Hardwrap(l, w, true), "\n")
}
