package safefile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// Everything ccewiz reads from a path the admin gives is read through Read:
// a regular file, up to a size that fits what it is. A FIFO or a device
// (/dev/zero) would hang or fill memory; a 400 MB "certificate" is a
// mistake to name, not to read.

// Size limits of the files ccewiz reads.
const (
	MaxAnswers  = 256 << 10 // an answers file: a few KiB when written by ccewiz
	MaxSmall    = 4 << 20   // a certificate, key, CSR, PFX, spog_config.js, CSV template
	MaxKeystore = 32 << 20  // a Java key store (a JDK's cacerts is ~200 KiB)
	MaxPassword = 64 << 10  // a password file
)

// ErrNotRegular means the path is a folder, a FIFO, a device or a socket.
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge means the file is over the limit for what it is.
var ErrTooLarge = errors.New("too large")

// Read returns the content of the regular file at path, refusing a
// non-regular file before opening it and a file over max bytes. Errors
// wrap the fs error (errors.Is(err, fs.ErrNotExist) still works).
func Read(path string, max int64) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		kind := "a special file"
		switch {
		case fi.IsDir():
			kind = "a folder"
		case fi.Mode()&fs.ModeNamedPipe != 0:
			kind = "a named pipe"
		case fi.Mode()&fs.ModeDevice != 0:
			kind = "a device"
		}
		return nil, fmt.Errorf("%s is %s, %w; give the file itself", path, kind, ErrNotRegular)
	}
	if fi.Size() > max {
		return nil, fmt.Errorf("%s is %s, %w for what it should be (at most %s); is it the right file?", path, SizeText(fi.Size()), ErrTooLarge, SizeText(max))
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// It may grow between the stat and the read: read one byte past max,
	// into a buffer of the size the stat gave (as os.ReadFile sizes it).
	buf := bytes.NewBuffer(make([]byte, 0, fi.Size()+512))
	if _, err := buf.ReadFrom(io.LimitReader(f, max+1)); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	b := buf.Bytes()
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%s grew past %s while being read, %w", path, SizeText(max), ErrTooLarge)
	}
	return b, nil
}

// SizeText is n bytes as a person reads it: "812 bytes", "12 KiB", "3.4 MiB".
func SizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
