package authkeys

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

// rsaLine is a fresh ssh-rsa key line with comment, as Cloud Connect's
// control node has one.
func rsaLine(t testing.TB, comment string) string {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pk, err := ssh.NewPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pk))) + " " + comment
}

func TestParseResponse(t *testing.T) {
	line := rsaLine(t, "root@localhost")
	cases := []struct {
		name string
		body string
		ok   bool
	}{
		{"the seed's JSON", `{"category":"PUBLISHER","hostName":"cc125clouda.example.com","publicKey":"` + line + `"}`, true},
		{"JSON with a trailing newline in the key", `{"category":"SUBSCRIBER","hostName":"b","publicKey":"` + line + `\n"}`, true},
		{"the bare line, CRLF", line + "\r\n", true},
		{"pasted with a trailing comma and space", line + ", ", true},
		{"pasted in quotes", `"` + line + `"`, true},
		{"with a BOM", "\xef\xbb\xbf" + line, true},
		{"JSON without publicKey", `{"category":"PUBLISHER","hostName":"a"}`, false},
		{"broken JSON", `{"publicKey": "ssh-rsa`, false},
		{"an HTML login page", "<html><body>Login</body></html>", false},
		{"two keys on one line", line + " " + line, false},
		{"empty", "", false},
	}
	for _, c := range cases {
		k, err := ParseResponse([]byte(c.body), "cc1.example.com")
		if (err == nil) != c.ok {
			t.Errorf("%s: err %v", c.name, err)
			continue
		}
		if !c.ok {
			if !errors.Is(err, ErrNotAKey) {
				t.Errorf("%s: %v does not wrap ErrNotAKey", c.name, err)
			}
			continue
		}
		if k.Line != line || k.Comment != "root@localhost" || k.Type != "ssh-rsa" || !strings.HasPrefix(k.SHA256, "SHA256:") {
			t.Errorf("%s: read %+v, want the line %q exactly", c.name, k, line)
		}
	}
}

func TestMerge(t *testing.T) {
	pub, sub := rsaLine(t, "root@localhost"), rsaLine(t, "root@localhost")
	kp, _ := ParseLine(pub)
	ks, _ := ParseLine(sub)
	edPub, _, _ := ed25519.GenerateKey(rand.Reader)
	edKey, _ := ssh.NewPublicKey(edPub)
	other := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(edKey))) + " jdoe@laptop"
	pubBlob := strings.Fields(pub)[1]

	// A new file: both keys, LF, one per line, nothing trailing.
	r := Merge(nil, []Key{kp, ks})
	if string(r.Data) != pub+"\n"+sub+"\n" || len(r.Added) != 2 {
		t.Fatalf("new file:\n%q", r.Data)
	}
	// An existing CRLF file with someone's key and the publisher's key
	// under another comment: the other key stays, the publisher's is not
	// doubled, the subscriber's goes in with CRLF.
	old := other + "\r\n" + "ssh-rsa " + pubBlob + " cloudconnect-old\r\n"
	r = Merge([]byte(old), []Key{kp, ks})
	if string(r.Data) != old+sub+"\r\n" || len(r.Added) != 1 || len(r.Present) != 1 || r.Kept != 2 {
		t.Fatalf("merge:\n%q\n%+v", r.Data, r)
	}
	// Again: nothing changes.
	if r2 := Merge(r.Data, []Key{kp, ks}); r2.Changed() || string(r2.Data) != string(r.Data) {
		t.Fatalf("second merge changed the file:\n%q", r2.Data)
	}
	// A last line without its newline gets one before the new key.
	if r := Merge([]byte(other), []Key{kp}); string(r.Data) != other+"\n"+pub+"\n" {
		t.Fatalf("no final newline:\n%q", r.Data)
	}
	missing, others := Holds(r.Data, []Key{kp, ks})
	if len(missing) != 0 || others != 1 {
		t.Fatalf("Holds: missing %v, others %d", missing, others)
	}
}

