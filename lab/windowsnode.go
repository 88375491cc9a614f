package lab

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	gssh "github.com/charmbracelet/ssh"
	"golang.org/x/crypto/ssh"

	"ccewiz/authkeys"
)

// WindowsNode is the lab's Windows node of the orchestration flow.
const WindowsNode = "rgr1a.example.com"

// windowsNode plays a Windows node: its C:\ProgramData\ssh as a lab folder
// holding Windows OpenSSH's default sshd_config (the Match Group
// administrators block included), and an SSH server on loopback that reads
// the administrators_authorized_keys there — the real OpenSSH sshd when it
// is installed, else an embedded server that accepts exactly the keys in
// that file. The lab's differences from Windows, on purpose: StrictModes
// is off (the lab folder may sit under /tmp; Windows judges the file's ACL
// instead), and the logon user is whoever runs the lab.
type windowsNode struct {
	sshDir string
	addr   string
	kind   string // "OpenSSH sshd" or "embedded"
	stop   func()
}

func startWindowsNode(sshDir string, logf func(string, ...any)) (*windowsNode, error) {
	if err := os.MkdirAll(sshDir, 0o700); err != nil {
		return nil, err
	}
	if err := writeIfMissing(filepath.Join(sshDir, "sshd_config"), []byte(strings.ReplaceAll(authkeys.WindowsDefaultConfig, "\n", "\r\n")), 0o644); err != nil {
		return nil, err
	}
	keyFile := filepath.Join(sshDir, "administrators_authorized_keys")
	hostKey, err := loadOrMakeHostKey(filepath.Join(sshDir, "ssh_host_ed25519_key"))
	if err != nil {
		return nil, err
	}
	if n, err := startOpenSSH(sshDir, keyFile); err == nil {
		return n, nil
	} else if logf != nil {
		logf("the Windows node %s: OpenSSH's sshd did not start (%v); an embedded SSH server stands in", WindowsNode, err)
	}
	return startEmbeddedSSH(sshDir, keyFile, hostKey)
}

func loadOrMakeHostKey(path string) (ssh.Signer, error) {
	if b, err := os.ReadFile(path); err == nil {
		return ssh.ParsePrivateKey(b)
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		return nil, err
	}
	if err := writeFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		return nil, err
	}
	return ssh.NewSignerFromKey(priv)
}

const sshdBinary = "/usr/sbin/sshd"

func startOpenSSH(sshDir, keyFile string) (*windowsNode, error) {
	if _, err := os.Stat(sshdBinary); err != nil {
		return nil, fmt.Errorf("%s is not installed (apt-get install openssh-server)", sshdBinary)
	}
	if os.Geteuid() == 0 {
		// Debian's sshd, run as root, refuses to start without it.
		if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
			return nil, err
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := l.Addr().String()
	l.Close()
	conf := filepath.Join(sshDir, "lab-sshd_config")
	cfg := fmt.Sprintf("# The lab's sshd for %s; sshd_config beside it is the node's own, which ccewiz reads.\n"+
		"ListenAddress %s\nHostKey %s\nPidFile %s\nAuthorizedKeysFile %s\nStrictModes no\nPubkeyAuthentication yes\n"+
		"PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\nPermitRootLogin prohibit-password\n",
		WindowsNode, addr, filepath.Join(sshDir, "ssh_host_ed25519_key"), filepath.Join(sshDir, "lab-sshd.pid"), keyFile)
	if err := writeFile(conf, []byte(cfg), 0o600); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	cmd := exec.Command(sshdBinary, "-D", "-e", "-f", conf)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(30 * time.Millisecond) {
		select {
		case <-done:
			return nil, fmt.Errorf("sshd exited: %s", strings.TrimSpace(out.String()))
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			return &windowsNode{sshDir: sshDir, addr: addr, kind: "OpenSSH sshd", stop: func() { cmd.Process.Kill(); <-done }}, nil
		}
	}
	cmd.Process.Kill()
	<-done
	return nil, fmt.Errorf("sshd did not listen on %s: %s", addr, strings.TrimSpace(out.String()))
}

// startEmbeddedSSH is the stand-in: public-key logons only, for the keys
// the file lists (re-read at every logon, as sshd does); a session ends at
// once, since ccewiz only proves the logon.
func startEmbeddedSSH(sshDir, keyFile string, hostKey ssh.Signer) (*windowsNode, error) {
	srv := &gssh.Server{
		Handler: func(s gssh.Session) { fmt.Fprintln(s, "lab Windows node: logon accepted"); s.Exit(0) },
		PublicKeyHandler: func(_ gssh.Context, key gssh.PublicKey) bool {
			data, err := os.ReadFile(keyFile)
			if err != nil {
				return false
			}
			k, err := authkeys.ParseLine(strings.TrimSpace(string(ssh.MarshalAuthorizedKey(key))))
			if err != nil {
				return false
			}
			missing, _ := authkeys.Holds(data, []authkeys.Key{k})
			return len(missing) == 0
		},
		Version: "OpenSSH_for_Windows_lab",
	}
	srv.AddHostKey(hostKey)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); srv.Serve(l) }()
	return &windowsNode{sshDir: sshDir, addr: l.Addr().String(), kind: "embedded", stop: func() { srv.Close(); wg.Wait() }}, nil
}

func (n *windowsNode) close() error {
	if n != nil && n.stop != nil {
		n.stop()
	}
	return nil
}
