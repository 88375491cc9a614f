package javaprops

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ccewiz/testpeer"
)

// cases are files Java reads in ways that are easy to get wrong.
var cases = map[string]string{
	"plain":         "a=1\nb = 2\nc:3\nd 4\n",
	"crlf":          "# comment\r\nSIP.CloudConnect.publisherAddress = cc1.example.com\r\nx=y\r\n",
	"cr only":       "a=1\rb=2\r",
	"blanks":        "  \t\fa  =  spaced value  \n\n   \n",
	"continuation":  "a = one \\\n    two \\\n\tthree\nb=after\n",
	"even slashes":  "a = ends\\\\\nb = 2\n",
	"comment slash": "# not continued \\\nb = 2\n! also a comment\n",
	"escapes":       "k\\ ey\\=x = v\\tal\\u00e9\\u20AC\\:\\#\n",
	"separators":    "a:=b\nc = = d\ne=\nf\n",
	"duplicates":    "a=first\nb=x\na=second\n",
	"no final eol":  "a=1\nb=2",
	"eof slash":     "a=1\nb=2\\",
	"latin1":        "a=caf\xe9\n",
	"surrogates":    "a=\\uD83D\\uDE00\n",
}

func write(t *testing.T, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "sip.properties")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func asMap(f *File) map[string]string {
	m := map[string]string{}
	for _, k := range f.Keys() {
		m[k], _ = f.Get(k)
	}
	return m
}

func sameMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestParseAgreesWithJava: every case reads the same in ccewiz and in
// java.util.Properties.load.
func TestParseAgreesWithJava(t *testing.T) {
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			f, err := Parse([]byte(in))
			if err != nil {
				t.Fatal(err)
			}
			java, err := testpeer.JavaProperties(t, write(t, []byte(in)))
			if err != nil {
				t.Fatalf("Java refused it: %v", err)
			}
			if got := asMap(f); !sameMaps(got, java) {
				t.Errorf("ccewiz read %q\nJava read   %q", got, java)
			}
		})
	}
}

func TestMalformedUnicodeEscapeIsJavasRefusal(t *testing.T) {
	for _, in := range []string{"a=\\u12\n", "a=\\uZZZZ\n", "a=\\u"} {
		_, err := Parse([]byte(in))
		if _, jerr := testpeer.JavaProperties(t, write(t, []byte(in))); jerr == nil {
			t.Fatalf("Java accepted %q; the case is wrong", in)
		}
		var se *SyntaxError
		if err == nil || !strings.Contains(err.Error(), "line 1") || !asSyntax(err, &se) {
			t.Errorf("Parse(%q) = %v, want a SyntaxError on line 1", in, err)
		}
	}
}

func asSyntax(err error, se **SyntaxError) bool {
	e, ok := err.(*SyntaxError)
	*se = e
	return ok
}

// TestSetChangesOnlyTheValue: after Set, Java reads the new value and
// every other key as before, and the bytes outside the value are the
// original's.
func TestSetChangesOnlyTheValue(t *testing.T) {
	edits := []struct {
		name, in, key, value, want string
	}{
		{"crlf kept", "# CVP\r\na = 1\r\nb = 2\r\n", "a", "cc1.example.com", "# CVP\r\na = cc1.example.com\r\nb = 2\r\n"},
		{"separator kept", "a:old\n", "a", "new", "a:new\n"},
		{"continued value", "a = one \\\n  two\nb=2\n", "a", "x", "a = x\nb=2\n"},
		{"last duplicate", "a=1\na=2\n", "a", "3", "a=1\na=3\n"},
		{"missing appended", "a=1\r\n", "SIP.ClouConnect.StatusApi", "/evapoint/status", "a=1\r\nSIP.ClouConnect.StatusApi = /evapoint/status\r\n"},
		{"no final eol", "a=1", "b", "2", "a=1\r\nb = 2\r\n"}, // no line ending to copy: Windows'
		{"eof continuation", "a=1\\\n", "b", "2", "a=1\\\n\nb = 2\n"},
		{"eof continuation, no eol", "a=1\\", "b", "2", "a=1\\\r\n\r\nb = 2\r\n"},
		{"bare key", "a\n", "a", "v", "a = v\n"},
		{"empty value", "a=\n", "a", "v", "a=v\n"},
		{"escaped", "a=1\n", "a", " lead:#x\\é", "a=\\ lead\\:\\#x\\\\\\u00E9\n"},
		{"empty file", "", "a", "1", "a = 1\r\n"},
	}
	for _, e := range edits {
		t.Run(e.name, func(t *testing.T) {
			f, err := Parse([]byte(e.in))
			if err != nil {
				t.Fatal(err)
			}
			before := asMap(f)
			if !f.Set(e.key, e.value) {
				t.Fatal("Set reported no change")
			}
			if got := string(f.Bytes()); got != e.want {
				t.Errorf("got  %q\nwant %q", got, e.want)
			}
			java, err := testpeer.JavaProperties(t, write(t, f.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			before[e.key] = e.value
			if !sameMaps(java, before) {
				t.Errorf("Java reads %q, want %q", java, before)
			}
			if f.Set(e.key, e.value) {
				t.Error("a second Set of the same value reported a change")
			}
			if g, _ := Parse(f.Bytes()); !bytes.Equal(g.Bytes(), f.Bytes()) {
				t.Error("reparse changed the bytes")
			}
		})
	}
}
