package steps

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"sync"

	"go.yaml.in/yaml/v3"
)

// An answers file may hold several flows of one deployment (they share
// servers). Each flow keeps its own answers in a section under its own key,
// and the engine keeps each flow's state — progress, files written, the
// admin's ticks — beside it, under flows.<id>. The ECE flow, the first,
// keeps both at the top level, where version 1 files have them.

// FlowState is the engine's record of one flow.
type FlowState struct {
	Progress Progress `yaml:"progress,omitempty"`
	Ticked   Ticks    `yaml:"ticked,omitempty"`
}

// Ticks are the manual checks the admin confirmed, by check ID.
type Ticks map[string]Tick

// IsTicked reports whether the admin confirmed the manual check id.
func (t Ticks) IsTicked(id string) bool {
	tk, ok := t[id]
	return ok && !tk.off
}

// Set records that the admin confirmed (on) or unconfirmed the check id.
func (t *Ticks) Set(id string, on bool, by string, at string) {
	if !on {
		delete(*t, id)
		return
	}
	if *t == nil {
		*t = Ticks{}
	}
	(*t)[id] = Tick{At: at, By: by}
}

// State returns where flow's progress and ticks live in a.
func (a *Answers) State(flow string) (*Progress, *Ticks) {
	if flow == "" || flow == ECEFlowID {
		return &a.Progress, &a.Validation.Ticked
	}
	if a.Flows == nil {
		a.Flows = map[string]*FlowState{}
	}
	st := a.Flows[flow]
	if st == nil {
		st = &FlowState{}
		a.Flows[flow] = st
	}
	return &st.Progress, &st.Ticked
}

// FlowProgress is the progress of the flow this Env runs.
func (e *Env) FlowProgress() *Progress {
	p, _ := e.Answers.State(e.FlowID)
	return p
}

// FlowTicks are the ticks of the flow this Env runs.
func (e *Env) FlowTicks() *Ticks {
	_, t := e.Answers.State(e.FlowID)
	return t
}

// MarkDone records that step id was completed, for resuming.
func (p *Progress) MarkDone(id string) {
	if !p.IsDone(id) {
		p.Done = append(p.Done, id)
	}
}

// MarkUndone forgets that step id was completed: a check of it fails now.
func (p *Progress) MarkUndone(id string) {
	p.Done = slices.DeleteFunc(p.Done, func(d string) bool { return d == id })
}

// IsDone reports whether step id was completed.
func (p *Progress) IsDone(id string) bool { return slices.Contains(p.Done, id) }

// RecordWritten adds what an Apply wrote (a write listed already is not
// repeated). Callers record on the goroutine that owns the answers, not
// inside Apply: the TUI runs Apply in the background.
func (p *Progress) RecordWritten(ws ...Written) {
	for _, w := range ws {
		if !slices.Contains(p.Written, w) {
			p.Written = append(p.Written, w)
		}
	}
}

// sections are the answers sections flows registered, by key.
var sections sync.Map // string → func() any

// RegisterSection declares the answers section key of a flow and the type
// its YAML decodes into (newValue returns a pointer to a zero value). Call
// it from an init function, once per key.
func RegisterSection(key string, newValue func() any) {
	if _, dup := sections.LoadOrStore(key, newValue); dup {
		panic("steps: answers section registered twice: " + key)
	}
}

// Section returns a's section key as the *T its flow registered, empty
// when the file has none. It panics when T is not the registered type: a
// programming error, not an admin's.
func Section[T any](a *Answers, key string) *T {
	if v, ok := a.sectionValues[key]; ok {
		return v.(*T)
	}
	v := new(T)
	if a.sectionValues == nil {
		a.sectionValues = map[string]any{}
	}
	a.sectionValues[key] = v
	return v
}

// SectionValues returns, by key, the typed value of every section a holds
// (each a pointer the caller may read but must not keep): code that walks
// every answer, such as serve's check of password sources, must see the
// flows' sections as well as the fields of Answers.
func SectionValues(a *Answers) map[string]any {
	out := make(map[string]any, len(a.sectionValues))
	for k, v := range a.sectionValues {
		out[k] = v
	}
	return out
}

// decodeSections checks every top-level key the answers struct does not
// know against the registered sections and decodes each, strictly, into
// its type.
func (a *Answers) decodeSections(name string, data []byte) error {
	keys := make([]string, 0, len(a.Sections))
	for k := range a.Sections {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		n := a.Sections[k]
		nv, ok := sections.Load(k)
		if !ok {
			return BadInput(fmt.Errorf("answers file %s: line %d: unknown key %q in the top level (a typo? keys are lower_case); see docs/answers.md for every key", name, keyLine(data, k, n.Line), k))
		}
		v := nv.(func() any)()
		// Node.Decode cannot refuse unknown keys: encode the section again
		// and decode it as a document of its own, with KnownFields.
		b, err := yaml.Marshal(&n)
		if err != nil {
			return BadInput(fmt.Errorf("answers file %s: section %s: %v", name, k, err))
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		dec.KnownFields(true)
		if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
			return BadInput(fmt.Errorf("answers file %s: in %s (from line %d): %s; see docs/answers.md", name, k, n.Line, explainYAML(err)))
		}
		if a.sectionValues == nil {
			a.sectionValues = map[string]any{}
		}
		a.sectionValues[k] = v
	}
	return nil
}

// encodeSections puts the typed sections back as nodes before the answers are written.
func (a *Answers) encodeSections() error {
	for k, v := range a.sectionValues {
		var n yaml.Node
		if err := n.Encode(v); err != nil {
			return fmt.Errorf("render answers section %s: %w", k, err)
		}
		if a.Sections == nil {
			a.Sections = map[string]yaml.Node{}
		}
		a.Sections[k] = n
	}
	return nil
}

// keyLine is the line of top-level key k in data (the inline map keeps only
// the value's line, which is the next one for a block mapping).
func keyLine(data []byte, k string, fallback int) int {
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		return fallback
	}
	m := doc.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == k {
			return m.Content[i].Line
		}
	}
	return fallback
}
