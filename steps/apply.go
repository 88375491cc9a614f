package steps

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"

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
		if f.BaseSHA256 != "" {
			cur, err := fileSHA256(f.Path)
			if err != nil {
				return out, fmt.Errorf("%s: %w", f.Path, err)
			}
			if cur != f.BaseSHA256 {
				return out, fmt.Errorf("%s changed since the plan was made; nothing was written to it — review the plan again", f.Path)
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
		})
		if err != nil {
			return out, err
		}
		out.Written = append(out.Written, Written{Path: res.Path, Backup: res.Backup})
	}
	return out, nil
}

func fileSHA256(path string) (string, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// SHA256Hex is the digest FileChange.BaseSHA256 expects ("" for a missing file).
func SHA256Hex(b []byte) string {
	if b == nil {
		return ""
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// MarkDone records that step id was completed, for resuming.
func (a *Answers) MarkDone(id string) {
	for _, d := range a.Progress.Done {
		if d == id {
			return
		}
	}
	a.Progress.Done = append(a.Progress.Done, id)
}

// IsDone reports whether step id was completed.
func (a *Answers) IsDone(id string) bool {
	for _, d := range a.Progress.Done {
		if d == id {
			return true
		}
	}
	return false
}
