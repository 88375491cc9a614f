package inventoryconf

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// MaxSize bounds what Check reads: a real inventory is a few kilobytes.
const MaxSize = 1 << 20

const fixFormat = "keep the layout of the exported file, or write it with ccewiz orchestration inventory write"

// Check reads an inventory.conf and reports every problem Cloud Connect
// would meet importing it, each with its line and fix, in line order
// (file-wide ones first). want, when not nil, names the hosts the file
// must hold. The Inventory is what could be read (nil when the YAML does
// not parse).
func Check(data []byte, want *Expect) (*Inventory, []Finding) {
	c := &checker{}
	if len(data) > MaxSize {
		c.add(0, RuleEncoding, fmt.Sprintf("the file is %d bytes, far larger than an inventory", len(data)), "give the inventory.conf exported from Cloud Connect")
		return nil, c.fs
	}
	if !utf8.Valid(data) {
		c.add(0, RuleEncoding, "the file is not UTF-8 text (saved as UTF-16 or ANSI?)", "save it as UTF-8 without BOM (Notepad++: Encoding › UTF-8)")
		return nil, c.fs
	}
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		c.add(1, RuleEncoding, "the file starts with a byte-order mark (Notepad's \"UTF-8 with BOM\")", "save it as UTF-8 without BOM (Notepad++: Encoding › UTF-8)")
		data = data[3:]
	}
	lines := strings.Split(string(data), "\n")
	crlf, firstCRLF := 0, 0
	tabs := false
	for i, l := range lines {
		if strings.HasSuffix(l, "\r") {
			crlf++
			if firstCRLF == 0 {
				firstCRLF = i + 1
			}
			lines[i] = strings.TrimSuffix(l, "\r")
		}
	}
	if crlf > 0 {
		c.add(firstCRLF, RuleLineEndings, fmt.Sprintf("Windows (CRLF) line endings on %d line(s); Cloud Connect needs UNIX (LF) ones", crlf),
			"in Notepad++: Edit › EOL Conversion › Unix (LF), then save")
	}
	for i, l := range lines {
		indent := l[:len(l)-len(strings.TrimLeft(l, " \t"))]
		if strings.Contains(indent, "\t") {
			tabs = true
			c.add(i+1, RuleTab, "a tab in the indentation; YAML indents with spaces only", "replace it with spaces, two per level (Notepad++: Edit › Blank Operations › TAB to Space)")
			continue
		}
		body := strings.TrimSpace(l)
		if body == "" || strings.HasPrefix(body, "#") {
			continue
		}
		// A sequence item's content sits two columns past its dash, so only
		// the dash's column must be even.
		if len(indent)%2 != 0 {
			c.add(i+1, RuleIndent, fmt.Sprintf("indented by %d spaces; the export uses two per level", len(indent)), "align it with the lines of its level: "+fixFormat)
		}
	}
	if tabs {
		return nil, c.sorted()
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(strings.Join(lines, "\n")), &doc); err != nil {
		line, msg := syntaxError(err)
		c.add(line, RuleSyntax, msg, syntaxFix(msg))
		return nil, c.sorted()
	}
	inv := c.document(&doc)
	if inv != nil && want != nil {
		c.expect(inv, want)
	}
	return inv, c.sorted()
}

type checker struct{ fs []Finding }

func (c *checker) add(line int, rule, msg, fix string) {
	c.fs = append(c.fs, Finding{Line: line, Rule: rule, Message: msg, Fix: fix})
}

func (c *checker) sorted() []Finding {
	slices.SortStableFunc(c.fs, func(a, b Finding) int { return a.Line - b.Line })
	return c.fs
}

var (
	lineRE     = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	bigModelRE = regexp.MustCompile(`12000|24000|26000`)
)

func syntaxError(err error) (int, string) {
	m := lineRE.FindStringSubmatch(strings.SplitN(err.Error(), "\n", 2)[0])
	if m == nil {
		return 0, strings.TrimPrefix(err.Error(), "yaml: ")
	}
	n, _ := strconv.Atoi(m[1])
	return n, "YAML: " + m[2]
}

