package spogjs

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzPatch: whatever the file holds, Patch never panics, and when it
// succeeds the result differs from the input only inside the two values —
// checked by parsing the output again, independently of Patch's own offsets.
func FuzzPatch(f *testing.F) {
	inputs, _ := filepath.Glob(filepath.Join("testdata", "golden", "*.js"))
	for _, in := range inputs {
		if b, err := os.ReadFile(in); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		r, err := Patch(src, want)
		if err != nil {
			if r != nil {
				t.Fatal("error with a result")
			}
			return
		}
		if !r.Changed() {
			if !bytes.Equal(r.New, src) {
				t.Fatal("no change reported but content differs")
			}
		}
		got, err := Parse(r.New)
		if err != nil {
			t.Fatalf("patched output does not parse: %v", err)
		}
		if got.Protocol.Value != want.Protocol || got.ServerName.Value != want.ServerName {
			t.Fatalf("patched values = %q, %q", got.Protocol.Value, got.ServerName.Value)
		}
		// Everything outside the two values is byte for byte the same.
		old := []Setting{r.Config.Protocol, r.Config.ServerName}
		nw := []Setting{got.Protocol, got.ServerName}
		if old[1].start < old[0].start {
			old[0], old[1] = old[1], old[0]
			nw[0], nw[1] = nw[1], nw[0]
		}
		segs := func(b []byte, s []Setting) [][]byte {
			return [][]byte{b[:s[0].start], b[s[0].end:s[1].start], b[s[1].end:]}
		}
		os, ns := segs(src, old), segs(r.New, nw)
		for i := range os {
			if !bytes.Equal(os[i], ns[i]) {
				t.Fatalf("segment %d outside the values changed:\n%q\n%q", i, os[i], ns[i])
			}
		}
		if r2, err := Patch(r.New, want); err != nil || r2.Changed() {
			t.Fatalf("not idempotent: %v", err)
		}
		_ = r.Diff("f")
	})
}