func TestDecide(t *testing.T) {
	win := strings.ReplaceAll(WindowsDefaultConfig, "\n", "\r\n")
	commented := strings.Replace(win, "Match Group administrators", "#Match Group administrators", 1)
	commented = strings.Replace(commented, "       AuthorizedKeysFile __PROGRAMDATA__", "#       AuthorizedKeysFile __PROGRAMDATA__", 1)
	cases := []struct {
		name  string
		cfg   string
		admin bool
		path  string
		adm   bool
		line  int
		why   string
	}{
		{"Windows default, administrator", win, true, `C:\ProgramData\ssh\administrators_authorized_keys`, true, 42, "ignores their own"},
		{"Windows default, not an administrator", win, false, `C:\Users\ccadmin\.ssh\authorized_keys`, false, 28, "not an administrator"},
		{"block commented out, administrator", commented, true, `C:\Users\ccadmin\.ssh\authorized_keys`, false, 28, "not active"},
		{"no config at all", "", true, `C:\Users\ccadmin\.ssh\authorized_keys`, false, 0, "default"},
		{"keyword case and = form", "authorizedkeysfile=.ssh/keys\nMATCH group Administrators\n AuthorizedKeysFile C:/keys/admins\n", true, `C:\keys\admins`, true, 3, "Match Group administrators"},
		{"another Match block first", "Match User x\n AuthorizedKeysFile /x\nMatch Group administrators\n AuthorizedKeysFile __PROGRAMDATA__/ssh/a\n", true, `C:\ProgramData\ssh\a`, true, 4, "line 3"},
	}
	for _, c := range cases {
		w := Decide([]byte(c.cfg), c.admin, `C:\ProgramData`, `C:\Users\ccadmin`)
		if w.Path != c.path || w.AdminFile != c.adm || w.Line != c.line || !strings.Contains(w.Reason, c.why) {
			t.Errorf("%s: %+v", c.name, w)
		}
	}
}

func TestSetLogging(t *testing.T) {
	win := strings.ReplaceAll(WindowsDefaultConfig, "\n", "\r\n")
	out, changed := SetLogging([]byte(win))
	want := strings.Replace(strings.Replace(win, "#SyslogFacility AUTH\r\n", "SyslogFacility LOCAL0\r\n", 1), "#LogLevel INFO\r\n", "LogLevel DEBUG\r\n", 1)
	if !changed || string(out) != want {
		t.Fatalf("Windows default:\n%q", out)
	}
	if again, changed := SetLogging(out); changed || string(again) != string(out) {
		t.Fatalf("a second run changed:\n%q", again)
	}
	cases := []struct{ name, in, want string }{
		{"active other values", "SyslogFacility AUTH\nLogLevel VERBOSE\nPort 22\n", "SyslogFacility LOCAL0\nLogLevel DEBUG\nPort 22\n"},
		{"missing, with a heading", "Port 22\n# Logging\nSubsystem sftp x\n", "Port 22\n# Logging\nSyslogFacility LOCAL0\nLogLevel DEBUG\nSubsystem sftp x\n"},
		{"missing, no heading", "Port 22\nMatch Group administrators\n  LogLevel QUIET\n", "SyslogFacility LOCAL0\nLogLevel DEBUG\nPort 22\nMatch Group administrators\n  LogLevel QUIET\n"},
		{"indented, kept", "  #LogLevel INFO\n#SyslogFacility AUTH\n", "  LogLevel DEBUG\nSyslogFacility LOCAL0\n"},
		{"a comment mentioning it is not a directive", "# LogLevel is how much sshd says\n# Logging\n", "# LogLevel is how much sshd says\n# Logging\nSyslogFacility LOCAL0\nLogLevel DEBUG\n"},
	}
	for _, c := range cases {
		if out, _ := SetLogging([]byte(c.in)); string(out) != c.want {
			t.Errorf("%s:\n%q\nwant\n%q", c.name, out, c.want)
		}
	}
}
