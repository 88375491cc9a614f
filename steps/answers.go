package steps

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"ccewiz/safefile"
)

// AnswersVersion is the answers-file version this build writes. It reads
// every earlier one too: each flow upgrades its own keys as the file loads
// (RegisterUpgrade), and the next save writes this version.
const AnswersVersion = 2

// DefaultAnswersPath is used when --answers is not given.
const DefaultAnswersPath = "ccewiz.yaml"

// Answers is everything the admin enters, so a run can be resumed, reviewed,
// shared and replayed by `check`/`apply` on each server. It never holds a
// password: password fields are secret.Ref (where to get one). Every key is
// documented in docs/answers.md; keep the two in step.
//
// The engine holds only what every flow shares — the deployment's name,
// the DNS overrides and each flow's state. Each flow's own answers are
// sections under the keys it registered (RegisterSection); read them with
// Section.
type Answers struct {
	Version int           `yaml:"version"`
	Report  ReportAnswers `yaml:"report,omitempty"`
	// Resolve overrides DNS for ccewiz only ("ece.example.com:443": "127.0.0.1:8443"
	// or "dc1.example.local": "127.0.0.1"); the lab uses it. /etc/hosts is never edited.
	Resolve map[string]string `yaml:"resolve,omitempty"`
	// Flows is the engine's state of each flow, by flow ID.
	Flows map[string]*FlowState `yaml:"flows,omitempty"`
	// Sections takes the flows' sections off the file while it is read
	// (yaml.v3 fills only an exported inline map); ParseAnswers decodes
	// each into its type and empties it. Read them with Section.
	Sections      map[string]yaml.Node `yaml:",inline"`
	sectionValues map[string]any
}

// ReportAnswers name the deployment in the integration report a partner
// hands over.
type ReportAnswers struct {
	Customer string `yaml:"customer,omitempty"`
	Site     string `yaml:"site,omitempty"`
}

// Progress lets a wizard run resume where it stopped.
type Progress struct {
	Current string   `yaml:"current,omitempty"`
	Done    []string `yaml:"done,omitempty"`
	// Written lists every file changed with these answers, in order, and
	// where its previous version went: the report's way back, whichever
	// session (TUI, apply, serve) made the change.
	Written []Written `yaml:"written,omitempty"`
	// Handoff keeps, by step, what its last applied plan left to people:
	// values to type into a GUI and commands to run on other servers. The
	// report lists them, so the hand-over says what is still to do.
	Handoff map[string]Handoff `yaml:"handoff,omitempty"`
}

// Handoff is what a step's applied plan asked of the admin.
type Handoff struct {
	At       string     `yaml:"at"` // RFC 3339, when it was applied
	GUI      []GUIEntry `yaml:"gui,omitempty"`
	Commands []Command  `yaml:"commands,omitempty"`
}

// RecordIn keeps what an Apply did in the state of the flow env runs: the
// files it wrote (with their backups) and a confirmation it took, under the
// step's ID. Call it on the goroutine that owns the answers, after Apply
// returns — also when Apply failed or was cancelled, since files written
// before that are changed all the same.
func (o *Outcome) RecordIn(env *Env, step string) {
	if o == nil {
		return
	}
	st := env.Answers.FlowState(env.FlowID)
	st.Progress.RecordWritten(o.Written...)
	if c := o.Confirmed; c != nil {
		if st.Confirmed == nil {
			st.Confirmed = map[string]Confirmation{}
		}
		st.Confirmed[step] = *c
	}
}

// Clone returns a deep copy of a, made through the answers file's own
// encoding so that no slice or map is shared: a background run works on a
// copy while the admin edits the original.
func (a *Answers) Clone() *Answers {
	v := *a
	v.Version = AnswersVersion // a test's zero version must not stop the copy
	data, err := MarshalAnswers(&v)
	if err == nil {
		var c *Answers
		if c, err = ParseAnswers("(copy)", data); err == nil {
			c.Version = a.Version
			return c
		}
	}
	panic("steps: answers do not survive their own encoding: " + err.Error())
}

// NewAnswers returns answers with the defaults an experienced admin would pick.
func NewAnswers() *Answers {
	a := &Answers{Version: AnswersVersion}
	a.fillSections()
	return a
}

