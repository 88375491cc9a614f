package sshserve

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/wish/scp"
	gossh "golang.org/x/crypto/ssh"
)

// FuzzAuthorizedKeys: the admin's authorized_keys file never crashes the
// server, and every key it accepts is a key.
func FuzzAuthorizedKeys(f *testing.F) {
	f.Add([]byte("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice\n"))
	f.Add([]byte("# comment\n\nfrom=\"10.0.0.1\" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n"))
	f.Add([]byte("ssh-rsa AAAA\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "authorized_keys")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		keys, err := authorizedKeys(path)
		if err != nil {
			if len(keys) != 0 {
				t.Fatal("keys returned with an error")
			}
			return
		}
		for _, k := range keys {
			if _, err := gossh.ParsePublicKey(k.Marshal()); err != nil {
				t.Fatalf("accepted a key that does not re-parse: %v", err)
			}
		}
	})
}

// FuzzSCPCommand: any command a client sends is told apart as scp or not
// without a panic (wish's own parser indexes past the end of some), and the
// path an scp command names resolves inside the user's folder or is refused.
func FuzzSCPCommand(f *testing.F) {
	for _, c := range []string{"scp\x00-t\x00.", "scp\x00-f\x00certs/ece.pfx", "scp\x00-r\x00-f\x00../..", "scp\x00-t",
		"scp\x00-f", "scp\x00-v\x00-t\x00/etc/passwd", "ls\x00-l", "scp\x00-d\x00-t\x00a/../../b"} {
		f.Add(c)
	}
	root := f.TempDir()
	f.Fuzz(func(t *testing.T, line string) {
		cmd := strings.Split(line, "\x00")
		is, ok := isSCP(cmd)
		if !is || !ok {
			return
		}
		info := scp.GetInfo(cmd)
		abs, _, err := userFS{root: root}.resolve(info.Path)
		if err != nil {
			return
		}
		if rel, err := filepath.Rel(root, abs); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			t.Fatalf("%q resolved to %s, outside %s", info.Path, abs, root)
		}
	})
}

// FuzzSCPUpload feeds the bytes of an scp upload (the sink side: C, D, E
// and T lines, contents, acknowledgements) to the running server over a
// real SSH session: the session ends within seconds, nothing appears
// outside the user's folder, and the server takes the next session.
func FuzzSCPUpload(f *testing.F) {
	for _, c := range []string{"C0644 5 a.cer\nhello\x00", "D0755 0 certs\nC0600 3 k\nabc\x00E\n",
		"C0644 99999999999 big\n", "C0644 5 ../../x\nhello\x00", "T1 0 1 0\nC0644 1 t\nx\x00",
		"D0755 0 ..\nC0644 1 y\nz\x00E\n", "E\nE\nE\n", "C0644 -1 n\n", "\x01warning\n\x02fatal\n"} {
		f.Add([]byte(c))
	}
	fx := newFixture(f, Options{UserQuota: 1 << 20}, []string{"alice"})
	conn := fx.dial(f, "alice")
	outside := func() []string {
		var names []string
		entries, _ := os.ReadDir(fx.workdir)
		for _, e := range entries {
			if e.Name() != "alice" {
				names = append(names, e.Name())
			}
		}
		top, _ := os.ReadDir(fx.dir)
		for _, e := range top {
			names = append(names, "../"+e.Name())
		}
		return names
	}
	// An existing target folder, so D, C and E lines all reach the handler.
	if err := os.MkdirAll(filepath.Join(fx.workdir, "alice", "uploads"), 0o700); err != nil {
		f.Fatal(err)
	}
	before := outside()
	f.Fuzz(func(t *testing.T, stream []byte) {
		sess, err := conn.NewSession()
		if err != nil {
			t.Fatalf("the server took no new session: %v", err)
		}
		defer sess.Close()
		sess.Stdin = bytes.NewReader(stream)
		sess.Stdout, sess.Stderr = io.Discard, io.Discard
		done := make(chan error, 1)
		go func() { done <- sess.Run("scp -r -t uploads") }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("the scp session did not end 10 s after its input did: %q", stream)
		}
		if got := outside(); !reflect.DeepEqual(got, before) {
			t.Fatalf("an upload wrote outside the user's folder: %q, was %q", got, before)
		}
	})
}
