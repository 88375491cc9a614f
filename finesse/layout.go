// Package finesse reads and edits the Finesse desktop layout — the XML
// CFAdmin shows under Desktop Layout and Finesse's REST API serves at
// /finesse/api/LayoutConfig/default — to put third-party gadgets (WxM's)
// into the tabs they belong in. An edit inserts or corrects only the
// gadgets asked for; every other byte (comments, commented-out gadgets,
// indentation, line endings, the version) stays as it was.
//
// The layout's shape (Cisco's LayoutConfig documentation for Unified CCE):
//
//	<finesseLayout xmlns="http://www.cisco.com/vtg/finesse">
//	  <version>1250.03</version>
//	  <layout>
//	    <role>Agent</role>
//	    <page>…</page>
//	    <tabs>
//	      <tab>
//	        <id>home</id>
//	        <label>finesse.container.tabs.agent.homeLabel</label>
//	        <columns><column><gadgets><gadget>URL</gadget>…
package finesse

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// MaxSize bounds a layout: a stock one is about 10 KiB.
const MaxSize = 1 << 20

// Gadget is one gadget a tab of a role's layout must hold.
type Gadget struct {
	Role string // Agent, Supervisor
	Tab  string // the tab's id: home, myStatistics, teamData
	URL  string
	// Base, when set, is the URL without what Gadget adds (the CEA
	// gadget's &filterTags=…): a gadget with exactly Base is this gadget
	// set up incompletely, and is corrected rather than added twice.
	Base string
}

func (g Gadget) String() string { return fmt.Sprintf("%s › %s tab: %s", g.Role, g.Tab, g.URL) }

// Change is one edit Ensure made.
type Change struct {
	Gadget Gadget
	// What: "added", "corrected" (the filter was missing) or "added with a new tab".
	What string
	Line int // in the original layout
}

// tabInfo is what Ensure needs of one <tab>.
type tabInfo struct {
	id      string
	gadgets []gadgetInfo
	// gadgets are every column's; a new one goes into the first
	// <gadgets> list: listEnd is where its end tag starts, selfClosed is
	// for <gadgets/>.
	hasList              bool
	listOpenEnd, listEnd int
	listOpenStart        int
	selfClosed           bool
}

type gadgetInfo struct {
	url                       string
	start, textStart, textEnd int
}

type layoutInfo struct {
	role          string
	tabs          []*tabInfo
	hasTabs       bool
	tabsEnd       int // where </tabs> starts
	tabsStart     int
	firstTabStart int
}

// Layout is a parsed desktop layout.
type Layout struct {
	data    []byte
	layouts []*layoutInfo
}

// SyntaxError is a layout Finesse would refuse, with where.
type SyntaxError struct {
	Line int
	Err  error
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("line %d: %v (Finesse refuses a layout that is not well-formed XML)", e.Line, e.Err)
}
func (e *SyntaxError) Unwrap() error { return e.Err }

// Parse reads a layout. It refuses what is not well-formed XML or has no
// <finesseLayout> root.
func Parse(data []byte) (*Layout, error) {
	if len(data) > MaxSize {
		return nil, fmt.Errorf("%d bytes is more than a desktop layout holds (limit %d)", len(data), MaxSize)
	}
	l := &Layout{data: data}
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	var stack []string
	var cur *layoutInfo
	var tab *tabInfo
	var gad *gadgetInfo
	var text strings.Builder
	root := ""
	for {
		before := int(d.InputOffset())
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, &SyntaxError{Line: lineAt(data, int(d.InputOffset())), Err: err}
		}
		after := int(d.InputOffset())
		switch t := tok.(type) {
		case xml.StartElement:
			name := t.Name.Local
			if len(stack) == 0 {
				root = name
			}
			stack = append(stack, name)
			text.Reset()
			switch {
			case name == "layout" && len(stack) == 2:
				cur = &layoutInfo{}
				l.layouts = append(l.layouts, cur)
			case name == "tabs" && cur != nil && len(stack) == 3:
				cur.hasTabs, cur.tabsStart = true, before
			case name == "tab" && cur != nil && len(stack) == 4 && stack[2] == "tabs":
				tab = &tabInfo{}
				if len(cur.tabs) == 0 {
					cur.firstTabStart = before
				}
				cur.tabs = append(cur.tabs, tab)
			case name == "gadgets" && tab != nil && !tab.hasList:
				tab.hasList, tab.listOpenStart, tab.listOpenEnd = true, before, after
				tab.selfClosed = bytes.HasSuffix(data[before:after], []byte("/>"))
			case name == "gadget" && tab != nil && stack[len(stack)-2] == "gadgets":
				gad = &gadgetInfo{start: before, textStart: after}
			}
		case xml.EndElement:
			name := t.Name.Local
			depth := len(stack)
			stack = stack[:len(stack)-1]
			switch {
			case name == "role" && cur != nil && depth == 3:
				cur.role = strings.TrimSpace(text.String())
			case name == "id" && tab != nil && depth == 5:
				tab.id = strings.TrimSpace(text.String())
			case name == "gadget" && gad != nil:
				gad.url, gad.textEnd = strings.TrimSpace(text.String()), before
				tab.gadgets = append(tab.gadgets, *gad)
				gad = nil
			case name == "gadgets" && tab != nil && tab.hasList && tab.listEnd == 0:
				tab.listEnd = before
				if tab.selfClosed {
					tab.listEnd = tab.listOpenEnd
				}
			case name == "tab" && depth == 4:
				tab = nil
			case name == "tabs" && cur != nil && depth == 3:
				cur.tabsEnd = before
			case name == "layout" && depth == 2:
				cur = nil
			}
		case xml.CharData:
			text.Write(t)
		}
	}
	if root != "finesseLayout" {
		return nil, fmt.Errorf("the root element is <%s>, not <finesseLayout>: this is not a Finesse desktop layout", root)
	}
	return l, nil
}

