package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"ccewiz/steps"
	"ccewiz/steps/ece"
)

func TestSpogCLI(t *testing.T) {
	src, err := os.ReadFile("spogjs/testdata/golden/crlf.js")
	if err != nil {
		t.Fatal(err)
	}
	patched, _ := os.ReadFile("spogjs/testdata/golden/crlf.js.golden")
	dir := t.TempDir()
	t.Chdir(dir) // patch records what it wrote in ./ccewiz.yaml
	f := filepath.Join(dir, "spog_config.js")
	os.WriteFile(f, src, 0o644)
	twice := filepath.Join(dir, "twice", "spog_config.js")
	os.Mkdir(filepath.Dir(twice), 0o755)
	os.WriteFile(twice, []byte("var web_server_protocol = \"https\";\nvar web_server_name = \"a.b.c\";\nvar web_server_name = \"d.e.f\";\n"), 0o644)

	steps := []struct {
		name      string
		args      []string
		code      int
		inStdout  string
		inStderr  string
		fileAfter []byte
	}{
		{"check differs", []string{"spog", "check", "--file", f, "--server-name", "ece.example.com"}, 1, `web_server_name is "localhost", should be "ece.example.com"`, "", src},
		{"dry run shows diff", []string{"spog", "patch", "--file", f, "--server-name", "ece.example.com", "--dry-run"}, 0, "+var web_server_name = \"ece.example.com\";", "", src},
		{"short name refused", []string{"spog", "patch", "--file", f, "--server-name", "ece"}, 2, "", "short host name", src},
		{"IP refused", []string{"spog", "patch", "--file", f, "--server-name", "10.0.0.5"}, 2, "", "IP address", src},
		{"bad protocol", []string{"spog", "patch", "--file", f, "--server-name", "ece.example.com", "--protocol", "ftp"}, 2, "", "use https", src},
		{"no action", []string{"spog", "--file", f}, 2, "", "patch or check", src},
		{"missing file", []string{"spog", "check", "--file", filepath.Join(dir, "none.js"), "--server-name", "ece.example.com"}, 2, "", "eService", src},
		{"duplicate refused", []string{"spog", "patch", "--file", twice, "--server-name", "ece.example.com"}, 2, "", "declared 2 times", src},
		{"patch writes", []string{"spog", "patch", "--file", f, "--server-name", "ece.example.com"}, 0, ".bak", "", patched},
		{"second patch already set", []string{"spog", "patch", "--file", f, "--server-name", "ece.example.com"}, 0, "already set", "", patched},
		{"check passes", []string{"spog", "check", "--file", f, "--server-name", "ece.example.com"}, 0, "ok ", "", patched},
	}
	for _, s := range steps {
		code, out, errOut := runCLI(t, s.args...)
		if code != s.code || !strings.Contains(out, s.inStdout) || !strings.Contains(errOut, s.inStderr) {
			t.Errorf("%s: code %d (want %d)\nstdout: %s\nstderr: %s", s.name, code, s.code, out, errOut)
		}
		if b, _ := os.ReadFile(f); !bytes.Equal(b, s.fileAfter) {
			t.Errorf("%s: file content is not what it should be after this step", s.name)
		}
	}
	if baks, _ := filepath.Glob(f + ".ccewiz-*.bak"); len(baks) != 1 {
		t.Errorf("backups: %v, want exactly one", baks)
	}
}

func TestSpogCLIFlagsBeforeAction(t *testing.T) {
	f := filepath.Join(t.TempDir(), "spog_config.js")
	os.WriteFile(f, []byte("var web_server_protocol = \"https\";\nvar web_server_name = \"ece.example.com\";\n"), 0o644)
	code, out, errOut := runCLI(t, "spog", "--file", f, "--server-name", "ece.example.com", "check", "--no-color")
	if code != 0 || !strings.Contains(out, "ok ") {
		t.Errorf("code %d\n%s\n%s", code, out, errOut)
	}
	// State from one run never leaks into the next (flags reset to defaults).
	code, _, errOut = runCLI(t, "spog", "check")
	if code != 2 || !strings.Contains(errOut, "--file is required") {
		t.Errorf("second run: code %d %s", code, errOut)
	}
}

