package certs

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
)

// FuzzOpenKeystore feeds damaged stores to the reader: it must return one of
// the typed errors, never panic or allocate what a length field claims; a
// store that opens must survive Marshal and re-open with the same entries.
// Seeds: keytool-made JKS (trusted and private key entries) and PKCS#12
// stores, whole and truncated, in testdata/fuzz/FuzzOpenKeystore, plus the
// stores ccewiz writes itself.
func FuzzOpenKeystore(f *testing.F) {
	for _, kind := range []Kind{JKS, PKCS12} {
		ks := NewKeystore(kind)
		if data, err := ks.Marshal([]byte("changeit")); err == nil {
			f.Add(data)
		}
	}
	pl := NewKeystore(PKCS12)
	pl.passwordless = true
	if data, err := pl.Marshal(nil); err == nil {
		f.Add(data)
	}
	f.Add([]byte{0xFE, 0xED, 0xFE, 0xED, 0, 0, 0, 2, 0xFF, 0xFF, 0xFF, 0xFF})
	f.Add([]byte{0x30, 0x82, 0xFF, 0xFF})
	f.Fuzz(func(t *testing.T, data []byte) {
		ks, err := OpenKeystore(data, []byte("changeit"))
		if err != nil {
			if !errors.Is(err, ErrNotKeystore) && !errors.Is(err, ErrWrongPassword) && !errors.Is(err, ErrUnsupported) {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		out, err := ks.Marshal([]byte("changeit"))
		if errors.Is(err, ErrUnsupported) {
			return
		}
		if err != nil {
			t.Fatalf("a store that opened does not marshal: %v", err)
		}
		back, err := OpenKeystore(out, []byte("changeit"))
		if err != nil {
			t.Fatalf("a rewritten store does not open: %v", err)
		}
		if back.Len() != ks.Len() {
			t.Fatalf("rewrite has %d entries, want %d", back.Len(), ks.Len())
		}
		for _, e := range ks.Entries() {
			if got, ok := back.Lookup(e.Alias); !ok || got.SHA256 != e.SHA256 {
				t.Fatalf("entry %q lost in the rewrite", e.Alias)
			}
		}
	})
}

// FuzzWalkJKS reaches past the digest, which random bytes almost never
// match: any structure the walker accepts must encode and walk back to the
// same entries, aliases in Java's modified UTF-8 included. Seeds: the JKS
// files of FuzzOpenKeystore's corpus.
func FuzzWalkJKS(f *testing.F) {
	f.Add([]byte{0xFE, 0xED, 0xFE, 0xED, 0, 0, 0, 1, 0, 0, 0, 0, 19: 0, 31: 0})
	for _, name := range []string{"keytool-fk.jks", "keytool-jks-unicode-aliases-and-key"} {
		f.Add(readCorpusBytes(f, "testdata/fuzz/FuzzOpenKeystore/"+name))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		raw, err := walkJKS(data)
		if err != nil {
			if !errors.Is(err, ErrNotKeystore) {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		entries := jksEntries(raw)
		out, err := marshalJKS(entries, []byte("changeit"))
		if err != nil {
			t.Fatalf("a walked store does not encode: %v", err)
		}
		back, err := OpenKeystore(out, []byte("changeit"))
		if err != nil {
			t.Fatalf("the encoded store does not open: %v", err)
		}
		if back.Len() != len(raw) {
			t.Fatalf("%d entries back, want %d", back.Len(), len(raw))
		}
		for i, e := range back.entries {
			if e.name != raw[i].alias || !sameEntry(e, entries[i]) {
				t.Fatalf("entry %d: %q came back as %q", i, raw[i].alias, e.name)
			}
		}
	})
}

// readCorpusBytes reads the []byte of a one-value fuzz corpus file.
func readCorpusBytes(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lit, ok := strings.CutPrefix(strings.TrimSpace(string(b)), "go test fuzz v1\n[]byte(")
	if !ok || !strings.HasSuffix(lit, ")") {
		t.Fatalf("%s is not a one-[]byte corpus file", path)
	}
	s, err := strconv.Unquote(strings.TrimSuffix(lit, ")"))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return []byte(s)
}
