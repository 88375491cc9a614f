// Package safefile changes files the way a database would: the original is
// kept under a timestamped backup name first, the new content is written to a
// temporary file in the same folder, flushed to disk, and renamed over the
// original, so a crash, a kill or a full disk leaves either the old file or
// the new one — never a mix. It must not know what the files contain; callers
// pass a Verify func to re-read and check the result.
package safefile

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// BackupSuffix is the layout of the suffix appended to backups:
// cacerts → cacerts.ccewiz-20261123-045501.bak.
const BackupSuffix = ".ccewiz-20060102-150405.bak"

// Stage names the points of Replace at which a test hook runs; a crash test
// kills the writer at each of them and checks that the original survived.
type Stage string

const (
	StageBackedUp    Stage = "backed-up"
	StageTempWritten Stage = "temp-written"
	StageTempSynced  Stage = "temp-synced"
	StageRenamed     Stage = "renamed"
)

var hook func(Stage) error

// SetTestHook installs f to run at every Stage of every Replace in this
// process (a non-nil error aborts the write there) and returns a func that
// removes it. Only tests call it.
func SetTestHook(f func(Stage) error) (restore func()) {
	old := hook
	hook = f
	return func() { hook = old }
}

func runHook(s Stage) error {
	if hook == nil {
		return nil
	}
	return hook(s)
}

// Options tune Replace.
type Options struct {
	// Perm is used when the file does not exist yet; an existing file keeps its mode.
	Perm fs.FileMode
	// Private writes the file readable by its owner only (0600), whatever
	// mode an existing file had: a private key written over a world-readable
	// file must not stay world-readable, not even between the rename and a
	// later chmod. Windows only knows the read-only bit; there the folder's
	// ACLs decide who can read it.
	Private bool
	// NoBackup skips the backup (for files ccewiz creates itself, like a fresh key).
	NoBackup bool
	// Now stamps the backup name; time.Now when nil.
	Now func() time.Time
	// Verify, when set, checks the new content before anything is written;
	// after the rename the file is re-read and must hold exactly that content.
	Verify func(content []byte) error
	// Base, when set, is the SHA256Hex of the content the change was planned
	// from: Replace refuses, with an error wrapping ErrChanged, when the file
	// no longer holds it (someone edited or removed it after the user saw
	// the diff).
	Base string
	// Locked says the caller holds the file's Lock already (it read and
	// planned under it); otherwise Replace takes it for its own work.
	Locked bool
	// Lock tunes the wait for another writer.
	Lock LockOptions
}

// ErrChanged means the file is no longer the one the change was planned
// from; nothing was written.
var ErrChanged = errors.New("changed since the plan was made")

// SHA256Hex is the digest Options.Base expects.
func SHA256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Result says what Replace did.
type Result struct {
	Path    string `json:"path"`
	Backup  string `json:"backup,omitempty"`
	Created bool   `json:"created,omitempty"`
}

// BackupName is the name the backup of path gets at time t.
func BackupName(path string, t time.Time) string {
	return path + t.Format(BackupSuffix)
}

// Backup copies path to a free backup name next to it and flushes it to disk.
// It returns "" without error when path does not exist.
func Backup(path string, t time.Time) (string, error) {
	name, _, err := backup(path, t, false)
	return name, err
}

// pendingSuffix marks a backup that is still a hard link to the live file.
// Until the new version is renamed over the live file, a link backup is the
// live file itself: a kill -9 there, then an edit in place (keytool,
// Notepad++), would change the "backup". So the link is made under a hidden
// pending name that no backup listing matches, and given its backup name
// only once the live file is a new inode (promote); the next run settles
// what a killed one left (settleBackups).
const pendingSuffix = ".ccewiz-pending"

// pendingName is the hidden name backup is linked under until promoted.
func pendingName(backup string) string {
	return filepath.Join(filepath.Dir(backup), "."+filepath.Base(backup)+pendingSuffix)
}

