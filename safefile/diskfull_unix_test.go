//go:build linux

package safefile

import (
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDiskFullKeepsOriginal makes the disk "full" for a writer process with
// RLIMIT_FSIZE (writes past the limit fail with EFBIG, as with ENOSPC): the
// write fails, the original is intact and nothing is left beside it — no
// temporary file, and no hard-link backup that would be the live file.
func TestDiskFullKeepsOriginal(t *testing.T) {
	if p := os.Getenv("SAFEFILE_FULL_PATH"); p != "" {
		// Exceeding RLIMIT_FSIZE raises SIGXFSZ, which would kill us; we want the EFBIG error.
		signal.Ignore(syscall.SIGXFSZ)
		lim := &syscall.Rlimit{Cur: 64 << 10, Max: 64 << 10}
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, lim); err != nil {
			os.Exit(4)
		}
		var err error
		want := "the original is unchanged"
		if os.Getenv("SAFEFILE_FULL_COPY") != "" {
			_, err = Backup(p, time.Now())
			want = "is the disk full?"
		} else {
			// With its hard-link backup: the link needs no room, the new
			// version does not fit.
			_, err = Replace(p, []byte(strings.Repeat("x", 1<<20)), Options{})
		}
		if err == nil {
			os.Exit(5)
		}
		if !strings.Contains(err.Error(), want) {
			os.Exit(6)
		}
		os.Exit(0)
	}
	for _, copyBackup := range []string{"", "1"} {
		dir := t.TempDir()
		p := filepath.Join(dir, "cacerts")
		orig := strings.Repeat("o", 100<<10) // larger than the limit: a copy cannot fit
		os.WriteFile(p, []byte(orig), 0o644)
		cmd := exec.Command(os.Args[0], "-test.run=^TestDiskFullKeepsOriginal$")
		cmd.Env = append(os.Environ(), "SAFEFILE_FULL_PATH="+p, "SAFEFILE_FULL_COPY="+copyBackup)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("writer under a full disk (copy backup %q): %v\n%s", copyBackup, err, out)
		}
		if b, _ := os.ReadFile(p); string(b) != orig {
			t.Errorf("original changed: %d bytes", len(b))
		}
		// Hidden ones too: no temporary file, no pending link, no lock.
		if ents, _ := os.ReadDir(dir); len(ents) != 1 {
			var names []string
			for _, e := range ents {
				names = append(names, e.Name())
			}
			t.Errorf("files left next to the original: %v", names)
		}
	}
}
