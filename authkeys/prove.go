package authkeys

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
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
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &dnsErr):
		return out, fmt.Errorf("connect to %s: the name does not resolve from here (%w): add it to DNS, or map it in the answers file's resolve section", addr, err)
	case err != nil:
		return out, fmt.Errorf("connect to %s: %w (is the \"OpenSSH SSH Server\" service running, and port 22 open?)", addr, err)
	}
	bc := &bannerConn{Conn: conn}
	conn = bc
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
	out.Server = bc.banner()
	if err != nil {
		if strings.Contains(err.Error(), "unable to authenticate") {
			return out, fmt.Errorf("%s refused the key for %s (%v): %w", addr, user, err, ErrKeyRefused)
		}
		return out, fmt.Errorf("SSH to %s: %w", addr, err)
	}
	go ssh.DiscardRequests(reqs)
	go func() {
		for ch := range chans {
			ch.Reject(ssh.Prohibited, "ccewiz opens no channel")
		}
	}()
	return out, c.Close()
}

// Offer is what an SSH server said before any key was accepted.
type Offer struct {
	Addr, User, HostKey, Server string
	// PublicKey: the server lets user try public-key authentication.
	PublicKey bool
}

// ProbeOffer connects to addr and asks to log on as user with a throwaway
// key that no server can know: the client offers a key only when the
// server lists publickey among the methods that can continue, so the
// attempt shows whether sshd offers public-key authentication to user —
// without Cloud Connect's private key, which ccewiz never has.
func ProbeOffer(ctx context.Context, addr, user string, dial func(ctx context.Context, network, addr string) (net.Conn, error)) (Offer, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return Offer{}, err
	}
	throwaway, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		return Offer{}, err
	}
	login, err := ProveLogin(ctx, addr, user, throwaway, dial)
	o := Offer{Addr: addr, User: user, HostKey: login.HostKey, Server: login.Server}
	switch {
	case err == nil:
		return o, fmt.Errorf("%s let %s on with a key nobody has: it does not check keys at all", addr, user)
	case errors.Is(err, ErrKeyRefused):
		o.PublicKey = strings.Contains(err.Error(), "publickey")
		return o, nil
	}
	return o, err
}

// bannerConn keeps the first line the server sends: its version banner,
// which a failed logon gives no other way to read.
type bannerConn struct {
	net.Conn
	first []byte
	done  bool
}

func (b *bannerConn) Read(p []byte) (int, error) {
	n, err := b.Conn.Read(p)
	if !b.done {
		b.first = append(b.first, p[:n]...)
		if i := bytes.IndexByte(b.first, '\n'); i >= 0 || len(b.first) > 255 {
			if i >= 0 {
				b.first = b.first[:i]
			}
			b.done = true
		}
	}
	return n, err
}

func (b *bannerConn) banner() string {
	return strings.TrimSpace(strings.ToValidUTF8(string(b.first), "?"))
}
