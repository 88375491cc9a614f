package lab

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"ccewiz/safefile"
)

// TestKilledWriteLeavesNoFile: the lab keeps whatever file it finds on a
// restart, so a write cut off before its rename (a kill, a full disk) must
// leave no file behind — never a truncated one the next start would keep.
func TestKilledWriteLeavesNoFile(t *testing.T) {
	dir := t.TempDir()
	ca, err := newCA()
	if err != nil {
		t.Fatal(err)
	}
	writers := map[string]func(path string) error{
		"writeIfMissing": func(p string) error { return writeIfMissing(p, []byte("data"), 0o644) },
		"secretFile":     func(p string) error { _, err := secretFile(p, ""); return err },
		"writePair": func(p string) error {
			kp := *ca
			kp.CertFile, kp.KeyFile = p, p+".key"
			return writePair(&kp)
		},
	}
	for name, write := range writers {
		t.Run(name, func(t *testing.T) {
			restore := safefile.SetTestHook(func(s safefile.Stage) error {
				if s == safefile.StageTempWritten {
					return errors.New("killed")
				}
				return nil
			})
			p := filepath.Join(dir, name, "file")
			err := write(p)
			restore()
			if err == nil {
				t.Fatal("the write reported success although it was cut off")
			}
			left, _ := filepath.Glob(filepath.Join(dir, name, "*"))
			if len(left) != 0 {
				t.Errorf("a cut-off write left %v", left)
			}
			if err := write(p); err != nil {
				t.Fatalf("the next write: %v", err)
			}
			if _, err := os.Stat(p); err != nil {
				t.Error(err)
			}
		})
	}
}