// backup keeps the current content of path under a free backup name. With
// link it first tries a hard link: Replace never writes into the original
// file — it renames a new one over it — so the link keeps the old content
// for good, with no copy and no flush. The link is made under pending (see
// pendingSuffix), which the caller promotes after its rename or removes
// when it fails before. Where links are refused (FAT, some network shares)
// it copies, and pending is "".
func backup(path string, t time.Time, link bool) (name, pending string, err error) {
	src, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", "", nil
	}
	if err != nil {
		return "", "", fmt.Errorf("back up %s: %w", path, err)
	}
	defer src.Close()
	info, err := src.Stat()
	if err != nil {
		return "", "", fmt.Errorf("back up %s: %w", path, err)
	}
	// Two changes in the same second must not overwrite the first backup,
	// and a later one must sort after it even when pruning freed a lower
	// counter: the next counter is one past the highest in use.
	name = freeBackupName(path, BackupName(path, t))
	if link {
		pending = pendingName(name)
		os.Remove(pending) // a leftover settleBackups could not place
		if os.Link(path, pending) == nil {
			return name, pending, nil
		}
	}
	dst, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, info.Mode().Perm())
	if err != nil {
		return "", "", fmt.Errorf("back up %s: %w (is the folder writable?)", path, err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		os.Remove(name)
		return "", "", fmt.Errorf("back up %s to %s: %w (is the disk full?)", path, name, err)
	}
	if err := dst.Sync(); err != nil {
		dst.Close()
		os.Remove(name)
		return "", "", fmt.Errorf("back up %s to %s: flush: %w", path, name, err)
	}
	if err := dst.Close(); err != nil {
		os.Remove(name)
		return "", "", fmt.Errorf("back up %s to %s: %w", path, name, err)
	}
	return name, "", nil
}

// freeBackupName is base, or base.N past the highest counter in use, so
// two changes in the same second never overwrite the first backup and a
// later one sorts after it even when pruning freed a lower counter.
func freeBackupName(path, base string) string {
	name := base
	for i := lastCounter(path, base) + 1; ; i++ {
		if i > 0 {
			name = fmt.Sprintf("%s.%d", base, i)
		}
		if _, err := os.Lstat(name); errors.Is(err, fs.ErrNotExist) {
			return name
		}
	}
}

// promote gives a pending link backup its backup name, now that the live
// file is another inode. It returns the name the backup has.
func promote(path, name, pending string) string {
	if pending == "" {
		return name
	}
	if _, err := os.Lstat(name); err == nil {
		name = freeBackupName(path, name)
	}
	if os.Rename(pending, name) != nil {
		return pending // still the old bytes; the next run tries again
	}
	return name
}

// Settle gives the backup a killed writer of path left its name (see
// pendingSuffix), for a run that takes path's lock but writes nothing.
// locked: the caller holds the lock already. It is best effort: a file
// another ccewiz is changing is left to that one.
func Settle(path string, locked bool) {
	if locked {
		settleBackups(path)
		return
	}
	if unlock, err := Lock(path, LockOptions{Wait: time.Second}); err == nil {
		unlock() // Lock settles
	}
}

// settleBackups finishes what a killed run left of its backups of path. A
// pending link that is still the live file was made before a rename that
// never happened: it holds nothing the live file does not, and goes. One
// that is another inode holds the old version: it gets its backup name.
// Backups an older ccewiz made as plain hard links are made copies.
func settleBackups(path string) {
	pendings, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".ccewiz-*.bak*"+pendingSuffix))
	for _, p := range pendings {
		if sameFile(p, path) {
			os.Remove(p)
			continue
		}
		name := filepath.Join(filepath.Dir(p), strings.TrimSuffix(strings.TrimPrefix(filepath.Base(p), "."), pendingSuffix))
		promote(path, name, p)
	}
	healLinkBackups(path)
}

