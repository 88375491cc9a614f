package steps

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Flow is one integration as a value: its ID (what --flow takes), a title,
// and its steps in order. Drivers take a Flow and know no integration; a
// step finds its siblings through the flow it is run in (Env.Flow), never
// through a global.
type Flow struct {
	ID    string // "ece"
	Title string // "ECE ↔ PCCE"
	Steps []Step
	// Sections are the keys of the flow's answers sections (each registered
	// with RegisterSection), in the order a new answers file lists them.
	Sections []string
	// Default marks the flow a command runs without --flow (one per build;
	// ECE's, which every answers file before flows existed was).
	Default bool
}

// Find returns the step with id, or nil.
func (f *Flow) Find(id string) Step { return Find(f.Steps, id) }

var (
	flowsMu    sync.Mutex
	registered []func() *Flow
	defaultID  string
	// sectionKeys are every flow's Sections, the default flow's first.
	sectionKeys []string
)

// RegisterFlow adds a flow (a func that builds it: every driver gets its
// own steps) to those --flow can name. Call it from an init function.
func RegisterFlow(f func() *Flow) {
	flowsMu.Lock()
	defer flowsMu.Unlock()
	fl := f()
	if fl.Default {
		if defaultID != "" {
			panic("steps: two default flows: " + defaultID + " and " + fl.ID)
		}
		defaultID = fl.ID
		sectionKeys = append(slices.Clone(fl.Sections), sectionKeys...)
	} else {
		sectionKeys = append(sectionKeys, fl.Sections...)
	}
	registered = append(registered, f)
}

// DefaultFlowID is the ID of the flow a command runs without --flow ("" in
// a build that has none: the engine's own tests).
func DefaultFlowID() string {
	flowsMu.Lock()
	defer flowsMu.Unlock()
	return defaultID
}

// Flows are every integration this build carries (every flow package
// main imports), the default first.
func Flows() []*Flow {
	flowsMu.Lock()
	defer flowsMu.Unlock()
	var out []*Flow
	for _, f := range registered {
		if fl := f(); fl.Default {
			out = append([]*Flow{fl}, out...)
		} else {
			out = append(out, fl)
		}
	}
	return out
}

// FlowByID returns the flow called id ("" is the default), or a bad-input
// error naming the flows there are.
func FlowByID(id string) (*Flow, error) {
	all := Flows()
	if id == "" && len(all) > 0 {
		return all[0], nil
	}
	var ids []string
	for _, f := range all {
		if strings.EqualFold(f.ID, id) {
			return f, nil
		}
		ids = append(ids, f.ID)
	}
	return nil, BadInput(fmt.Errorf("no flow is called %q; choose %s", id, strings.Join(ids, ", ")))
}

// FlowTitle is the title of the flow called id ("" is the default).
func FlowTitle(id string) string {
	if f, err := FlowByID(id); err == nil {
		return f.Title
	}
	return id
}

// Find returns the step with id among steps, or nil.
func Find(steps []Step, id string) Step {
	for _, s := range steps {
		if s.ID() == id {
			return s
		}
	}
	return nil
}

// Labeled is implemented by steps with a short title for narrow places
// (the sidebar: 18 cells at 80 columns) and the number the vendor's guide
// gives them, shown beside the wizard's own. A step may have either alone.
type Labeled interface {
	ShortTitle() string
	GuideStep() string // "4.1", "" for none
}

// ShortTitle is st's short title, or its title.
func ShortTitle(st Step) string {
	if l, ok := st.(interface{ ShortTitle() string }); ok && l.ShortTitle() != "" {
		return l.ShortTitle()
	}
	return st.Title()
}

// GuideStep is the guide's number for st, "" when it has none.
func GuideStep(st Step) string {
	if l, ok := st.(interface{ GuideStep() string }); ok {
		return l.GuideStep()
	}
	return ""
}

// FlowArg is what a command shown to the admin needs to name flow id:
// nothing for the default flow, else " --flow id".
func FlowArg(id string) string {
	if id == "" || id == Flows()[0].ID {
		return ""
	}
	return " --flow " + id
}

// sectionOrder is where section key goes among a new file's keys: the
// flows' Sections, the default flow's first; -1 for a key no flow lists.
func sectionOrder(key string) int {
	flowsMu.Lock()
	defer flowsMu.Unlock()
	return slices.Index(sectionKeys, key)
}
