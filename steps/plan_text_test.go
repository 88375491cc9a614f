package steps

import (
	"strings"
	"testing"
)

// Text from servers and keystores reaches a terminal inert: an escape
// sequence in a certificate subject does not clear the admin's screen.
func TestWriteTextIsPrintable(t *testing.T) {
	evil := "CN=ece.example.com\x1b[2J\x1b]0;pwned\x07"
	p := &Plan{Step: "trust", Summary: "trust " + evil,
		Keystore: []KeystoreChange{{Keystore: "cacerts", Alias: "ece", Subject: evil, SHA256: "AB", Action: "add"}},
		GUI:      []GUIEntry{{Where: "ECE", Field: "Subject", Value: evil}},
		Notes:    []string{"server said " + evil},
	}
	o := &Outcome{Results: []Result{{Status: Pass, Title: evil, Detail: evil}}, Notes: []string{evil}}
	for name, write := range map[string]func(*strings.Builder) error{
		"plan":    func(b *strings.Builder) error { return p.WriteText(b) },
		"outcome": func(b *strings.Builder) error { return o.WriteText(b) },
	} {
		var b strings.Builder
		if err := write(&b); err != nil {
			t.Fatal(err)
		}
		if strings.ContainsAny(b.String(), "\x1b\x07") || !strings.Contains(b.String(), "CN=ece.example.com\uFFFD[2J") {
			t.Errorf("%s text is not inert for a terminal: %q", name, b.String())
		}
	}
}