// Replace checks data with opts.Verify, backs path up (unless opts.NoBackup
// or it does not exist) and atomically replaces its content with data, then
// re-reads the file to prove the disk holds exactly that. On any error
// before the rename the original is untouched and no temporary file is left.
func Replace(path string, data []byte, opts Options) (res Result, err error) {
	res = Result{Path: path}
	// Through a symbolic link to its target: the link stays a link (as
	// keytool writes a JDK's linked cacerts).
	if fi, lerr := os.Lstat(path); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 {
		real, err := filepath.EvalSymlinks(path)
		if err != nil {
			return res, fmt.Errorf("replace %s: it is a symbolic link whose target cannot be reached (%v); fix the link, or name the file itself", path, err)
		}
		path = real
		res.Path = real
	}
	if !opts.Locked {
		unlock, err := Lock(path, opts.Lock)
		if err != nil {
			return res, err
		}
		defer unlock()
	}
	// A backup that is a hard link to the file it backs up is the live
	// file (see pendingSuffix): what a killed run left is settled first;
	// this run's own is removed when it fails before its rename.
	settleBackups(path)
	var pending string
	defer func() {
		if err != nil && pending != "" {
			os.Remove(pending)
			res.Backup = ""
		}
	}()
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	perm := opts.Perm
	if perm == 0 {
		perm = 0o644
	}
	// Content that fails its own check never reaches the disk.
	if opts.Verify != nil {
		if err := opts.Verify(data); err != nil {
			return res, fmt.Errorf("replace %s: the new content fails its check, nothing was changed: %w", path, err)
		}
	}
	info, err := os.Stat(path)
	var old fs.FileInfo
	switch {
	case err == nil:
		if !info.Mode().IsRegular() {
			return res, fmt.Errorf("replace %s: not a regular file", path)
		}
		perm = info.Mode().Perm()
		old = info
	case errors.Is(err, fs.ErrNotExist):
		res.Created = true
	default:
		return res, fmt.Errorf("replace %s: %w", path, err)
	}
	if opts.Private {
		perm = 0o600
	}
	if opts.Base != "" {
		if err := unchanged(path, opts.Base, res.Created); err != nil {
			return res, err
		}
	}
	if !res.Created && !opts.NoBackup {
		b, pend, err := backup(path, now(), true)
		if err != nil {
			return res, err
		}
		res.Backup, pending = b, pend
	}
	if err := runHook(StageBackedUp); err != nil {
		return res, err
	}
	if err := writeAtomic(path, data, perm, old); err != nil {
		if fileExists(pending) && !sameFile(pending, path) {
			// Renamed, then failed (a test hook): the old version is the pending link's alone.
			res.Backup, pending = promote(path, res.Backup, pending), ""
		}
		return res, err
	}
	res.Backup, pending = promote(path, res.Backup, pending), ""
	// The checked bytes are only proof if the disk holds them.
	if opts.Verify != nil {
		same, err := holds(path, data)
		if err != nil {
			return res, fmt.Errorf("verify %s after writing: %w; the previous version is %s", path, err, orNone(res.Backup))
		}
		if !same {
			return res, fmt.Errorf("verify %s after writing: the content on disk differs from what was written; restore the previous version, %s", path, orNone(res.Backup))
		}
	}
	return res, nil
}

// unchanged checks that path (gone: the file was missing at the stat)
// still holds the content whose SHA-256 is base. It hashes through a small
// buffer, as holds compares: a key store need not sit in memory twice.
func unchanged(path, base string, gone bool) error {
	changed := fmt.Errorf("%s %w; nothing was written to it — review the plan again", path, ErrChanged)
	if gone {
		return changed
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if hex.EncodeToString(h.Sum(nil)) != base {
		return changed
	}
	return nil
}

// holds reports whether the file at path holds exactly data. It compares
// through a small buffer: re-reading a whole key store into memory would
// cost as much as everything else an import does.
func holds(path string, data []byte) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	var buf [16 << 10]byte
	for {
		n, err := io.ReadFull(f, buf[:min(len(buf), len(data)+1)])
		if n > len(data) || !bytes.Equal(buf[:n], data[:n]) {
			return false, nil
		}
		data = data[n:]
		switch {
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			return len(data) == 0, nil
		case err != nil:
			return false, err
		}
	}
}

