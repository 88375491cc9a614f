//go:build unix

package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"ccewiz/safefile"
	"ccewiz/testpeer"
)

// TestSIGKILLedSpogPatchKeepsEveryBackup kills real `ccewiz spog patch`
// processes with SIGKILL at moments spread over a whole run. After each
// kill the file is the original or wholly patched, and every backup is a
// file of its own (not the live file's inode) holding the original — also
// after an editor changes the live file in place; the next run finishes
// the patch and leaves one backup of the original.
func TestSIGKILLedSpogPatchKeepsEveryBackup(t *testing.T) {
	bin := testpeer.BuildCcewiz(t)
	orig, err := os.ReadFile(filepath.Join("spogjs", "testdata", "golden", "crlf.js"))
	if err != nil {
		t.Fatal(err)
	}
	patched, err := os.ReadFile(filepath.Join("spogjs", "testdata", "golden", "crlf.js.golden"))
	if err != nil {
		t.Fatal(err)
	}
	patch := func(path string) *exec.Cmd {
		cmd := exec.Command(bin, "spog", "patch", "--file", path, "--server-name", "ece.example.com")
		cmd.Dir = filepath.Dir(path) // where it records what it wrote (ccewiz.yaml)
		return cmd
	}
	// How long one whole run takes, to spread the kills over it.
	probe := filepath.Join(t.TempDir(), "spog_config.js")
	os.WriteFile(probe, orig, 0o644)
	start := time.Now()
	if out, err := patch(probe).CombinedOutput(); err != nil {
		t.Fatalf("an unkilled run: %v\n%s", err, out)
	}
	whole := time.Since(start)
	if b, _ := os.ReadFile(probe); !bytes.Equal(b, patched) {
		t.Fatal("an unkilled run did not give the golden patch; the test's fixtures are wrong")
	}

	const runs = 200
	var killed, old, new, corrupted, badBackups int
	for i := 0; i < runs; i++ {
		dir := t.TempDir()
		path := filepath.Join(dir, "spog_config.js")
		os.WriteFile(path, orig, 0o644)
		cmd := patch(path)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rand.Int64N(int64(whole) + 1)))
		cmd.Process.Signal(syscall.SIGKILL)
		if err := cmd.Wait(); err != nil {
			if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				killed++
			}
		}
		got, _ := os.ReadFile(path)
		switch {
		case bytes.Equal(got, orig):
			old++
		case bytes.Equal(got, patched):
			new++
		default:
			corrupted++
			t.Errorf("run %d: the file is neither the original nor the patch (%d bytes)", i, len(got))
		}
		// An editor writing in place must not reach a backup.
		live, _ := os.ReadFile(path)
		os.WriteFile(path, append(live, "// edited in place\r\n"...), 0o644)
		for _, b := range safefile.Backups(path) {
			before := t.Failed()
			testpeer.CheckBackup(t, path, b, orig)
			if !before && t.Failed() {
				badBackups++
			}
		}
		os.WriteFile(path, live, 0o644)
		ls := func() string {
			es, _ := os.ReadDir(dir)
			var o []string
			for _, e := range es {
				fi, _ := e.Info()
				st := fi.Sys().(*syscall.Stat_t)
				o = append(o, fmt.Sprintf("%s(ino %d, n %d)", e.Name(), st.Ino, st.Nlink))
			}
			return strings.Join(o, " ")
		}
		beforeLS := ls()
		if out, err := patch(path).CombinedOutput(); err != nil {
			t.Fatalf("run %d: the next run after the kill: %v\n%s", i, err, out)
		}
		if b, _ := os.ReadFile(path); !bytes.Equal(b, patched) {
			t.Errorf("run %d: the next run did not finish the patch", i)
		}
		baks := safefile.Backups(path)
		if len(baks) != 1 {
			t.Errorf("run %d: backups %v after the next run, want 1\nbefore: %s\nafter: %s", i, baks, beforeLS, ls())
		}
		for _, b := range baks {
			testpeer.CheckBackup(t, path, b, orig)
		}
	}
	t.Logf("%d runs (a whole run takes %v), %d SIGKILLed: %d left the original, %d the patch, %d corrupted, %d wrong backups",
		runs, whole.Round(time.Millisecond), killed, old, new, corrupted, badBackups)
}
