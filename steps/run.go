package steps

import (
	"context"
	"fmt"
	"runtime/debug"
	"strings"
	"sync"
	"time"
)

// Summary counts results by status.
type Summary struct {
	Total  int `json:"total"`
	Pass   int `json:"pass"`
	Warn   int `json:"warn"`
	Fail   int `json:"fail"`
	Skip   int `json:"skip"`
	Manual int `json:"manual"`
	// Confirmed counts the manual items the admin ticked (part of Manual).
	Confirmed int `json:"confirmed"`
}

// Summarize counts rs.
func Summarize(rs []Result) Summary {
	s := Summary{Total: len(rs)}
	for _, r := range rs {
		switch r.Status {
		case Pass:
			s.Pass++
		case Warn:
			s.Warn++
		case Fail:
			s.Fail++
		case Skip:
			s.Skip++
		case Manual:
			s.Manual++
			if r.Confirmed {
				s.Confirmed++
			}
		}
	}
	return s
}

// Verdict is the one verdict of a validation run: `check` prints it (text,
// JSON, JUnit) and the wizard's report leads with it.
type Verdict string

const (
	Ready             Verdict = "ready"
	ReadyWithWarnings Verdict = "ready-with-warnings"
	Almost            Verdict = "almost"    // nothing fails, but manual items are not confirmed
	NotReady          Verdict = "not-ready" // a check fails
)

// Verdict decides the run's verdict from its counts.
func (s Summary) Verdict() Verdict {
	switch {
	case s.Fail > 0:
		return NotReady
	case s.Manual > s.Confirmed:
		return Almost
	case s.Warn > 0:
		return ReadyWithWarnings
	}
	return Ready
}

// VerdictText is the verdict in words, with the count behind it.
func (s Summary) VerdictText() string {
	switch s.Verdict() {
	case NotReady:
		return fmt.Sprintf("NOT READY — %d check(s) failed", s.Fail)
	case Almost:
		return fmt.Sprintf("ALMOST — %d manual item(s) not confirmed yet", s.Manual-s.Confirmed)
	case ReadyWithWarnings:
		return fmt.Sprintf("READY with %d warning(s)", s.Warn)
	}
	return "READY — every check passed"
}

// RunOptions select and bound a validation run.
type RunOptions struct {
	Only    []string      // check IDs or step IDs; empty = all
	Skip    []string      // check IDs or step IDs
	Timeout time.Duration // per check; 0 = 5 s
}

// Selected reports whether the check id passes the filters. A filter entry
// matches a check ID exactly or a whole step ("trust" matches "trust.ads1").
func (o RunOptions) Selected(id string) bool {
	match := func(list []string) bool {
		for _, f := range list {
			f = strings.TrimSpace(f)
			if f == id || strings.HasPrefix(id, f+".") {
				return true
			}
		}
		return false
	}
	if len(o.Only) > 0 && !match(o.Only) {
		return false
	}
	return !match(o.Skip)
}

// UnknownIDs returns the --only/--skip entries that match no check, so a
// typo is an error instead of a silently empty run.
func UnknownIDs(flow []Step, a *Answers, o RunOptions) []string {
	var bad []string
	for _, f := range append(append([]string{}, o.Only...), o.Skip...) {
		f = strings.TrimSpace(f)
		found := false
		for _, st := range flow {
			if st.ID() == f {
				found = true
			}
			for _, c := range ChecksOf(st, a) {
				if c.ID == f {
					found = true
				}
			}
		}
		if !found && f != "" {
			bad = append(bad, f)
		}
	}
	return bad
}

// RunChecks runs every selected check of every step in parallel, each under
// its own timeout, and returns the results in flow order. A check that
// panics or overruns its timeout fails with that as its detail; it never
// takes the run down with it.
func RunChecks(ctx context.Context, flow []Step, env *Env, o RunOptions) []Result {
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	var checks []Check
	for _, st := range flow {
		for _, c := range ChecksOf(st, env.Answers) {
			if o.Selected(c.ID) {
				checks = append(checks, c)
			}
		}
	}
	if env.Answers != nil {
		// Made now, on the caller's goroutine: the checks read the flow's
		// state (a guard asks what is done) side by side, and a first
		// FlowState would be a write to the answers' map.
		env.Answers.FlowState(env.FlowID)
	}
	results := make([]Result, len(checks))
	var wg sync.WaitGroup
	for i, c := range checks {
		if c.Manual || c.Run == nil {
			results[i] = manualResult(c, env)
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = runOne(ctx, c, env, timeout)
		}()
	}
	wg.Wait()
	return results
}

// VerifyStep runs the automated checks of one step (only the given IDs, when
// any), each under the env's timeout and with panic recovery, as Apply does
// to show where things stand after a change. Manual items are left out.
func VerifyStep(ctx context.Context, st Step, env *Env, only ...string) []Result {
	var out []Result
	for _, r := range RunChecks(ctx, []Step{st}, env, RunOptions{Only: only, Timeout: env.TimeLimit()}) {
		if r.Status != Manual {
			out = append(out, r)
		}
	}
	return out
}

func manualResult(c Check, env *Env) Result {
	r := Result{ID: c.ID, Title: c.Title, Status: Manual, Detail: c.What}
	if env != nil && env.Answers != nil && env.FlowTicks().IsTicked(c.ID) {
		r.Detail = "confirmed by the admin: " + c.What
		r.Confirmed = true
	}
	return r
}

func runOne(parent context.Context, c Check, env *Env, timeout time.Duration) Result {
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()
	start := time.Now()
	done := make(chan Result, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- Result{Status: Fail, Detail: fmt.Sprintf("internal error: %v", p),
					Fix: "please report this with the answers file (it holds no passwords):\n" + string(debug.Stack())}
			}
		}()
		done <- c.Run(ctx, env)
	}()
	var r Result
	select {
	case r = <-done:
	case <-ctx.Done():
		r = Result{Status: Fail, Detail: fmt.Sprintf("no answer within %s", timeout),
			Fix: "check that the server is up and reachable from here, or raise --timeout"}
	}
	r.Elapsed = time.Since(start)
	if r.ID == "" {
		r.ID = c.ID
	}
	if r.Title == "" {
		r.Title = c.Title
	}
	if r.Status == "" {
		r.Status = Fail
		r.Detail = "check returned no verdict: " + r.Detail
	}
	return r
}
