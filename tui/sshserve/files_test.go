package sshserve

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSCP moves files with the real OpenSSH scp (classic protocol, -O):
// into and out of the user's folder, never beyond it.
func TestSCP(t *testing.T) {
	need(t, "scp")
	f := newFixture(t, Options{}, []string{"alice"})
	local := t.TempDir()
	home := filepath.Join(f.workdir, "alice")
	os.MkdirAll(filepath.Join(home, "certs"), 0o700)
	os.WriteFile(filepath.Join(home, "certs", "ece.example.com.pfx"), []byte("pfx bytes"), 0o600)
	os.WriteFile(filepath.Join(f.dir, "outside-secret"), []byte("server secret"), 0o600)
	os.Symlink(filepath.Join(f.dir, "outside-secret"), filepath.Join(home, "link"))
	os.WriteFile(filepath.Join(local, "ca-answer.cer"), []byte("-----BEGIN CERTIFICATE-----\n"), 0o644)

	scpArgs := func(args ...string) []string {
		ssh := f.sshArgs("alice", "alice")
		// ssh's options without the program name and the destination.
		opts := append([]string{"-O", "-P", portOf(f.srv)}, ssh[1:len(ssh)-1]...)
		for i := range opts {
			if opts[i] == "-p" {
				opts = append(opts[:i], opts[i+2:]...)
				break
			}
		}
		return append(append([]string{"scp"}, opts...), args...)
	}
	run := func(args ...string) (string, error) {
		a := scpArgs(args...)
		out, err := exec.Command(a[0], a[1:]...).CombinedOutput()
		return string(out), err
	}
	remote := "alice@127.0.0.1:"

	cases := []struct {
		name    string
		args    []string
		wantErr bool
		check   func(t *testing.T)
	}{
		{"download the PFX", []string{remote + "certs/ece.example.com.pfx", local}, false, func(t *testing.T) {
			if b, _ := os.ReadFile(filepath.Join(local, "ece.example.com.pfx")); string(b) != "pfx bytes" {
				t.Errorf("downloaded %q", b)
			}
		}},
		{"upload the CA's answer", []string{filepath.Join(local, "ca-answer.cer"), remote + "ca-answer.cer"}, false, func(t *testing.T) {
			fi, err := os.Stat(filepath.Join(home, "ca-answer.cer"))
			if err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("uploaded file: %v %v", fi, err)
			}
		}},
		{"download the folder recursively", []string{"-r", remote + "certs", filepath.Join(local, "r")}, false, func(t *testing.T) {
			if _, err := os.Stat(filepath.Join(local, "r", "ece.example.com.pfx")); err != nil {
				t.Error(err)
			}
		}},
		{"dot-dot stays inside", []string{remote + "../../outside-secret", local}, true, nil},
		{"absolute path is inside the folder", []string{remote + filepath.Join(f.dir, "outside-secret"), local}, true, nil},
		{"symbolic link out of the folder", []string{remote + "link", local}, true, nil},
		{"upload beyond the folder", []string{filepath.Join(local, "ca-answer.cer"), remote + "../escaped.cer"}, false, func(t *testing.T) {
			if _, err := os.Stat(filepath.Join(f.workdir, "escaped.cer")); err == nil {
				t.Error("an upload escaped the user's folder")
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := run(c.args...)
			if (err != nil) != c.wantErr {
				t.Fatalf("scp %v: err %v, want error %v\n%s", c.args, err, c.wantErr, out)
			}
			if strings.Contains(out, "server secret") {
				t.Fatal("the server's file leaked")
			}
			if c.check != nil {
				c.check(t)
			}
		})
	}
	for _, name := range []string{"outside-secret", "link"} {
		if b, err := os.ReadFile(filepath.Join(local, name)); err == nil {
			t.Errorf("%s was copied out: %q", name, b)
		}
	}
}

func TestIsSCP(t *testing.T) {
	cases := []struct {
		cmd    []string
		is, ok bool
	}{
		{nil, false, false},
		{[]string{"ls"}, false, false},
		{[]string{"scp", "-f", "x"}, true, true},
		{[]string{"scp", "-r", "-t", "."}, true, true},
		{[]string{"scp", "-f"}, true, false},
		{[]string{"scp", "-t"}, true, false},
		{[]string{"scp"}, true, false},
	}
	for _, c := range cases {
		if is, ok := isSCP(c.cmd); is != c.is || ok != c.ok {
			t.Errorf("isSCP(%q) = %v, %v; want %v, %v", c.cmd, is, ok, c.is, c.ok)
		}
	}
}

// TestFolderOwnership: a user name's folder (with ECE's private key in it)
// belongs to the key that first used it; another authorized key cannot
// take the name until the owner adds it.
func TestFolderOwnership(t *testing.T) {
	need(t, "scp", "ssh-keygen")
	f := newFixture(t, Options{}, []string{"alice", "carol"})
	local := t.TempDir()
	os.WriteFile(filepath.Join(local, "note.txt"), []byte("mine"), 0o644)
	scp := func(key string, args ...string) (string, error) {
		ssh := f.sshArgs("alice", key)
		opts := []string{"-O", "-P", portOf(f.srv)}
		for i := 1; i < len(ssh)-1; i++ {
			if ssh[i] == "-p" {
				i++
				continue
			}
			opts = append(opts, ssh[i])
		}
		out, err := exec.Command("scp", append(opts, args...)...).CombinedOutput()
		return string(out), err
	}
	if out, err := scp("alice", filepath.Join(local, "note.txt"), "alice@127.0.0.1:note.txt"); err != nil {
		t.Fatalf("alice's first upload: %v\n%s", err, out)
	}
	out, err := scp("carol", "alice@127.0.0.1:note.txt", filepath.Join(local, "stolen"))
	if err == nil || !strings.Contains(out, "belongs to another key") {
		t.Errorf("carol as alice: %v\n%s", err, out)
	}
	args := f.sshArgs("alice", "carol", "-tt")
	if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err == nil || !strings.Contains(string(out), "belongs to another key") {
		t.Errorf("carol's wizard as alice: %v\n%s", err, out)
	}
	// alice shares her folder with carol by adding carol's fingerprint.
	fp, err := exec.Command("ssh-keygen", "-l", "-E", "sha256", "-f", f.keys["carol"]+".pub").Output()
	if err != nil {
		t.Fatal(err)
	}
	owners := filepath.Join(f.workdir, "alice", OwnersName)
	b, _ := os.ReadFile(owners)
	os.WriteFile(owners, append(b, []byte(strings.Fields(string(fp))[1]+"\n")...), 0o600)
	if out, err := scp("carol", "alice@127.0.0.1:note.txt", filepath.Join(local, "shared")); err != nil {
		t.Errorf("carol after alice shared: %v\n%s", err, out)
	}
}
