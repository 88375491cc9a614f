package authkeys

import (
	"strings"
	"testing"
)

// FuzzParseResponse: any answer gives a key or ErrNotAKey, never a panic;
// a key it returns is one clean line that parses again to itself.
func FuzzParseResponse(f *testing.F) {
	f.Add([]byte(`{"category":"PUBLISHER","hostName":"cc1","publicKey":"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDY9VddXJ3qQJ8p3Xb4k8a6iW7kL0x3l7b2w5K9yQ8Zf root@localhost"}`))
	f.Add([]byte("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDY9VddXJ3qQJ8p3Xb4k8a6iW7kL0x3l7b2w5K9yQ8Zf root@localhost,\r\n"))
	f.Add([]byte(`{"publicKey": 1}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		k, err := ParseResponse(body, "cc")
		if err != nil {
			return
		}
		if strings.ContainsAny(k.Line, "\r\n") || strings.TrimSpace(k.Line) != k.Line {
			t.Fatalf("unclean line %q", k.Line)
		}
		again, err := ParseLine(k.Line)
		if err != nil || again.Line != k.Line {
			t.Fatalf("%q does not parse to itself: %v %q", k.Line, err, again.Line)
		}
		Merge([]byte(k.Line+"\n"), []Key{k})
	})
}