// syntaxFix turns the YAML parser's words into what to look for.
func syntaxFix(msg string) string {
	switch {
	case strings.Contains(msg, "could not find expected ':'"):
		return "a key lost its colon (write key: value) on this line or the one before"
	case strings.Contains(msg, "mapping values are not allowed"):
		return "a key is indented deeper than its level, or a value holds ': ' — align it, or quote the value"
	case strings.Contains(msg, "did not find expected key"), strings.Contains(msg, "did not find expected '-'"):
		return "a line is indented less or more than its level: " + fixFormat
	case strings.Contains(msg, "found character that cannot start any token"):
		return "remove the character (a tab or a stray symbol), or quote the value"
	}
	return fixFormat
}

func (c *checker) document(doc *yaml.Node) *Inventory {
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		c.add(0, RuleStructure, "the file is empty", "export the inventory from Cloud Connect (utils system inventory export) and edit that file")
		return nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		c.add(root.Line, RuleStructure, "the file does not start with inventory:", fixFormat)
		return nil
	}
	inv := &Inventory{}
	var top *yaml.Node
	c.keys(root, map[string]string{"inventory": "inventory"}, func(key string, k, v *yaml.Node) { top = v })
	if top == nil {
		c.add(root.Line, RuleStructure, "no inventory: section", "the file's first key is inventory: (after ---) — "+fixFormat)
		return nil
	}
	if top.Kind != yaml.MappingNode {
		c.add(top.Line, RuleStructure, "inventory: holds no keys", "indent VOS:, Windows:, deploymentName: and deploymentType: by two spaces below it")
		return nil
	}
	seen := map[string]bool{}
	c.keys(top, map[string]string{"VOS": "VOS", "Windows": "Windows", "deploymentName": "deploymentName", "deploymentType": "deploymentType"},
		func(key string, k, v *yaml.Node) {
			seen[key] = true
			switch key {
			case "VOS":
				inv.VOS = c.products(v, true)
			case "Windows":
				inv.Windows = c.products(v, false)
			case "deploymentName":
				inv.DeploymentName = c.scalar(v, "deploymentName")
				if strings.TrimSpace(inv.DeploymentName) == "" {
					c.add(v.Line, RuleName, "deploymentName is empty; it is the subject line of Cloud Connect's e-mail notifications",
						`give the deployment a unique name, e.g. deploymentName: "UnifiedCCE"`)
				}
			case "deploymentType":
				inv.DeploymentType = c.scalar(v, "deploymentType")
				c.deploymentType(v.Line, inv.DeploymentType)
			}
		})
	for _, k := range []string{"VOS", "Windows", "deploymentName", "deploymentType"} {
		if !seen[k] {
			c.add(top.Line, RuleStructure, "inventory: has no "+k+":", fmt.Sprintf("add %s: two spaces below inventory: — %s", k, fixFormat))
		}
	}
	c.duplicates(inv)
	return inv
}

// keys walks a mapping, calling f for each key known (by its exact
// spelling in known's values); it reports unknown keys, with the one meant
// when the case or a letter or two differ, and keys given twice.
func (c *checker) keys(m *yaml.Node, known map[string]string, f func(key string, k, v *yaml.Node)) {
	names := make([]string, 0, len(known))
	for _, v := range known {
		names = append(names, v)
	}
	slices.Sort(names)
	first := map[string]int{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if l, dup := first[k.Value]; dup {
			c.add(k.Line, RuleStructure, fmt.Sprintf("%s: is given twice (first on line %d); Cloud Connect keeps only one", k.Value, l), "merge the two into one")
			continue
		}
		first[k.Value] = k.Line
		if want, ok := known[k.Value]; ok {
			f(want, k, v)
			continue
		}
		if m := didYouMean(k.Value, names); m != "" {
			c.add(k.Line, RuleStructure, fmt.Sprintf("unknown key %q; keys are case-sensitive", k.Value), "write "+m+":")
			continue
		}
		c.add(k.Line, RuleStructure, fmt.Sprintf("unknown key %q here (known: %s)", k.Value, strings.Join(names, ", ")),
			"remove it, or move it to its level: "+fixFormat)
	}
}

func (c *checker) scalar(v *yaml.Node, what string) string {
	if v.Kind != yaml.ScalarNode {
		c.add(v.Line, RuleStructure, what+" must be one value on its line", fmt.Sprintf(`write %s: "value"`, what))
		return ""
	}
	return v.Value
}

