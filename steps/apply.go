package steps

import (
	"fmt"
	"os"
	"path/filepath"

	"ccewiz/safefile"
)

// ApplyFiles writes every changed file of a plan through safefile: Verify,
// backup, temp file, fsync, rename, read back. It refuses a file that
// changed since the plan was made, and stops at the first error so the
// admin can fix it and re-run (files already written are listed).
func ApplyFiles(env *Env, p *Plan) (*Outcome, error) {
	out := &Outcome{}
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
		res, err := safefile.Replace(f.Path, f.Data, safefile.Options{
			Perm:     mode,
			Private:  private,
			NoBackup: !f.Backup,
			Now:      env.now,
			Verify:   f.Verify,
			Base:     f.BaseSHA256,
		})
		if err != nil {
			return out, err
		}
		out.Written = append(out.Written, Written{Path: res.Path, Backup: res.Backup})
	}
	return out, nil
}

// SHA256Hex is the digest FileChange.BaseSHA256 expects ("" for a missing file).
func SHA256Hex(b []byte) string {
	if b == nil {
		return ""
	}
	return safefile.SHA256Hex(b)
}

// MarkDone, MarkUndone and IsDone are the ECE flow's progress; drivers
// use Env.FlowProgress, which is the progress of the flow they run.
func (a *Answers) MarkDone(id string)    { a.Progress.MarkDone(id) }
func (a *Answers) MarkUndone(id string)  { a.Progress.MarkUndone(id) }
func (a *Answers) IsDone(id string) bool { return a.Progress.IsDone(id) }
