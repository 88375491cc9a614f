package steps

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"ccewiz/safefile"
	"ccewiz/secret"
)

// This file is the one loop every driver runs — the TUI, plain mode,
// `apply`, `serve` and the CLI subcommands that front a step:
//
//	PlanStep → the driver shows the plan and gets a yes → RunStep (in the
//	background if it likes, on a snapshot) → Run.Record (on the goroutine
//	that owns the answers).
//
// "Done" has one meaning here: Apply succeeded and no check of the step
// fails afterwards. A step whose plan is irreversible waits for every
// earlier required step to be done with no failing check (Guard).

// Blocker is one reason an irreversible step may not run yet.
type Blocker struct {
	Step  string `json:"step"`  // the earlier step's ID
	Title string `json:"title"` // its title
	Why   string `json:"why"`   // "not done yet", or the failing check with its detail
	Fix   string `json:"fix"`
}

func (b Blocker) String() string {
	s := fmt.Sprintf("%s (%s): %s", b.Title, b.Step, b.Why)
	if b.Fix != "" {
		s += " — fix: " + b.Fix
	}
	return s
}

// GuardError is why an irreversible step refused to run.
type GuardError struct {
	Step     string
	Blockers []Blocker
}

func (e *GuardError) Error() string {
	lines := make([]string, len(e.Blockers))
	for i, b := range e.Blockers {
		lines[i] = "  - " + b.String()
	}
	return fmt.Sprintf("%s cannot be undone, so it waits for every earlier step; %d not ready:\n%s",
		e.Step, len(e.Blockers), strings.Join(lines, "\n"))
}

// ErrNotConfirmed means an irreversible plan was not confirmed with its exact value.
var ErrNotConfirmed = errors.New("not confirmed")

