package tui

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime/debug"
	"sync/atomic"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"ccewiz/safefile"
	"ccewiz/steps"
)

// stageBox carries the stage text a running step reports through
// Env.Progress to View, which reads it on each spinner tick.
type stageBox struct{ v atomic.Pointer[string] }

func (b *stageBox) set(s string) { b.v.Store(&s) }
func (b *stageBox) get() string {
	if p := b.v.Load(); p != nil {
		return *p
	}
	return ""
}

// actionDoneMsg ends an action; id ties it to the run that started it, so
// the late answer of a cancelled run is ignored.
type actionDoneMsg struct {
	id      int
	kind    actionKind
	plan    *steps.Plan
	outcome *steps.Outcome
	results []steps.Result
	run     *steps.Run // an Apply's pass through the engine's loop
	env     *steps.Env // the snapshot the action ran on (passwords typed at its prompts)
	err     error
	// late, for an Apply stopped (Esc, time limit) before it returned,
	// brings its result when it does: files it wrote after the stop are
	// changed all the same and must reach progress.written.
	late <-chan actionDoneMsg
}

// lateApplyMsg is the result of an Apply that returned after it was stopped.
type lateApplyMsg struct{ run *steps.Run }

// waitLate delivers an Apply's late result as a lateApplyMsg.
func waitLate(ch <-chan actionDoneMsg) tea.Cmd {
	return func() tea.Msg { return lateApplyMsg{run: (<-ch).run} }
}

type savedMsg struct {
	what string // "answers" or "report"
	res  safefile.Result
	err  error
	quit bool
}

// errCancelled is what an action returns when the admin pressed Esc.
var errCancelled = errors.New("cancelled")

// start runs fn as a tea.Cmd with a context the admin can cancel (Esc) and
// a time limit. A step that ignores its context cannot freeze the wizard:
// the command returns when the context ends, and the step's late answer is
// dropped — but for an Apply, whose late answer lists files it wrote, which
// is recorded when it comes (lateApplyMsg).
func (m *Model) start(kind actionKind, what string, timeout time.Duration, fn func(ctx context.Context, env *steps.Env) actionDoneMsg) tea.Cmd {
	m.nextRun++
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	r := &running{id: m.nextRun, what: what, cancel: cancel, stage: &stageBox{}}
	m.run = r
	m.mode = modeRunning
	m.env.Progress = r.stage.set
	env := m.env.Snapshot()
	var wait tea.Cmd
	if kind == actPlan || kind == actApply {
		pr := &promptRun{id: r.id, done: ctx.Done()}
		m.prompts.run.Store(pr)
		wait = m.prompts.wait(pr)
	} else {
		m.prompts.run.Store(nil)
	}
	writes := m.writes
	cmd := func() tea.Msg {
		defer cancel()
		if kind == actApply && !writes.begin() {
			// The program is over: nobody would record what it wrote.
			return actionDoneMsg{id: r.id, kind: kind, err: errCancelled}
		}
		ch := make(chan actionDoneMsg, 1)
		go func() {
			if kind == actApply {
				defer writes.end() // when the step returns, not when the wizard stops waiting
			}
			defer func() {
				if p := recover(); p != nil {
					ch <- actionDoneMsg{err: fmt.Errorf("internal error: %v — please report it with the answers file (it holds no passwords)\n%s", p, debug.Stack())}
				}
			}()
			ch <- fn(ctx, env)
		}()
		var msg actionDoneMsg
		select {
		case msg = <-ch:
		case <-ctx.Done():
			msg.err = ctx.Err()
			if errors.Is(msg.err, context.Canceled) {
				msg.err = errCancelled
			} else {
				msg.err = fmt.Errorf("%s took longer than %s and was stopped; check that the servers are reachable from here", what, timeout)
			}
			if kind == actApply {
				msg.late = ch
			}
		}
		msg.id, msg.kind = r.id, kind
		return msg
	}
	return tea.Batch(cmd, m.spin.Tick, wait)
}

// Every action runs on a snapshot of the answers (Env.Snapshot): it goes on
// in the background, maybe after Esc, while the admin edits the form, and
// must never read what the form writes. What it did comes back in its
// actionDoneMsg and is recorded in finish, on the Update goroutine.

