package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ccewiz/safefile"
	"ccewiz/steps"
	"ccewiz/steps/wxm"
	"ccewiz/testpeer"
)

func wxmCheck(t *testing.T, answers string) (int, []string, steps.Report) {
	t.Helper()
	return flowCheck(t, answers, "wxm")
}

// TestLabWalksTheWxMFlow: on a fresh lab, `check --flow wxm` fails where
// the guide's procedure has not been done, each failure with its fix;
// `apply --flow wxm` does what ccewiz can do (the AW's cacerts, CVP's
// sip.properties, Finesse's layout through its API) and the check passes;
// a second apply writes nothing; a cherrypoint that goes down fails its
// check again. The ECE flow's progress is not touched.
func TestLabWalksTheWxMFlow(t *testing.T) {
	labDir := t.TempDir()
	t.Run("walk", func(t *testing.T) { walkWxM(t, testpeer.StartLab(t, testpeer.BuildCcewiz(t), labDir)) })
	// A resumed lab still has what the first run did — the AW's inventory
	// entry too — so the check still passes.
	t.Run("resumed", func(t *testing.T) {
		answers := testpeer.StartLab(t, testpeer.BuildCcewiz(t), labDir)
		os.Remove(filepath.Join(labDir, "cloudconnect", "cc2.example.com.cherrypoint-down"))
		if code, failed, r := wxmCheck(t, answers); code != 0 || len(failed) > 0 {
			t.Fatalf("after resuming: exit %d, failed %v\n%s", code, failed, describeFailures(r))
		}
	})
}

func walkWxM(t *testing.T, answers string) {
	dir := filepath.Dir(answers)
	code, failed, _ := wxmCheck(t, answers)
	if code != 1 || !containsAll(failed, "aw.aw1a.example.com", "aw.inventory", "cherrypoint.status.publisher", "cherrypoint.status.subscriber", "sip.keys", "finesse.layout") {
		t.Fatalf("before apply: exit %d, failed %v", code, failed)
	}
	if code, out, errs := runBinary(t, "apply", "--flow", "wxm", "--answers", answers, "--yes"); code != 0 {
		t.Fatalf("apply exited %d\n%s\n%s", code, out, errs)
	}
	code, failed, r := wxmCheck(t, answers)
	if code != 0 || len(failed) > 0 {
		t.Fatalf("after apply: exit %d, failed %v\n%s", code, failed, describeFailures(r))
	}
	// The summary to hand over.
	md := filepath.Join(dir, "wxm-report.md")
	if code, _, errs := runBinary(t, "check", "--flow", "wxm", "--answers", answers, "--report", md); code != 0 {
		t.Fatalf("check --report: exit %d\n%s", code, errs)
	}
	if b, _ := os.ReadFile(md); !strings.Contains(string(b), "# CCE ↔ Webex Experience Management integration report") ||
		!strings.Contains(string(b), "manual item(s) not confirmed yet") || !strings.Contains(string(b), "`finesse.layout`") {
		t.Errorf("the report does not read as the WxM flow's:\n%.600s", b)
	}
	a, err := steps.LoadAnswers(answers)
	if err != nil {
		t.Fatal(err)
	}
	prog, _ := a.State(wxm.FlowID)
	for _, st := range wxm.Flow().Steps {
		if !prog.IsDone(st.ID()) {
			t.Errorf("step %s is not recorded as done", st.ID())
		}
	}
	if len(a.FlowState("").Progress.Done) > 0 {
		t.Errorf("the ECE flow's progress changed: %v", a.FlowState("").Progress.Done)
	}
	sip := filepath.Join(dir, "cvp", "conf", "sip.properties")
	cacerts := filepath.Join(dir, "ads", "aw1a", "cacerts")
	before := len(safefile.Backups(sip)) + len(safefile.Backups(cacerts))
	if code, out, errs := runBinary(t, "apply", "--flow", "wxm", "--answers", answers, "--yes"); code != 0 {
		t.Fatalf("second apply exited %d\n%s\n%s", code, out, errs)
	}
	if after := len(safefile.Backups(sip)) + len(safefile.Backups(cacerts)); after != before {
		t.Errorf("the second apply wrote %d new backups", after-before)
	}
	down := filepath.Join(dir, "cloudconnect", "cc2.example.com.cherrypoint-down")
	os.MkdirAll(filepath.Dir(down), 0o755)
	os.WriteFile(down, nil, 0o644)
	if _, failed, _ := wxmCheck(t, answers); len(failed) != 1 || failed[0] != "cherrypoint.status.subscriber" {
		t.Errorf("with cherrypoint down on the subscriber: failed %v", failed)
	}
}

