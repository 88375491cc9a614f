package certs

import (
	"strings"
	"testing"
)

// TestRequestRefusesWhatWouldHarmLater: control characters (they would
// reach every terminal that shows the certificate) and over-long fields
// (CAs refuse them) are refused with the field named.
func TestRequestRefusesWhatWouldHarmLater(t *testing.T) {
	ok := Request{CN: "ece.example.com", O: "Example Corp", OU: "Contact Center", L: "Springfield", ST: "Illinois", C: "US"}
	if err := ok.Validate(true); err != nil {
		t.Fatalf("a good request: %v", err)
	}
	cases := []struct {
		name string
		edit func(*Request)
		want string
	}{
		{"ESC in O", func(r *Request) { r.O = "Example\x1b]0;pwned\x07 Corp" }, "organization (O) holds a control character (U+001B at position 8)"},
		{"NUL in OU", func(r *Request) { r.OU = "Contact\x00Center" }, "organizational unit (OU) holds a control character"},
		{"5000 characters in L", func(r *Request) { r.L = strings.Repeat("x", 5000) }, "locality/city (L) is 5000 characters long; CAs take at most 128"},
		{"65 characters in OU", func(r *Request) { r.OU = strings.Repeat("é", 65) }, "at most 64"},
	}
	for _, c := range cases {
		r := ok
		c.edit(&r)
		if err := r.Validate(true); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}
