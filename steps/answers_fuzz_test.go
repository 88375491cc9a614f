package steps

import (
	"os"
	"testing"
)

// FuzzParseAnswers: any bytes give answers or an error marked bad input —
// never a panic — and whatever parses survives a save/re-read unchanged.
func FuzzParseAnswers(f *testing.F) {
	if b, err := os.ReadFile("../examples/ccewiz.yaml"); err == nil {
		f.Add(b)
	}
	f.Add([]byte("version: 1\nprofile: {ece_fqdn: ece.example.com, web_servers: [a.b.c]}\nsso: {bind_password: {env: X}}\n"))
	f.Add([]byte("version: 1\nresolve: {ece.example.com:443: 127.0.0.1:1}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := ParseAnswers("fuzz", data)
		if err != nil {
			if !isBadInput(err) {
				t.Fatalf("error not marked bad input: %v", err)
			}
			return
		}
		out, err := MarshalAnswers(a)
		if err != nil {
			t.Fatalf("parsed answers do not render: %v", err)
		}
		if _, err := ParseAnswers("again", out); err != nil {
			t.Fatalf("rendered answers do not parse: %v\n%s", err, out)
		}
	})
}
