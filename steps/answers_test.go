package steps

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ccewiz/secret"
)

// scratch is a flow's answers section as the engine's own tests see one:
// the engine knows no integration, so its tests bring their own.
type scratch struct {
	Note  string     `yaml:"note,omitempty"`
	Items []string   `yaml:"items,omitempty"`
	Pass  secret.Ref `yaml:"pass,omitempty"`
	Sub   struct {
		Port int `yaml:"port,omitempty"`
	} `yaml:"sub,omitempty"`
}

func scratchOf(a *Answers) *scratch { return Section[scratch](a, "scratch") }

// stateOf is the default flow's state in a, which the engine's tests run.
func stateOf(a *Answers) *FlowState { return a.FlowState("") }

func init() {
	RegisterSection("scratch", func() any { return new(scratch) })
	// A version 1 file kept its note at the top level.
	RegisterUpgrade(1, func(u Upgrade) {
		if n := u.Take("scratch_note"); n != nil {
			u.Put(n, "scratch", "note")
		}
	})
}

// TestSectionsSpeakWithTheFilesLines: a registered section is checked key
// by key and decoded from the file's own nodes, so a typo or a wrong type
// names the line it is on in the file — not in a copy of the section.
func TestSectionsSpeakWithTheFilesLines(t *testing.T) {
	cases := []struct {
		name, yaml string
		want       []string
	}{
		{"unknown top key", "version: 2\nreport: {}\nscrach:\n  note: x\n", []string{"line 3", `unknown key "scrach"`, "the top level"}},
		{"unknown section key", "version: 2\nscratch:\n  note: x\n\n  itmes: [a]\n", []string{"line 5", `unknown key "itmes"`, "in scratch"}},
		{"unknown nested key", "version: 2\nscratch:\n  sub:\n    prot: 1\n", []string{"line 4", `"prot"`, "in scratch.sub"}},
		{"two at once", "version: 2\nscratch:\n  nte: x\nflows:\n  x:\n    progres: {}\n", []string{"line 3", `"nte"`, "line 6", `"progres"`, "flows.x"}},
		{"bad type", "version: 2\n\nscratch:\n  sub:\n    port: eighty\n", []string{"line 5", "eighty", "whole number"}},
		{"not a mapping", "- version: 2\n", []string{"line 1", "not a list of keys"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseAnswers("mem", []byte(c.yaml))
			if err == nil || !isBadInput(err) {
				t.Fatalf("err = %v, want bad input", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

// TestUpgradeFromVersion1: a version 1 file goes through every upgrade
// registered from 1, and its next save writes the current version with
// the admin's comments kept.
func TestUpgradeFromVersion1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ccewiz.yaml")
	v1 := "# site A\nversion: 1\nscratch_note: kept # moved, comment and all\nresolve: {a: b}\n"
	os.WriteFile(path, []byte(v1), 0o644)
	a, err := LoadAnswers(path)
	if err != nil {
		t.Fatal(err)
	}
	if scratchOf(a).Note != "kept" || a.Version != AnswersVersion || a.Resolve["a"] != "b" {
		t.Fatalf("upgraded: note %q version %d resolve %v", scratchOf(a).Note, a.Version, a.Resolve)
	}
	// Loading changed nothing on disk; a save writes the new layout.
	if b, _ := os.ReadFile(path); string(b) != v1 {
		t.Fatalf("loading rewrote the file:\n%s", b)
	}
	scratchOf(a).Items = []string{"x"}
	if _, err := SaveAnswers(path, a, true); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	for _, want := range []string{"# site A", "version: 2", "note: kept # moved, comment and all", "items:"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("saved file lacks %q:\n%s", want, b)
		}
	}
	if strings.Contains(string(b), "scratch_note") {
		t.Errorf("the old key is still there:\n%s", b)
	}
	if back, err := LoadAnswers(path); err != nil || scratchOf(back).Note != "kept" || len(scratchOf(back).Items) != 1 {
		t.Fatalf("read back: %v", err)
	}
	// A version 2 file is not upgraded again: there the old key is a typo.
	if _, err := ParseAnswers("v2", []byte("version: 2\nscratch_note: x\n")); err == nil || !strings.Contains(err.Error(), `unknown key "scratch_note"`) {
		t.Errorf("version 2 with a version 1 key: %v", err)
	}
}

// TestNewFileOrder: a new file lists version, then the flows' sections in
// the order they were registered, then the engine's keys; an empty
// section is not written at all.
func TestNewFileOrder(t *testing.T) {
	a := NewAnswers()
	a.Resolve = map[string]string{"a": "b"}
	a.FlowState("scratch").Progress.MarkDone("one")
	scratchOf(a).Note = "n"
	b, err := MarshalAnswers(a)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	v, sc, r, f := strings.Index(s, "\nversion:"), strings.Index(s, "\nscratch:"), strings.Index(s, "\nresolve:"), strings.Index(s, "\nflows:")
	if v < 0 || sc < v || r < sc || f < r {
		t.Fatalf("keys out of order:\n%s", s)
	}
	c := NewAnswers()
	_ = scratchOf(c) // read, never set
	if b, _ := MarshalAnswers(c); strings.Contains(string(b), "scratch") {
		t.Errorf("an empty section was written:\n%s", b)
	}
}

func TestReportTextIsInert(t *testing.T) {
	r := NewReport([]Result{{ID: "x.y", Title: "t\x1b[2J", Status: Fail, Detail: "subject CN=\x1b]0;pwned\x07evil\nsecond line", Fix: "do\x1b[31m this"}}, time.Time{})
	var b strings.Builder
	r.WriteText(&b, false)
	if strings.ContainsAny(b.String(), "\x1b\x07") {
		t.Errorf("escape sequences reached the terminal: %q", b.String())
	}
	if !strings.Contains(b.String(), "second line") {
		t.Errorf("newlines lost: %q", b.String())
	}
}

func isBadInput(err error) bool { return errors.Is(err, ErrBadInput) }

// TestOverlayKeepsTheAnswers: what a form tries on an overlay — in a
// section the answers hold already, and in one they do not — never
// reaches the answers it was made from.
func TestOverlayKeepsTheAnswers(t *testing.T) {
	a := NewAnswers()
	scratchOf(a).Note = "saved"
	o := a.Overlay()
	scratchOf(o).Note = "typed"
	scratchOf(o).Items = []string{"x"}
	Section[struct{ X int }](o, "other").X = 1
	if scratchOf(a).Note != "saved" || scratchOf(a).Items != nil || len(SectionValues(a)) != 1 {
		t.Fatalf("the overlay changed the answers: %+v %v", scratchOf(a), SectionValues(a))
	}
	if scratchOf(o).Note != "typed" {
		t.Fatalf("the overlay lost its own value: %+v", scratchOf(o))
	}
}

// TestAliasesAreWalkedOnce: the key check follows aliases, so an alias to
// aliases to aliases (a few kilobytes naming 10⁹ nodes) must be checked
// once per anchor, as yaml.v3's decoder guards itself; and a merge key
// brings in the keys it names, checked like the others.
func TestAliasesAreWalkedOnce(t *testing.T) {
	// 1000 flows, each the same state of 1000 hand-offs, each of 1000
	// GUI entries: 10⁹ nodes through aliases, 3000 in the file.
	refs := func(n int, f func(i int) string) string {
		out := make([]string, n)
		for i := range out {
			out[i] = f(i)
		}
		return strings.Join(out, ", ")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "version: 2\nflows:\n  a: &fs {progress: {handoff: {k0: &h {at: t, gui: [&e {where: w}, %s]}, %s}}}\n",
		refs(999, func(int) string { return "*e" }), refs(999, func(i int) string { return fmt.Sprintf("k%d: *h", i+1) }))
	for i := range 1000 {
		fmt.Fprintf(&b, "  f%d: *fs\n", i)
	}
	_, err := ParseAnswers("bomb", []byte(b.String()))
	if err != nil && !isBadInput(err) {
		t.Fatalf("err = %v", err)
	}

	merge := "version: 2\nflows:\n  base: &b {progress: {current: x}}\n  ece:\n    <<: *b\n    ticked: {}\n"
	if _, err := ParseAnswers("merge", []byte(merge)); err != nil {
		t.Errorf("a merge key: %v", err)
	}
	bad := "version: 2\nflows:\n  base: &b {progres: {current: x}}\n  ece:\n    <<: *b\n"
	if _, err := ParseAnswers("merge", []byte(bad)); err == nil || !strings.Contains(err.Error(), `unknown key "progres"`) {
		t.Errorf("a merge key bringing in a typo: %v", err)
	}
}
