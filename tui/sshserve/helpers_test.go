package sshserve

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"ccewiz/testpeer"
)

// syncBuf is a log sink tests can read while the server writes.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type fixture struct {
	dir     string
	srv     *Server
	port    string
	log     *syncBuf
	keys    map[string]string // name → private key file
	workdir string
}

func need(t testing.TB, tools ...string) {
	t.Helper()
	testpeer.Need(t, tools...)
}

// newFixture makes keys with the real ssh-keygen — authorized: the ones
// named in allowed — and starts a server on a free loopback port.
func newFixture(t testing.TB, o Options, allowed []string, others ...string) *fixture {
	t.Helper()
	need(t, "ssh-keygen")
	f := &fixture{dir: t.TempDir(), log: &syncBuf{}, keys: map[string]string{}}
	var auth []byte
	for i, name := range append(append([]string{}, allowed...), others...) {
		key := filepath.Join(f.dir, "id_"+name)
		if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", key).CombinedOutput(); err != nil {
			t.Fatalf("ssh-keygen: %v\n%s", err, out)
		}
		f.keys[name] = key
		if i < len(allowed) {
			pub, _ := os.ReadFile(key + ".pub")
			auth = append(auth, pub...)
		}
	}
	o.AuthorizedKeys = filepath.Join(f.dir, "authorized_keys")
	os.WriteFile(o.AuthorizedKeys, auth, 0o600)
	if o.Workdir == "" {
		o.Workdir = filepath.Join(f.dir, "work")
	}
	f.workdir = o.Workdir
	o.Listen = "127.0.0.1:0"
	o.Log = log.New(f.log, "", 0)
	srv, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	f.srv = srv
	f.port = portOf(srv)
	return f
}

// sshArgs is the OpenSSH command line for user with key name.
func (f *fixture) sshArgs(user, key string, extra ...string) []string {
	args := []string{"ssh", "-i", f.keys[key], "-p", portOf(f.srv), "-o", "StrictHostKeyChecking=accept-new",
		"-o", "UserKnownHostsFile=" + filepath.Join(f.dir, "known_hosts"), "-o", "IdentitiesOnly=yes",
		"-o", "IdentityAgent=none", "-o", "ConnectTimeout=10"}
	args = append(args, extra...)
	return append(args, user+"@127.0.0.1")
}

func portOf(s *Server) string {
	a := s.Addr().String()
	return a[strings.LastIndex(a, ":")+1:]
}

// tmux runs a private tmux server for the test (its own socket), so the
// test never touches a user's tmux.
type tmux struct {
	t      testing.TB
	socket string
}

func newTmux(t testing.TB) *tmux {
	t.Helper()
	need(t, "tmux", "ssh")
	tm := &tmux{t: t, socket: fmt.Sprintf("ccewiz-test-%d-%d", os.Getpid(), time.Now().UnixNano())}
	t.Cleanup(func() { exec.Command("tmux", "-L", tm.socket, "kill-server").Run() })
	return tm
}

func (tm *tmux) run(args ...string) string {
	tm.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", tm.socket}, args...)...).CombinedOutput()
	if err != nil {
		tm.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// start opens a detached 120×40 session running argv.
func (tm *tmux) start(name string, argv []string) {
	tm.t.Helper()
	quoted := make([]string, len(argv))
	for i, a := range argv {
		quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	// remain-on-exit keeps the pane (and ssh's last words) for capture.
	tm.run("new-session", "-d", "-s", name, "-x", "120", "-y", "40", strings.Join(quoted, " ")+"; sleep 30")
}

func (tm *tmux) capture(name string) string {
	return tm.run("capture-pane", "-p", "-t", name)
}

func (tm *tmux) keys(name string, keys ...string) {
	tm.run(append([]string{"send-keys", "-t", name}, keys...)...)
}

// waitFor polls the pane until it contains want.
func (tm *tmux) waitFor(name, want string, within time.Duration) string {
	tm.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	var last string
	for ctx.Err() == nil {
		last = tm.capture(name)
		if strings.Contains(last, want) {
			return last
		}
		time.Sleep(100 * time.Millisecond)
	}
	tm.t.Fatalf("pane %s never showed %q within %s; last screen:\n%s", name, want, within, last)
	return ""
}