// TestWxMSipFrontEnd: `ccewiz wxm sip patch` is the flow's sip step: it
// keeps its flags as answers, records the file it wrote with its backup,
// and a second run changes nothing; `check` then passes.
func TestWxMSipFrontEnd(t *testing.T) {
	dir := t.TempDir()
	sip := filepath.Join(dir, "sip.properties")
	os.WriteFile(sip, []byte("SIP.Port = 5060\r\nSIP.CloudConnect.password = ENC(x)\r\n"), 0o644)
	answers := filepath.Join(dir, "ccewiz.yaml")
	args := []string{"wxm", "sip", "patch", "--file", sip, "--publisher", "cc1.example.com", "--subscriber", "cc2.example.com",
		"--user", "ccadmin", "--email", "surveys@example.com", "--answers", answers}
	if code, out, errs := runCLI(t, args...); code != 0 {
		t.Fatalf("patch: exit %d\n%s%s", code, out, errs)
	}
	if code, out, errs := runCLI(t, "wxm", "sip", "check", "--file", sip, "--answers", answers); code != 0 || !strings.Contains(out, "all 13 keys") {
		t.Fatalf("check: exit %d\n%s%s", code, out, errs)
	}
	a, err := steps.LoadAnswers(answers)
	if err != nil {
		t.Fatal(err)
	}
	prog, _ := a.State(wxm.FlowID)
	if len(prog.Written) != 1 || prog.Written[0].Path != sip || prog.Written[0].Backup == "" || !prog.IsDone("sip") {
		t.Errorf("the answers do not record the write: %+v", prog)
	}
	if wxm.Of(a).CVP.Username != "ccadmin" {
		t.Errorf("the flags were not kept as answers: %+v", wxm.Of(a).CVP)
	}
	if code, out, errs := runCLI(t, args...); code != 0 || len(safefile.Backups(sip)) != 1 {
		t.Errorf("second patch: exit %d, backups %v\n%s%s", code, safefile.Backups(sip), out, errs)
	}
}

// TestLabWxMWizardUnderTmux walks the whole WxM flow in the real TUI at
// 120×40 as a newcomer would — review each plan (ctrl+o), apply it
// (enter), go on (enter) — and ends on the report with no failed check.
func TestLabWxMWizardUnderTmux(t *testing.T) {
	tm := testpeer.NewTmux(t)
	tm.Join = true
	bin := testpeer.BuildCcewiz(t)
	dir := t.TempDir()
	tm.Start("lab", testpeer.ShellQuote(bin, "lab", "--flow", "wxm", "--dir", dir)+"; echo exit=$?; sleep 30")
	tm.WaitForText("lab", "Step 1 of 7", 30*time.Second)
	for i := 1; i <= 7; i++ {
		tm.Keys("lab", "C-o")
		tm.WaitForText("lab", "Press enter to apply this plan", 20*time.Second)
		tm.Keys("lab", "Enter")
		screen := tm.WaitForText("lab", "enter: record this step and go on", 30*time.Second)
		if strings.Contains(screen, "✗ fail") {
			t.Fatalf("step %d has a failing check:\n%s", i, screen)
		}
		tm.Keys("lab", "Enter")
		if i < 7 {
			tm.WaitForText("lab", fmt.Sprintf("Step %d of 7", i+1), 20*time.Second)
		}
	}
	screen := tm.WaitForText("lab", "Integration report", 30*time.Second)
	if !strings.Contains(screen, "manual item(s) not confirmed yet") || strings.Contains(screen, "NOT READY") {
		t.Errorf("the report after the walk:\n%s", screen)
	}
	for i := 0; i < 3 && !strings.Contains(tm.Capture("lab"), "exit="); i++ {
		tm.Keys("lab", "C-c")
		time.Sleep(500 * time.Millisecond)
	}
	screen = tm.WaitForText("lab", "exit=0", 30*time.Second)
	if !strings.Contains(screen, "ccewiz lab --dir "+dir+" --flow wxm") {
		t.Errorf("the exit message does not say how to continue the WxM flow:\n%s", screen)
	}
}
