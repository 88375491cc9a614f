package authkeys

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"ccewiz/testpeer"
)

// TestRealSSHDAcceptsWhatMergeWrites: the file Merge writes from Cloud
// Connect's API answer makes the real OpenSSH server (StrictModes on)
// accept Cloud Connect's key, and ProveLogin sees it; the usual mistakes —
// the JSON pasted as it came, a file others can write — it refuses, and
// ProveLogin says so.
func TestRealSSHDAcceptsWhatMergeWrites(t *testing.T) {
	testpeer.Need(t, testpeer.SSHDBinary)
	dir := testpeer.StrictDir(t)
	keys := filepath.Join(dir, "administrators_authorized_keys")
	d := testpeer.StartSSHD(t, dir, "AuthorizedKeysFile "+keys, "StrictModes yes", "PermitRootLogin prohibit-password", "PubkeyAuthentication yes")

	ccKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	signer, _ := ssh.NewSignerFromKey(ccKey)
	answer := `{"category":"PUBLISHER","hostName":"cc1.example.com","publicKey":"` +
		strings.TrimSpace(string(ssh.MarshalAuthorizedKey(signer.PublicKey()))) + ` root@localhost"}`
	k, err := ParseResponse([]byte(answer), "cc1.example.com")
	if err != nil {
		t.Fatal(err)
	}
	someone := rsaLine(t, "jdoe@laptop")
	u, _ := user.Current()

	cases := []struct {
		name   string
		file   []byte
		mode   os.FileMode
		accept bool
	}{
		{"merged into the admin's existing file, CRLF", Merge([]byte(someone+"\r\n"), []Key{k}).Data, 0o600, true},
		{"a new file", Merge(nil, []Key{k}).Data, 0o600, true},
		{"the API's JSON pasted as it came", []byte(answer + "\n"), 0o600, false},
		{"writable by others (StrictModes)", Merge(nil, []Key{k}).Data, 0o666, false},
		{"only someone else's key", []byte(someone + "\n"), 0o600, false},
	}
	for _, c := range cases {
		if err := os.WriteFile(keys, c.file, 0o600); err != nil {
			t.Fatal(err)
		}
		os.Chmod(keys, c.mode)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		login, err := ProveLogin(ctx, d.Addr, u.Username, signer, nil)
		cancel()
		if (err == nil) != c.accept {
			t.Errorf("%s: sshd accepted=%v, want %v (%v)\nsshd log:\n%s", c.name, err == nil, c.accept, err, tail(d.Log.String()))
			continue
		}
		if err != nil && !errors.Is(err, ErrKeyRefused) {
			t.Errorf("%s: %v is not ErrKeyRefused", c.name, err)
		}
		if err == nil && (!strings.HasPrefix(login.HostKey, "SHA256:") || !strings.Contains(login.Server, "OpenSSH")) {
			t.Errorf("%s: login %+v", c.name, login)
		}
	}
}

func tail(s string) string {
	if len(s) > 3000 {
		return s[len(s)-3000:]
	}
	return s
}

// TestProbeOffer: against the real sshd, publickey is offered when
// PubkeyAuthentication is on and not when it is off — without any key
// the server knows.
func TestProbeOffer(t *testing.T) {
	testpeer.Need(t, testpeer.SSHDBinary)
	u, _ := user.Current()
	for _, on := range []bool{true, false} {
		dir := t.TempDir()
		setting := map[bool]string{true: "yes", false: "no"}[on]
		d := testpeer.StartSSHD(t, dir, "PubkeyAuthentication "+setting, "StrictModes no")
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		o, err := ProbeOffer(ctx, d.Addr, u.Username, nil)
		cancel()
		if err != nil || o.PublicKey != on || !strings.Contains(o.Server, "OpenSSH") {
			t.Errorf("PubkeyAuthentication %s: offer %+v, err %v\n%s", setting, o, err, tail(d.Log.String()))
		}
	}
}

// TestProveLoginSaysWhy: an unknown name and a closed port are told apart,
// each with what to do.
func TestProveLoginSaysWhy(t *testing.T) {
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, _ := ssh.NewSignerFromKey(priv)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := ProveLogin(ctx, "no-such-node.invalid:22", "u", signer, nil); err == nil || !strings.Contains(err.Error(), "does not resolve") {
		t.Errorf("unknown name: %v", err)
	}
	if _, err := ProveLogin(ctx, testpeer.ClosedAddr(t), "u", signer, nil); err == nil || !strings.Contains(err.Error(), "OpenSSH SSH Server") {
		t.Errorf("closed port: %v", err)
	}
}
