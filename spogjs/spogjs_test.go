package spogjs

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

var want = Want{Protocol: "https", ServerName: "ece.example.com"}

// The inputs in testdata/golden are shaped like the real file (built by us:
// no public copy of Cisco's spog_config.js could be found): LF, CRLF, a BOM,
// single quotes and indentation, odd spacing, no final newline, the values
// already right, and the three shapes that must be refused.
func TestGolden(t *testing.T) {
	cases := []struct {
		file    string
		err     error
		changes []string // vars rewritten, in file order
	}{
		{file: "lf.js", changes: []string{ProtocolVar, NameVar}},
		{file: "crlf.js", changes: []string{ProtocolVar, NameVar}},
		{file: "bom.js", changes: []string{ProtocolVar, NameVar}},
		{file: "single.js", changes: []string{NameVar}},
		{file: "spaces.js", changes: []string{ProtocolVar, NameVar}},
		{file: "noeol.js", changes: []string{ProtocolVar, NameVar}},
		{file: "tricky.js", changes: []string{NameVar, ProtocolVar}},
		{file: "already.js"},
		{file: "missing.js", err: ErrMissing},
		{file: "twice.js", err: ErrDuplicate},
		{file: "notstring.js", err: ErrNotString},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			in := filepath.Join("testdata", "golden", c.file)
			src, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			r, err := Patch(src, want)
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Fatalf("error = %v, want %v", err, c.err)
				}
				var pe *ParseError
				if !errors.As(err, &pe) || pe.Var == "" {
					t.Errorf("error %v does not name the variable", err)
				}
				if r != nil {
					t.Error("a refused patch returned content")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, ch := range r.Changes {
				got = append(got, ch.Var)
			}
			if strings.Join(got, ",") != strings.Join(c.changes, ",") {
				t.Errorf("changes = %v, want %v", got, c.changes)
			}
			if len(c.changes) == 0 {
				if r.Changed() || !bytes.Equal(r.New, src) || r.Diff(c.file) != "" {
					t.Error("already-set file was changed")
				}
				return
			}
			golden(t, in+".golden", r.New)
			golden(t, in+".diff", []byte(r.Diff(c.file)))
			// Line endings and BOM survive: the same number of CRs and the same first bytes.
			if bytes.Count(r.New, []byte("\r\n")) != bytes.Count(src, []byte("\r\n")) {
				t.Error("line endings changed")
			}
			if bytes.HasPrefix(src, []byte("\xef\xbb\xbf")) != bytes.HasPrefix(r.New, []byte("\xef\xbb\xbf")) {
				t.Error("BOM changed")
			}
			// Idempotent: a second run changes nothing.
			r2, err := Patch(r.New, want)
			if err != nil || r2.Changed() {
				t.Errorf("second patch: changed=%v err=%v", r2 != nil && r2.Changed(), err)
			}
		})
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	exp, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./spogjs -update to create it)", err)
	}
	if !bytes.Equal(exp, got) {
		t.Errorf("%s differs:\n--- want\n%s\n--- got\n%s", path, exp, got)
	}
}

func TestParseReportsValuesAndLines(t *testing.T) {
	cfg, err := Parse([]byte("\xef\xbb\xbf// c\r\nvar web_server_protocol = 'http';\r\n\r\nvar web_server_name=\"a.b.c\";"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Protocol.Value != "http" || cfg.Protocol.Line != 2 || cfg.Protocol.Quote != '\'' {
		t.Errorf("protocol = %+v", cfg.Protocol)
	}
	if cfg.ServerName.Value != "a.b.c" || cfg.ServerName.Line != 4 || cfg.ServerName.Quote != '"' {
		t.Errorf("server name = %+v", cfg.ServerName)
	}
}

func TestParseRefusals(t *testing.T) {
	cases := []struct {
		name, src string
		err       error
		lines     string
	}{
		{"both missing", "var x = 1;", ErrMissing, ""},
		{"only in block comment", "/* var web_server_name = \"a\"; var web_server_protocol = \"https\"; */", ErrMissing, ""},
		{"only in a string", "var web_server_protocol = \"https\"; var s = \"var web_server_name = 'x'\";", ErrMissing, ""},
		{"duplicate with let", "var web_server_protocol = \"https\";\nvar web_server_name = \"a\";\nlet web_server_name = \"b\";", ErrDuplicate, "2, 3"},
		{"concatenation", "var web_server_protocol = \"https\";\nvar web_server_name = \"ece\" + \".example.com\";", ErrNotString, "2"},
		{"unterminated", "var web_server_protocol = \"https\";\nvar web_server_name = \"ece.example.com\nvar y;", ErrNotString, "2"},
		{"comparison not assignment", "var web_server_protocol = \"https\";\nvar web_server_name == \"x\";", ErrNotString, "2"},
		{"declared without value", "var web_server_protocol = \"https\";\nvar web_server_name;", ErrNotString, "2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Patch([]byte(c.src), want)
			if !errors.Is(err, c.err) {
				t.Fatalf("error = %v, want %v", err, c.err)
			}
			if c.lines != "" && !strings.Contains(err.Error(), c.lines) {
				t.Errorf("error %q does not give lines %s", err, c.lines)
			}
		})
	}
}

func TestWantValidate(t *testing.T) {
	cases := []struct {
		w  Want
		ok bool
	}{
		{Want{"https", "ece.example.com"}, true},
		{Want{"http", "ece.example.com"}, true},
		{Want{"ftp", "ece.example.com"}, false},
		{Want{"HTTPS", "ece.example.com"}, false},
		{Want{"https", ""}, false},
		{Want{"https", `ece.example.com"; alert(1); "`}, false},
		{Want{"https", `ece\.example.com`}, false},
	}
	for _, c := range cases {
		err := c.w.Validate()
		if (err == nil) != c.ok {
			t.Errorf("%+v: err = %v, want ok=%v", c.w, err, c.ok)
		}
		if !c.ok {
			if _, err := Patch([]byte("var web_server_protocol = \"http\"; var web_server_name = \"x\";"), c.w); err == nil {
				t.Errorf("%+v: Patch accepted an invalid value", c.w)
			}
		}
	}
}

func TestCheck(t *testing.T) {
	src, _ := os.ReadFile("testdata/golden/already.js")
	if mm, err := Check(src, want); err != nil || len(mm) != 0 {
		t.Errorf("already set: %v %v", mm, err)
	}
	mm, err := Check(src, Want{"https", "chat.example.com"})
	if err != nil || len(mm) != 1 || mm[0].Var != NameVar || mm[0].From != "ece.example.com" || mm[0].Line != 2 {
		t.Errorf("mismatch = %+v, %v", mm, err)
	}
}
