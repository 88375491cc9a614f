package sshserve

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"ccewiz/safefile"
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

	run := func(args ...string) (string, error) { return f.scp("alice", args...) }
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

// scp runs OpenSSH's scp (classic protocol) as user with the key of that name.
func (f *fixture) scp(user string, args ...string) (string, error) {
	ssh := f.sshArgs(user, user)
	// ssh's options without the program name and the destination; scp
	// spells the port -P.
	opts := append([]string{"-O", "-P", portOf(f.srv)}, ssh[1:len(ssh)-1]...)
	for i := range opts {
		if opts[i] == "-p" {
			opts = append(opts[:i], opts[i+2:]...)
			break
		}
	}
	out, err := exec.Command("scp", append(opts, args...)...).CombinedOutput()
	return string(out), err
}

// A user's folder is bounded, backups included, and a file sent again and
// again keeps only its last KeepBackups versions.
func TestSCPQuotaAndBackups(t *testing.T) {
	need(t, "scp")
	f := newFixture(t, Options{UserQuota: 20 << 10, KeepBackups: 2}, []string{"alice"})
	local := t.TempDir()
	home := filepath.Join(f.workdir, "alice")
	small := filepath.Join(local, "dc.cer")
	for i := 0; i < 5; i++ { // five versions: four backups made, two kept
		os.WriteFile(small, []byte(fmt.Sprintf("version %d\n", i)), 0o644)
		if out, err := f.scp("alice", small, "alice@127.0.0.1:dc.cer"); err != nil {
			t.Fatalf("upload %d: %v\n%s", i, err, out)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(home, "dc.cer")); string(b) != "version 4\n" {
		t.Fatalf("live file %q", b)
	}
	baks := safefile.Backups(filepath.Join(home, "dc.cer"))
	if len(baks) != 2 {
		t.Fatalf("%d backups kept, want 2: %q", len(baks), baks)
	}
	if b, _ := os.ReadFile(baks[1]); string(b) != "version 3\n" {
		t.Fatalf("newest backup holds %q, want version 3", b)
	}

	big := filepath.Join(local, "cacerts")
	os.WriteFile(big, bytes.Repeat([]byte("x"), 8<<10), 0o644)
	for i := 0; i < 2; i++ { // 8 KiB, then 8 KiB more with its backup: 16 KiB
		if out, err := f.scp("alice", big, "alice@127.0.0.1:cacerts"); err != nil {
			t.Fatalf("upload %d of 8 KiB: %v\n%s", i, err, out)
		}
	}
	before := f.usage(t, home)
	out, err := f.scp("alice", big, "alice@127.0.0.1:cacerts")
	if err == nil {
		t.Fatalf("an upload past the quota was accepted:\n%s", out)
	}
	if !strings.Contains(out, "of the 20 KiB it may") || !strings.Contains(out, "remove files you no longer need") {
		t.Fatalf("the refusal does not say the quota and the fix:\n%s", out)
	}
	if strings.Contains(out, f.workdir) {
		t.Fatalf("the refusal shows the server's folder:\n%s", out)
	}
	if after := f.usage(t, home); after != before {
		t.Fatalf("a refused upload changed the folder: %d → %d bytes", before, after)
	}
}

func (f *fixture) usage(t *testing.T, dir string) int64 {
	t.Helper()
	return userFS{root: dir}.usage()
}
