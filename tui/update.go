package tui

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"

	"ccewiz/steps"
)

// Update handles keys, resizes and the answers of running actions. It never
// does I/O itself: everything slow is returned as a tea.Cmd.
// Update handles msg, then lays out the next frame (layout): View only
// reads the model, as Bubble Tea may call it at any time.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	mod, cmd := m.update(msg)
	m.layout()
	return mod, cmd
}

func (m *Model) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
		if m.asking != nil {
			_, mainW := m.paneWidths()
			m.secretIn.Width = max(10, mainW-4)
		}
		return m, nil
	case spinner.TickMsg:
		if m.run == nil {
			return m, nil // stop ticking when idle: nothing to repaint on a slow link
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return m, cmd
	case actionDoneMsg:
		cmd := m.finish(msg)
		if msg.late != nil {
			cmd = tea.Batch(cmd, waitLate(msg.late))
		}
		return m, cmd
	case lateApplyMsg:
		m.lateApply(msg)
		return m, nil
	case savedMsg:
		return m, m.saved(msg)
	case promptMsg:
		return m, m.askPassword(msg)
	case tea.KeyMsg:
		return m, m.key(msg)
	}
	return m, nil
}

func (m *Model) setStatus(isErr bool, format string, args ...any) {
	m.status = fmt.Sprintf(format, args...)
	m.statusErr = isErr
}

func (m *Model) key(msg tea.KeyMsg) tea.Cmd {
	k := m.keys
	if m.quitting {
		switch {
		case key.Matches(msg, k.Yes):
			return m.quit()
		case key.Matches(msg, k.SaveQuit):
			m.quitting = false
			if left := m.form().saveValid(); len(left) > 0 {
				m.setStatus(true, "not saved — fix these first: %s", strings.Join(left, ", "))
				return nil
			}
			m.dirty = true
			return m.saveCmd(true)
		case key.Matches(msg, k.No), msg.Type == tea.KeyCtrlC:
			m.quitting = false
			m.setStatus(false, "")
		}
		return nil
	}
	if key.Matches(msg, k.Quit) {
		if m.run != nil {
			m.run.cancel()
		}
		if m.unsaved() {
			m.quitting = true
			m.jumping = false
			return nil
		}
		if m.navDirty && m.run == nil {
			// Only the resume point moved: save it without asking.
			return m.saveCmd(true)
		}
		return m.quit()
	}
	if m.fullHelp {
		// The help covers the screen: only closing it (or quitting) does anything.
		if m.helpKey(msg) || key.Matches(msg, k.Cancel) {
			m.fullHelp = false
		}
		return nil
	}
	if m.helpKey(msg) {
		m.fullHelp = true
		return nil
	}
	if m.mode == modeRunning {
		if m.asking != nil {
			return m.answerPassword(msg)
		}
		if key.Matches(msg, k.Cancel) && m.run != nil {
			m.run.cancel()
			m.setStatus(false, "cancelling…")
		}
		return nil
	}
	if m.jumping {
		switch {
		case msg.Type == tea.KeyUp:
			m.jumpSel = max(0, m.jumpSel-1)
		case msg.Type == tea.KeyDown:
			m.jumpSel = min(len(m.flow)-1, m.jumpSel+1)
		case key.Matches(msg, k.Continue):
			m.jumping = false
			return m.goStep(m.jumpSel)
		case key.Matches(msg, k.Cancel), key.Matches(msg, k.Jump):
			m.jumping = false
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.Jump):
		m.jumping, m.jumpSel = true, m.cur
		return nil
	case key.Matches(msg, k.Details):
		m.details = !m.details
		return nil
	case key.Matches(msg, k.Save):
		return m.save()
	case key.Matches(msg, k.Back):
		if m.mode == modeReport {
			return m.goStep(len(m.flow) - 1)
		}
		if m.cur > 0 {
			return m.goStep(m.cur - 1)
		}
		return nil
	}
	switch m.mode {
	case modeForm:
		return m.formKey(msg)
	case modePlan:
		return m.planKey(msg)
	case modeResults:
		return m.resultsKey(msg)
	case modeFailed:
		switch {
		case key.Matches(msg, k.Continue):
			return m.planCmd()
		case key.Matches(msg, k.Next):
			return m.nextStep() // skipped: it stays "needs attention"
		case key.Matches(msg, k.Cancel):
			m.mode = modeForm
		}
	case modeReport:
		switch {
		case key.Matches(msg, k.Rerun):
			return m.reportCmd()
		default:
			m.scrollKey(msg)
		}
	}
	return nil
}

