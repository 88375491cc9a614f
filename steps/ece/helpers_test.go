package ece

import (
	"context"
	"errors"
	"testing"
	"time"

	"ccewiz/steps"
)

// checkResults runs the checks of flow as `ccewiz check` does (RunChecks:
// in parallel, each within timeout, manual ones reported as such) and maps
// the results by check ID. only selects checks like --only.
func checkResults(t *testing.T, env *steps.Env, flow []steps.Step, timeout time.Duration, only ...string) map[string]steps.Result {
	t.Helper()
	out := map[string]steps.Result{}
	for _, r := range steps.RunChecks(context.Background(), flow, env, steps.RunOptions{Only: only, Timeout: timeout}) {
		out[r.ID] = r
	}
	return out
}

// checkResult is the result of st's check id; the test fails when st has no such check.
func checkResult(t *testing.T, env *steps.Env, st steps.Step, id string, timeout time.Duration) steps.Result {
	t.Helper()
	r, ok := checkResults(t, env, []steps.Step{st}, timeout, id)[id]
	if !ok {
		t.Fatalf("no check %s", id)
	}
	return r
}

// isBadInput: the error (maybe joined) is the admin's to fix.
func isBadInput(err error) bool { return errors.Is(err, steps.ErrBadInput) }

// answersWith is new answers that set changes.
func answersWith(set func(a *steps.Answers)) *steps.Answers {
	a := steps.NewAnswers()
	set(a)
	return a
}
