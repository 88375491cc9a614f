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

// Backups lists path's backups, oldest first: by the time in their name,
// then by the counter a second backup in the same second gets.
func Backups(path string) []string {
	matches, _ := filepath.Glob(path + ".ccewiz-*.bak*")
	type bak struct {
		name string
		at   time.Time
		n    int
	}
	var bs []bak
	for _, m := range matches {
		rest := strings.TrimPrefix(m, path)
		stamp, counter, _ := strings.Cut(rest[len(".ccewiz-"):], ".bak")
		at, err := time.Parse("20060102-150405", stamp)
		if err != nil {
			continue // not one of ours (a .ccewiz-heal, a hand-made name)
		}
		n := 0
		if counter != "" {
			if n, err = strconv.Atoi(strings.TrimPrefix(counter, ".")); err != nil || !strings.HasPrefix(counter, ".") {
				continue
			}
		}
		bs = append(bs, bak{m, at, n})
	}
	sort.Slice(bs, func(i, j int) bool {
		if !bs[i].at.Equal(bs[j].at) {
			return bs[i].at.Before(bs[j].at)
		}
		return bs[i].n < bs[j].n
	})
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = b.name
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

// lastCounter is the highest counter among the backups named base or
// base.N: 0 for base alone, -1 for none.
func lastCounter(base string) int {
	last := -1
	matches, _ := filepath.Glob(base + "*")
	for _, m := range matches {
		rest := strings.TrimPrefix(m, base)
		if rest == "" {
			last = max(last, 0)
		} else if n, err := strconv.Atoi(strings.TrimPrefix(rest, ".")); err == nil && strings.HasPrefix(rest, ".") && n > 0 {
			last = max(last, n)
		}
	}
	return last
}
