//go:build windows

package safefile

// syncDir is a no-op: Windows has no directory fsync; MoveFileEx is durable
// enough once the file itself was flushed.
func syncDir(string) {}

// Windows only knows the read-only bit; a failing Chmod must not stop the write.
func isChmodUnsupported(error) bool { return true }
