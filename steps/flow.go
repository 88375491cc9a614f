package steps

import (
	"fmt"
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
}

// Find returns the step with id, or nil.
func (f *Flow) Find(id string) Step { return Find(f.Steps, id) }

// ECEFlowID is the ECE ↔ PCCE flow's ID, the default.
const ECEFlowID = "ece"

var (
	flowsMu    sync.Mutex
	registered []func() *Flow
)

// RegisterFlow adds a flow (a func that builds it: every driver gets its
// own steps) to those --flow can name. Call it from an init function.
func RegisterFlow(f func() *Flow) {
	flowsMu.Lock()
	defer flowsMu.Unlock()
	registered = append(registered, f)
}

// Flows are every integration this build carries (every flow package
// main imports), the default (ECEFlowID) first.
func Flows() []*Flow {
	flowsMu.Lock()
	defer flowsMu.Unlock()
	var out []*Flow
	for _, f := range registered {
		if fl := f(); fl.ID == ECEFlowID {
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