// entries is the key/value pairs of a mapping that may be empty ("VOS:"
// with nothing, or {} as the export writes a product the deployment lacks);
// anything else is reported with msg and fix.
func (c *checker) entries(v *yaml.Node, msg, fix string) [][2]*yaml.Node {
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return nil
	}
	if v.Kind != yaml.MappingNode {
		c.add(v.Line, RuleStructure, msg, fix)
		return nil
	}
	var out [][2]*yaml.Node
	for i := 0; i+1 < len(v.Content); i += 2 {
		out = append(out, [2]*yaml.Node{v.Content[i], v.Content[i+1]})
	}
	return out
}

func (c *checker) products(v *yaml.Node, vos bool) []Product {
	section, list := "Windows", WindowsProducts
	if vos {
		section, list = "VOS", VOSProducts
	}
	var out []Product
	for _, kv := range c.entries(v, section+": must hold its products, one per line", "indent the products by two spaces below "+section+":") {
		k, val := kv[0], kv[1]
		name := k.Value
		switch {
		case slices.Contains(list, name):
		case !vos && slices.Contains(list, strings.ToUpper(name)):
			c.add(k.Line, RuleProductCase, fmt.Sprintf("the component %s must be in upper case", name), "write "+strings.ToUpper(name)+":")
			name = strings.ToUpper(name)
		case vos && didYouMean(name, list) != "" && strings.EqualFold(didYouMean(name, list), name):
			m := didYouMean(name, list)
			c.add(k.Line, RuleProductCase, fmt.Sprintf("the VOS product %s is spelled %s in Cloud Connect's export", name, m), "write "+m+":")
			name = m
		default:
			fix := "use one of " + strings.Join(list, ", ")
			if m := didYouMean(name, list); m != "" {
				fix = "did you mean " + m + "?"
			}
			c.add(k.Line, RuleProductUnknown, fmt.Sprintf("%s is not a %s product orchestration knows", name, section), fix)
		}
		out = append(out, Product{Name: name, Line: k.Line, Clusters: c.clusters(val, name, vos)})
	}
	return out
}

func (c *checker) clusters(v *yaml.Node, product string, vos bool) []Cluster {
	var out []Cluster
	for _, kv := range c.entries(v, product+": must hold its clusters (or {} for none)", "indent each cluster name by two spaces below "+product+":") {
		k, val := kv[0], kv[1]
		cl := Cluster{Name: k.Value, Line: k.Line}
		var hosts *yaml.Node
		c.keys(val, map[string]string{"hosts": "hosts"}, func(_ string, _, hv *yaml.Node) { hosts = hv })
		switch {
		case val.Kind != yaml.MappingNode:
			c.add(k.Line, RuleStructure, fmt.Sprintf("the cluster %s has no hosts:", k.Value), "add hosts: two spaces below it, then one - name: line per host")
		case hosts == nil:
			c.add(k.Line, RuleStructure, fmt.Sprintf("the cluster %s has no hosts:", k.Value), "add hosts: two spaces below it, then one - name: line per host")
		case hosts.Kind != yaml.SequenceNode:
			c.add(hosts.Line, RuleStructure, "hosts: must be a list, each host starting with - name:", fixFormat)
		default:
			for _, h := range hosts.Content {
				cl.Hosts = append(cl.Hosts, c.host(h, vos))
			}
		}
		out = append(out, cl)
	}
	return out
}

