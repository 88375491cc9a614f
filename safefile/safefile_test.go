package safefile

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"ccewiz/testpeer"
)

var stamp = time.Date(2026, 11, 23, 4, 55, 1, 0, time.UTC)

func fixedNow() time.Time { return stamp }

func TestReplaceBacksUpAndKeepsMode(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "cacerts")
	os.WriteFile(p, []byte("old"), 0o640)
	os.Chmod(p, 0o640)
	res, err := Replace(p, []byte("new"), Options{Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	if want := p + ".ccewiz-20261123-045501.bak"; res.Backup != want {
		t.Errorf("backup = %q, want %q", res.Backup, want)
	}
	if b, _ := os.ReadFile(res.Backup); string(b) != "old" {
		t.Errorf("backup holds %q", b)
	}
	if b, _ := os.ReadFile(p); string(b) != "new" {
		t.Errorf("file holds %q", b)
	}
	if runtime.GOOS != "windows" {
		if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o640 {
			t.Errorf("mode = %v, want 0640 kept", fi.Mode().Perm())
		}
	}
	// A second change in the same second must not overwrite the first backup.
	res2, err := Replace(p, []byte("newer"), Options{Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	if res2.Backup == res.Backup {
		t.Error("second backup reused the first backup's name")
	}
	if b, _ := os.ReadFile(res.Backup); string(b) != "old" {
		t.Errorf("first backup overwritten: %q", b)
	}
	assertNoTemp(t, dir)
}

func TestReplaceCreatesWithPerm(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "ece.example.com.key")
	res, err := Replace(p, []byte("KEY"), Options{Perm: 0o600})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Created || res.Backup != "" {
		t.Errorf("result = %+v", res)
	}
	if runtime.GOOS != "windows" {
		if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o600 {
			t.Errorf("mode = %v, want 0600", fi.Mode().Perm())
		}
	}
}

// A private key written over a world-readable file must end up 0600, even
// though Replace otherwise keeps an existing file's mode.
func TestReplacePrivateOverReadableFile(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no owner-only mode bits")
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "ece.example.com.key")
	os.WriteFile(p, []byte("old key"), 0o644)
	os.Chmod(p, 0o644)
	if _, err := Replace(p, []byte("KEY"), Options{Perm: 0o600, Private: true, Now: fixedNow}); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want 0600: the key is readable by others", fi.Mode().Perm())
	}
	if b, _ := os.ReadFile(p); string(b) != "KEY" {
		t.Errorf("file holds %q", b)
	}
}

