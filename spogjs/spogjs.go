// Package spogjs reads and patches ECE's spog_config.js
// ({ECE_HOME}\eService\templates\finesse\gadget\spog\spog_config.js), the
// file that tells the ECE gadget inside CCE Administration (SPOG) where ECE's
// web server is. Step 3 of Cisco's integration guide sets exactly two values
// in it:
//
//	var web_server_protocol = "https";
//	var web_server_name = "ece.example.com";
//
// The package changes only the text between the quotes of those two string
// literals and keeps every other byte: line endings (the guide warns that
// Notepad breaks them), a UTF-8 BOM, indentation, quote style, comments.
// It does not evaluate JavaScript: it finds `var|let|const NAME = "…"`
// outside comments, strings, template literals and regular expressions, and
// refuses (changing nothing) when a variable is missing, declared twice or
// not a plain string literal — a person must look at such a file.
package spogjs

import (
	"errors"
	"fmt"
	"strings"
)

// The two variables step 3 sets.
const (
	ProtocolVar = "web_server_protocol"
	NameVar     = "web_server_name"
)

// Setting is one `var NAME = "value"` found in the file.
type Setting struct {
	Name  string `json:"name"`
	Value string `json:"value"` // the raw text between the quotes
	Line  int    `json:"line"`  // 1-based
	Quote byte   `json:"-"`     // ' or "
	// start and end are the byte offsets of Value inside the file.
	start, end int
}

// Config is what spog_config.js says about where ECE is.
type Config struct {
	Protocol   Setting `json:"protocol"`
	ServerName Setting `json:"server_name"`
}

// Want is what step 3 wants the two values to be.
type Want struct {
	Protocol   string // https (ECE does not support non-SSL access)
	ServerName string // the FQDN users type to reach ECE
}

// Validate refuses values that are not a protocol and a host name. They end
// up inside a JavaScript string literal, so nothing that would need escaping
// may pass.
func (w Want) Validate() error {
	switch w.Protocol {
	case "https", "http":
	default:
		return fmt.Errorf("protocol %q: use https (ECE does not support non-SSL access)", w.Protocol)
	}
	if w.ServerName == "" {
		return fmt.Errorf("server name is empty; give the fully qualified name users type to reach ECE, e.g. ece.example.com")
	}
	for _, r := range w.ServerName {
		if !(r == '-' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return fmt.Errorf("server name %q: %q is not allowed in a host name (letters, digits, hyphens and dots only)", w.ServerName, string(r))
		}
	}
	return nil
}

// Problem kinds, for callers that branch on them (errors.Is).
var (
	ErrMissing   = errors.New("variable not found")
	ErrDuplicate = errors.New("variable declared more than once")
	ErrNotString = errors.New("variable is not a plain string literal")
)

// ParseError says which variable is wrong, where, and what to do.
type ParseError struct {
	Var   string
	Kind  error // ErrMissing, ErrDuplicate or ErrNotString
	Lines []int // where it was found (duplicates, non-literals)
}

func (e *ParseError) Error() string {
	switch e.Kind {
	case ErrMissing:
		return fmt.Sprintf("%s: no `var %s = \"…\";` outside comments; this does not look like ECE's spog_config.js — check the path ({ECE_HOME}\\eService\\templates\\finesse\\gadget\\spog\\spog_config.js) or add the line by hand", e.Var, e.Var)
	case ErrDuplicate:
		return fmt.Sprintf("%s is declared %d times (lines %s); the browser uses the last one, so ccewiz will not guess — delete the extra declarations by hand (in an editor that keeps line endings, e.g. Notepad++) and run again", e.Var, len(e.Lines), joinInts(e.Lines))
	case ErrNotString:
		return fmt.Sprintf("%s on line %s is not a plain \"…\" or '…' string; ccewiz only rewrites string literals — set it by hand to a quoted value", e.Var, joinInts(e.Lines))
	}
	return e.Var + ": " + e.Kind.Error()
}

func (e *ParseError) Unwrap() error { return e.Kind }

func joinInts(n []int) string {
	s := make([]string, len(n))
	for i, v := range n {
		s[i] = fmt.Sprint(v)
	}
	return strings.Join(s, ", ")
}

// Parse finds the two settings. Every problem is a *ParseError; when both
// variables are wrong, both are reported (errors.Join).
func Parse(src []byte) (Config, error) {
	found := scan(src)
	var cfg Config
	var errs []error
	for _, name := range []string{ProtocolVar, NameVar} {
		occ := found[name]
		var lines []int
		for _, o := range occ {
			lines = append(lines, o.Line)
		}
		switch {
		case len(occ) == 0:
			errs = append(errs, &ParseError{Var: name, Kind: ErrMissing})
			continue
		case len(occ) > 1:
			errs = append(errs, &ParseError{Var: name, Kind: ErrDuplicate, Lines: lines})
			continue
		case occ[0].Quote == 0:
			errs = append(errs, &ParseError{Var: name, Kind: ErrNotString, Lines: lines})
			continue
		}
		if name == ProtocolVar {
			cfg.Protocol = occ[0]
		} else {
			cfg.ServerName = occ[0]
		}
	}
	return cfg, errors.Join(errs...)
}

// Change is one value Patch rewrites.
type Change struct {
	Var  string `json:"var"`
	Line int    `json:"line"`
	From string `json:"from"`
	To   string `json:"to"`
}

// Result is what Patch worked out. New is Old when nothing changes.
type Result struct {
	Old, New []byte
	Config   Config   // as found in Old
	Changes  []Change // empty: both values already set ("already set")
}

// Changed reports whether New differs from Old.
func (r *Result) Changed() bool { return len(r.Changes) > 0 }

// Patch sets the two values in src. It returns an error, and no new
// content, when want is not valid or src cannot be patched safely.
func Patch(src []byte, want Want) (*Result, error) {
	if err := want.Validate(); err != nil {
		return nil, err
	}
	cfg, err := Parse(src)
	if err != nil {
		return nil, err
	}
	res := &Result{Old: src, New: src, Config: cfg}
	type edit struct {
		s  Setting
		to string
	}
	var edits []edit
	// In file order, so the new content is built front to back.
	ordered := []edit{{cfg.Protocol, want.Protocol}, {cfg.ServerName, want.ServerName}}
	if cfg.ServerName.start < cfg.Protocol.start {
		ordered[0], ordered[1] = ordered[1], ordered[0]
	}
	for _, e := range ordered {
		if e.s.Value != e.to {
			edits = append(edits, e)
			res.Changes = append(res.Changes, Change{Var: e.s.Name, Line: e.s.Line, From: e.s.Value, To: e.to})
		}
	}
	if len(edits) == 0 {
		return res, nil
	}
	out := make([]byte, 0, len(src)+len(want.ServerName)+len(want.Protocol))
	last := 0
	for _, e := range edits {
		out = append(out, src[last:e.s.start]...)
		out = append(out, e.to...)
		last = e.s.end
	}
	out = append(out, src[last:]...)
	res.New = out
	return res, nil
}

// Mismatch is one value that differs from what step 3 wants.
type Mismatch = Change

// Check compares src with want without changing anything: an empty list
// means both values are right.
func Check(src []byte, want Want) ([]Mismatch, error) {
	r, err := Patch(src, want)
	if err != nil {
		return nil, err
	}
	return r.Changes, nil
}
