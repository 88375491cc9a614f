package authkeys

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
)

// Login is what an SSH logon with a key proved.
type Login struct {
	Addr    string
	User    string
	HostKey string // SHA256:… of the node's host key, to compare with ssh-keyscan's
	Server  string // the server's version banner (SSH-2.0-OpenSSH_for_Windows_…)
}

// ErrKeyRefused means the node's sshd does not accept the key for the user.
var ErrKeyRefused = errors.New("the SSH server does not accept the key")

// ProveLogin logs on to addr as user with signer — Cloud Connect's key —
// and closes the session at once: the proof that the node accepts the key
// Cloud Connect will use. The host key is recorded, not checked: the
// question here is the server's acceptance of the client's key, and no
// command is run.
func ProveLogin(ctx context.Context, addr, user string, signer ssh.Signer, dial func(ctx context.Context, network, addr string) (net.Conn, error)) (Login, error) {
	if dial == nil {
		var d net.Dialer
		dial = d.DialContext
	}
	out := Login{Addr: addr, User: user}
	conn, err := dial(ctx, "tcp", addr)
	if err != nil {
		return out, fmt.Errorf("connect to %s: %w (is the \"OpenSSH SSH Server\" service running, and port 22 open?)", addr, err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	} else {
		conn.SetDeadline(time.Now().Add(15 * time.Second))
	}
	cfg := &ssh.ClientConfig{
		User: user,
		Auth: []ssh.AuthMethod{ssh.PublicKeys(signer)},
		HostKeyCallback: func(_ string, _ net.Addr, k ssh.PublicKey) error {
			out.HostKey = ssh.FingerprintSHA256(k)
			return nil
		},
	}
	c, chans, reqs, err := ssh.NewClientConn(conn, addr, cfg)
	if err != nil {
		if strings.Contains(err.Error(), "unable to authenticate") {
			return out, fmt.Errorf("%s refused the key for %s (%v): %w", addr, user, err, ErrKeyRefused)
		}
		return out, fmt.Errorf("SSH to %s: %w", addr, err)
	}
	out.Server = string(c.ServerVersion())
	go ssh.DiscardRequests(reqs)
	go func() {
		for ch := range chans {
			ch.Reject(ssh.Prohibited, "ccewiz opens no channel")
		}
	}()
	return out, c.Close()
}
