package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOrchestrationInventoryCheck: exit 0 clean, 1 with findings (each
// with its line and fix, in text and JSON), 2 unreadable.
func TestOrchestrationInventoryCheck(t *testing.T) {
	good, err := os.ReadFile("inventoryconf/testdata/good.conf")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	goodFile, badFile := filepath.Join(dir, "inventory.conf"), filepath.Join(dir, "edited.conf")
	os.WriteFile(goodFile, good, 0o644)
	bad := strings.Replace(strings.ReplaceAll(string(good), "\n", "\r\n"), "    ROGGER:", "    Rogger:", 1)
	os.WriteFile(badFile, []byte(bad), 0o644)

	code, out, errs := runCLI(t, "orchestration", "inventory", "check", goodFile)
	if code != 0 || !strings.Contains(out, "clean — 4 VOS and 6 Windows host(s)") {
		t.Fatalf("good file: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = runCLI(t, "orchestration", "inventory", "check", badFile)
	if code != 1 || !strings.Contains(out, "line 1: Windows (CRLF)") || !strings.Contains(out, "line 51: the component Rogger must be in upper case") ||
		!strings.Contains(out, "fix: write ROGGER:") {
		t.Fatalf("edited file: exit %d\n%s%s", code, out, errs)
	}
	code, out, _ = runCLI(t, "orchestration", "inventory", "check", badFile, "--format", "json")
	var rep struct {
		Findings []struct {
			Line      int
			Rule, Fix string
		}
	}
	if code != 1 || json.Unmarshal([]byte(out), &rep) != nil || len(rep.Findings) != 2 || rep.Findings[1].Line != 51 || rep.Findings[1].Rule != "product-case" {
		t.Fatalf("json: exit %d\n%s", code, out)
	}
	for _, args := range [][]string{
		{"orchestration", "inventory", "check", filepath.Join(dir, "missing.conf")},
		{"orchestration", "inventory", "check"},
		{"orchestration", "inventory", "frob", goodFile},
		{"orchestration", "inventory", "check", goodFile, "--format", "xml"},
	} {
		if code, out, errs := runCLI(t, args...); code != 2 || !strings.Contains(errs, "inventory") {
			t.Errorf("%v: exit %d, want 2 with one clear line\n%s%s", args, code, out, errs)
		}
	}
}

// TestOrchestrationInventoryWrite: the front-end of the flow's inventory
// step writes inventory.conf from the answers, records it, keeps it on a
// second run, and refuses answers that make no valid inventory.
func TestOrchestrationInventoryWrite(t *testing.T) {
	dir := t.TempDir()
	answers := filepath.Join(dir, "ccewiz.yaml")
	os.WriteFile(answers, []byte(`version: 1
orchestration:
  deployment: {name: UnifiedCCE, type: PCCE-4000-Agents}
  vos:
  - product: Finesse
    hosts: [fin1a.example.com, fin1b.example.com]
  windows:
  - {product: PG, name: PG1, side_a: pg1a.example.com, side_b: pg1b.example.com}
  windows_user: EXAMPLE\ccadmin
`), 0o644)
	out := filepath.Join(dir, "inventory.conf")
	if code, o, e := runCLI(t, "orchestration", "inventory", "write", "--out", out, "--answers", answers); code != 0 {
		t.Fatalf("write: exit %d\n%s%s", code, o, e)
	}
	if code, o, e := runCLI(t, "orchestration", "inventory", "check", out); code != 0 || !strings.Contains(o, "2 VOS and 2 Windows host(s), deploymentType PCCE-4000-Agents") {
		t.Fatalf("check of what write wrote: exit %d\n%s%s", code, o, e)
	}
	b, _ := os.ReadFile(out)
	if !strings.Contains(string(b), `user: "EXAMPLE\\ccadmin"`) || strings.Contains(string(b), "\r") {
		t.Fatalf("inventory.conf:\n%s", b)
	}
	if code, o, e := runCLI(t, "orchestration", "inventory", "write", "--out", out, "--answers", answers); code != 0 || strings.Contains(o+e, "wrote ") {
		t.Fatalf("second write: exit %d (nothing to write)\n%s%s", code, o, e)
	}
	a, _ := os.ReadFile(answers)
	if !strings.Contains(string(a), "inventory_file: "+out) || !strings.Contains(string(a), "orchestration:") {
		t.Errorf("the answers do not keep the file:\n%s", a)
	}
	os.WriteFile(answers, []byte("version: 1\norchestration:\n  deployment: {name: X, type: UCCE-12000-Agents}\n"), 0o644)
	if code, o, e := runCLI(t, "orchestration", "inventory", "write", "--out", filepath.Join(dir, "x.conf"), "--answers", answers); code != 2 || !strings.Contains(o+e, "12000") {
		t.Fatalf("unsupported model: exit %d, want 2\n%s%s", code, o, e)
	}
}
