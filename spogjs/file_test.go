package spogjs

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ccewiz/safefile"
	"ccewiz/testpeer"
)

var stamp = time.Date(2026, 11, 23, 5, 0, 0, 0, time.UTC)

func fixedNow() time.Time { return stamp }

// copyFixture puts a golden input into a fresh folder as spog_config.js.
func copyFixture(t *testing.T, name string) (dir, path string, orig []byte) {
	t.Helper()
	orig, err := os.ReadFile(filepath.Join("testdata", "golden", name))
	if err != nil {
		t.Fatal(err)
	}
	dir = t.TempDir()
	path = filepath.Join(dir, "spog_config.js")
	if err := os.WriteFile(path, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, path, orig
}

func TestPatchFileBacksUpWritesAndIsIdempotent(t *testing.T) {
	dir, path, orig := copyFixture(t, "bom.js")
	p, w, err := PatchFile(path, want, fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	if !w.Changed || w.Backup != path+".ccewiz-20261123-050000.bak" {
		t.Errorf("written = %+v", w)
	}
	if b, _ := os.ReadFile(w.Backup); !bytes.Equal(b, orig) {
		t.Error("backup is not the original")
	}
	exp, _ := os.ReadFile("testdata/golden/bom.js.golden")
	if b, _ := os.ReadFile(path); !bytes.Equal(b, exp) {
		t.Error("file on disk is not the golden output")
	}
	if !strings.Contains(p.Diff(), "+var web_server_name = \"ece.example.com\";") {
		t.Errorf("diff = %s", p.Diff())
	}
	// Second run: already set, nothing written, no second backup.
	p2, w2, err := PatchFile(path, want, fixedNow)
	if err != nil || p2.Changed() || w2.Changed || w2.Backup != "" {
		t.Fatalf("second run: %+v %+v %v", p2.Result.Changes, w2, err)
	}
	if baks, _ := filepath.Glob(filepath.Join(dir, "*.bak*")); len(baks) != 1 {
		t.Errorf("backups = %v, want exactly one", baks)
	}
}

func TestWriteRefusesFileChangedSincePlan(t *testing.T) {
	_, path, _ := copyFixture(t, "lf.js")
	p, err := PlanFile(path, want)
	if err != nil {
		t.Fatal(err)
	}
	edited := []byte("var web_server_protocol = \"https\";\nvar web_server_name = \"other.example.com\";\n")
	os.WriteFile(path, edited, 0o644)
	_, err = p.Write(fixedNow)
	if !errors.Is(err, ErrChangedSincePlan) {
		t.Fatalf("error = %v", err)
	}
	if b, _ := os.ReadFile(path); !bytes.Equal(b, edited) {
		t.Error("the edited file was overwritten")
	}
}

func TestRefusedFilesAreNotTouched(t *testing.T) {
	for _, name := range []string{"missing.js", "twice.js", "notstring.js"} {
		t.Run(name, func(t *testing.T) {
			dir, path, orig := copyFixture(t, name)
			_, _, err := PatchFile(path, want, fixedNow)
			if err == nil || !strings.Contains(err.Error(), path) {
				t.Fatalf("error = %v; want one naming %s", err, path)
			}
			if b, _ := os.ReadFile(path); !bytes.Equal(b, orig) {
				t.Error("file changed")
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 1 {
				t.Errorf("folder has %d entries; a refusal must not leave a backup or temp file", len(entries))
			}
		})
	}
	_, err := PlanFile(filepath.Join(t.TempDir(), "none.js"), want)
	if err == nil || !strings.Contains(err.Error(), "eService") {
		t.Errorf("missing file error = %v; want the expected location", err)
	}
}

// TestKilledWriterLeavesOriginalOrPatched kills a real writer process at
// every safefile stage (os.Exit in the hook, as kill -9 or a power cut
// would): spog_config.js is always either the original or the patched
// file, never a mix, and a later run finishes the job.
func TestKilledWriterLeavesOriginalOrPatched(t *testing.T) {
	if stage := os.Getenv("SPOGJS_CRASH_AT"); stage != "" {
		safefile.SetTestHook(func(s safefile.Stage) error {
			if string(s) == stage {
				os.Exit(3)
			}
			return nil
		})
		PatchFile(os.Getenv("SPOGJS_PATH"), want, nil)
		os.Exit(0)
	}
	patched, _ := os.ReadFile("testdata/golden/crlf.js.golden")
	for _, stage := range []safefile.Stage{safefile.StageBackedUp, safefile.StageTempWritten, safefile.StageTempSynced, safefile.StageRenamed} {
		t.Run(string(stage), func(t *testing.T) {
			_, path, orig := copyFixture(t, "crlf.js")
			cmd := exec.Command(os.Args[0], "-test.run=^TestKilledWriterLeavesOriginalOrPatched$")
			cmd.Env = append(os.Environ(), "SPOGJS_CRASH_AT="+string(stage), "SPOGJS_PATH="+path)
			err := cmd.Run()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 3 {
				t.Fatalf("writer did not die at %s: %v", stage, err)
			}
			got, _ := os.ReadFile(path)
			exp := orig
			if stage == safefile.StageRenamed {
				exp = patched
			}
			if !bytes.Equal(got, exp) {
				t.Fatalf("killed at %s: file is neither intact nor wholly patched (%d bytes)", stage, len(got))
			}
			_, w, err := PatchFile(path, want, fixedNow)
			if err != nil {
				t.Fatalf("re-run after the crash: %v", err)
			}
			if stage == safefile.StageRenamed && w.Changed {
				t.Error("re-run rewrote a file that was already patched")
			}
			if b, _ := os.ReadFile(path); !bytes.Equal(b, patched) {
				t.Error("re-run did not finish the patch")
			}
			// One backup, of its own inode, holding the original: the
			// killed run's once its rename happened, else the re-run's.
			baks := safefile.Backups(path)
			if len(baks) != 1 {
				t.Fatalf("backups %v, want 1", baks)
			}
			testpeer.CheckBackup(t, path, baks[0], orig)
		})
	}
}