var reBadType = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`line (\d+): cannot unmarshal !!(\w+) (.*) into (\S+)`)
})

// ParseAnswers reads an answers file of any version up to AnswersVersion,
// upgrading an older one. Unknown keys and wrong types are errors naming
// the key and the line; name is used in messages.
func ParseAnswers(name string, data []byte) (*Answers, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, BadInput(fmt.Errorf("answers file %s: %s; see docs/answers.md for every key", name, explainYAML(err)))
	}
	if len(doc.Content) == 0 || strings.TrimSpace(string(data)) == "" {
		return nil, BadInput(fmt.Errorf("answers file %s is empty; start from examples/ccewiz.yaml or run the wizard", name))
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return nil, BadInput(fmt.Errorf("answers file %s: line %d: the file is not a list of keys (version:, profile:, …); start from examples/ccewiz.yaml", name, top.Line))
	}
	var head struct {
		Version int `yaml:"version"`
	}
	if err := top.Decode(&head); err != nil {
		return nil, BadInput(fmt.Errorf("answers file %s: %s; see docs/answers.md for every key", name, explainYAML(err)))
	}
	if head.Version < 1 || head.Version > AnswersVersion {
		return nil, BadInput(fmt.Errorf("answers file %s: version: %d is not supported; this ccewiz reads versions 1 to %d", name, head.Version, AnswersVersion))
	}
	upgrade(top, head.Version)
	var unknown []string
	unknownKeys(top, reflect.TypeFor[Answers](), "", &unknown)
	if len(unknown) > 0 {
		return nil, BadInput(fmt.Errorf("answers file %s: %s; see docs/answers.md for every key", name, strings.Join(unknown, "; ")))
	}
	a := &Answers{}
	if err := top.Decode(a); err != nil {
		return nil, BadInput(fmt.Errorf("answers file %s: %s; see docs/answers.md for every key", name, explainYAML(err)))
	}
	if err := a.decodeSections(name); err != nil {
		return nil, err
	}
	a.Sections = nil
	a.fillSections()
	return a, nil
}

func explainYAML(err error) string {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return err.Error()
	}
	var msgs []string
	for _, e := range te.Errors {
		if m := reBadType().FindStringSubmatch(e); m != nil {
			msgs = append(msgs, fmt.Sprintf("line %s: %s is a %s, but %s is expected", m[1], m[3], yamlKind(m[2]), goKind(m[4])))
			continue
		}
		msgs = append(msgs, e)
	}
	return strings.Join(msgs, "; ")
}

func yamlKind(tag string) string {
	switch tag {
	case "str":
		return "text"
	case "seq":
		return "list"
	case "map":
		return "mapping"
	case "int", "float":
		return "number"
	}
	return tag
}

func goKind(t string) string {
	switch {
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case t == "int":
		return "a whole number"
	case t == "bool":
		return "true or false"
	case t == "string":
		return "text"
	case strings.HasPrefix(t, "map"):
		return "a mapping"
	}
	return "a mapping (" + t + ")"
}

// ErrNoAnswers is matched (errors.Is) when the answers file is not there,
// so a command can say how its own flow creates one.
var ErrNoAnswers = errors.New("no answers file")

type noAnswers struct{ path string }

func (e noAnswers) Error() string {
	return fmt.Sprintf("answers file %s does not exist; run `ccewiz` to create it, or copy examples/ccewiz.yaml", e.path)
}
func (noAnswers) Is(target error) bool { return target == ErrNoAnswers }

// LoadAnswers reads the answers file at path.
func LoadAnswers(path string) (*Answers, error) {
	data, err := safefile.Read(path, safefile.MaxAnswers)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, BadInput(noAnswers{path})
	}
	if err != nil {
		return nil, BadInput(fmt.Errorf("read answers file: %w", err))
	}
	return ParseAnswers(path, data)
}

// MarshalAnswers renders a as YAML. It cannot contain a password: Refs only.
func MarshalAnswers(a *Answers) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("# ccewiz answers file — no passwords here, only where to get them (env: / file:).\n# Every key: docs/answers.md\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(a.document()); err != nil {
		return nil, fmt.Errorf("render answers: %w", err)
	}
	enc.Close()
	return buf.Bytes(), nil
}

