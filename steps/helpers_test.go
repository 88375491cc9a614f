package steps

import (
	"context"
	"testing"
	"time"
)

// checkResults runs the checks of flow as `ccewiz check` does (RunChecks:
// in parallel, each within timeout, manual ones reported as such) and maps
// the results by check ID. only selects checks like --only.
func checkResults(t *testing.T, env *Env, flow []Step, timeout time.Duration, only ...string) map[string]Result {
	t.Helper()
	out := map[string]Result{}
	for _, r := range RunChecks(context.Background(), flow, env, RunOptions{Only: only, Timeout: timeout}) {
		out[r.ID] = r
	}
	return out
}

// checkResult is the result of st's check id; the test fails when st has no such check.
func checkResult(t *testing.T, env *Env, st Step, id string, timeout time.Duration) Result {
	t.Helper()
	r, ok := checkResults(t, env, []Step{st}, timeout, id)[id]
	if !ok {
		t.Fatalf("no check %s", id)
	}
	return r
}
