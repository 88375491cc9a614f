package inventoryconf

import (
	"os"
	"strings"
	"testing"
)

func good(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile("testdata/good.conf")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// edit replaces line n (1-based) of s with repl; "" deletes it.
func edit(s string, n int, repl string) string {
	lines := strings.Split(s, "\n")
	if repl == "\x00" {
		lines = append(lines[:n-1], lines[n:]...)
	} else {
		lines[n-1] = repl
	}
	return strings.Join(lines, "\n")
}

// TestGoodFileIsClean: the sample passes, and Write gives back exactly its
// bytes: the layout Write produces is the export's.
func TestGoodFileIsClean(t *testing.T) {
	inv, fs := Check([]byte(good(t)), &Expect{VOS: []string{"fin1.example.com", "FIN2.example.com"}, Windows: []string{"pg1a.example.com"}})
	if len(fs) != 0 {
		t.Fatalf("findings on the good file: %v", fs)
	}
	if got := len(Hosts(inv.VOS)) + len(Hosts(inv.Windows)); got != 10 {
		t.Fatalf("read %d hosts, want 10", got)
	}
	if h := Hosts(inv.Windows)[1]; h.User != `EXAMPLE\ccadmin` || h.Line != 38 {
		t.Fatalf("escaped user read as %+v", h)
	}
	out, err := Write(inv)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != good(t) {
		t.Fatalf("Write does not reproduce the sample:\n%s", out)
	}
}

// TestBrokenFiles: one broken file per rule, each found on its line.
func TestBrokenFiles(t *testing.T) {
	g := good(t)
	cases := []struct {
		name string
		file string
		want *Expect
		rule string
		line int
		fix  string // a part of the fix
	}{
		{"CRLF", strings.ReplaceAll(g, "\n", "\r\n"), nil, RuleLineEndings, 1, "Unix (LF)"},
		{"CRLF from line 30 on", g[:strings.Index(g, "        - name: \"cvp1")] + strings.ReplaceAll(g[strings.Index(g, "        - name: \"cvp1"):], "\n", "\r\n"), nil, RuleLineEndings, 30, "EOL Conversion"},
		{"byte-order mark", "\xef\xbb\xbf" + g, nil, RuleEncoding, 1, "without BOM"},
		{"UTF-16", "\xff\xfe-\x00-\x00", nil, RuleEncoding, 0, "UTF-8"},
		{"tab indentation", edit(g, 18, "\t  side: \"A\""), nil, RuleTab, 18, "spaces"},
		{"odd indentation", edit(g, 31, "           side: \"A\""), nil, RuleIndent, 31, "two per level"},
		{"lost colon", edit(g, 61, `  deploymentName "UnifiedCCE"`), nil, RuleSyntax, 61, "colon"},
		{"key indented too deep", edit(g, 9, `             side: "A"`), nil, RuleIndent, 9, "two per level"},
		{"key indented too deep, even", edit(g, 9, `              side: "A"`), nil, RuleSyntax, 7, "indented"},
		{"Windows component in lower case", edit(g, 51, "    Rogger:"), nil, RuleProductCase, 51, "ROGGER:"},
		{"VOS product in upper case", edit(g, 14, "    FINESSE:"), nil, RuleProductCase, 14, "Finesse:"},
		{"unknown Windows component", edit(g, 41, "    LOGGR: {}"), nil, RuleProductUnknown, 41, "did you mean LOGGER?"},
		{"unknown VOS product", edit(g, 25, "    CVP: {}"), nil, RuleProductUnknown, 25, "use one of"},
		{"deploymentType singular", edit(g, 62, `  deploymentType: "UCCE-2000-Agent"`), nil, RuleDeployment, 62, "did you mean UCCE-2000-Agents?"},
		{"deploymentType case", edit(g, 62, `  deploymentType: "ucce-2000-agents"`), nil, RuleDeployment, 62, "did you mean UCCE-2000-Agents?"},
		{"deploymentType 12000", edit(g, 62, `  deploymentType: "UCCE-12000-Agents"`), nil, RuleDeployment, 62, "2000 and 4000-agent"},
		{"deploymentType HCS-SCC", edit(g, 62, `  deploymentType: "HCS-SCC-Agents"`), nil, RuleDeployment, 62, "use one of"},
		{"deploymentName empty", edit(g, 61, `  deploymentName: ""`), nil, RuleName, 61, "unique name"},
		{"Windows host without user", edit(g, 47, "\x00"), nil, RuleUser, 45, "authorized_keys"},
		{"Windows host with an empty user", edit(g, 32, `          user: ""`), nil, RuleUser, 32, "logon user"},
		{"VOS host without type", edit(g, 10, "\x00"), nil, RuleVOSType, 8, "Publisher"},
		{"VOS type misspelt", edit(g, 13, `          type: "subscriber"`), nil, RuleVOSType, 13, `"Subscriber"`},
		{"side other than A/B", edit(g, 49, `          side: "C"`), nil, RuleSide, 49, `"A" or "B"`},
		{"side in lower case", edit(g, 49, `          side: "b"`), nil, RuleSide, 49, `side: "B"`},
		{"host without side", edit(g, 55, "\x00"), nil, RuleSide, 54, `side: "A"`},
		{"duplicate host", edit(g, 57, `        - name: "RGRA.example.com"`), nil, RuleDuplicate, 57, "one entry"},
		{"key in the wrong case", edit(g, 26, "  windows:"), nil, RuleStructure, 26, "write Windows:"},
		{"key given twice", edit(g, 60, `  deploymentName: "Other"`), nil, RuleStructure, 61, "merge"},
		{"VOS host missing from the file", g, &Expect{VOS: []string{"fin1.example.com", "vvb1.example.com"}}, RuleMissingHost, 0, "under VOS:"},
		{"Windows host missing from the file", g, &Expect{Windows: []string{"rgra.example.com", "rgrb.example.com", "pg2a.example.com"}}, RuleMissingHost, 0, "side and user"},
		{"empty file", "", nil, RuleStructure, 0, "inventory export"},
		{"no inventory key", "---\nVOS: {}\n", nil, RuleStructure, 2, "unknown"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, fs := Check([]byte(tc.file), tc.want)
			for _, f := range fs {
				if f.Rule == tc.rule && f.Line == tc.line {
					if !strings.Contains(f.Message+" "+f.Fix, tc.fix) || f.Message == "" || f.Fix == "" {
						t.Fatalf("%s on line %d: fix %q lacks %q (message %q)", f.Rule, f.Line, f.Fix, tc.fix, f.Message)
					}
					return
				}
			}
			t.Fatalf("want %s on line %d; got:\n%v", tc.rule, tc.line, findings(fs))
		})
	}
}

func findings(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString("  " + f.String() + "\n")
	}
	return b.String()
}
