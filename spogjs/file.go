package spogjs

import (
	"errors"
	"fmt"
	"io/fs"
	"time"

	"ccewiz/safefile"
)

// ErrChangedSincePlan means the file on disk is no longer the one the diff
// was shown for (someone edited it meanwhile); nothing was written. It is a
// safefile.ErrChanged, worded for a diff.
var ErrChangedSincePlan error = changedSincePlan{}

type changedSincePlan struct{}

func (changedSincePlan) Error() string { return "file changed since the diff was shown" }
func (changedSincePlan) Unwrap() error { return safefile.ErrChanged }

// FilePlan is the patch of one spog_config.js, worked out but not written.
type FilePlan struct {
	Path    string
	Want    Want
	Result  *Result
	BaseSum string // SHA-256 (hex) of the content the plan was made from
	// Locked: the caller holds safefile.Lock of Path since before PlanFile
	// read it, so the plan cannot go stale.
	Locked bool
}

// Changed reports whether Write would write anything.
func (p *FilePlan) Changed() bool { return p.Result.Changed() }

// Diff is the unified diff of the plan ("" when already set).
func (p *FilePlan) Diff() string { return p.Result.Diff(p.Path) }

// PlanFile reads path and works out the patch. It writes nothing.
func PlanFile(path string, want Want) (*FilePlan, error) {
	src, err := safefile.Read(path, safefile.MaxSmall)
	if err != nil {
		return nil, readError(path, err)
	}
	r, err := Patch(src, want)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &FilePlan{Path: path, Want: want, Result: r, BaseSum: safefile.SHA256Hex(src)}, nil
}

func readError(path string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("read %s: no such file; the file is {ECE_HOME}\\eService\\templates\\finesse\\gadget\\spog\\spog_config.js on every ECE web server (a UNC path such as \\\\web1\\c$\\Cisco\\eService\\… works from Windows)", path)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("read %s: permission denied; run as an administrator of that web server", path)
	}
	return fmt.Errorf("read %s: %w", path, err)
}

// Written says what Write did.
type Written struct {
	Path    string `json:"path"`
	Backup  string `json:"backup,omitempty"`
	Changed bool   `json:"changed"` // false: already set, nothing written
}

// Write applies the plan: it refuses when the file changed since the plan,
// backs it up to spog_config.js.ccewiz-YYYYMMDD-HHMMSS.bak, replaces it
// atomically and re-reads it to check that both values are now right and
// nothing else moved. now stamps the backup (nil: time.Now).
func (p *FilePlan) Write(now func() time.Time) (Written, error) {
	w := Written{Path: p.Path}
	if !p.Changed() {
		// Nothing to write; a killed run's backup still gets its name.
		safefile.Settle(p.Path, p.Locked)
		return w, nil
	}
	res, err := safefile.Replace(p.Path, p.Result.New, safefile.Options{Now: now, Base: p.BaseSum, Verify: VerifyFunc(p.Want), Locked: p.Locked})
	w.Backup = res.Backup
	if errors.Is(err, safefile.ErrChanged) {
		return w, fmt.Errorf("%s: %w; nothing was written — review the diff again", p.Path, ErrChangedSincePlan)
	}
	if err != nil {
		return w, err
	}
	w.Changed = true
	return w, nil
}

// VerifyFunc returns the check run on the new content before it is written
// (safefile then proves the disk holds exactly those bytes): it parses to
// want. safefile hands Verify the very bytes it writes, so comparing them
// with the patch again could never fail.
func VerifyFunc(want Want) func([]byte) error {
	return func(got []byte) error {
		mm, err := Check(got, want)
		if err != nil {
			return fmt.Errorf("the patched file no longer parses: %w", err)
		}
		if len(mm) > 0 {
			return fmt.Errorf("the patched file has %s = %q, not %q", mm[0].Var, mm[0].From, mm[0].To)
		}
		return nil
	}
}

// PatchFile plans and writes in one go (the CLI shows the diff between the
// two with PlanFile and Write instead).
func PatchFile(path string, want Want, now func() time.Time) (*FilePlan, Written, error) {
	p, err := PlanFile(path, want)
	if err != nil {
		return nil, Written{Path: path}, err
	}
	w, err := p.Write(now)
	return p, w, err
}
