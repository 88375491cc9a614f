package steps

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeStep carries checks for the runner's tests; everything but Checks is inert.
type fakeStep struct {
	id     string
	checks []Check
}

func (s fakeStep) ID() string                                           { return s.id }
func (s fakeStep) Title() string                                        { return s.id }
func (s fakeStep) Intro() string                                        { return "" }
func (s fakeStep) Fields() []Field                                      { return nil }
func (s fakeStep) Needed(*Answers) (Need, string)                       { return Optional, "" }
func (s fakeStep) Plan(context.Context, *Env) (*Plan, error)            { return &Plan{Step: s.id}, nil }
func (s fakeStep) Apply(context.Context, *Env, *Plan) (*Outcome, error) { return &Outcome{}, nil }
func (s fakeStep) Checks() []Check                                      { return s.checks }

func verdict(st Status, detail string) func(context.Context, *Env) Result {
	return func(context.Context, *Env) Result { return Result{Status: st, Detail: detail} }
}

// untilDone never answers by itself: only the runner's timeout ends it.
func untilDone(ctx context.Context, _ *Env) Result {
	<-ctx.Done()
	return Result{Status: Pass, Detail: "too late"}
}

func testFlow() []Step {
	return []Step{
		fakeStep{"alpha", []Check{
			{ID: "alpha.ok", Title: "passes", Run: verdict(Pass, "fine")},
			{ID: "alpha.warn", Title: "warns", Run: verdict(Warn, "hmm")},
			{ID: "alpha.look", Title: "a person looks", Manual: true, What: "CCE Administration › Alerts"},
		}},
		fakeStep{"beta", []Check{
			{ID: "beta.slow", Title: "never answers", Run: untilDone},
			{ID: "beta.panics", Title: "panics", Run: func(context.Context, *Env) Result { panic("boom") }},
			{ID: "beta.silent", Title: "returns no verdict", Run: verdict("", "forgot")},
			{ID: "beta.fails", Title: "fails", Run: verdict(Fail, "broken")},
		}},
	}
}

func TestRunChecksVerdicts(t *testing.T) {
	env := NewEnv(NewAnswers(), "")
	stateOf(env.Answers).Ticked = map[string]Tick{"alpha.look": {}}
	rs := RunChecks(context.Background(), testFlow(), env, RunOptions{Timeout: 50 * time.Millisecond})
	want := []struct {
		id, title string
		status    Status
		detail    string
	}{
		{"alpha.ok", "passes", Pass, "fine"},
		{"alpha.warn", "warns", Warn, "hmm"},
		{"alpha.look", "a person looks", Manual, "confirmed by the admin: CCE Administration › Alerts"},
		{"beta.slow", "never answers", Fail, "no answer within 50ms"},
		{"beta.panics", "panics", Fail, "internal error: boom"},
		{"beta.silent", "returns no verdict", Fail, "check returned no verdict: forgot"},
		{"beta.fails", "fails", Fail, "broken"},
	}
	if len(rs) != len(want) {
		t.Fatalf("got %d results, want %d: %+v", len(rs), len(want), rs)
	}
	for i, w := range want {
		r := rs[i]
		if r.ID != w.id || r.Title != w.title || r.Status != w.status || r.Detail != w.detail {
			t.Errorf("result %d = %+v, want %s %q %s %q", i, r, w.id, w.title, w.status, w.detail)
		}
	}
	if !strings.Contains(rs[4].Fix, "run_test.go") {
		t.Errorf("a panic's fix should carry the stack for the bug report, got %q", rs[4].Fix)
	}
	if s := Summarize(rs); s != (Summary{Total: 7, Pass: 1, Warn: 1, Fail: 4, Manual: 1, Confirmed: 1}) {
		t.Errorf("summary = %+v", s)
	}
}

func TestRunChecksFilters(t *testing.T) {
	for _, tc := range []struct {
		name       string
		only, skip []string
		want       string
	}{
		{"all", nil, nil, "alpha.ok alpha.warn alpha.look beta.slow beta.panics beta.silent beta.fails"},
		{"only a step", []string{"alpha"}, nil, "alpha.ok alpha.warn alpha.look"},
		{"only checks", []string{"beta.fails", " alpha.ok"}, nil, "alpha.ok beta.fails"},
		{"skip a step", nil, []string{"beta"}, "alpha.ok alpha.warn alpha.look"},
		{"only and skip", []string{"alpha"}, []string{"alpha.warn"}, "alpha.ok alpha.look"},
		{"prefix is not a step", []string{"alp"}, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := RunOptions{Only: tc.only, Skip: tc.skip, Timeout: 10 * time.Millisecond}
			var ids []string
			for _, r := range RunChecks(context.Background(), testFlow(), NewEnv(NewAnswers(), ""), o) {
				ids = append(ids, r.ID)
			}
			if got := strings.Join(ids, " "); got != tc.want {
				t.Errorf("ran %q, want %q", got, tc.want)
			}
		})
	}
}

