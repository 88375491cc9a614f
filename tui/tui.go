// Package tui is the interactive wizard: a Bubble Tea model that renders the
// steps of a flow (the first of steps.Flows() by default) — a sidebar with every step and its state, the
// current step's form, its plan, its checks — and the final integration
// report. It only renders and reads keys: every piece of domain work (plans,
// changes, checks, saving the answers file) goes through the steps package
// inside a tea.Cmd, never in Update or View. It knows no step by name; what
// it shows comes from each step's Fields, Plan and Checks.
//
// The same model runs locally and per SSH session (`ccewiz serve`): it keeps
// no package-level mutable state, so every New gets its own.
package tui

import (
	"context"
	"io"
	"path/filepath"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"ccewiz/steps"
)

// Options configure one wizard session.
type Options struct {
	// AnswersPath is where progress is saved after every step, and next to
	// which ccewiz-report.md is written. Empty: Env.AnswersPath; if that is
	// empty too nothing is saved (tests).
	AnswersPath string
	// Env is the step environment (answers, secrets typed this session). Nil:
	// one is made from Answers and AnswersPath.
	Env *steps.Env
	// Answers is used when Env is nil; nil means steps.NewAnswers().
	Answers *steps.Answers
	// Flow is the list of steps; nil means the default flow (steps.Flows()).
	Flow []steps.Step
	// NoColor renders without colour (NO_COLOR, --no-color, dumb terminals).
	NoColor bool
	// Renderer draws the styles; an SSH server passes one per session
	// (wish's bubbletea.MakeRenderer). Nil: lipgloss's default renderer.
	Renderer *lipgloss.Renderer
	// Width and Height are the terminal size until the first resize message
	// (0: 80×24).
	Width, Height int
	// ActionTimeout bounds one Plan or Apply (0: 2 minutes). Checks are
	// bounded one by one by Env.Timeout.
	ActionTimeout time.Duration
}

// ReportName is the file name of the integration report, written next to the answers file.
const ReportName = "ccewiz-report.md"

type mode int

const (
	modeForm mode = iota
	modeRunning
	modePlan
	modeResults
	modeFailed // a plan or apply error, shown with what to do
	modeReport
)

type actionKind int

const (
	actPlan actionKind = iota
	actApply
	actChecks
	actReport
)

// Model is the wizard. Use New; the zero value is not usable.
type Model struct {
	o    Options
	flow []steps.Step
	env  *steps.Env
	path string // answers file as given (shown), "" = never saved
	// savePath is path made absolute when the wizard starts: saves run in
	// the background, and one must write the file the wizard opened even
	// if the working directory changes meanwhile (or the caller is gone).
	savePath string
	r        *lipgloss.Renderer
	st       styles
	keys     keyMap
	help     help.Model
	spin     spinner.Model
	w, h     int

	cur   int
	mode  mode
	forms map[int]*form
	needs []stepNeed // cached: Needed must not run while an action mutates the answers

	// Per-step session state, by step index.
	attention map[int]bool
	visited   map[int]bool

	plan    *steps.Plan
	confirm textinput.Model // the irreversible confirmation
	failure error
	failAct actionKind
	outcome *steps.Outcome
	results []steps.Result
	// lastRun is the step's last pass through the engine's loop: a re-run of
	// its checks (ctrl+r) decides done anew from it.
	lastRun *steps.Run
	// fullHelp shows every key of the screen in the main pane (f1 or ?).
	fullHelp bool
	resSel   int
	details  bool
	scroll   int

	run     *running
	nextRun int

	allChecks  []steps.Result
	reportMD   []byte
	reportText string
	report     string // where the report was saved

	dirty     bool // answers changed since the last save
	navDirty  bool // only the resume point (progress.current) changed: saved on quit without asking
	savedOnce bool
	saving    bool // an answers save is running
	// resave: a save was asked for while one ran; it runs when that ends
	// (resaveQuit: and then quits).
	resave, resaveQuit bool
	status             string
	statusErr          bool

	writes    *inflight // saves and Apply runs the program may outlive (Wait)
	prompts   *promptBridge
	asking    *promptReq // a running step waits for a password
	ownPrompt bool       // Env.Prompt is this session's bridge
	secretIn  textinput.Model

	legendLines      []string
	sep              string
	helpID, helpText string // the last help line and what it was drawn for
	// inLayout is set while layout draws the frame after an Update: only
	// then may drawing keep what it measured (the scroll limit, input
	// widths, the help line). View itself changes nothing.
	inLayout  bool
	scrollMax int    // the last scroll start the body allows; -1 = it fits
	drawn     string // the frame layout drew, which View shows ("" before the first Update)

	jumping  bool
	jumpSel  int
	quitting bool // asking whether to discard unsaved input
	done     bool
}

type stepNeed struct {
	need steps.Need
	why  string
}

// New returns the wizard model for one session.
func New(o Options) tea.Model { return newModel(o) }

