package ece

import (
	"bytes"
	"os"
	"testing"

	"ccewiz/steps"
)

// FuzzParseAnswers: any bytes give answers or an error marked bad input —
// never a panic — and whatever parses (a version 1 file through its
// upgrade) survives a save/re-read unchanged.
func FuzzParseAnswers(f *testing.F) {
	if b, err := os.ReadFile("../../examples/ccewiz.yaml"); err == nil {
		f.Add(b)
	}
	f.Add([]byte("version: 1\nprofile: {ece_fqdn: ece.example.com, web_servers: [a.b.c]}\nsso: {bind_password: {env: X}}\n"))
	f.Add([]byte("version: 1\nresolve: {ece.example.com:443: 127.0.0.1:1}\n"))
	f.Add([]byte("version: 1\nprogress: {current: sso, done: [profile]}\nvalidation: {test_agent: a1, ticked: {x.y: true}}\nintegration: {confirmed_at: \"2026-12-01T10:00:00Z\", confirmed_instance: MultiChannel}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := steps.ParseAnswers("fuzz", data)
		if err != nil {
			if !isBadInput(err) {
				t.Fatalf("error not marked bad input: %v", err)
			}
			return
		}
		out, err := steps.MarshalAnswers(a)
		if err != nil {
			t.Fatalf("parsed answers do not render: %v", err)
		}
		again, err := steps.ParseAnswers("again", out)
		if err != nil {
			t.Fatalf("rendered answers do not parse: %v\n%s", err, out)
		}
		if out2, _ := steps.MarshalAnswers(again); !bytes.Equal(out, out2) {
			t.Fatalf("a save and re-read changed the answers:\n%s\n---\n%s", out, out2)
		}
	})
}