// blank reports a value with nothing set in it: zero, or only empty lists
// and maps (`ca_response: []` in a file sets nothing: the section it is in
// is not written again, and the next read agrees — FuzzParseAnswers).
func blank(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		return v.IsNil() || blank(v.Elem())
	case reflect.Slice, reflect.Map:
		return v.Len() == 0
	case reflect.Struct:
		for i := range v.NumField() {
			if !blank(v.Field(i)) {
				return false
			}
		}
		return true
	}
	return v.IsZero()
}

// document is a as one value for the encoder, its keys in the order a new
// file lists them: version, the flows' sections as the flows list them
// (the default flow's first; a flow's steps read top down), then the
// engine's other keys.
// A section with nothing set is left out: every registered section is in
// every Answers (fillSections), but a file holds only the flows it is used
// for. One encoding pass, straight to bytes: yaml.Node round trips made a
// Clone three times slower. A file on disk keeps its own order (keepLayout).
func (a *Answers) document() any {
	keys := make([]string, 0, len(a.sectionValues))
	for k, v := range a.sectionValues {
		if !blank(reflect.ValueOf(v)) {
			keys = append(keys, k)
		}
	}
	rank := func(k string) int {
		if i := sectionOrder(k); i >= 0 {
			return i
		}
		return 1 << 20 // a key nobody registered (a test's): last, by name
	}
	sort.Slice(keys, func(i, j int) bool {
		if ri, rj := rank(keys[i]), rank(keys[j]); ri != rj {
			return ri < rj
		}
		return keys[i] < keys[j]
	})
	at := reflect.ValueOf(a).Elem()
	var fields []reflect.StructField
	var values []reflect.Value
	add := func(tag string, v reflect.Value) {
		fields = append(fields, reflect.StructField{Name: fmt.Sprintf("F%d", len(fields)), Type: v.Type(), Tag: reflect.StructTag(`yaml:"` + tag + `"`)})
		values = append(values, v)
	}
	t := at.Type()
	var engine []int
	for i := range t.NumField() {
		switch tag := t.Field(i).Tag.Get("yaml"); {
		case !t.Field(i).IsExported() || strings.Contains(tag, "inline"):
		case strings.HasPrefix(tag, "version"):
			add(tag, at.Field(i))
		default:
			engine = append(engine, i)
		}
	}
	for _, k := range keys {
		add(k, reflect.ValueOf(a.sectionValues[k]))
	}
	for _, i := range engine {
		add(t.Field(i).Tag.Get("yaml"), at.Field(i))
	}
	doc := reflect.New(reflect.StructOf(fields)).Elem()
	for i, v := range values {
		doc.Field(i).Set(v)
	}
	return doc.Interface()
}

// SaveAnswers writes a to path atomically. backup makes a timestamped copy
// of the previous version first (the TUI does so on its first save of a session).
func SaveAnswers(path string, a *Answers, backup bool) (safefile.Result, error) {
	data, err := MarshalAnswers(a)
	if err != nil {
		return safefile.Result{}, err
	}
	return WriteAnswers(path, data, backup)
}

// WriteAnswers writes answers already rendered by MarshalAnswers: a UI
// renders them where it owns them and writes the bytes in the background.
// Under the file's lock, the file on disk lends them its comments and key
// order (keepLayout); answers it already holds are not written at all.
// They are parsed back before the file is replaced.
func WriteAnswers(path string, data []byte, backup bool) (safefile.Result, error) {
	unlock, err := safefile.Lock(path, safefile.LockOptions{})
	if err != nil {
		return safefile.Result{Path: path}, err
	}
	defer unlock()
	if old, err := safefile.Read(path, safefile.MaxAnswers); err == nil {
		out, same, err := keepLayout(old, data)
		if err != nil {
			return safefile.Result{Path: path}, err
		}
		if same {
			return safefile.Result{Path: path}, nil
		}
		data = out
	}
	return safefile.Replace(path, data, safefile.Options{
		Perm:     0o644,
		NoBackup: !backup,
		Locked:   true,
		Verify: func(b []byte) error {
			_, err := ParseAnswers(path, b)
			return err
		},
	})
}
