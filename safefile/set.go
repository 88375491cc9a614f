package safefile

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// A certificate is a set of files — key, .crt, .cer, .pfx, IIS scripts —
// that only work together: a run killed after renaming the new key but
// before the new .pfx would leave a key that matches no PFX. ReplaceSet
// writes a set so that it is wholly old or wholly new: every temporary file
// is written and flushed first, then a journal naming them is written, then
// the renames; a run stopped during the renames is completed by the next
// one when it locks any file of the set (Lock), which says what it repaired.

// StageJournaled is the moment the set's journal is on disk, before its renames.
const (
	StageJournaled    Stage = "set-journaled"
	StageFirstRenamed Stage = "set-first-renamed"
)

// SetFile is one file of a set: its path, its content and how to write it
// (Options' Now and Lock are the set's, not the file's; Locked says the
// caller holds this file's Lock already, taken before it read the file).
type SetFile struct {
	Path string
	Data []byte
	Opts Options
}

const journalPrefix = ".ccewiz-set-"

// recoverSetsNaming completes every set a stopped run left half renamed
// whose journal names path: all its temporary files were flushed before
// its journal was written, so renaming the rest into place is safe. Lock
// calls it under path's lock: a run that wrote such a journal held that
// lock until after it removed the journal, so the journal is a killed
// run's. It returns what it repaired.
func recoverSetsNaming(path string) []string {
	var notes []string
	journals, _ := filepath.Glob(filepath.Join(filepath.Dir(path), journalPrefix+"*.journal"))
	for _, j := range journals {
		data, err := os.ReadFile(j)
		if err != nil {
			continue
		}
		type entry struct{ tmp, path string }
		var entries []entry
		ours := false
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			if tmp, target, ok := strings.Cut(sc.Text(), "\t"); ok {
				entries = append(entries, entry{tmp, target})
				ours = ours || target == path
			}
		}
		if !ours {
			continue
		}
		var done []string
		for _, e := range entries {
			if _, err := os.Stat(e.tmp); err == nil {
				if err := replaceFile(e.tmp, e.path, fileExists(e.path)); err == nil {
					done = append(done, e.path)
				}
			}
			settleBackups(e.path) // the old version's link becomes its backup
		}
		os.Remove(j)
		if len(done) > 0 {
			notes = append(notes, fmt.Sprintf("completed a write that a stopped run left half done: %s now hold the new version, as the rest of their set", strings.Join(done, ", ")))
		}
	}
	return notes
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// ReplaceSet writes every file of set, wholly or not at all as far as a
// crash can tell (see above). Results come in the order of set; notes say
// what an earlier, stopped run left and this one repaired.
func ReplaceSet(set []SetFile, now func() time.Time) (results []Result, notes []string, err error) {
	if now == nil {
		now = time.Now
	}
	type planned struct {
		SetFile
		res  Result
		old  fs.FileInfo
		perm fs.FileMode
		tmp  string
		// pending is the backup's hard link until the file is renamed (see pendingSuffix).
		pending string
	}
	ps := make([]*planned, len(set))
	for i, f := range set {
		p := &planned{SetFile: f, res: Result{Path: f.Path}}
		if fi, lerr := os.Lstat(f.Path); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 {
			real, err := filepath.EvalSymlinks(f.Path)
			if err != nil {
				return nil, notes, fmt.Errorf("replace %s: it is a symbolic link whose target cannot be reached (%v); fix the link, or name the file itself", f.Path, err)
			}
			p.Path, p.res.Path = real, real
		}
		ps[i] = p
	}
	// Every lock, in one order, so two sets never wait on each other.
	var paths []string
	for _, p := range ps {
		if !p.Opts.Locked {
			paths = append(paths, p.Path)
		}
	}
	sort.Strings(paths)
	for i, path := range paths {
		if i > 0 && path == paths[i-1] {
			continue
		}
		// Lock completes what a killed run left of a set naming path.
		unlock, err := Lock(path, LockOptions{Repaired: func(n string) { notes = append(notes, n) }})
		if err != nil {
			return nil, notes, err
		}
		defer unlock()
	}
	cleanup := func() {
		for _, p := range ps {
			if p.tmp != "" {
				os.Remove(p.tmp)
			}
			if p.pending != "" {
				os.Remove(p.pending)
			}
		}
	}
	for _, p := range ps {
		if p.Opts.Verify != nil {
			if err := p.Opts.Verify(p.Data); err != nil {
				return nil, notes, fmt.Errorf("replace %s: the new content fails its check, nothing was changed: %w", p.Path, err)
			}
		}
		p.perm = p.Opts.Perm
		if p.perm == 0 {
			p.perm = 0o644
		}
		switch fi, err := os.Stat(p.Path); {
		case err == nil:
			if !fi.Mode().IsRegular() {
				return nil, notes, fmt.Errorf("replace %s: not a regular file", p.Path)
			}
			p.perm, p.old = fi.Mode().Perm(), fi
		case errors.Is(err, fs.ErrNotExist):
			p.res.Created = true
		default:
			return nil, notes, fmt.Errorf("replace %s: %w", p.Path, err)
		}
		if p.Opts.Private {
			p.perm = 0o600
		}
		if p.Opts.Base != "" {
			if err := unchanged(p.Path, p.Opts.Base, p.res.Created); err != nil {
				return nil, notes, err
			}
		}
	}
	for _, p := range ps {
		settleBackups(p.Path)
		if !p.res.Created && !p.Opts.NoBackup {
			b, pend, err := backup(p.Path, now(), true)
			if err != nil {
				cleanup()
				return nil, notes, err
			}
			p.res.Backup, p.pending = b, pend
		}
	}
	if err := runHook(StageBackedUp); err != nil {
		cleanup()
		return nil, notes, err
	}
	// Every new version on disk, flushed, before anything is renamed.
	for _, p := range ps {
		tmp, err := writeTemp(p.Path, p.Data, p.perm, p.old)
		if err != nil {
			cleanup()
			return nil, notes, err
		}
		p.tmp = tmp
	}
	var j bytes.Buffer
	for _, p := range ps {
		fmt.Fprintf(&j, "%s\t%s\n", p.tmp, p.Path)
	}
	journal := filepath.Join(filepath.Dir(ps[0].Path), fmt.Sprintf("%s%d-%d.journal", journalPrefix, os.Getpid(), now().UnixNano()))
	if err := writeAtomic(journal, j.Bytes(), 0o600, nil); err != nil {
		cleanup()
		return nil, notes, fmt.Errorf("write the journal of %d files: %w (nothing was changed)", len(ps), err)
	}
	if err := runHook(StageJournaled); err != nil {
		return nil, notes, err // the journal lets the next run finish the set
	}
	// From here a failure leaves a journal for the next run; the files
	// already in place are reported, so the caller records them.
	for i, p := range ps {
		if err := replaceFile(p.tmp, p.Path, p.old != nil); err != nil {
			return results, notes, fmt.Errorf("write %s: %w; the next run completes the set (%d of %d in place)", p.Path, err, i, len(ps))
		}
		p.tmp = ""
		p.res.Backup, p.pending = promote(p.Path, p.res.Backup, p.pending), ""
		results = append(results, p.res)
		syncDir(filepath.Dir(p.Path))
		if i == 0 {
			if err := runHook(StageFirstRenamed); err != nil {
				return results, notes, err
			}
		}
	}
	os.Remove(journal)
	for _, p := range ps {
		if p.Opts.Verify != nil {
			if same, err := holds(p.Path, p.Data); err != nil || !same {
				return results, notes, fmt.Errorf("verify %s after writing: the disk does not hold what was written (%v); the previous version is %s", p.Path, err, orNone(p.res.Backup))
			}
		}
	}
	return results, notes, nil
}