func (m *Model) quit() tea.Cmd {
	if m.run != nil {
		m.run.cancel()
	}
	m.quitting = false
	m.done = true
	return tea.Quit
}

func (m *Model) save() tea.Cmd {
	left := m.form().saveValid()
	m.dirty = true
	cmd := m.saveCmd(false)
	if len(left) > 0 {
		m.setStatus(true, "saving without (fix first): %s", strings.Join(left, ", "))
	}
	return cmd
}

func (m *Model) formKey(msg tea.KeyMsg) tea.Cmd {
	k, f := m.keys, m.form()
	switch {
	case key.Matches(msg, k.Next):
		// Before the field: a text input would take ctrl+n as "next suggestion".
		return m.skipAhead()
	case key.Matches(msg, k.Plan):
		return m.continueStep()
	}
	if used, cmd := f.update(msg, k); used {
		return cmd
	}
	switch {
	case key.Matches(msg, k.Continue):
		if f.focus == f.lastVisible() || len(f.inputs) == 0 {
			return m.continueStep()
		}
		f.move(1)
	case key.Matches(msg, k.Field):
		f.move(1)
	case key.Matches(msg, k.PrevField):
		f.move(-1)
	}
	return nil
}

// continueStep commits the form and, when it is valid, saves the answers
// and works out the step's plan.
func (m *Model) continueStep() tea.Cmd {
	f := m.form()
	if bad := f.commit(); bad > 0 {
		m.setStatus(true, "%d field(s) need attention — the message is under each", bad)
		return nil
	}
	m.env.FlowProgress().Current = m.flow[m.cur].ID()
	m.dirty = true
	m.refreshNeeds()
	m.setStatus(false, "%s", strings.Join(f.notes, " · "))
	f.notes = nil
	save := m.saveCmd(false)
	return tea.Batch(save, m.planCmd())
}

func (m *Model) planKey(msg tea.KeyMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Cancel):
		m.mode = modeForm
		m.plan = nil
		return nil
	case key.Matches(msg, k.Next):
		return m.skipAhead() // the plan is not applied
	case key.Matches(msg, k.Confirm):
		if len(m.plan.Blocked) > 0 {
			m.setStatus(true, "this step waits for the earlier steps listed under NOT YET; esc, then fix them first")
			return nil
		}
		if irr := m.plan.Irreversible; irr != nil && m.confirm.Value() != irr.Confirm {
			m.setStatus(true, "type %q exactly (case matters) to confirm, or esc to go back", irr.Confirm)
			return nil
		}
		m.setStatus(false, "")
		return m.applyCmd()
	}
	if m.plan.Irreversible != nil && msg.Type != tea.KeyUp && msg.Type != tea.KeyDown && msg.Type != tea.KeyPgUp && msg.Type != tea.KeyPgDown {
		var cmd tea.Cmd
		m.confirm, cmd = m.confirm.Update(msg)
		return cmd
	}
	m.scrollKey(msg)
	return nil
}

func (m *Model) scrollKey(msg tea.KeyMsg) {
	switch msg.Type {
	case tea.KeyUp:
		m.scroll--
	case tea.KeyDown:
		m.scroll++
	case tea.KeyPgUp:
		m.scroll -= m.page()
	case tea.KeyPgDown:
		m.scroll += m.page()
	case tea.KeyHome:
		m.scroll = 0
	}
	m.scroll = max(0, m.scroll) // layout clamps the bottom
}

func (m *Model) resultsKey(msg tea.KeyMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Continue), key.Matches(msg, k.Next):
		return m.nextStep()
	case key.Matches(msg, k.Cancel):
		m.mode = modeForm
	case key.Matches(msg, k.Rerun):
		return m.checksCmd()
	case key.Matches(msg, k.Tick):
		if rs := m.allResults(); m.resSel < len(rs) && rs[m.resSel].Status == steps.Manual {
			id := rs[m.resSel].ID
			m.env.TickAs(id, !m.env.FlowTicks().IsTicked(id))
			m.dirty = true
		}
	case msg.Type == tea.KeyUp:
		m.resSel = max(0, m.resSel-1)
	case msg.Type == tea.KeyDown:
		m.resSel = max(0, min(len(m.allResults())-1, m.resSel+1))
	}
	return nil
}

