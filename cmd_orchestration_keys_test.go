package main

import (
	"context"
	"encoding/pem"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"ccewiz/authkeys"
	"ccewiz/lab"
	"ccewiz/testpeer"
)

// TestOrchestrationKeys walks step 4 of the orchestration guide with
// ccewiz against the lab's two Cloud Connect nodes (HTTPS, basic auth, the
// seed's JSON) and a real OpenSSH sshd: fetch both keys, install them where
// a Windows sshd_config sends an administrator's keys, and prove with
// Cloud Connect's private keys that sshd now accepts them.
func TestOrchestrationKeys(t *testing.T) {
	testpeer.Need(t, testpeer.SSHDBinary)
	dir := testpeer.StrictDir(t)
	var nodes []*lab.CloudConnectNode
	var resolve, caPEM strings.Builder
	for _, n := range []string{lab.CloudConnectPub, lab.CloudConnectSub} {
		node, err := lab.StartCloudConnectKeys(n, filepath.Join(dir, n+".down"), "Cc-Pass-1", filepath.Join(dir, n+".controlnode_rsa"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { node.Close() })
		nodes = append(nodes, node)
		fmt.Fprintf(&resolve, "  %s:8445: %s\n", n, node.Addr)
		caPEM.Write(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: node.Cert}))
	}
	answers := filepath.Join(dir, "ccewiz.yaml")
	os.WriteFile(answers, []byte("version: 1\nresolve:\n"+resolve.String()), 0o644)
	ca := filepath.Join(dir, "cloudconnect.pem")
	os.WriteFile(ca, []byte(caPEM.String()), 0o644)
	other, _ := testpeer.NewCA(t, "Some Other CA", nil).WriteFiles(t, dir, "other")
	pass, wrong := filepath.Join(dir, "pass"), filepath.Join(dir, "wrong")
	os.WriteFile(pass, []byte("Cc-Pass-1\n"), 0o600)
	os.WriteFile(wrong, []byte("nope\n"), 0o600)
	keysFile := filepath.Join(dir, "cloudconnect.keys")
	fetch := func(extra ...string) []string {
		return append([]string{"orchestration", "keys", "fetch", "--answers", answers, "--cloud-connect", lab.CloudConnectPub,
			"--subscriber", lab.CloudConnectSub, "--user", "ccadmin"}, extra...)
	}

	for _, c := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"wrong password", fetch("--password-file", wrong, "--ca-file", ca), 2, "applicationuser"},
		{"no --ca-file and no vos step files", fetch("--password-file", pass), 2, "--ca-file is required"},
		{"a CA that did not sign it", fetch("--password-file", pass, "--ca-file", other), 1, "PKIX path building failed"},
		{"by IP address", []string{"orchestration", "keys", "fetch", "--cloud-connect", "127.0.0.1:8445", "--user", "u", "--password-file", pass, "--ca-file", ca}, 2, "FQDN"},
		{"fetch both", fetch("--password-file", pass, "--ca-file", ca, "--out", keysFile), 0, "wrote 2 key(s)"},
	} {
		code, out, errs := runCLI(t, c.args...)
		if code != c.code || !strings.Contains(out+errs, c.want) {
			t.Fatalf("%s: exit %d, want %d with %q\n%s%s", c.name, code, c.code, c.want, out, errs)
		}
		if strings.Contains(out+errs, "Cc-Pass-1") {
			t.Fatalf("%s: the password leaked", c.name)
		}
	}
	// Without --ca-file, the certificates the flow's vos step wrote are the trust.
	os.MkdirAll(filepath.Join(dir, "orchestration"), 0o755)
	for i, n := range []string{lab.CloudConnectPub, lab.CloudConnectSub} {
		os.WriteFile(filepath.Join(dir, "orchestration", "cloudconnect-"+n+".pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: nodes[i].Cert}), 0o644)
	}
	if code, out, errs := runCLI(t, fetch("--password-file", pass)...); code != 0 || strings.Count(out, "root@localhost") != 2 {
		t.Fatalf("fetch trusting the vos step's files: exit %d\n%s%s", code, out, errs)
	}
	got, _ := os.ReadFile(keysFile)
	want := ""
	for _, n := range nodes {
		want += strings.TrimSpace(string(ssh.MarshalAuthorizedKey(n.SSHKey.PublicKey()))) + " root@localhost\n"
	}
	if string(got) != want {
		t.Fatalf("keys file:\n%q\nwant:\n%q", got, want)
	}

	// A Windows node's layout: ProgramData\ssh\sshd_config with the Match
	// Group administrators block, and the logon user's profile.
	win := []byte(strings.ReplaceAll(authkeys.WindowsDefaultConfig, "\n", "\r\n"))
	sshdDir := filepath.Join(dir, "ProgramData", "ssh")
	os.MkdirAll(sshdDir, 0o700)
	cfg := filepath.Join(sshdDir, "sshd_config")
	os.WriteFile(cfg, win, 0o600)
	profile := filepath.Join(dir, "Users", "ccadmin")
	os.MkdirAll(profile, 0o700)
	adminKeys := filepath.Join(sshdDir, "administrators_authorized_keys")
	install := []string{"orchestration", "keys", "install", "--keys", keysFile, "--sshd-config", cfg, "--profile", profile}
	code, out, errs := runCLI(t, install...)
	if code != 0 || !strings.Contains(out, adminKeys+": the logon user is an administrator") || !strings.Contains(out, "icacls "+adminKeys) ||
		strings.Count(out, "added: ssh-rsa") != 2 {
		t.Fatalf("install: exit %d\n%s%s", code, out, errs)
	}
	if b, _ := os.ReadFile(adminKeys); string(b) != want {
		t.Fatalf("installed file:\n%q", b)
	}
	if code, out, _ = runCLI(t, install...); code != 0 || strings.Count(out, "already there") != 2 || strings.Contains(out, "wrote ") {
		t.Fatalf("install again: exit %d\n%s", code, out)
	}
	if code, out, _ = runCLI(t, append(install, "--admin=false")...); code != 0 || !strings.Contains(out, filepath.Join(profile, ".ssh", "authorized_keys")) {
		t.Fatalf("install for a non-administrator: exit %d\n%s", code, out)
	}

	// The proof: the real sshd, reading the file ccewiz installed, accepts
	// each Cloud Connect node's key.
	d := testpeer.StartSSHD(t, filepath.Join(dir, "ProgramData", "ssh"), "AuthorizedKeysFile "+adminKeys, "StrictModes yes", "PermitRootLogin prohibit-password")
	u, _ := user.Current()
	for _, n := range nodes {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, err := authkeys.ProveLogin(ctx, d.Addr, u.Username, n.SSHKey, nil)
		cancel()
		if err != nil {
			t.Errorf("sshd refuses %s's key: %v\n%s", n.Addr, err, d.Log.String())
		}
	}
}
