package steps

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"sync"
)

// An answers file may hold several flows of one deployment (they share
// servers). Each flow keeps its own answers in sections under its own keys,
// and the engine keeps each flow's state — progress, files written, the
// admin's ticks, confirmations of permanent changes — beside them, under
// flows.<id>.

// FlowState is the engine's record of one flow.
type FlowState struct {
	Progress Progress `yaml:"progress,omitempty"`
	Ticked   Ticks    `yaml:"ticked,omitempty"`
	// Confirmed holds, by step ID, the admin's confirmation of a permanent change.
	Confirmed map[string]Confirmation `yaml:"confirmed,omitempty"`
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

// FlowState returns the state of flow ("" is the default flow) in a,
// making it when a has none yet.
func (a *Answers) FlowState(flow string) *FlowState {
	if flow == "" {
		flow = DefaultFlowID()
	}
	if a.Flows == nil {
		a.Flows = map[string]*FlowState{}
	}
	st := a.Flows[flow]
	if st == nil {
		st = &FlowState{}
		a.Flows[flow] = st
	}
	return st
}

// State returns where flow's progress and ticks live in a.
func (a *Answers) State(flow string) (*Progress, *Ticks) {
	st := a.FlowState(flow)
	return &st.Progress, &st.Ticked
}

// Confirmed is the admin's confirmation of step's permanent change in the
// flow this Env runs; ok is false when there is none.
func (e *Env) Confirmed(step string) (c Confirmation, ok bool) {
	c, ok = e.Answers.FlowState(e.FlowID).Confirmed[step]
	return c, ok
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

// sectionKinds are the answers sections flows registered.
var sectionKinds struct {
	sync.Mutex
	keys []string
	new  map[string]func() any
}

// RegisterSection declares the answers section key of a flow and the type
// its YAML decodes into (newValue returns a pointer to a zero value). Call
// it from an init function, once per key.
func RegisterSection(key string, newValue func() any) {
	sectionKinds.Lock()
	defer sectionKinds.Unlock()
	if _, dup := sectionKinds.new[key]; dup {
		panic("steps: answers section registered twice: " + key)
	}
	if sectionKinds.new == nil {
		sectionKinds.new = map[string]func() any{}
	}
	sectionKinds.keys = append(sectionKinds.keys, key)
	sectionKinds.new[key] = newValue
}

// sectionKind returns the constructor registered for key.
func sectionKind(key string) (func() any, bool) {
	sectionKinds.Lock()
	defer sectionKinds.Unlock()
	nv, ok := sectionKinds.new[key]
	return nv, ok
}

// fillSections gives a an empty value of every registered section it has
// not got, so that Section only reads: checks run in parallel on one
// Answers, and a lazily made section would be a write to a shared map.
func (a *Answers) fillSections() {
	sectionKinds.Lock()
	defer sectionKinds.Unlock()
	if a.sectionValues == nil {
		a.sectionValues = make(map[string]any, len(sectionKinds.keys))
	}
	for _, k := range sectionKinds.keys {
		if _, ok := a.sectionValues[k]; !ok {
			a.sectionValues[k] = sectionKinds.new[k]()
		}
	}
}

// Section returns a's section key as the *T its flow registered, empty
// when the file has none. It panics when T is not the registered type: a
// programming error, not an admin's. Answers from NewAnswers and
// ParseAnswers hold every registered section already; only a key nobody
// registered (a test's) is made here, on the caller's goroutine.
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

// decodeSections decodes every section of the file into its registered
// type (unknownKeys has refused the keys no flow registered). The nodes
// keep the file's lines, so a wrong type names the line it is on.
func (a *Answers) decodeSections(name string) error {
	keys := make([]string, 0, len(a.Sections))
	for k := range a.Sections {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		n := a.Sections[k]
		nv, ok := sectionKind(k)
		if !ok {
			return BadInput(fmt.Errorf("answers file %s: line %d: unknown key %q in the top level (a typo? keys are lower_case); see docs/answers.md for every key", name, n.Line, k))
		}
		v := nv()
		if err := n.Decode(v); err != nil {
			return BadInput(fmt.Errorf("answers file %s: in %s: %s; see docs/answers.md", name, k, explainYAML(err)))
		}
		if a.sectionValues == nil {
			a.sectionValues = map[string]any{}
		}
		a.sectionValues[k] = v
	}
	return nil
}

// Overlay returns a copy of a whose sections are copies too, to try values
// on: a form sets what the admin is typing in it to see defaults and
// visibility follow, and a stays as saved. Slices and maps inside the
// sections are still shared, so a Set replaces them whole (every Field
// does); Clone is the deep copy.
func (a *Answers) Overlay() *Answers {
	c := *a
	c.sectionValues = make(map[string]any, len(a.sectionValues))
	for k, v := range a.sectionValues {
		rv := reflect.ValueOf(v).Elem()
		cp := reflect.New(rv.Type())
		cp.Elem().Set(rv)
		c.sectionValues[k] = cp.Interface()
	}
	return &c
}
