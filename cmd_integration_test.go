package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ccewiz/testpeer"
)

// TestApplyIntegrationGuards drives step 5 through the real apply command:
// a wrong --confirm records nothing (exit 2), and earlier steps not done or
// failing — a certificate that does not carry the web server name among
// them — make ccewiz refuse the confirmation (exit 1), each named.
func TestApplyIntegrationGuards(t *testing.T) {
	body := goodProfile + "integration:\n  awdb_server: aw1a.example.com\n  awdb_name: pcce_awdb\n  agent_pgs: [CUCM_PG_1]\n"
	answers := writeAnswers(t, body)
	dir := filepath.Join(filepath.Dir(answers), "certs")
	os.MkdirAll(dir, 0o755)
	// Step 1's certificate names another host: Save would be a mistake.
	testpeer.NewLeaf(t, "chat.example.com", nil).WriteFiles(t, dir, "ece.example.com")

	code, out, errOut := runCLI(t, "apply", "--answers", answers, "--step", "integration", "--dry-run")
	if code != 0 || !strings.Contains(out, "IRREVERSIBLE") || !strings.Contains(out, "NOT YET: it waits for every earlier step") || !strings.Contains(out, "DO NOT SAVE") ||
		strings.Contains(out, "confirm by typing") {
		t.Errorf("dry run: code %d\n%s\n%s", code, out, errOut)
	}
	code, _, errOut = runCLI(t, "apply", "--answers", answers, "--step", "integration", "--yes", "--confirm", "Multichannel")
	if code != 2 || !strings.Contains(errOut, "does not match") {
		t.Errorf("wrong confirm: code %d\n%s", code, errOut)
	}
	code, _, errOut = runCLI(t, "apply", "--answers", answers, "--step", "integration", "--yes", "--confirm", "MultiChannel")
	if code != 1 || !strings.Contains(errOut, "integration cannot be undone, so it waits for every earlier step") ||
		!strings.Contains(errOut, "(profile): not done yet") || !strings.Contains(errOut, "ece.example.com is neither the CN") {
		t.Errorf("guard: code %d\n%s", code, errOut)
	}
	if b, _ := os.ReadFile(answers); strings.Contains(string(b), "confirmed_at") {
		t.Errorf("a confirmation was recorded:\n%s", b)
	}
}
