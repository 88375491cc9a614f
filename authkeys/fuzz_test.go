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

// FuzzSSHDConfig: any sshd_config gives a decision and a logging patch,
// never a panic; the patch is idempotent, keeps every line it does not
// own, and Decide reads the patched file the same way.
func FuzzSSHDConfig(f *testing.F) {
	f.Add([]byte(WindowsDefaultConfig), true)
	f.Add([]byte("Match Group administrators\r\n AuthorizedKeysFile=x\r\n#LogLevel INFO"), false)
	f.Add([]byte("# Logging"), true)
	f.Fuzz(func(t *testing.T, cfg []byte, admin bool) {
		w := Decide(cfg, admin, `C:\ProgramData`, `C:\Users\u`)
		if w.Path == "" || w.Reason == "" {
			t.Fatalf("no decision: %+v", w)
		}
		out, _ := SetLogging(cfg)
		if again, changed := SetLogging(out); changed || string(again) != string(out) {
			t.Fatalf("not idempotent:\n%q\n%q", out, again)
		}
		if w2 := Decide(out, admin, `C:\ProgramData`, `C:\Users\u`); w2.Path != w.Path || w2.AdminFile != w.AdminFile {
			t.Fatalf("the logging patch changed the decision: %+v → %+v", w, w2)
		}
	})
}