// skipAhead goes to the next step that applies without recording this
// one (ctrl+n from its form or plan): what was typed stays in the form for
// when the admin comes back. After the last step it opens the report.
func (m *Model) skipAhead() tea.Cmd {
	for i := m.cur + 1; i < len(m.flow); i++ {
		if m.needs[i].need != steps.NotNeeded {
			return m.goStep(i)
		}
	}
	return m.goReport()
}

// nextStep records the step (done when no check failed), saves, and moves
// on to the next step that applies, or to the report after the last.
func (m *Model) nextStep() tea.Cmd {
	id := m.flow[m.cur].ID()
	if m.attention[m.cur] {
		m.env.FlowProgress().MarkUndone(id) // skipped while it fails: done is the engine's word (Run.Record)
	}
	m.refreshNeeds()
	next := -1
	for i := m.cur + 1; i < len(m.flow); i++ {
		if m.needs[i].need != steps.NotNeeded {
			next = i
			break
		}
	}
	if next >= 0 && m.finished() {
		next = -1 // a step redone in a finished flow: back to the report
	}
	m.dirty = true
	if next < 0 {
		m.env.FlowProgress().Current = id
		return tea.Batch(m.saveCmd(false), m.goReport())
	}
	return m.goStep(next)
}

// finished reports whether every step the deployment needs is done.
func (m *Model) finished() bool {
	for i, st := range m.flow {
		if m.needs[i].need != steps.NotNeeded && !m.env.FlowProgress().IsDone(st.ID()) {
			return false
		}
	}
	return true
}

func (m *Model) goReport() tea.Cmd {
	m.scroll = 0
	return m.reportCmd()
}

// goStep shows step i's form and records it as the step to resume at.
func (m *Model) goStep(i int) tea.Cmd {
	if i < 0 || i >= len(m.flow) {
		return nil
	}
	m.cur = i
	m.visited[i] = true
	m.mode = modeForm
	m.plan, m.outcome, m.results, m.failure = nil, nil, nil, nil
	m.scroll, m.resSel = 0, 0
	m.refreshNeeds()
	if f, ok := m.forms[i]; ok && !f.changed() {
		// Nothing typed there: rebuild it, so answers and defaults that
		// changed since (a new FQDN, what Apply recorded) show.
		delete(m.forms, i)
	}
	f := m.form()
	f.refresh()
	f.focusInputs()
	if m.env.FlowProgress().Current != m.flow[i].ID() {
		m.env.FlowProgress().Current = m.flow[i].ID()
		m.navDirty = true
	}
	if (m.dirty || m.navDirty) && m.savedOnce {
		return m.saveCmd(false)
	}
	return nil
}

