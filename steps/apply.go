package steps

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"ccewiz/safefile"
)

// ApplyFiles writes every changed file of a plan as one set through
// safefile.ReplaceSet: Verify, backups, every temporary file flushed, then
// the renames, so a crash leaves the set wholly old or wholly new (the next
// run completes one stopped during its renames, and says so). It refuses a
// file that changed since the plan was made; then nothing is written.
func ApplyFiles(env *Env, p *Plan) (*Outcome, error) {
	out := &Outcome{}
	var set []safefile.SetFile
	for _, f := range p.Files {
		if f.Action == Unchanged {
			continue
		}
		if f.Action == Create {
			// Steps plan into folders that may not exist yet (the trust step's
			// .cer files go into the certificate's out folder).
			dir := filepath.Dir(f.Path)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return out, fmt.Errorf("create folder %s for %s: %w", dir, filepath.Base(f.Path), err)
			}
		}
		mode := f.Mode
		if mode == 0 && f.Sensitive {
			mode = 0o600
		}
		// A key or PFX (planned owner-only) is written 0600 even over an
		// existing, readable file. Not every Sensitive file: a trust store is
		// Sensitive only because it is binary, and the ADS's Java must still
		// read it.
		private := f.Sensitive && f.Mode != 0 && f.Mode.Perm()&0o077 == 0
		set = append(set, safefile.SetFile{Path: f.Path, Data: f.Data, Opts: safefile.Options{
			Perm: mode, Private: private, NoBackup: !f.Backup, Verify: f.Verify, Base: f.BaseSHA256, Locked: f.Locked}})
	}
	if len(set) == 0 {
		return out, nil
	}
	results, notes, err := safefile.ReplaceSet(set, env.Time)
	out.Notes = append(out.Notes, notes...)
	for _, r := range results {
		out.Written = append(out.Written, Written{Path: r.Path, Backup: r.Backup})
	}
	return out, err
}

// SHA256Hex is the digest FileChange.BaseSHA256 expects ("" for a missing file).
func SHA256Hex(b []byte) string {
	if b == nil {
		return ""
	}
	return safefile.SHA256Hex(b)
}

// PlanWrite is the change that makes path hold data: Create when it does
// not exist, Unchanged when it already holds exactly data, else Modify
// with a backup and the digest it was planned from.
func PlanWrite(path string, data []byte, mode fs.FileMode, why string) (FileChange, error) {
	old, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return FileChange{Path: path, Action: Create, Data: data, Mode: mode, Why: why}, nil
	case err != nil:
		return FileChange{}, fmt.Errorf("read %s: %w", path, err)
	case bytes.Equal(old, data):
		return FileChange{Path: path, Action: Unchanged, Why: why}, nil
	}
	return FileChange{Path: path, Action: Modify, Data: data, Mode: mode, Why: why, Backup: true, BaseSHA256: SHA256Hex(old)}, nil
}
