//go:build linux

package spogjs

import (
	"bytes"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"ccewiz/safefile"
	"ccewiz/testpeer"
)

// TestDiskFullKeepsOriginal runs the writer with RLIMIT_FSIZE (writes past
// the limit fail with EFBIG, as they would with ENOSPC on a full disk): once
// smaller than the original, once just larger (the patched file is longer
// still). The backup is a hard link and needs no space; either way the
// write fails and the original is intact.
func TestDiskFullKeepsOriginal(t *testing.T) {
	if lim := os.Getenv("SPOGJS_FSIZE"); lim != "" {
		// Exceeding the limit raises SIGXFSZ, which would kill us; we want the error.
		signal.Ignore(syscall.SIGXFSZ)
		n, _ := strconv.ParseUint(lim, 10, 64)
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: n, Max: n}); err != nil {
			os.Exit(4)
		}
		_, _, err := PatchFile(os.Getenv("SPOGJS_PATH"), want, nil)
		if err == nil {
			os.Exit(5)
		}
		os.Stderr.WriteString(err.Error())
		os.Exit(0)
	}
	cases := []struct {
		name  string
		limit func(orig int) int
		msg   string
	}{
		{"less room than the original", func(o int) int { return o / 2 }, "the original is unchanged"},
		{"patched file does not fit", func(o int) int { return o + 1 }, "the original is unchanged"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir, path, orig := copyFixture(t, "lf.js")
			cmd := exec.Command(os.Args[0], "-test.run=^TestDiskFullKeepsOriginal$")
			cmd.Env = append(os.Environ(), "SPOGJS_FSIZE="+strconv.Itoa(c.limit(len(orig))), "SPOGJS_PATH="+path)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("writer under a full disk: %v\n%s", err, stderr.String())
			}
			if !strings.Contains(stderr.String(), c.msg) {
				t.Errorf("error %q does not say %q", stderr.String(), c.msg)
			}
			if b, _ := os.ReadFile(path); !bytes.Equal(b, orig) {
				t.Error("original changed")
			}
			tmps, _ := filepath.Glob(filepath.Join(dir, ".spog_config.js.ccewiz-*"))
			if len(tmps) > 0 {
				t.Errorf("temporary files or links left: %v", tmps)
			}
			// The failed write's hard-link backup is gone, not left as a
			// second name of the live file.
			for _, b := range safefile.Backups(path) {
				testpeer.CheckBackup(t, path, b, orig)
			}
		})
	}
}