func (m *Model) planCmd() tea.Cmd {
	st, flow := m.flow[m.cur], m.flow
	return m.start(actPlan, "Working out what "+st.Title()+" would change", m.o.ActionTimeout, func(ctx context.Context, env *steps.Env) actionDoneMsg {
		p, err := steps.PlanStep(ctx, flow, st, env)
		return actionDoneMsg{plan: p, env: env, err: err}
	})
}

func (m *Model) applyCmd() tea.Cmd {
	st, flow, p, typed := m.flow[m.cur], m.flow, m.plan, m.confirm.Value()
	return m.start(actApply, "Applying "+st.Title(), m.o.ActionTimeout, func(ctx context.Context, env *steps.Env) actionDoneMsg {
		run := steps.RunStep(ctx, flow, st, env, p, typed)
		return actionDoneMsg{run: run, outcome: run.Outcome, results: run.Results, err: run.Err}
	})
}

func (m *Model) checksCmd() tea.Cmd {
	st := m.flow[m.cur]
	return m.start(actChecks, "Running the checks of "+st.Title(), m.checksTimeout(), func(ctx context.Context, env *steps.Env) actionDoneMsg {
		return actionDoneMsg{results: steps.RunChecks(ctx, []steps.Step{st}, env, steps.RunOptions{Timeout: env.Timeout})}
	})
}

// reportCmd runs every check of the flow for the final report.
func (m *Model) reportCmd() tea.Cmd {
	flow := m.flow
	return m.start(actReport, "Running every check for the integration report", m.checksTimeout(), func(ctx context.Context, env *steps.Env) actionDoneMsg {
		return actionDoneMsg{results: steps.RunChecks(ctx, flow, env, steps.RunOptions{Timeout: env.Timeout})}
	})
}

// checksTimeout bounds a run of checks, however many: they run in
// parallel, each under Env.Timeout, so a little more than one timeout is enough.
func (m *Model) checksTimeout() time.Duration {
	t := m.env.Timeout
	if t <= 0 {
		t = 5 * time.Second
	}
	return 2*t + 5*time.Second
}

// saveCmd writes the answers as they are now, rendered here (Update may
// change them again before the write runs). The first save of a session
// keeps a backup of the file as it was when the wizard started. One save
// runs at a time: two writers replacing the same file could leave the older
// snapshot last, so a save asked for meanwhile runs when the pending one ends.
func (m *Model) saveCmd(quit bool) tea.Cmd {
	if m.path == "" {
		m.navDirty = false
		m.dirty = false
		if quit {
			return tea.Quit
		}
		return nil
	}
	if m.saving {
		m.resave = true
		m.resaveQuit = m.resaveQuit || quit
		return nil
	}
	data, err := steps.MarshalAnswers(m.env.Answers)
	if err != nil {
		m.setStatus(true, "cannot save: %v", err)
		return nil
	}
	m.navDirty = false
	path, shown, backup := m.savePath, m.path, !m.savedOnce
	m.savedOnce = true
	m.saving = true
	m.dirty = false
	return m.writes.save(func() tea.Msg {
		res, err := steps.WriteAnswers(path, data, backup)
		res.Path = shown
		return savedMsg{what: "answers", res: res, err: err, quit: quit}
	})
}

func (m *Model) saveReportCmd(md []byte) tea.Cmd {
	shown := m.reportPath()
	if shown == "" {
		return nil
	}
	path := filepath.Join(filepath.Dir(m.savePath), ReportName)
	return m.writes.save(func() tea.Msg {
		res, err := writeReport(path, md)
		res.Path = shown
		return savedMsg{what: "report", res: res, err: err}
	})
}

// writeReport saves the Markdown report; an earlier report is kept as a backup.
func writeReport(path string, md []byte) (safefile.Result, error) {
	res, err := safefile.Replace(path, md, safefile.Options{Perm: 0o644})
	if err != nil {
		return res, fmt.Errorf("save the integration report: %w", err)
	}
	return res, nil
}
