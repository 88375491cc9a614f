//go:build !windows

package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestBadFilesAreOneLine: every command that reads a file the admin names
// refuses a named pipe, a device and a folder at once (no hang), and a
// file far too large for what it should be: exit 2, one line, nothing changed.
func TestBadFilesAreOneLine(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.pem")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	huge := filepath.Join(dir, "huge.pem")
	f, _ := os.Create(huge)
	f.Truncate(400 << 20) // sparse: 400 MB on paper, nothing on disk
	f.Close()
	hugeAnswers := filepath.Join(dir, "ccewiz.yaml")
	f, _ = os.Create(hugeAnswers)
	f.Truncate(2 << 20)
	f.Close()
	commands := func(p string) [][]string {
		return [][]string{
			{"cert", "inspect", p},
			{"keystore", "list", "--keystore", p, "--storepass-file", p},
			{"check", "--answers", p},
			{"spog", "check", "--file", p, "--server-name", "ece.example.com"},
			{"inventory", "show", "--template", p, "--answers", "examples/ccewiz.yaml"},
			{"logs", p},
			{"cert", "complete", "--key", p, "--cert", p, "--out", dir, "--pfx-pass-file", p},
		}
	}
	tried := 0
	for _, p := range []string{fifo, "/dev/zero", dir, huge} {
		for _, args := range commands(p) {
			if p == huge && args[0] == "logs" {
				continue // a big log is what logs reads
			}
			tried++
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			start := time.Now()
			var out, errb strings.Builder
			code := run(ctx, args, strings.NewReader(""), &out, &errb)
			cancel()
			if code != 2 || strings.Count(strings.TrimSpace(errb.String()), "\n") > 0 || errb.Len() == 0 || time.Since(start) > 5*time.Second {
				t.Errorf("ccewiz %v: exit %d after %s\nstdout: %.200s\nstderr: %s", args, code, time.Since(start).Round(time.Millisecond), out.String(), errb.String())
			}
		}
	}
	code, _, errs := runCLI(t, "check", "--answers", hugeAnswers)
	if code != 2 || !strings.Contains(errs, "too large") {
		t.Errorf("a 2 MiB answers file: exit %d %s", code, errs)
	}
	t.Logf("%d bad inputs tried: none hung, each one line with exit 2", tried+1)
}