// A file edited or removed after the plan was made is refused with
// ErrChanged, untouched and without a backup; an unchanged one is written.
func TestReplaceRefusesFileChangedSinceBase(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "spog_config.js")
	planned := []byte("planned")
	os.WriteFile(p, []byte("edited meanwhile"), 0o644)
	_, err := Replace(p, []byte("new"), Options{Base: SHA256Hex(planned), Now: fixedNow})
	if !errors.Is(err, ErrChanged) || !strings.Contains(err.Error(), p) {
		t.Fatalf("error = %v; want ErrChanged naming the file", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "edited meanwhile" {
		t.Errorf("the edited file was overwritten: %q", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("folder has %d entries; a refusal must not leave a backup or temp file", len(entries))
	}
	os.Remove(p)
	if _, err := Replace(p, []byte("new"), Options{Base: SHA256Hex(planned)}); !errors.Is(err, ErrChanged) {
		t.Errorf("removed file: error = %v; want ErrChanged", err)
	}
	if _, err := os.Stat(p); err == nil {
		t.Error("a file removed since the plan was created again")
	}
	os.WriteFile(p, planned, 0o644)
	if _, err := Replace(p, []byte("new"), Options{Base: SHA256Hex(planned), Now: fixedNow}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "new" {
		t.Errorf("file holds %q", b)
	}
}

// Content that fails its check is refused before anything is touched: no
// backup, no temporary file, the original as it was.
func TestReplaceVerifyFailureChangesNothing(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	os.WriteFile(p, []byte("old"), 0o644)
	var checked string
	_, err := Replace(p, []byte("new"), Options{Verify: func(b []byte) error {
		checked = string(b)
		return errors.New("entry lost")
	}})
	if err == nil || !strings.Contains(err.Error(), "entry lost") || !strings.Contains(err.Error(), "nothing was changed") {
		t.Errorf("error = %v; want the cause and that nothing changed", err)
	}
	if checked != "new" {
		t.Errorf("Verify got %q, want the new content", checked)
	}
	if b, _ := os.ReadFile(p); string(b) != "old" {
		t.Errorf("file holds %q", b)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*")); len(m) != 1 {
		t.Errorf("files left: %v", m)
	}
}

// The backup Replace makes is a hard link where the file system allows it
// (no copy, no flush); Backup on its own is a real copy, whose content
// cannot change with the file.
func TestBackupLinkAndCopy(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "cacerts")
	os.WriteFile(p, []byte("v1"), 0o644)
	copied, err := Backup(p, stamp)
	if err != nil {
		t.Fatal(err)
	}
	orig, _ := os.Stat(p)
	if fi, _ := os.Stat(copied); os.SameFile(orig, fi) {
		t.Error("Backup linked instead of copying")
	}
	linked := false
	defer SetTestHook(func(s Stage) error {
		if s == StageBackedUp {
			// Until the rename, the link is hidden: no backup name is the live file.
			fi, _ := os.Stat(pendingName(copied + ".1"))
			linked = os.SameFile(orig, fi)
			if _, err := os.Lstat(copied + ".1"); err == nil {
				t.Error("the backup name exists before the rename: it is the live file")
			}
		}
		return nil
	})()
	res, err := Replace(p, []byte("v2"), Options{Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	if res.Backup != copied+".1" {
		t.Fatalf("backup %q", res.Backup)
	}
	for name, want := range map[string]string{copied: "v1", res.Backup: "v1", p: "v2"} {
		if b, _ := os.ReadFile(name); string(b) != want {
			t.Errorf("%s holds %q, want %q", filepath.Base(name), b, want)
		}
	}
	if !linked {
		t.Error("Replace copied the original instead of linking it")
	}
}

func TestReplaceAbortAtEveryStageKeepsOriginal(t *testing.T) {
	for _, stage := range []Stage{StageBackedUp, StageTempWritten, StageTempSynced} {
		t.Run(string(stage), func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "spog_config.js")
			os.WriteFile(p, []byte("original"), 0o644)
			restore := SetTestHook(func(s Stage) error {
				if s == stage {
					return fmt.Errorf("injected failure at %s", s)
				}
				return nil
			})
			defer restore()
			if _, err := Replace(p, []byte("changed"), Options{}); err == nil {
				t.Fatal("no error")
			}
			if b, _ := os.ReadFile(p); string(b) != "original" {
				t.Errorf("original changed to %q", b)
			}
			assertNoTemp(t, dir)
		})
	}
}

// TestKilledWriterLeavesOriginalOrNew kills a real writer process at every
// stage (os.Exit inside the hook, as a power cut or a kill -9 would stop it):
// the file is always either wholly old or wholly new.
func TestKilledWriterLeavesOriginalOrNew(t *testing.T) {
	if os.Getenv("SAFEFILE_CRASH_AT") != "" {
		stage := Stage(os.Getenv("SAFEFILE_CRASH_AT"))
		SetTestHook(func(s Stage) error {
			if s == stage {
				os.Exit(3)
			}
			return nil
		})
		Replace(os.Getenv("SAFEFILE_PATH"), []byte(strings.Repeat("new content\n", 10000)), Options{})
		os.Exit(0)
	}
	old := strings.Repeat("old content\n", 10000)
	for _, stage := range []Stage{StageBackedUp, StageTempWritten, StageTempSynced, StageRenamed} {
		t.Run(string(stage), func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "cacerts")
			os.WriteFile(p, []byte(old), 0o644)
			cmd := exec.Command(os.Args[0], "-test.run=^TestKilledWriterLeavesOriginalOrNew$")
			cmd.Env = append(os.Environ(), "SAFEFILE_CRASH_AT="+string(stage), "SAFEFILE_PATH="+p)
			err := cmd.Run()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 3 {
				t.Fatalf("writer did not die at %s: %v", stage, err)
			}
			b, _ := os.ReadFile(p)
			got := string(b)
			if stage == StageRenamed {
				if got != strings.Repeat("new content\n", 10000) {
					t.Errorf("after rename the file is not wholly new (%d bytes)", len(got))
				}
			} else if got != old {
				t.Errorf("killed at %s: the original is not intact (%d bytes)", stage, len(got))
			}
			// By inode and by content, every backup holds the old bytes —
			// even after an edit in place (keytool, Notepad++) of the live
			// file, which nothing of the killed run can follow.
			for _, b := range Backups(p) {
				testpeer.CheckBackup(t, p, b, []byte(old))
			}
			edited := []byte("edited in place")
			if err := os.WriteFile(p, edited, 0o644); err != nil {
				t.Fatal(err)
			}
			for _, b := range Backups(p) {
				testpeer.CheckBackup(t, p, b, []byte(old))
			}
			// The next run settles what the killed one left: after the
			// rename its link holds the old version and becomes a backup;
			// before it, the link was the live file and holds nothing old.
			if _, err := Replace(p, []byte("third"), Options{}); err != nil {
				t.Fatalf("the next run after a kill at %s: %v", stage, err)
			}
			want := [][]byte{edited}
			if stage == StageRenamed {
				want = [][]byte{[]byte(old), edited}
			}
			all := Backups(p)
			if len(all) != len(want) {
				t.Fatalf("after the next run: backups %v, want %d", all, len(want))
			}
			for i, b := range all {
				testpeer.CheckBackup(t, p, b, want[i])
			}
			if left, _ := filepath.Glob(filepath.Join(filepath.Dir(p), ".*"+pendingSuffix)); len(left) > 0 {
				t.Errorf("pending links left: %v", left)
			}
		})
	}
}