func orNone(s string) string {
	if s == "" {
		return "(none: the file was new)"
	}
	return s
}

// staleAfter is how old a leftover temporary file must be before Replace
// removes it: a writer killed mid-write leaves one; a live writer's is fresh.
const staleAfter = 10 * time.Minute

// removeStaleTemps deletes temporary files an earlier, killed run left next to path.
func removeStaleTemps(path string, now time.Time) {
	matches, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".ccewiz-tmp-*"))
	for _, m := range matches {
		if fi, err := os.Lstat(m); err == nil && fi.Mode().IsRegular() && now.Sub(fi.ModTime()) > staleAfter {
			os.Remove(m)
		}
	}
}

func writeAtomic(path string, data []byte, perm fs.FileMode, old fs.FileInfo) error {
	tmpName, err := writeTemp(path, data, perm, old)
	if err != nil {
		return err
	}
	if err = replaceFile(tmpName, path, old != nil); err != nil {
		os.Remove(tmpName)
		return fmt.Errorf("write %s: replace with new version: %w (the original is unchanged)", path, err)
	}
	syncDir(filepath.Dir(path))
	return runHook(StageRenamed)
}

// writeTemp writes data to a temporary file beside path, with perm and the
// old file's owner, flushed to disk, and returns its name.
func writeTemp(path string, data []byte, perm fs.FileMode, old fs.FileInfo) (name string, err error) {
	dir := filepath.Dir(path)
	removeStaleTemps(path, time.Now())
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".ccewiz-tmp-*")
	if err != nil {
		return "", fmt.Errorf("write %s: create temporary file in %s: %w (is the folder writable?)", path, dir, err)
	}
	tmpName := tmp.Name()
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmpName)
		}
	}()
	if err = tmp.Chmod(perm); err != nil && !isChmodUnsupported(err) {
		return "", fmt.Errorf("write %s: set mode: %w", path, err)
	}
	if old != nil {
		keepOwner(tmpName, old)
	}
	if _, err = tmp.Write(data); err != nil {
		return "", fmt.Errorf("write %s: %w (is the disk full? the original is unchanged)", path, err)
	}
	if err = runHook(StageTempWritten); err != nil {
		return "", err
	}
	if err = tmp.Sync(); err != nil {
		return "", fmt.Errorf("write %s: flush to disk: %w (the original is unchanged)", path, err)
	}
	if err = runHook(StageTempSynced); err != nil {
		return "", err
	}
	if err = tmp.Close(); err != nil {
		return "", fmt.Errorf("write %s: %w (the original is unchanged)", path, err)
	}
	return tmpName, nil
}

// sameFile reports whether a and b are one file (a hard link to it).
func sameFile(a, b string) bool {
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}

// healLinkBackups turns every backup of path that is still a hard link to
// it into a copy of its own, so it keeps the old bytes whatever happens to
// the live file.
func healLinkBackups(path string) {
	matches, _ := filepath.Glob(path + ".ccewiz-*.bak*")
	for _, b := range matches {
		if !sameFile(b, path) {
			continue
		}
		data, err := os.ReadFile(b)
		if err != nil {
			continue
		}
		tmp := b + ".ccewiz-heal"
		if os.WriteFile(tmp, data, 0o600) != nil {
			os.Remove(tmp)
			continue
		}
		if fi, err := os.Stat(b); err == nil {
			os.Chmod(tmp, fi.Mode().Perm())
		}
		if os.Rename(tmp, b) != nil {
			os.Remove(tmp)
		}
	}
}
