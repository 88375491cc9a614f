package finesse

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"ccewiz/testpeer"
)

const (
	cej    = "https://cloudcherry.com/gadget/journey.xml?token=abc&mode=cc"
	ceaA   = "https://cloudcherry.com/gadget/analytics.xml?dash=42"
	ceaS   = "https://cloudcherry.com/gadget/analytics.xml?dash=43"
	agentF = "&filterTags=cc_AgentId"
	teamF  = "&filterTags=cc_TeamId"
)

var want = []Gadget{
	{Role: "Agent", Tab: "home", URL: cej},
	{Role: "Supervisor", Tab: "home", URL: cej},
	{Role: "Agent", Tab: "myStatistics", URL: ceaA + agentF, Base: ceaA},
	{Role: "Supervisor", Tab: "teamData", URL: ceaS + teamF, Base: ceaS},
}

func stock(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("stock1250.xml")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// variants are the layouts the issue names: the stock one (with comments
// and a commented-out gadget inside <gadgets>), the same with CRLF, one
// whose gadgets are already there, one with the CEA gadget lacking its
// filter, and one missing the Agent's myStatistics tab.
func variants(t *testing.T) map[string]string {
	s := stock(t)
	i := strings.Index(s, "            <tab>\n                <id>myStatistics</id>")
	j := strings.Index(s[i:], "</tab>\n") + i + len("</tab>\n")
	noTab := s[:i] + s[j:]
	unfiltered := strings.Replace(s, "<gadget>/desktop/scripts/js/queueStatistics.js</gadget>",
		"<gadget>/desktop/scripts/js/queueStatistics.js</gadget>\n                            <gadget>"+strings.ReplaceAll(ceaA, "&", "&amp;")+"</gadget>", 1)
	unfiltered = strings.Replace(unfiltered, "<id>home</id>", "<id>myStatisticsX</id>", 0)
	return map[string]string{
		"stock":          s,
		"crlf":           strings.ReplaceAll(s, "\n", "\r\n"),
		"missing tab":    noTab,
		"self-closed":    strings.Replace(s, "<gadgets>\n                        </gadgets>", "<gadgets/>", 1),
		"one line lists": strings.ReplaceAll(strings.ReplaceAll(s, "<gadgets>\n", "<gadgets>"), "\n                        </gadgets>", "</gadgets>"),
	}
}

func javaGadgets(t *testing.T, data []byte) map[string][]string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "layout.xml")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := testpeer.JavaLayoutGadgets(t, p)
	if err != nil {
		t.Fatalf("the JDK's parser refuses the layout: %v\n%s", err, data)
	}
	return m
}

// TestEnsureAddsOnlyTheGadgets: for every variant, the JDK's DOM parser
// (a second parser) finds exactly the original gadgets plus the four
// asked for, each in its tab; ccewiz's own reading agrees; a second run
// changes nothing.
func TestEnsureAddsOnlyTheGadgets(t *testing.T) {
	for name, in := range variants(t) {
		t.Run(name, func(t *testing.T) {
			l, err := Parse([]byte(in))
			if err != nil {
				t.Fatal(err)
			}
			before := javaGadgets(t, []byte(in))
			if !reflect.DeepEqual(l.Gadgets(), before) {
				t.Fatalf("ccewiz reads %q\nJava reads   %q", l.Gadgets(), before)
			}
			out, changes, err := l.Ensure(want)
			if err != nil {
				t.Fatal(err)
			}
			if len(changes) != len(want) {
				t.Errorf("%d changes, want %d: %+v", len(changes), len(want), changes)
			}
			expect := map[string][]string{}
			for k, v := range before {
				expect[k] = append([]string(nil), v...)
			}
			for _, g := range want {
				k := g.Role + "/" + g.Tab
				expect[k] = append(expect[k], g.URL)
			}
			after := javaGadgets(t, out)
			if !reflect.DeepEqual(after, expect) {
				t.Errorf("Java reads after the edit %q\nwant %q\n%s", after, expect, out)
			}
			if strings.Contains(in, "\r\n") && strings.Count(string(out), "\n") != strings.Count(string(out), "\r\n") {
				t.Error("a line lost its CRLF")
			}
			if !strings.Contains(string(out), "<!-- <gadget>https://example.com/old-survey.xml</gadget> -->") {
				t.Error("the commented-out gadget is gone")
			}
			l2, err := Parse(out)
			if err != nil {
				t.Fatal(err)
			}
			again, changes, _ := l2.Ensure(want)
			if len(changes) != 0 || string(again) != string(out) {
				t.Errorf("a second run changed %+v", changes)
			}
		})
	}
}

// A CEA gadget put in without its filter is corrected, not added twice.
func TestEnsureCorrectsTheMissingFilter(t *testing.T) {
	s := strings.Replace(stock(t), "<gadget>https://cuic.example.com", "<gadget>"+strings.ReplaceAll(ceaA, "&", "&amp;")+"</gadget>\n                            <gadget>https://cuic.example.com", 1)
	l, err := Parse([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	out, changes, err := l.Ensure(want[2:3])
	if err != nil || len(changes) != 1 || changes[0].What != "corrected" {
		t.Fatalf("%v %+v", err, changes)
	}
	got := javaGadgets(t, out)["Agent/myStatistics"]
	if len(got) != 2 || got[0] != ceaA+agentF {
		t.Errorf("myStatistics holds %q", got)
	}
}

func TestParseRefuses(t *testing.T) {
	for in, msg := range map[string]string{
		"<finesseLayout><layout></finesseLayout>": "line 1",
		"<LayoutConfig/>":                         "not <finesseLayout>",
		"":                                        "not <finesseLayout>",
	} {
		if _, err := Parse([]byte(in)); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("Parse(%q) = %v, want %q", in, err, msg)
		}
	}
	l, _ := Parse([]byte(`<finesseLayout><layout><role>Agent</role></layout></finesseLayout>`))
	if _, _, err := l.Ensure(want); err == nil || !strings.Contains(err.Error(), "restore Finesse's default layout") {
		t.Errorf("a layout without tabs: %v", err)
	}
}
