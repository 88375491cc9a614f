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
