package steps

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// A new private key written over an existing, world-readable key file must
// not stay world-readable: safefile keeps an existing file's mode otherwise.
func TestApplyFilesKeyOverReadableFileIsPrivate(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no owner-only mode bits")
	}
	dir := t.TempDir()
	key := filepath.Join(dir, "ece.example.com.key")
	old := []byte("old key")
	if err := os.WriteFile(key, old, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chmod(key, 0o644)
	env := NewEnv(&Answers{}, filepath.Join(dir, "ccewiz.yaml"))
	p := &Plan{Files: []FileChange{{Path: key, Action: Modify, Sensitive: true, Mode: 0o600, Backup: true,
		Data: []byte("new key"), BaseSHA256: SHA256Hex(old)}}}
	if _, err := ApplyFiles(env, p); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(key); fi.Mode().Perm() != 0o600 {
		t.Errorf("key mode = %v, want 0600", fi.Mode().Perm())
	}
}

// A trust store is Sensitive only because it is binary: it keeps its mode,
// or the ADS's Java could no longer read it.
func TestApplyFilesTrustStoreKeepsMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no owner-only mode bits")
	}
	dir := t.TempDir()
	store := filepath.Join(dir, "cacerts")
	os.WriteFile(store, []byte("old"), 0o644)
	os.Chmod(store, 0o644)
	env := NewEnv(&Answers{}, filepath.Join(dir, "ccewiz.yaml"))
	p := &Plan{Files: []FileChange{{Path: store, Action: Modify, Sensitive: true, Backup: true, Data: []byte("new")}}}
	if _, err := ApplyFiles(env, p); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(store); fi.Mode().Perm() != 0o644 {
		t.Errorf("trust store mode = %v, want 0644 kept", fi.Mode().Perm())
	}
}

// The trust step plans trust-*.cer into the certificate's out folder, which
// need not exist yet: ApplyFiles creates the folder of a new file.
func TestApplyFilesCreatesMissingFolder(t *testing.T) {
	dir := t.TempDir()
	cer := filepath.Join(dir, "certs", "trust-root.cer")
	env := NewEnv(&Answers{}, filepath.Join(dir, "ccewiz.yaml"))
	p := &Plan{Files: []FileChange{{Path: cer, Action: Create, Backup: true, Mode: 0o644, Data: []byte("CERT")}}}
	if _, err := ApplyFiles(env, p); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(cer); err != nil || string(b) != "CERT" {
		t.Errorf("%s holds %q, %v", cer, b, err)
	}
}