// Guard returns what stops step id of flow from making a permanent change:
// every earlier step the deployment needs (Required) that is not recorded as
// done, or whose automated checks fail now. Warnings and manual items do not
// block; they are the admin's to weigh on the plan.
func Guard(ctx context.Context, flow []Step, id string, env *Env) []Blocker {
	var earlier []Step
	for _, st := range flow {
		if st.ID() == id {
			break
		}
		if need, _ := st.Needed(env.Answers); need == Required {
			earlier = append(earlier, st)
		}
	}
	if len(earlier) == 0 {
		return nil
	}
	byStep := map[string][]Result{}
	for _, r := range RunChecks(ctx, earlier, env, RunOptions{Timeout: env.TimeLimit()}) {
		byStep[StepOf(r.ID)] = append(byStep[StepOf(r.ID)], r)
	}
	var out []Blocker
	for _, st := range earlier {
		var failing []Blocker
		for _, r := range byStep[st.ID()] {
			if r.Status == Fail {
				failing = append(failing, Blocker{Step: st.ID(), Title: st.Title(),
					Why: fmt.Sprintf("check %s fails: %s", r.ID, firstLine(r.Detail)), Fix: firstLine(r.Fix)})
			}
		}
		switch {
		case len(failing) > 0:
			out = append(out, failing...)
		case !env.FlowProgress().IsDone(st.ID()):
			out = append(out, Blocker{Step: st.ID(), Title: st.Title(), Why: "not done yet",
				Fix: fmt.Sprintf("apply it first (ccewiz apply%s --step %s)", FlowArg(env.FlowID), st.ID())})
		}
	}
	return out
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// PlanStep works out st's plan. An irreversible plan carries the guard's
// blockers, so every driver can show them before asking for the confirmation.
func PlanStep(ctx context.Context, flow []Step, st Step, env *Env) (*Plan, error) {
	p, err := st.Plan(ctx, env)
	if err != nil {
		return nil, err
	}
	if p == nil {
		p = &Plan{Step: st.ID()}
	}
	if p.Irreversible != nil {
		p.Blocked = Guard(ctx, flow, st.ID(), env)
	}
	return p, nil
}

// PlanLocked is PlanStep for a run with nobody between the plan and the
// write (apply --yes, a step's CLI front-end): it plans, takes the lock of
// every file the plan names (in path order, so two runs never wait
// on each other), and plans again, so the change is worked out from what
// is on disk now and no second ccewiz writes between that reading and
// Apply. A second run of the same command thus waits and then plans from
// the first one's result, instead of failing with "changed since the
// plan". Call unlock once Apply has returned; notify hears that a file is
// busy.
func PlanLocked(ctx context.Context, flow []Step, st Step, env *Env, notify func(string)) (p *Plan, unlock func(), err error) {
	held := map[string]func(){}
	unlock = func() {
		for _, u := range held {
			u()
		}
		clear(held)
	}
	// A plan made under the locks may name a file the first did not (the
	// file was created meanwhile); a few rounds settle it.
	var recovered []string
	for range 3 {
		if p, err = PlanStep(ctx, flow, st, env); err != nil {
			unlock()
			return nil, func() {}, err
		}
		p.Notes = append(p.Notes, recovered...)
		var want []string
		for _, f := range p.Files {
			path := lockPath(f.Path)
			// A file in a folder that does not exist yet has nothing to
			// race on: ApplyFiles makes the folder and ReplaceSet locks it.
			// An unchanged file is locked too: taking the lock settles what a
			// killed writer left of it (its backup, a half-renamed set).
			if _, err := os.Stat(filepath.Dir(path)); held[path] == nil && err == nil {
				want = append(want, path)
			}
		}
		if len(want) == 0 {
			for i, f := range p.Files {
				p.Files[i].Locked = f.Action != Unchanged && held[lockPath(f.Path)] != nil
			}
			return p, unlock, nil
		}
		// Locks are taken in one global order: release and take them all
		// again when a new one sorts before one held.
		for path := range held {
			want = append(want, path)
		}
		unlock()
		slices.Sort(want)
		// Lock completes a set a killed run left half renamed, so the next
		// plan reads what ApplyFiles will find.
		repaired := func(n string) { recovered = append(recovered, n) }
		for _, path := range slices.Compact(want) {
			u, err := safefile.Lock(path, safefile.LockOptions{Notify: notify, Repaired: repaired})
			if err != nil {
				unlock()
				return nil, func() {}, err
			}
			held[path] = u
		}
	}
	unlock()
	return nil, func() {}, fmt.Errorf("the files %s changes kept changing while it was being planned; run it again", st.ID())
}

// lockPath is the name safefile locks a file under: its target, for a link.
func lockPath(path string) string {
	if real, err := filepath.EvalSymlinks(path); err == nil {
		return real
	}
	return path
}

// Run is what one pass of a step did: the outcome of Apply, the checks run
// after it (Apply's own results merged in), and whether that makes the step done.
type Run struct {
	Step    string
	Outcome *Outcome // nil when Apply never ran (refused by the guard or the confirmation)
	Results []Result
	Err     error // from Apply, the guard or the confirmation; nil when Apply succeeded
	Done    bool  // Err is nil and no result is a Fail
	// env is the one the run used (a snapshot, maybe): passwords typed at a
	// prompt during the run go back to the owner's Env from there.
	env  *Env
	plan *Plan
}

// Failed lists the results that keep the step from being done.
func (r *Run) Failed() []Result {
	var out []Result
	for _, x := range r.Results {
		if x.Status == Fail {
			out = append(out, x)
		}
	}
	return out
}

// RunStep applies plan p of st and then runs the step's checks, all against
// env as it is now. Give it a Snapshot when the caller may change the
// answers meanwhile (a UI running it in the background): RunStep records the
// outcome into the env it was given, so the checks see what Apply did,
// and the caller calls Record to keep it in the answers it owns.
//
// confirm is what the admin typed for an irreversible plan; it must match
// exactly, and the guard is evaluated again right before Apply.
func RunStep(ctx context.Context, flow []Step, st Step, env *Env, p *Plan, confirm string) *Run {
	r := &Run{Step: st.ID(), env: env, plan: p}
	if irr := p.Irreversible; irr != nil {
		if confirm != irr.Confirm {
			r.Err = BadInput(fmt.Errorf("%s: %w: type %q exactly (case matters) to confirm; nothing was recorded", st.ID(), ErrNotConfirmed, irr.Confirm))
			return r
		}
		if b := Guard(ctx, flow, st.ID(), env); len(b) > 0 {
			r.Err = &GuardError{Step: st.ID(), Blockers: b}
			return r
		}
	}
	out, err := st.Apply(ctx, env, p)
	if out == nil {
		out = &Outcome{}
	}
	r.Outcome, r.Err = out, err
	out.RecordIn(env, st.ID())
	if err != nil {
		return r
	}
	if ctx.Err() != nil {
		r.Err = ctx.Err()
		return r
	}
	r.Results = MergeResults(out.Results, RunChecks(ctx, []Step{st}, env, RunOptions{Timeout: env.TimeLimit()}))
	r.Done = len(r.Failed()) == 0
	return r
}

// Recheck replaces the run's check results with a fresh run of the step's
// checks (the admin fixed something elsewhere and asked again) and decides
// Done anew by the same rule. Record it afterwards.
func (r *Run) Recheck(fresh []Result) {
	if r.Outcome == nil {
		return
	}
	r.Results = MergeResults(r.Outcome.Results, fresh)
	r.Done = r.Err == nil && len(r.Failed()) == 0
}

// Record keeps what the run did in the answers of env (the owner's, not the
// snapshot the run used): the files written, a confirmation taken, and the
// step done or — when a check now fails — no longer done. Call it also for
// a failed or cancelled run: files written before the failure are changed
// all the same.
func (r *Run) Record(env *Env) {
	if r == nil {
		return
	}
	r.Outcome.RecordIn(env, r.Step)
	env.KeepSecrets(r.env)
	if r.Outcome == nil {
		return // refused before Apply: nothing changed
	}
	if r.Err == nil && r.plan != nil {
		env.FlowProgress().recordHandoff(r.Step, r.plan, env.Time())
	}
	if r.Done {
		env.FlowProgress().MarkDone(r.Step)
	} else {
		env.FlowProgress().MarkUndone(r.Step)
	}
}

// Snapshot returns a copy of env whose answers are a deep copy, for one
// run in the background: nothing it does reads or writes the answers the
// caller goes on editing. Secrets typed so far come along.
func (e *Env) Snapshot() *Env {
	c := *e
	c.Answers = e.Answers.Clone()
	c.Secrets = maps.Clone(e.Secrets)
	if c.Secrets == nil {
		c.Secrets = map[string]secret.Secret{}
	}
	return &c
}

// KeepSecrets takes the passwords typed at a prompt during a run on
// snapshot s (a plan or an apply in the background) that e does not have
// yet, so the admin is not asked twice. Call it on the goroutine that owns e.
func (e *Env) KeepSecrets(s *Env) {
	if s == nil || s == e || e.Secrets == nil {
		return
	}
	for k, v := range s.Secrets {
		if _, ok := e.Secrets[k]; !ok {
			e.Secrets[k] = v
		}
	}
}

// State is where a step stands, in the words every UI and report uses.
type State string

const (
	NotStarted     State = "not started"
	InProgress     State = "in progress"
	Done           State = "done"
	NeedsAttention State = "needs attention" // a check of it fails, or its Apply did
	Skipped        State = "skipped"         // not needed for this deployment
)

// StateOf is st's state in progress p (of answers a), given the results
// of a run that included its checks: a failing check of it outranks everything.
func StateOf(st Step, a *Answers, p *Progress, results []Result) State {
	for _, r := range results {
		if r.Status == Fail && StepOf(r.ID) == st.ID() {
			return NeedsAttention
		}
	}
	switch need, _ := st.Needed(a); {
	case p.IsDone(st.ID()):
		return Done
	case need == NotNeeded:
		return Skipped
	case p.Current == st.ID():
		return InProgress
	}
	return NotStarted
}

// recordHandoff keeps what step's applied plan left to people, replacing
// what an earlier plan of it left.
func (pr *Progress) recordHandoff(step string, p *Plan, at time.Time) {
	if len(p.GUI) == 0 && len(p.Commands) == 0 {
		delete(pr.Handoff, step)
		return
	}
	if pr.Handoff == nil {
		pr.Handoff = map[string]Handoff{}
	}
	pr.Handoff[step] = Handoff{At: at.UTC().Format(time.RFC3339), GUI: p.GUI, Commands: p.Commands}
}
