package steps

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"ccewiz/safefile"
)

// counterStep adds one to the number in its file: a step whose change
// depends on what the file holds, as spog's and a keystore's do.
type counterStep struct{ path string }

func (counterStep) ID() string                     { return "counter" }
func (counterStep) Title() string                  { return "counter" }
func (counterStep) Intro() string                  { return "" }
func (counterStep) Fields() []Field                { return nil }
func (counterStep) Needed(*Answers) (Need, string) { return Required, "" }
func (counterStep) Checks() []Check                { return nil }
func (s counterStep) Plan(context.Context, *Env) (*Plan, error) {
	old, err := os.ReadFile(s.path)
	if err != nil {
		return nil, err
	}
	n, _ := strconv.Atoi(string(old))
	fc, err := PlanWrite(s.path, []byte(strconv.Itoa(n+1)), 0o644, "count")
	if err != nil {
		return nil, err
	}
	return &Plan{Step: "counter", Files: []FileChange{fc}}, nil
}
func (counterStep) Apply(_ context.Context, env *Env, p *Plan) (*Outcome, error) {
	return ApplyFiles(env, p)
}

// TestPlanLockedSerialisesRuns: runs planned with PlanLocked never plan
// from a file another run is about to change. Twenty at once each add one:
// the file ends at 20, every run succeeds (no "changed since the plan"),
// and the file is held for the whole plan-to-write window.
func TestPlanLockedSerialisesRuns(t *testing.T) {
	path := filepath.Join(t.TempDir(), "count")
	os.WriteFile(path, []byte("0"), 0o644)
	st := counterStep{path}
	const runs = 20
	var wg sync.WaitGroup
	errs := make([]error, runs)
	for i := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			env := NewEnv(NewAnswers(), "")
			p, unlock, err := PlanLocked(context.Background(), []Step{st}, st, env, nil)
			if err != nil {
				errs[i] = err
				return
			}
			defer unlock()
			if !p.Files[0].Locked {
				errs[i] = errors.New("the planned file is not marked as locked")
				return
			}
			// Between the plan and the write nobody else gets the file.
			if _, err := safefile.Lock(path, safefile.LockOptions{Wait: time.Millisecond}); !errors.Is(err, safefile.ErrBusy) {
				errs[i] = errors.New("another writer could lock the file between the plan and the write")
				return
			}
			_, errs[i] = st.Apply(context.Background(), env, p)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("run %d: %v", i, err)
		}
	}
	if b, _ := os.ReadFile(path); string(b) != strconv.Itoa(runs) {
		t.Errorf("the file holds %s after %d runs: a run planned from a stale file", b, runs)
	}
}