// TestApplySpogStep drives step 3 through the real apply and check commands.
func TestApplySpogStep(t *testing.T) {
	src, _ := os.ReadFile("spogjs/testdata/golden/lf.js")
	patched, _ := os.ReadFile("spogjs/testdata/golden/lf.js.golden")
	answers := writeAnswers(t, strings.Replace(goodProfile, "ece_shape: 400-single", "ece_shape: 400-ha", 1)+
		"spog:\n  files: [web1/spog_config.js]\n")
	f := filepath.Join(filepath.Dir(answers), "web1", "spog_config.js")
	os.MkdirAll(filepath.Dir(f), 0o755)
	os.WriteFile(f, src, 0o644)

	code, out, _ := runCLI(t, "check", "--answers", answers, "--only", "spog", "--format", "json")
	if code != 1 || !strings.Contains(out, `"spog.1"`) || !strings.Contains(out, `"fail"`) {
		t.Errorf("check before: code %d\n%s", code, out)
	}
	code, out, errOut := runCLI(t, "apply", "--answers", answers, "--step", "spog", "--yes")
	if code != 0 || !strings.Contains(out, "+var web_server_name = \"ece.example.com\";") || !strings.Contains(out, ".bak") {
		t.Fatalf("apply: code %d\n%s\n%s", code, out, errOut)
	}
	if b, _ := os.ReadFile(f); !bytes.Equal(b, patched) {
		t.Error("file not patched byte for byte")
	}
	if b, _ := os.ReadFile(answers); !strings.Contains(string(b), "- spog") {
		t.Errorf("progress not recorded:\n%s", b)
	}
	code, out, _ = runCLI(t, "check", "--answers", answers, "--only", "spog")
	if code != 0 {
		t.Errorf("check after: code %d\n%s", code, out)
	}
}

// TestSpogPatchIsTheStep: spog patch runs step 3 itself: it records the
// file and its backup in the answers (the report's list of files written)
// and marks the step done, and --file joins an answers file's list of
// web servers instead of replacing it.
func TestSpogPatchIsTheStep(t *testing.T) {
	src, _ := os.ReadFile("spogjs/testdata/golden/lf.js")
	dir := t.TempDir()
	answers := filepath.Join(dir, "ccewiz.yaml")
	os.WriteFile(answers, []byte("version: 1\nspog:\n  files: [web1/spog_config.js]\n"), 0o600)
	for _, web := range []string{"web1", "web2"} {
		os.MkdirAll(filepath.Join(dir, web), 0o755)
		os.WriteFile(filepath.Join(dir, web, "spog_config.js"), src, 0o644)
	}
	web2 := filepath.Join(dir, "web2", "spog_config.js")
	code, out, errOut := runCLI(t, "spog", "patch", "--file", web2, "--server-name", "ece.example.com", "--answers", answers)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	a, err := steps.LoadAnswers(answers)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(ece.SpogOf(a).Files, ","); got != "web1/spog_config.js,"+web2 {
		t.Errorf("spog.files = %s, want web1's entry kept and web2 added", got)
	}
	if ece.ProfileOf(a).ECEFQDN != "ece.example.com" || !slices.Contains(a.FlowState("").Progress.Done, "spog") {
		t.Errorf("profile.ece_fqdn %q, done %v", ece.ProfileOf(a).ECEFQDN, a.FlowState("").Progress.Done)
	}
	var written []string
	for _, w := range a.FlowState("").Progress.Written {
		if w.Backup == "" {
			t.Errorf("%s recorded without its backup", w.Path)
		}
		written = append(written, w.Path)
	}
	slices.Sort(written)
	if want := []string{filepath.Join(dir, "web1", "spog_config.js"), web2}; !slices.Equal(written, want) {
		t.Errorf("recorded as written: %v, want %v", written, want)
	}
	// A dry run plans and changes nothing, the answers file included.
	before, _ := os.ReadFile(answers)
	code, out, _ = runCLI(t, "spog", "patch", "--file", web2, "--server-name", "chat.example.com", "--answers", answers, "--dry-run")
	if after, _ := os.ReadFile(answers); code != 0 || !bytes.Equal(before, after) || !strings.Contains(out, `+var web_server_name = "chat.example.com";`) {
		t.Errorf("dry run: exit %d, answers changed %v\n%s", code, !bytes.Equal(before, after), out)
	}
}
