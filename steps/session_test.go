package steps

import (
	"context"
	"errors"
	"strings"
	"testing"

	"ccewiz/secret"
)

// loopStep is a step of the session tests: its need, its Apply's error and
// its one check's verdict are the test's; Apply writes a note into the
// answers it is given, so a test sees which answers a run used.
type loopStep struct {
	id       string
	need     Need
	applyErr error
	verdict  Status
	irr      bool
}

func (s loopStep) ID() string                     { return s.id }
func (s loopStep) Title() string                  { return "step " + s.id }
func (s loopStep) Intro() string                  { return "" }
func (s loopStep) Fields() []Field                { return nil }
func (s loopStep) Needed(*Answers) (Need, string) { return s.need, "" }
func (s loopStep) Plan(context.Context, *Env) (*Plan, error) {
	p := &Plan{Step: s.id}
	if s.irr {
		p.Irreversible = &Irreversible{What: "permanent", Confirm: "YES"}
	}
	return p, nil
}
func (s loopStep) Apply(_ context.Context, env *Env, _ *Plan) (*Outcome, error) {
	scratchOf(env.Answers).Note = "applied by " + s.id
	return &Outcome{Written: []Written{{Path: s.id + ".txt"}}}, s.applyErr
}
func (s loopStep) Checks() []Check {
	return []Check{{ID: s.id + ".check", Title: s.id + " works", Run: func(_ context.Context, env *Env) Result {
		if scratchOf(env.Answers).Note == "" {
			return Result{Status: Fail, Detail: "Apply's change is not in the answers the check sees"}
		}
		return Result{Status: s.verdict, Detail: s.id + " is " + string(s.verdict), Fix: "mend " + s.id}
	}}}
}

// TestRunStepDone: done means Apply succeeded and no check fails; a step
// done before and failing now is done no more; a failed Apply still
// records what it wrote.
func TestRunStepDone(t *testing.T) {
	cases := []struct {
		name      string
		st        loopStep
		wasDone   bool
		wantDone  bool
		wantErr   bool
		wantFails int
	}{
		{"passes", loopStep{id: "a", need: Required, verdict: Pass}, false, true, false, 0},
		{"warns", loopStep{id: "a", need: Required, verdict: Warn}, false, true, false, 0},
		{"check fails", loopStep{id: "a", need: Required, verdict: Fail}, false, false, false, 1},
		{"check fails, was done", loopStep{id: "a", need: Required, verdict: Fail}, true, false, false, 1},
		{"apply fails", loopStep{id: "a", need: Required, verdict: Pass, applyErr: errors.New("disk full")}, true, false, true, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := NewEnv(NewAnswers(), "")
			if c.wasDone {
				stateOf(env.Answers).Progress.MarkDone("a")
			}
			flow := []Step{c.st}
			p, err := PlanStep(context.Background(), flow, c.st, env)
			if err != nil {
				t.Fatal(err)
			}
			snap := env.Snapshot()
			r := RunStep(context.Background(), flow, c.st, snap, p, "")
			if scratchOf(env.Answers).Note != "" || len(stateOf(env.Answers).Progress.Written) > 0 {
				t.Fatal("the run changed the owner's answers instead of its snapshot")
			}
			r.Record(env)
			if r.Done != c.wantDone || stateOf(env.Answers).Progress.IsDone("a") != c.wantDone {
				t.Errorf("done = %v, recorded %v; want %v", r.Done, stateOf(env.Answers).Progress.IsDone("a"), c.wantDone)
			}
			if (r.Err != nil) != c.wantErr || len(r.Failed()) != c.wantFails {
				t.Errorf("err = %v, failed = %+v", r.Err, r.Failed())
			}
			if len(stateOf(env.Answers).Progress.Written) != 1 {
				t.Errorf("written = %+v, want a.txt recorded", stateOf(env.Answers).Progress.Written)
			}
		})
	}
}

// TestGuard: an irreversible step waits for every earlier Required step to
// be done and to pass; optional or unneeded steps, and later ones, never block.
func TestGuard(t *testing.T) {
	final := loopStep{id: "final", need: Required, verdict: Pass, irr: true}
	cases := []struct {
		name    string
		flow    []Step
		done    []string
		blocked []string // "step: why" prefixes
	}{
		{"all done and passing", []Step{loopStep{id: "a", need: Required, verdict: Pass}, final}, []string{"a"}, nil},
		{"not done", []Step{loopStep{id: "a", need: Required, verdict: Pass}, final}, nil, []string{"a: not done yet"}},
		{"done but failing now", []Step{loopStep{id: "a", need: Required, verdict: Fail}, final}, []string{"a"}, []string{"a: check a.check fails: a is fail"}},
		{"warning only", []Step{loopStep{id: "a", need: Required, verdict: Warn}, final}, []string{"a"}, nil},
		{"optional failing", []Step{loopStep{id: "a", need: Optional, verdict: Fail}, final}, nil, nil},
		{"not needed", []Step{loopStep{id: "a", need: NotNeeded, verdict: Fail}, final}, nil, nil},
		{"later failing", []Step{final, loopStep{id: "z", need: Required, verdict: Fail}}, nil, nil},
		{"two of three", []Step{loopStep{id: "a", need: Required, verdict: Fail}, loopStep{id: "b", need: Required, verdict: Pass},
			loopStep{id: "c", need: Required, verdict: Pass}, final}, []string{"a", "c"}, []string{"a: check a.check fails", "b: not done yet"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			env := NewEnv(NewAnswers(), "")
			scratchOf(env.Answers).Note = "set" // the checks' precondition
			for _, d := range c.done {
				stateOf(env.Answers).Progress.MarkDone(d)
			}
			p, err := PlanStep(ctx, c.flow, final, env)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, b := range p.Blocked {
				got = append(got, b.Step+": "+b.Why)
			}
			if len(got) != len(c.blocked) {
				t.Fatalf("blocked = %q, want %q", got, c.blocked)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], c.blocked[i]) {
					t.Errorf("blocker %d = %q, want %q…", i, got[i], c.blocked[i])
				}
			}
			r := RunStep(ctx, c.flow, final, env, p, "YES")
			var ge *GuardError
			if blocked := len(c.blocked) > 0; blocked != errors.As(r.Err, &ge) || blocked == r.Done {
				t.Fatalf("run: done %v, err %v", r.Done, r.Err)
			}
			if ge != nil && (r.Outcome != nil || !strings.Contains(ge.Error(), "cannot be undone")) {
				t.Errorf("refused run applied or says %q", ge.Error())
			}
		})
	}
}

