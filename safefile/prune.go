package safefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// backupFile is one of path's backups, its name parsed.
type backupFile struct {
	name string    // the whole file name
	base string    // the name without its counter: BackupName's
	at   time.Time // the time in the name
	n    int       // the counter a second backup in the same second gets; 0 for none
}

// backupsOf lists path's backups, oldest first: by the time in their name,
// then by counter. Names that are not BackupName's (a .ccewiz-heal file, a
// hand-made copy) are left out.
func backupsOf(path string) []backupFile {
	matches, _ := filepath.Glob(path + ".ccewiz-*.bak*")
	var bs []backupFile
	for _, m := range matches {
		i := strings.LastIndex(m, ".bak") + len(".bak")
		b := backupFile{name: m, base: m[:i]}
		at, err := time.Parse(BackupSuffix, strings.TrimPrefix(b.base, path))
		if err != nil {
			continue
		}
		b.at = at
		if counter := m[i:]; counter != "" {
			if b.n, err = strconv.Atoi(strings.TrimPrefix(counter, ".")); err != nil || counter[0] != '.' || b.n <= 0 {
				continue
			}
		}
		bs = append(bs, b)
	}
	sort.Slice(bs, func(i, j int) bool {
		if !bs[i].at.Equal(bs[j].at) {
			return bs[i].at.Before(bs[j].at)
		}
		return bs[i].n < bs[j].n
	})
	return bs
}

// Backups lists path's backups, oldest first.
func Backups(path string) []string {
	var out []string
	for _, b := range backupsOf(path) {
		out = append(out, b.name)
	}
	return out
}

// PruneBackups removes all but the newest keep backups of path and
// returns the ones it removed. Where files arrive without end (uploads to
// a shared server) a backup per change would fill the disk; keep bounds it
// while the last versions stay.
func PruneBackups(path string, keep int) ([]string, error) {
	bs := Backups(path)
	if keep < 0 || len(bs) <= keep {
		return nil, nil
	}
	var removed []string
	for _, b := range bs[:len(bs)-keep] {
		if err := os.Remove(b); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return removed, fmt.Errorf("remove old backup %s: %w", filepath.Base(b), err)
		}
		removed = append(removed, b)
	}
	return removed, nil
}

// lastCounter is the highest counter among path's backups named base
// (BackupName's) or base.N: 0 for base alone, -1 for none.
func lastCounter(path, base string) int {
	last := -1
	for _, b := range backupsOf(path) {
		if b.base == base {
			last = max(last, b.n)
		}
	}
	return last
}
