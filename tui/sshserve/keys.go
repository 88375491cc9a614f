package sshserve

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	gossh "golang.org/x/crypto/ssh"
)

// hostKey returns the PEM host key at path, creating an Ed25519 key (0600)
// when the file does not exist, so the server's fingerprint stays the same
// across restarts and clients' known_hosts keep working.
func hostKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		if _, err := gossh.ParsePrivateKey(b); err != nil {
			return nil, fmt.Errorf("host key %s: %w; remove it to have a new one made (clients will see a new fingerprint)", path, err)
		}
		return b, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("host key: %w", err)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate host key: %w", err)
	}
	blk, err := gossh.MarshalPrivateKey(priv, "ccewiz serve host key")
	if err != nil {
		return nil, fmt.Errorf("encode host key: %w", err)
	}
	b = pem.EncodeToMemory(blk)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("host key folder: %w", err)
	}
	// O_EXCL: two servers started at once must not overwrite each other's key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create host key: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("write host key: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("write host key: %w", err)
	}
	return b, nil
}

// authorizedKeys parses an OpenSSH authorized_keys file. Options on a line
// (from=, command=…) are not honoured, so a line carrying any is refused
// rather than silently granted more than it says.
func authorizedKeys(path string) ([]gossh.PublicKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("authorized keys: %w", err)
	}
	var keys []gossh.PublicKey
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		k, _, opts, _, err := gossh.ParseAuthorizedKey(line)
		if err != nil {
			return nil, fmt.Errorf("authorized keys %s line %d is not a public key (%v); each line is one key, as in ~/.ssh/authorized_keys", path, n, err)
		}
		if len(opts) > 0 {
			return nil, fmt.Errorf("authorized keys %s line %d: options (%s) are not supported by ccewiz serve; remove them", path, n, opts[0])
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("authorized keys %s lists no key; add the admins' public keys (one per line, as in ~/.ssh/authorized_keys)", path)
	}
	return keys, nil
}