// TestRunStepConfirmation: an irreversible plan runs only with its exact
// value; a wrong one is bad input and applies nothing.
func TestRunStepConfirmation(t *testing.T) {
	st := loopStep{id: "final", need: Required, verdict: Pass, irr: true}
	for _, typed := range []string{"", "yes", "YES "} {
		env := NewEnv(NewAnswers(), "")
		p, _ := PlanStep(context.Background(), []Step{st}, st, env)
		r := RunStep(context.Background(), []Step{st}, st, env, p, typed)
		if !errors.Is(r.Err, ErrNotConfirmed) || !errors.Is(r.Err, ErrBadInput) || r.Outcome != nil || scratchOf(env.Answers).Note != "" {
			t.Errorf("confirm %q: %+v", typed, r)
		}
	}
}

// TestSnapshotSharesNothing: a background run's copy of the answers can be
// changed in every slice and map without the owner's seeing it.
func TestSnapshotSharesNothing(t *testing.T) {
	a := NewAnswers()
	scratchOf(a).Items = []string{"web1"}
	a.Resolve = map[string]string{"x": "y"}
	stateOf(a).Ticked.Set("validate.x", true, "alice", "2026-12-07T00:00:00Z")
	env := NewEnv(a, "")
	s := env.Snapshot()
	scratchOf(s.Answers).Items[0] = "changed"
	s.Answers.Resolve["x"] = "changed"
	stateOf(s.Answers).Ticked.Set("validate.x", false, "alice", "2026-12-07T00:00:00Z")
	stateOf(s.Answers).Progress.MarkDone("profile")
	if scratchOf(a).Items[0] != "web1" || a.Resolve["x"] != "y" || !stateOf(a).Ticked.IsTicked("validate.x") || stateOf(a).Progress.IsDone("profile") {
		t.Errorf("the snapshot shares state with the owner: %+v", a)
	}
}

// TestEnterSecret: one rule for every UI — a typed source is kept in the
// answers, anything else is this session's password, and typing over a
// stored source says that later runs still read the source.
func TestEnterSecret(t *testing.T) {
	f := SecretRefField("scratch.pass", "PFX password", "", func(a *Answers) *secret.Ref { return &scratchOf(a).Pass })
	cases := []struct {
		name, stored, typed string
		wantRef             string
		wantSecret          bool
		note, err           string
	}{
		{name: "nothing typed", typed: ""},
		{name: "a file source", typed: "file:secrets/pfx", wantRef: "file:secrets/pfx", note: "now comes from file:secrets/pfx"},
		{name: "an env source replaces a file", stored: "file:old", typed: "env:PFX_PW", wantRef: "env:PFX_PW", note: "now comes from env:PFX_PW"},
		{name: "a password", typed: "S3cret!", wantSecret: true},
		{name: "a password over a source", stored: "file:secrets/pfx", typed: "S3cret!", wantRef: "file:secrets/pfx", wantSecret: true,
			note: "a later `ccewiz check` or `apply` still reads file:secrets/pfx"},
		{name: "a source without its path", typed: "file:", err: "the path is missing"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := NewEnv(NewAnswers(), "")
			if c.stored != "" {
				if err := f.Set(env.Answers, c.stored); err != nil {
					t.Fatal(err)
				}
			}
			note, err := EnterSecret(env, f, c.typed)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) || !errors.Is(err, ErrBadInput) {
					t.Fatalf("err = %v, want %q", err, c.err)
				}
				return
			}
			if err != nil || !strings.Contains(note, c.note) || (c.note == "") != (note == "") {
				t.Fatalf("note %q, err %v; want %q", note, err, c.note)
			}
			if got := f.Get(env.Answers); got != c.wantRef {
				t.Errorf("stored source = %q, want %q", got, c.wantRef)
			}
			if _, ok := env.Secrets[f.Key]; ok != c.wantSecret {
				t.Errorf("session password kept = %v, want %v", ok, c.wantSecret)
			}
			if strings.Contains(note, "S3cret") {
				t.Error("the note repeats the password")
			}
		})
	}
}
