package safefile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Two ccewiz runs changing one file at once (two admins importing into the
// same cacerts, a TUI and an apply on the same answers file) would each
// read the old content and the last rename would win, losing the other's
// change. Lock serialises them per file: an advisory lock (flock on Unix,
// LockFileEx on Windows) on a small lock file beside it — not on the file
// itself, which a rename replaces. Whoever reads, plans and writes holds
// it throughout, so the second run plans from the first one's result.

// LockOptions tune Lock.
type LockOptions struct {
	// Wait is how long to wait for another holder (0: 30 s).
	Wait time.Duration
	// Notify hears, once, that the file is busy and who holds it. May be nil.
	Notify func(msg string)
	// Repaired hears what Lock completed of a set a killed run left half
	// renamed (see ReplaceSet). May be nil.
	Repaired func(msg string)
}

// ErrBusy means another process held the lock for longer than the wait.
var ErrBusy = errors.New("busy")

// LockName is the lock file of path: .<name>.ccewiz-lock beside it.
func LockName(path string) string {
	return filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".ccewiz-lock")
}

// Lock takes the lock of path (the file itself need not exist) and returns
// the func that releases it.
func Lock(path string, o LockOptions) (unlock func(), err error) {
	wait := o.Wait
	if wait <= 0 {
		wait = 30 * time.Second
	}
	name := LockName(path)
	deadline := time.Now().Add(wait)
	told := false
	var f *os.File
	for {
		if f == nil {
			if f, err = os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o644); err != nil {
				return nil, fmt.Errorf("lock %s: %w (is the folder writable?)", path, err)
			}
		}
		ok, err := tryLock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if ok {
			// The holder before us removes the lock file when it is done:
			// a lock on a file no longer at that name guards nothing.
			if cur, err := os.Stat(name); err == nil {
				if mine, err := f.Stat(); err == nil && os.SameFile(cur, mine) {
					break
				}
			}
			unlockFile(f)
			f.Close()
			f = nil
			continue
		}
		holder := lockHolder(name)
		if !told && o.Notify != nil {
			o.Notify(fmt.Sprintf("another ccewiz is changing %s (%s); waiting…", path, holder))
			told = true
		}
		if time.Now().After(deadline) {
			f.Close()
			return nil, fmt.Errorf("%s: %w: another ccewiz (%s) is still changing it after %s; try again when it is done — nothing was changed", path, ErrBusy, holder, wait)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Who holds it, for the message of the next one to wait.
	f.Truncate(0)
	f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	// Every writer locks first, even one that then finds nothing to
	// change: it is the moment to settle what a killed writer left, so
	// its backup gets its name without waiting for a change. A set it was
	// renaming is completed first: until then its backup link is still the
	// live file, and settling would take it for an unneeded one.
	for _, n := range recoverSetsNaming(path) {
		if o.Repaired != nil {
			o.Repaired(n)
		}
	}
	settleBackups(path)
	return func() {
		// Removed before the unlock, so no file is left behind; a waiter
		// that locks the removed one sees that and tries again. (Windows
		// refuses to remove an open file: there it stays, empty.)
		f.Truncate(0)
		os.Remove(name)
		unlockFile(f)
		f.Close()
	}, nil
}

func lockHolder(name string) string {
	b, _ := os.ReadFile(name)
	if pid := strings.TrimSpace(string(b)); pid != "" {
		return "pid " + pid
	}
	return "pid unknown"
}