func (c *checker) host(h *yaml.Node, vos bool) Host {
	out := Host{Line: h.Line}
	if h.Kind != yaml.MappingNode {
		c.add(h.Line, RuleHost, "a host must be name:, side: and "+map[bool]string{true: "type:", false: "user:"}[vos]+" lines", fixFormat)
		return out
	}
	known := map[string]string{"name": "name", "side": "side"}
	if vos {
		known["type"] = "type"
	} else {
		known["user"] = "user"
	}
	var sideLine, typeLine, userLine int
	c.keys(h, known, func(key string, k, v *yaml.Node) {
		val := c.scalar(v, key)
		switch key {
		case "name":
			out.Name = val
		case "side":
			out.Side, sideLine = val, v.Line
		case "type":
			out.Type, typeLine = val, v.Line
		case "user":
			out.User, userLine = val, v.Line
		}
	})
	if strings.TrimSpace(out.Name) == "" {
		c.add(h.Line, RuleHost, "a host without a name", `give its FQDN: - name: "host.example.com"`)
	}
	switch {
	case out.Side == "" && sideLine == 0:
		c.add(h.Line, RuleSide, fmt.Sprintf("the host %s has no side", out.Name), `add side: "A" (or "B") below its name`)
	case !slices.Contains(Sides, out.Side):
		fix := `side is "A" or "B"`
		if slices.Contains(Sides, strings.ToUpper(strings.TrimSpace(out.Side))) {
			fix = fmt.Sprintf(`write side: "%s"`, strings.ToUpper(strings.TrimSpace(out.Side)))
		}
		c.add(sideLine, RuleSide, fmt.Sprintf("side %q of %s is not A or B", out.Side, out.Name), fix)
	}
	if vos {
		switch {
		case typeLine == 0:
			c.add(h.Line, RuleVOSType, fmt.Sprintf("the VOS host %s has no type", out.Name), `keep the type: line of the export ("Publisher" or "Subscriber")`)
		case !slices.Contains(VOSTypes, out.Type):
			fix := `type is "Publisher" or "Subscriber", as exported`
			if m := didYouMean(out.Type, VOSTypes); m != "" {
				fix = fmt.Sprintf(`write type: "%s"`, m)
			}
			c.add(typeLine, RuleVOSType, fmt.Sprintf("type %q of %s is not Publisher or Subscriber", out.Type, out.Name), fix)
		}
		return out
	}
	if strings.TrimSpace(out.User) == "" {
		line := userLine
		if line == 0 {
			line = h.Line
		}
		c.add(line, RuleUser, fmt.Sprintf("the Windows host %s has no user; Cloud Connect logs on to it over SSH as that user", out.Name),
			`add user: "admin@domain.local" — the logon user whose authorized_keys holds Cloud Connect's key (step 4)`)
	}
	return out
}

func (c *checker) deploymentType(line int, t string) {
	if msg, fix := DeploymentTypeProblem(t); msg != "" {
		c.add(line, RuleDeployment, msg, fix)
	}
}

// DeploymentTypeProblem says what is wrong with a deploymentType and the
// fix ("", "" for a supported one): the unsupported models with the
// reason, a near miss with the one meant (the case counts).
func DeploymentTypeProblem(t string) (msg, fix string) {
	if slices.Contains(DeploymentTypes, t) {
		return "", ""
	}
	list := strings.Join(DeploymentTypes, ", ")
	switch {
	case bigModelRE.MatchString(t):
		return fmt.Sprintf("deploymentType %q: orchestration does not support the 12000, 24000 and 26000-agent models", t),
			"orchestration works only with the 2000 and 4000-agent models (" + list + ")"
	case strings.Contains(strings.ToUpper(t), "SCC"):
		return fmt.Sprintf("deploymentType %q: HCS Small Contact Center is not supported by orchestration", t), "use one of " + list
	}
	fix = "use one of " + list + " (case-sensitive)"
	if m := didYouMean(t, DeploymentTypes); m != "" {
		fix = fmt.Sprintf("did you mean %s? (case-sensitive)", m)
	}
	return fmt.Sprintf("deploymentType %q is not one orchestration supports", t), fix
}

func (c *checker) duplicates(inv *Inventory) {
	seen := map[string]int{}
	for _, h := range append(Hosts(inv.VOS), Hosts(inv.Windows)...) {
		k := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(h.Name), "."))
		if k == "" {
			continue
		}
		if l, dup := seen[k]; dup {
			c.add(h.Line, RuleDuplicate, fmt.Sprintf("the host %s is listed twice (first on line %d)", h.Name, l), "keep one entry per host")
			continue
		}
		seen[k] = h.Line
	}
}

func (c *checker) expect(inv *Inventory, want *Expect) {
	for _, sec := range []struct {
		name  string
		hosts []string
		have  []Host
	}{{"VOS", want.VOS, Hosts(inv.VOS)}, {"Windows", want.Windows, Hosts(inv.Windows)}} {
		for _, w := range sec.hosts {
			found := slices.ContainsFunc(sec.have, func(h Host) bool { return strings.EqualFold(strings.TrimSpace(h.Name), strings.TrimSpace(w)) })
			if !found {
				c.add(0, RuleMissingHost, fmt.Sprintf("the %s node %s of the deployment is not in the file; orchestration will not patch it", sec.name, w),
					fmt.Sprintf("add it under %s: with its side%s", sec.name, map[bool]string{true: " (VOS: from the export)", false: " and user"}[sec.name == "VOS"]))
			}
		}
	}
}
