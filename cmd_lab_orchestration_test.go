package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ccewiz/safefile"
	"ccewiz/steps"
	"ccewiz/steps/orchestration"
	"ccewiz/testpeer"
)

func orchCheck(t *testing.T, answers string) (int, []string, steps.Report) {
	t.Helper()
	return flowCheck(t, answers, "orchestration")
}

// TestLabWalksTheOrchestrationFlow: on a fresh lab `check --flow
// orchestration` fails where the procedure is not done, each failure with
// its fix; `apply --flow orchestration` fetches Cloud Connect's
// certificates and keys, installs the keys where the Windows node's
// sshd_config sends an administrator's, writes inventory.conf; then the
// check passes — the Windows node's SSH server accepting Cloud Connect's
// own key included — and a second apply writes nothing. A node whose key
// file loses a key fails again.
func TestLabWalksTheOrchestrationFlow(t *testing.T) {
	labDir := t.TempDir()
	answers := testpeer.StartLab(t, testpeer.BuildCcewiz(t), labDir)
	code, failed, _ := orchCheck(t, answers)
	if code != 1 || !containsAll(failed, "vos.certs", "windows.keys", "windows.rgr1a.example.com.file", "inventory.file", "validate.rgr1a.example.com.login") {
		t.Fatalf("before apply: exit %d, failed %v", code, failed)
	}
	// The exported file the lab leaves is one a newcomer edits and checks.
	exported := filepath.Join(labDir, "orchestration", "inventory.conf.exported")
	if code, out, errs := runBinary(t, "orchestration", "inventory", "check", exported); code != 0 {
		t.Fatalf("the lab's exported inventory.conf: exit %d\n%s%s", code, out, errs)
	}
	if code, out, errs := runBinary(t, "apply", "--flow", "orchestration", "--answers", answers, "--yes"); code != 0 {
		t.Fatalf("apply exited %d\n%s\n%s", code, out, errs)
	}
	code, failed, r := orchCheck(t, answers)
	if code != 0 || len(failed) > 0 {
		t.Fatalf("after apply: exit %d, failed %v\n%s", code, failed, describeFailures(r))
	}
	a, err := steps.LoadAnswers(answers)
	if err != nil {
		t.Fatal(err)
	}
	prog, _ := a.State(orchestration.FlowID)
	for _, st := range orchestration.Flow().Steps {
		if !prog.IsDone(st.ID()) {
			t.Errorf("step %s is not recorded as done", st.ID())
		}
	}
	keyFile := filepath.Join(labDir, "windows", "rgr1a.example.com", "ProgramData", "ssh", "administrators_authorized_keys")
	inv := filepath.Join(labDir, "orchestration", "inventory.conf")
	before := len(safefile.Backups(keyFile)) + len(safefile.Backups(inv))
	if code, out, errs := runBinary(t, "apply", "--flow", "orchestration", "--answers", answers, "--yes"); code != 0 || strings.Contains(out, "wrote ") {
		t.Fatalf("second apply: exit %d (it should write nothing)\n%s\n%s", code, out, errs)
	}
	if after := len(safefile.Backups(keyFile)) + len(safefile.Backups(inv)); after != before {
		t.Errorf("the second apply made %d backups", after-before)
	}
	// Someone "tidies" the key file down to one key.
	data, _ := os.ReadFile(keyFile)
	first, _, _ := strings.Cut(string(data), "\n")
	os.WriteFile(keyFile, []byte(first+"\n"), 0o600)
	if _, failed, _ := orchCheck(t, answers); len(failed) != 1 || failed[0] != "windows.rgr1a.example.com.file" {
		t.Errorf("with one key removed: failed %v", failed)
	}
}
