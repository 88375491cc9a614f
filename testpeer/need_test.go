package testpeer

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestNeed runs a test that needs a tool nobody has, in a child process:
// it must skip by default and fail when CCEWIZ_REQUIRE_PEERS=1.
func TestNeed(t *testing.T) {
	if os.Getenv("TESTPEER_NEED_CHILD") == "1" {
		Need(t, "ls", "ccewiz-no-such-tool")
		t.Log("reached after Need")
		return
	}
	for _, c := range []struct {
		require  string
		wantFail bool
		want     string
	}{
		{"", false, "--- SKIP: TestNeed"},
		{"1", true, "--- FAIL: TestNeed"},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestNeed$", "-test.v")
		cmd.Env = append(os.Environ(), "TESTPEER_NEED_CHILD=1", RequirePeersEnv+"="+c.require)
		out, err := cmd.CombinedOutput()
		if c.wantFail != (err != nil) || !strings.Contains(string(out), c.want) ||
			!strings.Contains(string(out), "ccewiz-no-such-tool not installed") || strings.Contains(string(out), "reached after Need") {
			t.Errorf("%s=%q: exit %v, want %s:\n%s", RequirePeersEnv, c.require, err, c.want, out)
		}
	}
	// Tools that are there, by name and by absolute path, let the test run.
	Need(t, "sh", "/bin/sh")
}
