package steps

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// ApplyFiles over an existing, world-readable file: a new private key must
// not stay world-readable (safefile keeps an existing file's mode
// otherwise), while a trust store — Sensitive only because it is binary —
// keeps its mode, or the ADS's Java could no longer read it.
func TestApplyFilesModeOverReadableFile(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no owner-only mode bits")
	}
	for _, tc := range []struct {
		name     string
		planMode os.FileMode
		want     os.FileMode
	}{
		{"ece.example.com.key", 0o600, 0o600},
		{"cacerts", 0, 0o644},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, tc.name)
			old := []byte("old")
			if err := os.WriteFile(path, old, 0o644); err != nil {
				t.Fatal(err)
			}
			os.Chmod(path, 0o644) // whatever the umask
			env := NewEnv(&Answers{}, filepath.Join(dir, "ccewiz.yaml"))
			p := &Plan{Files: []FileChange{{Path: path, Action: Modify, Sensitive: true, Mode: tc.planMode, Backup: true,
				Data: []byte("new"), BaseSHA256: SHA256Hex(old)}}}
			if _, err := ApplyFiles(env, p); err != nil {
				t.Fatal(err)
			}
			if fi, _ := os.Stat(path); fi.Mode().Perm() != tc.want {
				t.Errorf("mode = %v, want %v", fi.Mode().Perm(), tc.want)
			}
		})
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
