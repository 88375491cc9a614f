package steps

import (
	"fmt"
	"os/user"
	"time"

	"go.yaml.in/yaml/v3"
)

// Tick is the admin's confirmation of a manual check: when and by whom.
// Answers files written before ccewiz kept who and when say `true`; those
// ticks still count, with both left empty.
type Tick struct {
	At  string // RFC 3339
	By  string // the OS or SSH user who confirmed it
	off bool   // `false` in the file: not confirmed
}

// MarshalYAML writes {at, by}, or true for a tick that has neither.
func (t Tick) MarshalYAML() (any, error) {
	switch {
	case t.off:
		return false, nil
	case t.At == "" && t.By == "":
		return true, nil
	}
	return struct {
		At string `yaml:"at,omitempty"`
		By string `yaml:"by,omitempty"`
	}{t.At, t.By}, nil
}

// UnmarshalYAML reads true/false or {at, by}.
func (t *Tick) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		var on bool
		if err := n.Decode(&on); err != nil {
			return fmt.Errorf("line %d: a ticked item is true, or {at: TIME, by: NAME}", n.Line)
		}
		*t = Tick{off: !on}
		return nil
	}
	var v struct {
		At string `yaml:"at"`
		By string `yaml:"by"`
	}
	if err := n.Decode(&v); err != nil {
		return fmt.Errorf("line %d: a ticked item is true, or {at: TIME, by: NAME}", n.Line)
	}
	*t = Tick{At: v.At, By: v.By}
	return nil
}

// TickAs records a tick of the Env's flow by the Env's user, now.
func (e *Env) TickAs(id string, on bool) {
	e.FlowTicks().Set(id, on, e.User, e.Time().UTC().Format(time.RFC3339))
}

// osUser is who runs ccewiz here, for the record of what they confirmed.
func osUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return ""
}
