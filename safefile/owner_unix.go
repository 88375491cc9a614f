//go:build !windows

package safefile

import (
	"io/fs"
	"os"
	"syscall"
)

// keepOwner gives the new file the old one's owner and group, so a cacerts
// owned by a service account stays readable by that service after root
// changed it. Where that is not allowed (not root) the file stays ours, as
// any editor would leave it.
func keepOwner(tmp string, old fs.FileInfo) {
	if st, ok := old.Sys().(*syscall.Stat_t); ok {
		os.Lchown(tmp, int(st.Uid), int(st.Gid))
	}
}

// replaceFile puts tmp in place of path: a rename, atomic on one file system.
func replaceFile(tmp, path string, _ bool) error { return os.Rename(tmp, path) }