func lineAt(data []byte, off int) int {
	if off > len(data) {
		off = len(data)
	}
	return bytes.Count(data[:off], []byte("\n")) + 1
}

// Bytes is the layout as it is now.
func (l *Layout) Bytes() []byte { return l.data }

// Gadgets lists the active gadgets (commented-out ones are not) of every
// tab, as "Role/tab" → URLs in order.
func (l *Layout) Gadgets() map[string][]string {
	out := map[string][]string{}
	for _, lay := range l.layouts {
		for _, t := range lay.tabs {
			k := lay.role + "/" + t.id
			for _, g := range t.gadgets {
				out[k] = append(out[k], g.url)
			}
			if _, ok := out[k]; !ok {
				out[k] = nil
			}
		}
	}
	return out
}

// Has reports whether g is in its tab, exactly.
func (l *Layout) Has(g Gadget) bool {
	for _, u := range l.Gadgets()[g.Role+"/"+g.Tab] {
		if u == g.URL {
			return true
		}
	}
	return false
}

func (l *Layout) role(name string) *layoutInfo {
	for _, lay := range l.layouts {
		if strings.EqualFold(lay.role, name) {
			return lay
		}
	}
	return nil
}

// edit is one byte-range replacement in the original.
type edit struct {
	start, end int
	text       string
}

// Ensure puts every gadget of want into its tab and returns the new layout
// with what it changed; a layout that holds them all comes back unchanged,
// with no changes. It adds a tab that is missing; it refuses a layout
// without the role's <layout> or <tabs>, which is not one to patch.
func (l *Layout) Ensure(want []Gadget) ([]byte, []Change, error) {
	eol := "\n"
	if bytes.Contains(l.data, []byte("\r\n")) {
		eol = "\r\n"
	}
	var edits []edit
	var changes []Change
	newTabs := map[*layoutInfo][]Gadget{}
	for _, g := range want {
		lay := l.role(g.Role)
		if lay == nil || !lay.hasTabs || lay.tabsEnd == 0 {
			return nil, nil, fmt.Errorf("the layout has no <layout> with <role>%s</role> and <tabs>; restore Finesse's default layout in CFAdmin › Desktop Layout, then run this again", g.Role)
		}
		var tab *tabInfo
		for _, t := range lay.tabs {
			if t.id == g.Tab {
				tab = t
				break
			}
		}
		if tab == nil {
			newTabs[lay] = append(newTabs[lay], g)
			continue
		}
		present, corrected := false, false
		for _, x := range tab.gadgets {
			if x.url == g.URL {
				present = true
				break
			}
		}
		if present {
			continue
		}
		if g.Base != "" {
			for _, x := range tab.gadgets {
				if x.url == g.Base {
					edits = append(edits, edit{x.textStart, x.textEnd, escape(g.URL)})
					changes = append(changes, Change{Gadget: g, What: "corrected", Line: lineAt(l.data, x.start)})
					corrected = true
					break
				}
			}
		}
		if corrected {
			continue
		}
		if !tab.hasList {
			return nil, nil, fmt.Errorf("the %s layout's %s tab has no <gadgets> list; add the gadget by hand in CFAdmin › Desktop Layout", g.Role, g.Tab)
		}
		edits = append(edits, l.insertGadget(tab, g, eol))
		changes = append(changes, Change{Gadget: g, What: "added", Line: lineAt(l.data, tab.listEnd)})
	}
	for lay, gs := range newTabs {
		edits = append(edits, l.insertTabs(lay, gs, eol))
		for _, g := range gs {
			changes = append(changes, Change{Gadget: g, What: "added with a new tab", Line: lineAt(l.data, lay.tabsEnd)})
		}
	}
	if len(edits) == 0 {
		return l.data, nil, nil
	}
	// From the end backwards, so earlier offsets stay right.
	sort.SliceStable(edits, func(i, j int) bool { return edits[i].start > edits[j].start })
	out := append([]byte{}, l.data...)
	for _, e := range edits {
		out = append(out[:e.start], append([]byte(e.text), out[e.end:]...)...)
	}
	sortChanges(changes)
	return out, changes, nil
}