func TestBackupOfMissingFile(t *testing.T) {
	name, err := Backup(filepath.Join(t.TempDir(), "none"), stamp)
	if err != nil || name != "" {
		t.Errorf("Backup of a missing file = %q, %v", name, err)
	}
}

func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), "ccewiz-tmp") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

func TestReplaceRemovesStaleTempsOnly(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "cacerts")
	os.WriteFile(p, []byte("old"), 0o644)
	stale := filepath.Join(dir, ".cacerts.ccewiz-tmp-111")
	fresh := filepath.Join(dir, ".cacerts.ccewiz-tmp-222")
	other := filepath.Join(dir, ".other.ccewiz-tmp-333")
	for _, f := range []string{stale, fresh, other} {
		os.WriteFile(f, []byte("partial"), 0o644)
	}
	old := time.Now().Add(-time.Hour)
	os.Chtimes(stale, old, old)
	os.Chtimes(other, old, old)
	if _, err := Replace(p, []byte("new"), Options{NoBackup: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); err == nil {
		t.Error("stale temp file of a killed writer was kept")
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Error("a fresh temp file (a live writer's) was removed")
	}
	if _, err := os.Stat(other); err != nil {
		t.Error("another file's temp file was removed")
	}
}

func TestHolds(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	content := []byte(strings.Repeat("0123456789abcdef", 5000)) // several buffers long
	os.WriteFile(p, content, 0o644)
	longer := append(append([]byte{}, content...), 'x')
	changed := append([]byte{}, content...)
	changed[len(changed)-1] = 'X'
	for _, tc := range []struct {
		name string
		data []byte
		want bool
	}{
		{"same", content, true},
		{"shorter", content[:len(content)-1], false},
		{"longer", longer, false},
		{"last byte differs", changed, false},
		{"empty", nil, false},
	} {
		if got, err := holds(p, tc.data); got != tc.want || err != nil {
			t.Errorf("%s: holds = %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
	os.WriteFile(p, nil, 0o644)
	if got, _ := holds(p, nil); !got {
		t.Error("an empty file does not hold empty data")
	}
}
