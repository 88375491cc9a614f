//go:build windows

package safefile

import (
	"io/fs"
	"os"
	"unsafe"

	"golang.org/x/sys/windows"
)

// keepOwner has nothing to do on Windows: replaceFile keeps the owner.
func keepOwner(string, fs.FileInfo) {}

var procReplaceFileW = windows.NewLazySystemDLL("kernel32.dll").NewProc("ReplaceFileW")

const replacefileIgnoreMergeErrors = 0x00000002

// replaceFile puts tmp in place of an existing path with ReplaceFileW, which
// keeps the replaced file's ACLs (a JDK's cacerts under C:\Program Files has
// explicit ones), attributes and owner — a rename would give it the
// temporary file's; a new file is renamed into place.
func replaceFile(tmp, path string, existed bool) error {
	if !existed {
		return os.Rename(tmp, path)
	}
	to, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return err
	}
	from, err := windows.UTF16PtrFromString(tmp)
	if err != nil {
		return err
	}
	r, _, e := procReplaceFileW.Call(uintptr(unsafe.Pointer(to)), uintptr(unsafe.Pointer(from)), 0, replacefileIgnoreMergeErrors, 0, 0)
	if r == 0 {
		return &os.LinkError{Op: "replace", Old: tmp, New: path, Err: e}
	}
	return nil
}
