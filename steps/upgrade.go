package steps

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// An answers file outlives the ccewiz that wrote it: a partner keeps one
// per customer for years. When the layout changes, AnswersVersion goes up
// and the flow whose keys moved registers an upgrade from the version
// before; a file loads through every upgrade from its own version on, and
// its next save writes the current one. The upgrades work on the file's
// YAML nodes, so what they move keeps its comments and, in a message
// about a wrong value, its line.

var upgrades struct {
	sync.Mutex
	from map[int][]func(Upgrade)
}

// RegisterUpgrade adds f to what turns a version-from file into version
// from+1. Call it from an init function.
func RegisterUpgrade(from int, f func(Upgrade)) {
	upgrades.Lock()
	defer upgrades.Unlock()
	if upgrades.from == nil {
		upgrades.from = map[int][]func(Upgrade){}
	}
	upgrades.from[from] = append(upgrades.from[from], f)
}

// Upgrade is an old file's top-level mapping, as an upgrade changes it.
type Upgrade struct {
	top *yaml.Node
	// keys are the keys Take removed, by their value: Put gives the new
	// key their comments.
	keys map[*yaml.Node]*yaml.Node
}

// Take removes the key at path (a key in each nested mapping) and returns
// its value, or nil when the file has none.
func (u Upgrade) Take(path ...string) *yaml.Node {
	m := u.top
	for i, k := range path {
		j := keyIndex(m, k)
		if j < 0 {
			return nil
		}
		v := m.Content[j+1]
		if i == len(path)-1 {
			u.keys[v] = m.Content[j]
			m.Content = append(m.Content[:j], m.Content[j+2:]...)
			return v
		}
		if m = v; m.Kind != yaml.MappingNode {
			return nil
		}
	}
	return nil
}

// Put sets the key at path to v, making the mappings on the way (a value
// that is not a mapping is replaced by one).
func (u Upgrade) Put(v *yaml.Node, path ...string) {
	m := u.top
	for i, k := range path {
		j := keyIndex(m, k)
		if i == len(path)-1 {
			key := keyNode(k)
			if old := u.keys[v]; old != nil {
				key.HeadComment, key.LineComment, key.FootComment = old.HeadComment, old.LineComment, old.FootComment
			}
			if j >= 0 {
				m.Content[j], m.Content[j+1] = key, v
			} else {
				m.Content = append(m.Content, key, v)
			}
			return
		}
		if j < 0 || m.Content[j+1].Kind != yaml.MappingNode {
			next := mappingNode()
			if j < 0 {
				m.Content = append(m.Content, keyNode(k), next)
			} else {
				m.Content[j+1] = next
			}
			m = next
			continue
		}
		m = m.Content[j+1]
	}
}

// Mapping returns a mapping node of the given keys and values; a nil value
// is left out.
func (Upgrade) Mapping(kv ...any) *yaml.Node {
	m := mappingNode()
	for i := 0; i+1 < len(kv); i += 2 {
		if v, _ := kv[i+1].(*yaml.Node); v != nil {
			m.Content = append(m.Content, keyNode(kv[i].(string)), v)
		}
	}
	return m
}

func keyNode(k string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k} }
func mappingNode() *yaml.Node     { return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"} }

func keyIndex(m *yaml.Node, k string) int {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == k {
			return i
		}
	}
	return -1
}

// upgrade brings the file's top-level mapping from version v to AnswersVersion.
func upgrade(top *yaml.Node, v int) {
	upgrades.Lock()
	fs := upgrades.from
	upgrades.Unlock()
	u := Upgrade{top: top, keys: map[*yaml.Node]*yaml.Node{}}
	for ; v < AnswersVersion; v++ {
		for _, f := range fs[v] {
			f(u)
		}
	}
	if j := keyIndex(top, "version"); j >= 0 {
		top.Content[j+1].Value = strconv.Itoa(AnswersVersion)
	}
}

// fileVersion is the version a top-level mapping says it is (0: none).
func fileVersion(top *yaml.Node) int {
	if j := keyIndex(top, "version"); j >= 0 {
		v, _ := strconv.Atoi(top.Content[j+1].Value)
		return v
	}
	return 0
}

var unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()

// unknownKeys lists every key of n that type t has no field for, with its
// line and where it is (yaml.v3 refuses unknown keys only while decoding
// bytes, and the file is decoded from its upgraded nodes). The top level
// also takes the keys of registered sections, each checked against its own
// type.
func unknownKeys(n *yaml.Node, t reflect.Type, where string, out *[]string) {
	(&keyWalk{seen: map[walked]bool{}}).walk(n, t, where, out)
}

// keyWalk checks each anchored node once per type: aliases to aliases
// (the "billion laughs") would otherwise be walked an exponential number
// of times; yaml.v3's decoder has its own guard, this walk needs one too.
type keyWalk struct{ seen map[walked]bool }

type walked struct {
	n *yaml.Node
	t reflect.Type
}

func (w *keyWalk) walk(n *yaml.Node, t reflect.Type, where string, out *[]string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil || w.seen[walked{n.Alias, t}] {
			return
		}
		n = n.Alias
		w.seen[walked{n, t}] = true
	}
	if t.Implements(unmarshalerType) || reflect.PointerTo(t).Implements(unmarshalerType) {
		return // it reads its own node
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return // a wrong type: decoding says so
		}
		fields, inline := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if isMerge(k) {
				w.merged(v, t, where, out)
				continue
			}
			if ft, ok := fields[k.Value]; ok {
				w.walk(v, ft, join(where, k.Value), out)
				continue
			}
			if inline && t == reflect.TypeFor[Answers]() {
				if nv, ok := sectionKind(k.Value); ok {
					w.walk(v, reflect.TypeOf(nv()), k.Value, out)
					continue
				}
			}
			in := where
			if in == "" {
				in = "the top level"
			}
			*out = append(*out, fmt.Sprintf("line %d: unknown key %q in %s (a typo? keys are lower_case)", k.Line, k.Value, in))
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if isMerge(n.Content[i]) {
				w.merged(n.Content[i+1], t, where, out)
				continue
			}
			w.walk(n.Content[i+1], t.Elem(), join(where, n.Content[i].Value), out)
		}
	case reflect.Slice, reflect.Array:
		if n.Kind != yaml.SequenceNode {
			return
		}
		for _, e := range n.Content {
			w.walk(e, t.Elem(), where+"[]", out)
		}
	}
}

// isMerge reports YAML's merge key, "<<: *anchor", which yaml.v3 decodes
// as the anchored mapping's keys.
func isMerge(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.Value == "<<" && (k.Tag == "!!merge" || k.Tag == "")
}

// merged walks what a merge key brings in — one mapping, or a list of
// them — as keys of the mapping it is in.
func (w *keyWalk) merged(v *yaml.Node, t reflect.Type, where string, out *[]string) {
	if v.Kind == yaml.SequenceNode {
		for _, e := range v.Content {
			w.walk(e, t, where, out)
		}
		return
	}
	w.walk(v, t, where, out)
}

// yamlFields maps each key struct t decodes to its field's type; inline
// reports an inline map, which takes every other key.
func yamlFields(t reflect.Type) (fields map[string]reflect.Type, inline bool) {
	fields = map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		if strings.Contains(","+opts+",", ",inline,") {
			if f.Type.Kind() == reflect.Map {
				inline = true
				continue
			}
			sub, in := yamlFields(f.Type)
			for k, v := range sub {
				fields[k] = v
			}
			inline = inline || in
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		fields[name] = f.Type
	}
	return fields, inline
}

func join(where, k string) string {
	if where == "" {
		return k
	}
	return where + "." + k
}