func (m *Model) finish(msg actionDoneMsg) tea.Cmd {
	if m.run == nil || msg.id != m.run.id {
		return nil // the late answer of a cancelled run
	}
	m.run = nil
	m.asking = nil
	m.prompts.run.Store(nil)
	m.env.Progress = nil
	m.scroll = 0
	if errors.Is(msg.err, errCancelled) {
		m.mode = modeForm
		if msg.kind == actApply {
			m.setStatus(true, "cancelled — the change may be half done: continue again to see a fresh plan")
		} else {
			m.setStatus(false, "cancelled — nothing was changed")
		}
		if msg.kind == actReport {
			m.mode = modeResults
		}
		return nil
	}
	switch msg.kind {
	case actPlan:
		m.env.KeepSecrets(msg.env)
		if msg.err != nil {
			return m.fail(actPlan, msg.err)
		}
		m.plan = msg.plan
		m.mode = modePlan
		m.confirm = newInput(m.st)
		if m.plan.Irreversible != nil && len(m.plan.Blocked) == 0 {
			m.confirm.Placeholder = "type it here"
			m.confirm.Focus()
		}
	case actApply:
		// The engine ran Apply and the step's checks on a snapshot; Record
		// keeps the files, a confirmation and done/not done in the answers.
		// A run stopped by its time limit has none yet: lateApply records it.
		m.lastRun, m.outcome = msg.run, nil
		if msg.run != nil {
			msg.run.Record(m.env)
			m.outcome = msg.run.Outcome
		}
		m.dirty = true
		m.refreshNeeds()
		if msg.err != nil {
			return m.fail(actApply, msg.err)
		}
		m.results = msg.run.Results
		// Saved at once: the files written and the step's done state must
		// survive a crash, and the status bar must not say "unsaved".
		return tea.Batch(m.showResults(), m.saveCmd(false))
	case actChecks:
		m.results = msg.results
		if r := m.lastRun; r != nil && r.Step == m.flow[m.cur].ID() {
			// A re-run after a fix elsewhere: done is decided anew.
			r.Recheck(msg.results)
			r.Record(m.env)
			m.dirty = true
		}
		return m.showResults()
	case actReport:
		if m.allChecks != nil {
			// A re-run (ctrl+r) must show that it happened, even when nothing changed.
			m.setStatus(false, "checks run again at %s", time.Now().Format("15:04:05"))
		}
		m.allChecks = msg.results
		m.mode = modeReport
		rep := steps.BuildIntegrationReport(m.flow, m.env, m.allChecks)
		m.reportMD = rep.Markdown()
		m.reportText = rep.Text()
		return m.saveReportCmd(m.reportMD)
	}
	return nil
}

// showResults puts the step's check results on screen; a failing one
// needs attention.
func (m *Model) showResults() tea.Cmd {
	m.resSel = 0
	m.mode = modeResults
	m.attention[m.cur] = false
	for _, r := range m.allResults() {
		if r.Status == steps.Fail {
			m.attention[m.cur] = true
		}
	}
	if m.attention[m.cur] {
		m.setStatus(true, "some checks failed: select one and press ctrl+t for the fix")
	} else {
		m.setStatus(false, "")
	}
	return nil
}

// allResults are the step's check results plus what Apply itself reported.
func (m *Model) allResults() []steps.Result {
	if m.outcome == nil {
		return m.results
	}
	return steps.MergeResults(m.outcome.Results, m.results)
}

// lateApply records what an Apply did after it was stopped, whichever run
// is on screen now: the files are written, the report must list them.
func (m *Model) lateApply(msg lateApplyMsg) {
	if msg.run == nil || msg.run.Outcome == nil {
		return
	}
	msg.run.Record(m.env)
	m.dirty = true
	if n := len(msg.run.Outcome.Written); n > 0 {
		m.setStatus(true, "the stopped apply finished after all and wrote %d file(s); they are recorded — ctrl+s saves the answers", n)
	}
}

func (m *Model) fail(act actionKind, err error) tea.Cmd {
	m.failure, m.failAct = err, act
	m.mode = modeFailed
	m.attention[m.cur] = true
	return nil
}

func (m *Model) saved(msg savedMsg) tea.Cmd {
	if msg.what == "report" {
		if msg.err != nil {
			m.setStatus(true, "%v", msg.err) // writeReport says what failed
			return nil
		}
		m.report = msg.res.Path
		if strings.HasPrefix(m.status, "checks run again") {
			// Keep the sign that a re-run happened; the report names its file.
			m.setStatus(false, "%s; report saved", m.status)
			return nil
		}
		m.setStatus(false, "report saved to %s", msg.res.Path)
		return nil
	}
	m.saving = false
	resave, quit := m.resave, m.resaveQuit || msg.quit
	m.resave, m.resaveQuit = false, false
	if msg.err != nil {
		m.dirty = true
		m.setStatus(true, "could not save the answers: %v", msg.err)
		return nil
	}
	// A save finishes in the background: it must not hide a newer message
	// (a cancellation, a failed check), only replace an older "saved".
	if m.status == "" || strings.HasPrefix(m.status, "saved ") {
		if msg.res.Backup != "" {
			m.setStatus(false, "saved %s (the previous version is %s)", msg.res.Path, filepath.Base(msg.res.Backup))
		} else {
			m.setStatus(false, "saved %s", msg.res.Path)
		}
	}
	if resave && (m.dirty || m.navDirty) {
		return m.saveCmd(quit) // what changed while this save ran
	}
	if quit {
		return m.quit()
	}
	return nil
}
