package safefile

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"ccewiz/testpeer"
)

// TestKilledSetIsWhollyOldOrNew kills a real writer of a three-file set at
// every stage: before its journal the set is wholly old; from the journal
// on, the next run (RecoverSets) makes it wholly new and says so. Never a
// mix, and every backup holds the old bytes.
func TestKilledSetIsWhollyOldOrNew(t *testing.T) {
	names := []string{"ece.example.com.key", "ece.example.com.crt", "ece.example.com.pfx"}
	if dir := os.Getenv("SAFEFILE_SET_DIR"); dir != "" {
		stage := Stage(os.Getenv("SAFEFILE_CRASH_AT"))
		SetTestHook(func(s Stage) error {
			if s == stage {
				os.Exit(3)
			}
			return nil
		})
		var set []SetFile
		for _, n := range names {
			set = append(set, SetFile{Path: filepath.Join(dir, n), Data: []byte("new " + n)})
		}
		ReplaceSet(set, nil)
		os.Exit(0)
	}
	kills := 0
	for _, stage := range []Stage{StageBackedUp, StageTempWritten, StageTempSynced, StageJournaled, StageFirstRenamed} {
		t.Run(string(stage), func(t *testing.T) {
			dir := t.TempDir()
			for _, n := range names {
				os.WriteFile(filepath.Join(dir, n), []byte("old "+n), 0o600)
			}
			cmd := exec.Command(os.Args[0], "-test.run=^TestKilledSetIsWhollyOldOrNew$")
			cmd.Env = append(os.Environ(), "SAFEFILE_CRASH_AT="+string(stage), "SAFEFILE_SET_DIR="+dir)
			var ee *exec.ExitError
			if err := cmd.Run(); !errors.As(err, &ee) || ee.ExitCode() != 3 {
				t.Fatalf("writer did not die at %s: %v", stage, err)
			}
			kills++
			// The next writer of any file of the set completes it, as it locks.
			var notes []string
			for _, n := range names {
				unlock, err := Lock(filepath.Join(dir, n), LockOptions{Repaired: func(m string) { notes = append(notes, m) }})
				if err != nil {
					t.Fatal(err)
				}
				unlock()
			}
			want := "old"
			if stage == StageJournaled || stage == StageFirstRenamed {
				want = "new"
				if len(notes) != 1 || !strings.Contains(notes[0], "completed a write") {
					t.Errorf("no repair reported: %v", notes)
				}
			}
			for _, n := range names {
				if b, _ := os.ReadFile(filepath.Join(dir, n)); string(b) != want+" "+n {
					t.Errorf("killed at %s, recovered: %s holds %q, want the %s version", stage, n, b, want)
				}
			}
			// By inode and content: a completed set's files each have one
			// backup of their own with the old bytes; a set still old has
			// none (its links were the live files).
			for _, n := range names {
				p := filepath.Join(dir, n)
				baks := Backups(p)
				if want == "old" && len(baks) > 0 || want == "new" && len(baks) != 1 {
					t.Errorf("killed at %s: %s has backups %v", stage, n, baks)
				}
				for _, b := range baks {
					testpeer.CheckBackup(t, p, b, []byte("old "+n))
				}
			}
			if left, _ := filepath.Glob(filepath.Join(dir, journalPrefix+"*")); len(left) > 0 {
				t.Errorf("journal left after recovery: %v", left)
			}
		})
	}
	t.Log(fmt.Sprintf("%d kills of a three-file set: none left it mixed after recovery", kills))
}
