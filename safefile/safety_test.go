//go:build !windows

package safefile

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestSymlinkWrittenThrough: a link is followed to its target, which
// changes; the link stays a link.
func TestSymlinkWrittenThrough(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "real", "spog_config.js")
	os.MkdirAll(filepath.Dir(target), 0o755)
	os.WriteFile(target, []byte("old"), 0o644)
	link := filepath.Join(dir, "spog_config.js")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	res, err := Replace(link, []byte("new"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the link was replaced by a file")
	}
	if b, _ := os.ReadFile(target); string(b) != "new" || res.Path != target {
		t.Errorf("target holds %q, written %s", b, res.Path)
	}
	if b, _ := os.ReadFile(res.Backup); string(b) != "old" || filepath.Dir(res.Backup) != filepath.Dir(target) {
		t.Errorf("backup %s holds %q", res.Backup, b)
	}
	broken := filepath.Join(dir, "broken")
	os.Symlink(filepath.Join(dir, "nowhere"), broken)
	if _, err := Replace(broken, []byte("x"), Options{}); err == nil || !strings.Contains(err.Error(), "symbolic link whose target cannot be reached") {
		t.Errorf("a broken link: %v", err)
	}
}

// TestOwnerAndModeKept: a file of a service account (another uid, 0640)
// keeps its owner, group and mode when root replaces it.
func TestOwnerAndModeKept(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give a file to another user")
	}
	path := filepath.Join(t.TempDir(), "cacerts")
	os.WriteFile(path, []byte("old"), 0o640)
	if err := os.Chown(path, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	if _, err := Replace(path, []byte("new"), Options{}); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	st := fi.Sys().(*syscall.Stat_t)
	if st.Uid != 65534 || st.Gid != 65534 || fi.Mode().Perm() != 0o640 {
		t.Errorf("after the replace: uid %d gid %d mode %v, want 65534 65534 0640", st.Uid, st.Gid, fi.Mode().Perm())
	}
}

// TestBackupIsNeverTheLiveFile: a write that fails before its rename
// leaves no hard-link backup of the live file; one a killed run left is
// made a copy by the next run, so an in-place edit of the live file never
// reaches a backup. Checked by inode and by content.
func TestBackupIsNeverTheLiveFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "spog_config.js")
	os.WriteFile(path, []byte("v1"), 0o644)
	restore := SetTestHook(func(s Stage) error {
		if s == StageTempWritten {
			return errors.New("injected: disk full")
		}
		return nil
	})
	_, err := Replace(path, []byte("v2"), Options{})
	restore()
	if err == nil {
		t.Fatal("the injected failure did not fail the write")
	}
	baks, _ := filepath.Glob(path + ".ccewiz-*.bak*")
	for _, b := range baks {
		if sameFile(b, path) {
			t.Errorf("the failed write left %s, a hard link to the live file", b)
		}
	}
	// A killed run's leftover: a hard link to the live file.
	stale := BackupName(path, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if err := os.Link(path, stale); err != nil {
		t.Skipf("hard links: %v", err)
	}
	if _, err := Replace(path, []byte("v2"), Options{}); err != nil {
		t.Fatal(err)
	}
	if sameFile(stale, path) {
		t.Fatal("the stale link backup is still the live file")
	}
	os.WriteFile(path, []byte("edited in place"), 0o644) // what Notepad++ or keytool does
	if b, _ := os.ReadFile(stale); string(b) != "v1" {
		t.Errorf("the old backup holds %q, want v1", b)
	}
}

// TestLockSerialisesWriters: two writers that each read a counter, add
// one and write it back, under the lock, 100 times each, lose nothing; the
// second one is told who holds it.
func TestLockSerialisesWriters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "counter")
	os.WriteFile(path, []byte("0"), 0o644)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var notes []string
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				unlock, err := Lock(path, LockOptions{Notify: func(m string) { mu.Lock(); notes = append(notes, m); mu.Unlock() }})
				if err != nil {
					t.Error(err)
					return
				}
				b, _ := os.ReadFile(path)
				n, _ := strconv.Atoi(string(b))
				if _, err := Replace(path, []byte(strconv.Itoa(n+1)), Options{Locked: true, NoBackup: true}); err != nil {
					t.Error(err)
				}
				unlock()
			}
		}()
	}
	wg.Wait()
	if b, _ := os.ReadFile(path); string(b) != "200" {
		t.Errorf("counter = %s, want 200: an update was lost", b)
	}
	if _, err := os.Stat(LockName(path)); err == nil {
		t.Error("the lock file was left behind")
	}
	for _, n := range notes {
		if !strings.Contains(n, "another ccewiz is changing "+path+" (pid ") {
			t.Errorf("notice %q", n)
		}
	}
}

// TestLockTimesOut: a holder that does not let go makes the next one give
// up with the holder's pid and nothing changed.
func TestLockTimesOut(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cacerts")
	unlock, err := Lock(path, LockOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	_, err = Replace(path, []byte("x"), Options{Lock: LockOptions{Wait: 100 * time.Millisecond}})
	if !errors.Is(err, ErrBusy) || !strings.Contains(err.Error(), "pid "+strconv.Itoa(os.Getpid())) {
		t.Errorf("a busy file: %v", err)
	}
	if _, err := os.Stat(path); err == nil {
		t.Error("the busy file was written")
	}
}