func sortChanges(cs []Change) {
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].Line < cs[j].Line })
}

// indentOf is the white space between the start of off's line and off,
// or "" when something else comes first on that line.
func (l *Layout) indentOf(off int) (string, bool) {
	i := off
	for i > 0 && (l.data[i-1] == ' ' || l.data[i-1] == '\t') {
		i--
	}
	if i == 0 || l.data[i-1] == '\n' {
		return string(l.data[i:off]), true
	}
	return "", false
}

// unit is the file's indentation step: the difference between <tabs> and
// its first <tab>, else four spaces.
func (l *Layout) unit(lay *layoutInfo) string {
	a, ok1 := l.indentOf(lay.tabsStart)
	b, ok2 := l.indentOf(lay.firstTabStart)
	if ok1 && ok2 && len(b) > len(a) && strings.HasPrefix(b, a) {
		return b[len(a):]
	}
	return "    "
}

func (l *Layout) insertGadget(t *tabInfo, g Gadget, eol string) edit {
	el := "<gadget>" + escape(g.URL) + "</gadget>"
	if t.selfClosed {
		return edit{t.listOpenStart, t.listOpenEnd, "<gadgets>" + el + "</gadgets>"}
	}
	closeIndent, own := l.indentOf(t.listEnd)
	if !own {
		return edit{t.listEnd, t.listEnd, el} // </gadgets> shares its line: stay on it
	}
	ind := closeIndent + "    "
	var inList []gadgetInfo
	for _, x := range t.gadgets {
		if x.start > t.listOpenStart && x.start < t.listEnd {
			inList = append(inList, x)
		}
	}
	if n := len(inList); n > 0 {
		if gi, ok := l.indentOf(inList[n-1].start); ok {
			ind = gi
		}
	} else if oi, ok := l.indentOf(t.listOpenStart); ok {
		ind = oi + strings.TrimPrefix(ind, closeIndent)
	}
	lineStart := t.listEnd - len(closeIndent)
	return edit{lineStart, lineStart, ind + el + eol}
}

// tabLabels are the stock resource keys of the tabs WxM uses.
var tabLabels = map[string]string{
	"Agent/home":          "finesse.container.tabs.agent.homeLabel",
	"Agent/myStatistics":  "finesse.container.tabs.agent.myStatisticsLabel",
	"Supervisor/home":     "finesse.container.tabs.supervisor.homeLabel",
	"Supervisor/teamData": "finesse.container.tabs.supervisor.teamDataLabel",
}

func (l *Layout) insertTabs(lay *layoutInfo, gs []Gadget, eol string) edit {
	u := l.unit(lay)
	closeIndent, own := l.indentOf(lay.tabsEnd)
	ti := closeIndent + u
	var b strings.Builder
	if !own {
		eol, ti, closeIndent = "", "", ""
	}
	// One new tab per id, holding every gadget asked for it, in order.
	var order []string
	urls := map[string][]string{}
	for _, g := range gs {
		if _, ok := urls[g.Tab]; !ok {
			order = append(order, g.Tab)
		}
		urls[g.Tab] = append(urls[g.Tab], g.URL)
	}
	for _, id := range order {
		label := tabLabels[lay.role+"/"+id]
		if label == "" {
			label = id
		}
		lines := []string{
			ti + "<tab>",
			ti + u + "<id>" + escape(id) + "</id>",
			ti + u + "<label>" + escape(label) + "</label>",
			ti + u + "<columns>",
			ti + u + u + "<column>",
			ti + u + u + u + "<gadgets>",
		}
		for _, url := range urls[id] {
			lines = append(lines, ti+u+u+u+u+"<gadget>"+escape(url)+"</gadget>")
		}
		lines = append(lines,
			ti+u+u+u+"</gadgets>",
			ti+u+u+"</column>",
			ti+u+"</columns>",
			ti+"</tab>")
		for _, s := range lines {
			b.WriteString(s + eol)
		}
	}
	at := lay.tabsEnd - len(closeIndent)
	return edit{at, at, b.String()}
}

func escape(s string) string {
	var b bytes.Buffer
	xml.EscapeText(&b, []byte(s))
	return b.String()
}
