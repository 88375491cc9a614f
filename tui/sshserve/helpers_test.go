package sshserve

import (
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"ccewiz/testpeer"
)

type fixture struct {
	dir     string
	srv     *Server
	port    string
	log     *testpeer.SyncBuffer
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
	f := &fixture{dir: t.TempDir(), log: &testpeer.SyncBuffer{}, keys: map[string]string{}}
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

// tmux drives OpenSSH sessions in a private tmux server (testpeer.Tmux).
type tmux struct{ *testpeer.Tmux }

func newTmux(t testing.TB) tmux {
	t.Helper()
	need(t, "tmux", "ssh")
	return tmux{testpeer.NewTmux(t)}
}

func (tm tmux) run(args ...string) string { return tm.Run(args...) }

// start opens a detached 120×40 session running argv; the sleep keeps the
// pane (and ssh's last words) for capture.
func (tm tmux) start(name string, argv []string) {
	tm.Start(name, testpeer.ShellQuote(argv...)+"; sleep 30")
}

func (tm tmux) capture(name string) string { return tm.Capture(name) }

func (tm tmux) keys(name string, keys ...string) { tm.Keys(name, keys...) }

// waitFor polls the pane until it contains want.
func (tm tmux) waitFor(name, want string, within time.Duration) string {
	return tm.WaitForText(name, want, within)
}

// dial opens an SSH connection as user with the key of that name, through
// x/crypto/ssh (for requests OpenSSH's client cannot be made to send);
// it is closed when the test ends.
func (f *fixture) dial(tb testing.TB, user string) *gossh.Client {
	tb.Helper()
	pem, err := os.ReadFile(f.keys[user])
	if err != nil {
		tb.Fatal(err)
	}
	signer, err := gossh.ParsePrivateKey(pem)
	if err != nil {
		tb.Fatal(err)
	}
	conn, err := gossh.Dial("tcp", f.srv.Addr().String(), &gossh.ClientConfig{User: user,
		Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)}, HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { conn.Close() })
	return conn
}
