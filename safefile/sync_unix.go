//go:build !windows

package safefile

import "os"

// syncDir makes the rename itself durable; errors are ignored because some
// file systems (and Windows) cannot fsync a directory.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

func isChmodUnsupported(error) bool { return false }
