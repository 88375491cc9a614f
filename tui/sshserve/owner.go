package sshserve

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// A user's folder holds the ECE certificate's private key and PFX, so it
// belongs to the key that first used it: any authorized key may pick any
// user name, but only the keys listed in <folder>/.ccewiz-owners may use
// that name again. The owner may add a colleague's fingerprint there.

// OwnersName is the file listing, one per line, the SHA-256 fingerprints of
// the keys allowed to use a folder.
const OwnersName = ".ccewiz-owners"

// ErrNotOwner means the folder belongs to other keys.
var ErrNotOwner = errors.New("this user name's folder belongs to another key")

var ownerMu sync.Mutex

// claim lets key fp use dir, making it the owner when dir is new or unowned.
func claim(dir, fp string) error {
	ownerMu.Lock()
	defer ownerMu.Unlock()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	path := filepath.Join(dir, OwnersName)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return os.WriteFile(path, []byte("# keys allowed to use this folder (SHA-256 fingerprints, one per line)\n"+fp+"\n"), 0o600)
	}
	if err != nil {
		return err
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == fp {
			return nil
		}
	}
	return fmt.Errorf("%w; connect with your own user name, or ask its owner to add %s to %s", ErrNotOwner, fp, OwnersName)
}
