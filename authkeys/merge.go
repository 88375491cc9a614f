package authkeys

import (
	"bytes"
	"fmt"
	"strings"
)

// MergeResult is what Merge did.
type MergeResult struct {
	Data    []byte
	Added   []Key // keys that were not in the file
	Present []Key // keys already there (the same key, any comment)
	Kept    int   // the file's other lines, kept as they were
}

// Changed says whether Data differs from the file.
func (r MergeResult) Changed() bool { return len(r.Added) > 0 }

// Merge adds keys to an authorized-keys file's content: every other line
// is kept byte for byte, a key already there (same key, whatever its
// comment or options) is not added again, and the file's line ending (CRLF
// or LF; LF for a new file) is used for the new lines, which Windows
// OpenSSH reads either way. Nothing trails a key.
func Merge(old []byte, keys []Key) MergeResult {
	eol := "\n"
	if bytes.Contains(old, []byte("\r\n")) {
		eol = "\r\n"
	}
	var have []string
	kept := 0
	for _, l := range strings.Split(strings.ReplaceAll(string(old), "\r\n", "\n"), "\n") {
		if strings.TrimSpace(l) == "" {
			continue
		}
		kept++
		if f := keyBlob(l); f != "" {
			have = append(have, f)
		}
	}
	res := MergeResult{Kept: kept}
	out := append([]byte(nil), old...)
	if len(out) > 0 && !bytes.HasSuffix(out, []byte("\n")) {
		out = append(out, eol...)
	}
	for _, k := range keys {
		blob := strings.Fields(k.Line)[1]
		if contains(have, blob) {
			res.Present = append(res.Present, k)
			continue
		}
		have = append(have, blob)
		res.Added = append(res.Added, k)
		out = append(out, k.Line+eol...)
	}
	res.Data = out
	if !res.Changed() {
		res.Data = old
	}
	return res
}

// keyBlob is the base64 key of an authorized-keys line, options or not.
func keyBlob(line string) string {
	f := strings.Fields(line)
	for i := 0; i+1 < len(f); i++ {
		if strings.HasPrefix(f[i], "ssh-") || strings.HasPrefix(f[i], "ecdsa-") || strings.HasPrefix(f[i], "sk-") {
			return f[i+1]
		}
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Holds lists what of keys a file holds, and the key lines it holds that
// are not among keys (a check that the file holds exactly Cloud Connect's
// keys reports both).
func Holds(data []byte, keys []Key) (missing []Key, others int) {
	var have []string
	for _, l := range strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n") {
		if b := keyBlob(l); b != "" {
			have = append(have, b)
		}
	}
	want := map[string]bool{}
	for _, k := range keys {
		b := strings.Fields(k.Line)[1]
		want[b] = true
		if !contains(have, b) {
			missing = append(missing, k)
		}
	}
	for _, b := range have {
		if !want[b] {
			others++
		}
	}
	return missing, others
}

// Lines is keys as a key file holds them: one per line, LF, nothing else.
func Lines(keys []Key) []byte {
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k.Line + "\n")
	}
	return []byte(b.String())
}

// ParseKeys reads a key file that holds keys alone (what Lines writes,
// LF or CRLF, blank lines skipped); name is for the error, which gives the
// line of the first one that is not a key.
func ParseKeys(data []byte, name string) ([]Key, error) {
	var keys []Key
	for i, l := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(l) == "" {
			continue
		}
		k, err := ParseLine(l)
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", name, i+1, err)
		}
		keys = append(keys, k)
	}
	return keys, nil
}