func TestUnknownIDs(t *testing.T) {
	for _, tc := range []struct {
		only, skip []string
		want       string
	}{
		{[]string{"alpha", "beta.fails"}, []string{"alpha.ok"}, ""},
		{[]string{"alpah"}, nil, "alpah"},
		{nil, []string{"beta.fial", "gamma"}, "beta.fial gamma"},
		{[]string{"alp"}, nil, "alp"},
		{[]string{""}, nil, ""},
	} {
		got := strings.Join(UnknownIDs(testFlow(), nil, RunOptions{Only: tc.only, Skip: tc.skip}), " ")
		if got != tc.want {
			t.Errorf("UnknownIDs(only %q, skip %q) = %q, want %q", tc.only, tc.skip, got, tc.want)
		}
	}
}

// TestRunChecksParallel proves the checks run at the same time without
// timing anything: each check waits until all of them have started, which
// only happens when they run in parallel. Run one after the other, the
// first would wait for the rest until its timeout.
func TestRunChecksParallel(t *testing.T) {
	const n = 12
	var started sync.WaitGroup
	started.Add(n)
	all := make(chan struct{})
	go func() { started.Wait(); close(all) }()
	var checks []Check
	for i := range n {
		checks = append(checks, Check{ID: fmt.Sprintf("par.c%d", i), Run: func(ctx context.Context, _ *Env) Result {
			started.Done()
			select {
			case <-all:
				return Result{Status: Pass}
			case <-ctx.Done():
				return Result{Status: Fail, Detail: "ran alone"}
			}
		}})
	}
	rs := RunChecks(context.Background(), []Step{fakeStep{"par", checks}}, NewEnv(NewAnswers(), ""), RunOptions{Timeout: 10 * time.Second})
	for i, r := range rs {
		if r.Status != Pass || r.ID != fmt.Sprintf("par.c%d", i) {
			t.Errorf("result %d = %+v, want par.c%d pass", i, r, i)
		}
	}
}

// BenchmarkRunChecksTimeouts: n checks that all overrun cost about one
// timeout, not n. The reported timeouts/op stays near 1 as n grows.
func BenchmarkRunChecksTimeouts(b *testing.B) {
	const timeout = 20 * time.Millisecond
	for _, n := range []int{1, 10, 50} {
		b.Run(fmt.Sprintf("checks=%d", n), func(b *testing.B) {
			var checks []Check
			for i := range n {
				checks = append(checks, Check{ID: fmt.Sprintf("slow.c%d", i), Run: untilDone})
			}
			flow := []Step{fakeStep{"slow", checks}}
			env := NewEnv(NewAnswers(), "")
			start := time.Now()
			for b.Loop() {
				RunChecks(context.Background(), flow, env, RunOptions{Timeout: timeout})
			}
			b.ReportMetric(float64(time.Since(start))/float64(b.N)/float64(timeout), "timeouts/op")
		})
	}
}

// TestChecksReadTheFlowStateSideBySide: checks run in parallel ask what is
// done and what was confirmed (a guard does) on answers that hold no state
// of the flow yet; under -race this finds a first read that writes.
func TestChecksReadTheFlowStateSideBySide(t *testing.T) {
	env := NewEnv(NewAnswers(), "")
	env.FlowID = "fresh"
	var cs []Check
	for i := range 8 {
		cs = append(cs, Check{ID: fmt.Sprintf("fresh.%d", i), Title: "reads", Run: func(_ context.Context, env *Env) Result {
			if _, ok := env.Confirmed("x"); ok || env.FlowProgress().IsDone("x") || env.FlowTicks().IsTicked("x") {
				return Result{Status: Fail, Detail: "state out of nowhere"}
			}
			return Result{Status: Pass}
		}})
	}
	for _, r := range RunChecks(context.Background(), []Step{fakeStep{"fresh", cs}}, env, RunOptions{}) {
		if r.Status != Pass {
			t.Errorf("%s: %s %s", r.ID, r.Status, r.Detail)
		}
	}
}
