package testpeer

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// SSHDBinary is where Debian's openssh-server puts the server.
const SSHDBinary = "/usr/sbin/sshd"

// SSHD is a running OpenSSH sshd on 127.0.0.1.
type SSHD struct {
	Addr   string
	Config string // its sshd_config
	Log    *SyncBuffer
}

// StrictDir is a temporary folder, removed when the test ends, that sshd's
// StrictModes accepts for key files: it checks every folder up to the
// root, and t.TempDir sits under the world-writable /tmp; the user's home
// folder does not.
func StrictDir(t testing.TB) string {
	t.Helper()
	home, err := os.UserHomeDir()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp(home, "ccewiz-sshd-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// StartSSHD starts the real OpenSSH server on a free loopback port with
// the sshd_config lines given (AuthorizedKeysFile, StrictModes…) after a
// fresh host key, and stops it when the test ends. sshd must run as root
// (privilege separation), so the test skips otherwise; CI runs as root.
func StartSSHD(t testing.TB, dir string, lines ...string) *SSHD {
	t.Helper()
	Need(t, SSHDBinary)
	if os.Geteuid() != 0 {
		missing(t, "sshd needs root for privilege separation; run the tests as root (CI does)")
	}
	// Debian's sshd refuses to start without its privilege-separation folder.
	if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
		t.Fatal(err)
	}
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	hostKey := filepath.Join(dir, "ssh_host_ed25519_key")
	if err := os.WriteFile(hostKey, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	for attempt := 0; attempt < 3; attempt++ {
		port, err := freePort()
		if err != nil {
			t.Fatal(err)
		}
		s := &SSHD{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), Config: filepath.Join(dir, "sshd_config"), Log: &SyncBuffer{}}
		cfg := fmt.Sprintf("ListenAddress %s\nHostKey %s\nPidFile %s\nUsePAM no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nLogLevel DEBUG\n%s\n",
			s.Addr, hostKey, filepath.Join(dir, "sshd.pid"), strings.Join(lines, "\n"))
		if err := os.WriteFile(s.Config, []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(SSHDBinary, "-D", "-e", "-f", s.Config)
		cmd.Stdout, cmd.Stderr = s.Log, s.Log
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		t.Cleanup(func() { cmd.Process.Kill(); <-done })
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(30 * time.Millisecond) {
			select {
			case <-done:
				deadline = time.Time{}
				continue
			default:
			}
			if c, err := net.DialTimeout("tcp", s.Addr, 200*time.Millisecond); err == nil {
				c.Close()
				return s
			}
		}
		if !strings.Contains(s.Log.String(), "in use") {
			t.Fatalf("sshd did not start:\n%s", s.Log.String())
		}
	}
	t.Fatal("sshd: no free port")
	return nil
}
