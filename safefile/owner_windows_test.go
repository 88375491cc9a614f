//go:build windows

package safefile

import (
	"os"
	"path/filepath"
	"testing"
)

// TestReplaceFileW: the Windows call puts the new content in place of an
// existing file and leaves no temporary file.
func TestReplaceFileW(t *testing.T) {
	dir := t.TempDir()
	path, tmp := filepath.Join(dir, "cacerts"), filepath.Join(dir, ".cacerts.tmp")
	os.WriteFile(path, []byte("old"), 0o644)
	os.WriteFile(tmp, []byte("new"), 0o644)
	if err := replaceFile(tmp, path, true); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "new" {
		t.Errorf("content %q", b)
	}
	if _, err := os.Stat(tmp); err == nil {
		t.Error("the temporary file is still there")
	}
}
