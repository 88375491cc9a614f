package lab

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"ccewiz/authkeys"
)

// TestEmbeddedWindowsNode: the stand-in for sshd, where OpenSSH is not
// installed, accepts exactly the keys its key file lists, re-read at every
// logon, and offers public-key logons only.
func TestEmbeddedWindowsNode(t *testing.T) {
	dir := t.TempDir()
	hostKey, err := loadOrMakeHostKey(filepath.Join(dir, "host"))
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(dir, "administrators_authorized_keys")
	n, err := startEmbeddedSSH(dir, keyFile, hostKey)
	if err != nil {
		t.Fatal(err)
	}
	defer n.close()
	k, _ := rsa.GenerateKey(rand.Reader, 2048)
	signer, _ := ssh.NewSignerFromKey(k)
	login := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, err := authkeys.ProveLogin(ctx, n.addr, "administrator", signer, nil)
		return err
	}
	if err := login(); !errors.Is(err, authkeys.ErrKeyRefused) {
		t.Fatalf("no key file: %v, want refused", err)
	}
	os.WriteFile(keyFile, []byte(strings.TrimSpace(string(ssh.MarshalAuthorizedKey(signer.PublicKey())))+" root@localhost\r\n"), 0o600)
	if err := login(); err != nil {
		t.Fatalf("key in the file: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if o, err := authkeys.ProbeOffer(ctx, n.addr, "administrator", nil); err != nil || !o.PublicKey {
		t.Fatalf("offer %+v, %v", o, err)
	}
}
