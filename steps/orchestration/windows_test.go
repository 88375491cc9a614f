package orchestration_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ccewiz/authkeys"
	"ccewiz/lab"
	"ccewiz/secret"
	"ccewiz/steps"
	"ccewiz/steps/orchestration"
)

func windowsStep() steps.Step { return orchestration.Flow().Find("windows") }

// keyEnv starts both lab Cloud Connect nodes (their key API with basic
// auth) and answers pointing the flow at them, with three Windows nodes:
// one whose ProgramData\ssh ccewiz reaches with Windows' default
// sshd_config, one where the Match Group administrators block is
// commented out, one it does not reach.
func keyEnv(t *testing.T, password string) (*steps.Env, string) {
	t.Helper()
	dir := t.TempDir()
	a := steps.NewAnswers()
	a.Resolve = map[string]string{}
	for _, n := range []string{lab.CloudConnectPub, lab.CloudConnectSub} {
		node, err := lab.StartCloudConnectKeys(n, filepath.Join(dir, n+".down"), "Cc-Pass-1", filepath.Join(dir, n+".key"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { node.Close() })
		a.Resolve[n+":8445"] = node.Addr
	}
	os.WriteFile(filepath.Join(dir, "pw"), []byte(password+"\n"), 0o600)
	o := orchestration.Of(a)
	o.CloudConnect = orchestration.CloudConnect{Publisher: lab.CloudConnectPub, Subscriber: lab.CloudConnectSub, AppUser: "ccadmin"}
	o.WindowsUser = "admin@example.local"
	o.CloudConnect.AppPassword = secret.Ref{File: filepath.Join(dir, "pw")}
	def, commented := filepath.Join(dir, "n1", "ssh"), filepath.Join(dir, "n2", "ssh")
	for p, cfg := range map[string]string{def: authkeys.WindowsDefaultConfig,
		commented: strings.Replace(authkeys.WindowsDefaultConfig, "Match Group administrators", "#Match Group administrators", 1)} {
		os.MkdirAll(p, 0o700)
		os.WriteFile(filepath.Join(p, "sshd_config"), []byte(strings.ReplaceAll(cfg, "\n", "\r\n")), 0o644)
	}
	o.Windows = []orchestration.WindowsPair{{Product: "ROGGER", SideA: "rgra.example.com", SSHDirA: def, SideB: "rgrb.example.com", SSHDirB: commented},
		{Product: "PG", Name: "PG1", SideA: "pg1a.example.com"}}
	env := steps.NewEnv(a, filepath.Join(dir, "ccewiz.yaml"))
	env.Flow, env.FlowID = orchestration.Flow().Steps, orchestration.FlowID
	return env, def
}

func TestWindowsPlan(t *testing.T) {
	env, def := keyEnv(t, "Cc-Pass-1")
	p, err := windowsStep().Plan(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	var admin *steps.FileChange
	for i, f := range p.Files {
		if f.Path == filepath.Join(def, "administrators_authorized_keys") {
			admin = &p.Files[i]
		}
	}
	if admin == nil || admin.Action != steps.Create || strings.Count(string(admin.Data), "root@localhost") != 2 || admin.Mode != 0o600 {
		t.Fatalf("the reachable node's key file: %+v", admin)
	}
	scripts := map[string]string{}
	for _, c := range p.Commands {
		scripts[c.Host] += c.Script
	}
	// The node with the Match block commented out and the unreachable
	// node get the script; the first only its ACL and restart.
	for _, h := range []string{"rgrb.example.com", "pg1a.example.com"} {
		s := scripts[h]
		if strings.Count(s, "root@localhost'") != 2 || !strings.Contains(s, "*S-1-5-32-544:F") || !strings.Contains(s, "Restart-Service sshd") ||
			!strings.Contains(s, `Match\s+Group\s+administrators`) {
			t.Errorf("script for %s:\n%s", h, s)
		}
	}
	if s := scripts["rgra.example.com"]; !strings.Contains(s, "icacls C:\\ProgramData\\ssh\\administrators_authorized_keys") || strings.Contains(s, "$keys") {
		t.Errorf("the written node's command:\n%s", s)
	}
	if !strings.Contains(strings.Join(p.Notes, "\n"), "rgrb.example.com: the keys go to") {
		t.Errorf("no note says why rgrb gets a script: %v", p.Notes)
	}
	// Applied, then planned again: nothing to write.
	if _, err := windowsStep().Apply(context.Background(), env, p); err != nil {
		t.Fatal(err)
	}
	p2, err := windowsStep().Plan(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range p2.Files {
		if f.Action != steps.Unchanged {
			t.Errorf("second plan changes %s (%s)", f.Path, f.Action)
		}
	}
}

func TestWindowsPlanWrongPassword(t *testing.T) {
	env, _ := keyEnv(t, "wrong")
	_, err := windowsStep().Plan(context.Background(), env)
	if !errors.Is(err, steps.ErrBadInput) || !errors.Is(err, authkeys.ErrLogin) || !strings.Contains(err.Error(), "applicationuser") {
		t.Fatalf("wrong password: %v", err)
	}
}

// TestWindowsDebugLog: the troubleshooting change goes into each reachable
// node's sshd_config, its two lines only, with a backup; the node ccewiz
// does not reach gets the instruction instead.
func TestWindowsDebugLog(t *testing.T) {
	env, def := keyEnv(t, "Cc-Pass-1")
	orchestration.Of(env.Answers).SSHDDebugLog = true
	p, err := windowsStep().Plan(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range p.Files {
		if filepath.Base(f.Path) != "sshd_config" {
			continue
		}
		n++
		if f.Action != steps.Modify || !f.Backup || !strings.Contains(string(f.Data), "SyslogFacility LOCAL0\r\nLogLevel DEBUG\r\n") || !strings.Contains(f.Diff, "-#LogLevel INFO") {
			t.Errorf("%s: %+v", f.Path, f)
		}
	}
	if n != 2 || !strings.Contains(strings.Join(p.Notes, "\n"), "pg1a.example.com: for the debug log") {
		t.Fatalf("%d sshd_config changes (want the 2 reachable nodes); notes %v", n, p.Notes)
	}
	if _, err := windowsStep().Apply(context.Background(), env, p); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(def, "sshd_config")); strings.Count(string(b), "\r\n") != strings.Count(authkeys.WindowsDefaultConfig, "\n") {
		t.Errorf("line endings or lines changed:\n%q", b)
	}
}