func newModel(o Options) *Model {
	env := o.Env
	if env == nil {
		a := o.Answers
		if a == nil {
			a = steps.NewAnswers()
		}
		env = steps.NewEnv(a, o.AnswersPath)
	}
	if env.Answers == nil {
		env.Answers = steps.NewAnswers()
	}
	path := o.AnswersPath
	if path == "" {
		path = env.AnswersPath
	}
	flow := o.Flow
	if flow == nil {
		if all := steps.Flows(); len(all) > 0 {
			flow = all[0].Steps
		}
	}
	env.Flow = flow
	r := o.Renderer
	if o.NoColor {
		// A renderer of our own: never change the caller's (an SSH session's) profile.
		r = lipgloss.NewRenderer(io.Discard)
		r.SetColorProfile(termenv.Ascii)
	} else if r == nil {
		r = lipgloss.DefaultRenderer()
	}
	if o.ActionTimeout <= 0 {
		o.ActionTimeout = 2 * time.Minute
	}
	savePath := path
	if abs, err := filepath.Abs(path); err == nil && path != "" {
		savePath = abs
	}
	m := &Model{
		o: o, flow: flow, env: env, path: path, savePath: savePath, r: r,
		keys:      newKeyMap(),
		forms:     map[int]*form{},
		attention: map[int]bool{},
		visited:   map[int]bool{},
		writes:    &inflight{},
		w:         o.Width, h: o.Height,
	}
	if m.w <= 0 {
		m.w = 80
	}
	if m.h <= 0 {
		m.h = 24
	}
	m.st = newStyles(r)
	m.sep = m.st.dim.Render(" │ ")
	m.legendLines = []string{""}
	for i := range stateIcon {
		m.legendLines = append(m.legendLines, m.st.dim.Render(stateIcon[i]+" "+stateWord[i]))
	}
	m.help = newHelp(m.st)
	m.spin = spinner.New(spinner.WithSpinner(spinner.Line), spinner.WithStyle(m.st.accent.Style))
	m.confirm = newInput(m.st)
	m.prompts = newPromptBridge()
	if env.Prompt == nil {
		env.Prompt = m.prompts.prompt
		m.ownPrompt = true
	}
	m.refreshNeeds()
	m.cur = m.startStep()
	m.visited[m.cur] = true
	return m
}

// Wait is for the caller of the Bubble Tea program, once it has returned:
// it stops a run still going, writes the saves asked for but not yet
// written, and returns when every write has ended. A quit never loses a
// save, and nothing writes into the working directory after Wait.
func (m *Model) Wait() {
	if m.run != nil {
		m.run.cancel()
	}
	m.writes.wait()
}

// startStep resumes at Progress.Current, else the first step not done.
func (m *Model) startStep() int {
	if m.env.FlowProgress().Current != "" {
		for i, s := range m.flow {
			if s.ID() == m.env.FlowProgress().Current {
				return i
			}
		}
	}
	for i, s := range m.flow {
		if !m.env.FlowProgress().IsDone(s.ID()) && m.needs[i].need != steps.NotNeeded {
			return i
		}
	}
	return 0
}

func (m *Model) refreshNeeds() {
	m.needs = make([]stepNeed, len(m.flow))
	for i, s := range m.flow {
		n, why := s.Needed(m.env.Answers)
		m.needs[i] = stepNeed{n, why}
	}
}

// Init starts the cursor of the first form.
func (m *Model) Init() tea.Cmd {
	m.form().focusInputs()
	return nil
}

// form returns the current step's form, building it on first visit so
// input typed into another step survives jumping around.
func (m *Model) form() *form {
	f, ok := m.forms[m.cur]
	if !ok {
		f = newForm(m.flow[m.cur].Fields(), m.env, m.st)
		m.forms[m.cur] = f
	}
	return f
}

// drawnForm is the form View draws: the step's own, or — before the first
// Update has made it — one drawn from the answers and kept by nobody.
func (m *Model) drawnForm() *form {
	if _, ok := m.forms[m.cur]; ok || m.inLayout {
		return m.form()
	}
	return newForm(m.flow[m.cur].Fields(), m.env, m.st)
}

// unsaved reports whether quitting now would lose something.
func (m *Model) unsaved() bool {
	if m.dirty {
		return true
	}
	for _, f := range m.forms {
		if f.changed() {
			return true
		}
	}
	return false
}

func (m *Model) reportPath() string {
	if m.path == "" {
		return ""
	}
	return filepath.Join(filepath.Dir(m.path), ReportName)
}

// ExitMessage is what to print after the wizard leaves the screen: where the
// answers and the report are.
func (m *Model) ExitMessage() string {
	msg := ""
	if m.path != "" {
		msg = "answers: " + m.path
		if m.unsaved() {
			msg += " (the last changes were not saved)"
		}
	}
	if m.report != "" {
		msg += "\nintegration report: " + m.report
	}
	return msg
}

// running is the action in flight: one at a time, cancellable.
type running struct {
	id     int
	what   string
	cancel context.CancelFunc
	stage  *stageBox
}
