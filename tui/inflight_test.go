package tui

import (
	"context"
	"errors"
	"os"
	"testing"

	"ccewiz/steps"
)

// TestWaitWritesWhatTheProgramDidNotRun: Bubble Tea may end before it runs
// a save asked for in the last Update (q pressed as Apply finishes). Wait
// writes it; the command, if it runs after all, does not write it again;
// and an Apply that had not started by then never starts.
func TestWaitWritesWhatTheProgramDidNotRun(t *testing.T) {
	m := testModel(t, profileAnswers(), demoStep{}, 100, 30)
	m.dirty = true
	save := m.saveCmd(false)
	if save == nil {
		t.Fatal("no save command for dirty answers")
	}
	if _, err := os.Stat("ccewiz.yaml"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the save ran before its command: %v", err)
	}
	ran := false
	apply := m.start(actApply, "Applying demo", m.o.ActionTimeout, func(ctx context.Context, env *steps.Env) actionDoneMsg {
		ran = true
		return actionDoneMsg{}
	})

	m.Wait()
	if _, err := os.Stat("ccewiz.yaml"); err != nil {
		t.Fatalf("Wait did not write the pending save: %v", err)
	}
	if _, err := steps.LoadAnswers("ccewiz.yaml"); err != nil {
		t.Fatalf("what Wait wrote does not load: %v", err)
	}

	if err := os.Remove("ccewiz.yaml"); err != nil {
		t.Fatal(err)
	}
	if msg, ok := save().(savedMsg); !ok || msg.err != nil || msg.what != "answers" {
		t.Fatalf("the late command answered %#v", msg)
	}
	if _, err := os.Stat("ccewiz.yaml"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the late command wrote the answers a second time: %v", err)
	}

	var done *actionDoneMsg
	for _, msg := range runCmd(apply) {
		if d, ok := msg.(actionDoneMsg); ok {
			done = &d
		}
	}
	if ran || done == nil || !errors.Is(done.err, errCancelled) {
		t.Fatalf("an Apply started after Wait: ran %v, done %+v", ran, done)
	}
}
