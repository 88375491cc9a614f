package testpeer

import (
	"bytes"
	"os"
	"testing"
)

// CheckBackup fails t unless backup is a file of its own — not a hard link
// to live, so no later change of live (keytool and Notepad++ write in
// place) can reach it — holding exactly old.
func CheckBackup(t testing.TB, live, backup string, old []byte) {
	t.Helper()
	bfi, err := os.Stat(backup)
	if err != nil {
		t.Errorf("backup %s: %v", backup, err)
		return
	}
	if lfi, err := os.Stat(live); err == nil && os.SameFile(lfi, bfi) {
		t.Errorf("backup %s is the live file %s (one inode): the next change of the live file changes it", backup, live)
	}
	if got, _ := os.ReadFile(backup); !bytes.Equal(got, old) {
		t.Errorf("backup %s holds %d bytes that are not the old file's %d", backup, len(got), len(old))
	}
}
