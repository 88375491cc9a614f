package javaprops

import (
	"bytes"
	"testing"
	"unicode/utf8"
)

// FuzzSet: any file Parse accepts, edited with any key and value, reads
// back with that value and every other key unchanged; an appended key
// leaves the original bytes as a prefix, an edited one every byte before
// its value.
func FuzzSet(f *testing.F) {
	for _, in := range cases {
		f.Add([]byte(in), "SIP.CloudConnect.publisherAddress", "cc1.example.com")
	}
	f.Add([]byte("a=1\\"), "a", " x")
	f.Fuzz(func(t *testing.T, data []byte, key, value string) {
		if !utf8.ValidString(key) || !utf8.ValidString(value) {
			return // Java strings hold text; ccewiz's values come from its answers
		}
		p, err := Parse(data)
		if err != nil {
			return
		}
		before := asMap(p)
		old, had := p.Get(key)
		start := len(data)
		if e := p.last(key); e != nil {
			start = e.valueStart
		}
		changed := p.Set(key, value)
		if changed == (had && old == value) {
			t.Fatalf("Set reported changed=%v with the value %q before, %q after", changed, old, value)
		}
		g, err := Parse(p.Bytes())
		if err != nil {
			t.Fatalf("the edited file does not parse: %v\n%q", err, p.Bytes())
		}
		before[key] = value
		if after := asMap(g); !sameMaps(after, before) {
			t.Fatalf("after Set(%q, %q):\n got  %q\n want %q\nfile %q", key, value, after, before, p.Bytes())
		}
		if !bytes.Equal(p.Bytes()[:min(start, len(p.Bytes()))], data[:min(start, len(data))]) {
			t.Fatalf("bytes before the value changed:\n%q\n%q", data, p.Bytes())
		}
	})
}
