// Package secret holds passwords in a type that cannot leak by accident: it
// prints as •••• in every fmt verb and refuses to be marshalled, so a
// password can never end up in the answers file, a JSON report or a log
// line. Passwords come from a masked prompt, an environment variable or a
// file; the answers file only ever stores where to get one (a Ref).
package secret

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"unicode/utf16"

	"go.yaml.in/yaml/v3"

	"ccewiz/safefile"
)

// Mask is what a Secret looks like wherever it is printed.
const Mask = "••••"

// Secret is a password. The zero value is "no password".
type Secret struct{ v string }

// New wraps s.
func New(s string) Secret { return Secret{v: s} }

// Reveal returns the password itself, for the one call that needs it
// (a bind, a keystore MAC). Never pass the result to a formatter.
func (s Secret) Reveal() string { return s.v }

// Bytes returns the password as bytes (keystore APIs want []byte).
func (s Secret) Bytes() []byte { return []byte(s.v) }

// IsZero reports whether no password was given.
func (s Secret) IsZero() bool { return s.v == "" }

func (s Secret) String() string   { return Mask }
func (s Secret) GoString() string { return "secret.Secret{" + Mask + "}" }

// Format makes %v, %+v, %#v, %s, %q and %x all print the mask.
func (s Secret) Format(f fmt.State, verb rune) { fmt.Fprint(f, Mask) }

// ErrMarshal is returned by every marshaller: a Secret must never be written.
var ErrMarshal = errors.New("secret: refusing to write a password (store a reference: env: NAME or file: PATH)")

func (Secret) MarshalJSON() ([]byte, error)      { return nil, ErrMarshal }
func (Secret) MarshalText() ([]byte, error)      { return nil, ErrMarshal }
func (Secret) MarshalYAML() (interface{}, error) { return nil, ErrMarshal }

// Ref says where a password comes from. It is what the answers file stores:
//
//	bind_password: {env: CCEWIZ_LDAP_PASSWORD}
//	storepass: {file: /run/secrets/cacerts}
//
// An empty Ref means "ask for it".
type Ref struct {
	Env  string `yaml:"env,omitempty" json:"env,omitempty"`
	File string `yaml:"file,omitempty" json:"file,omitempty"`
}

// UnmarshalYAML reads {env: NAME} or {file: PATH}. Anything else in a
// password field may be the password itself, so its errors say where it is
// and what to write instead, never what it holds (yaml's own message quotes
// the value).
func (r *Ref) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	bad := func(n *yaml.Node, msg string) error {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %s", n.Line, msg)}}
	}
	if n.Kind != yaml.MappingNode {
		if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
			*r = Ref{}
			return nil
		}
		return bad(n, "a password is never stored in the answers file; write where to get it: {env: NAME} or {file: PATH}")
	}
	var out Ref
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if v.Kind == yaml.AliasNode && v.Alias != nil {
			v = v.Alias
		}
		var dst *string
		switch k.Value {
		case "env":
			dst = &out.Env
		case "file":
			dst = &out.File
		default:
			// {Passw0rd} is a mapping in YAML: name the key only when it
			// reads like a misspelt source, not like a password.
			what := "an unknown key"
			if sourceLike(k.Value) {
				what = fmt.Sprintf("unknown key %q", k.Value)
			}
			return bad(k, what+" in a password source (only env: or file: are allowed)")
		}
		if v.Kind != yaml.ScalarNode {
			return bad(v, fmt.Sprintf("%s: is a password source's %s, so it takes text: {env: NAME} or {file: PATH}", k.Value, map[string]string{"env": "variable name", "file": "file path"}[k.Value]))
		}
		if v.ShortTag() != "!!null" {
			*dst = v.Value
		}
	}
	if out.Env != "" && out.File != "" {
		return bad(n, "a password source is {env: NAME} or {file: PATH}, not both: say which one is in force")
	}
	*r = out
	return nil
}

// sourceLike reports a key that is a known password-source word (vault,
// path, value…) or a typo of env/file: safe to repeat in an error. A
// lower-case password is a short lower-case word too, so the shape alone
// is not enough.
func sourceLike(s string) bool {
	s = strings.ToLower(s)
	switch s {
	case "vault", "path", "value", "var", "variable", "environment", "password", "secret", "keyring", "cmd", "command":
		return true
	}
	return editDistance(s, "env") <= 1 || editDistance(s, "file") <= 1
}

// editDistance counts the edits (insert, delete, change, swap two
// neighbours) from a to b: "fiel" is one from "file".
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// IsZero reports whether the Ref names no source.
func (r Ref) IsZero() bool { return r.Env == "" && r.File == "" }

func (r Ref) String() string {
	switch {
	case r.Env != "":
		return "env:" + r.Env
	case r.File != "":
		return "file:" + r.File
	}
	return "(ask)"
}

// ParseRef reads "env:NAME", "file:PATH" or "" (ask). It is what the CLI and
// the TUI accept where a password source is typed as text.
func ParseRef(s string) (Ref, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "" || s == "(ask)":
		return Ref{}, nil
	case strings.HasPrefix(s, "env:"):
		name := strings.TrimSpace(strings.TrimPrefix(s, "env:"))
		if name == "" {
			return Ref{}, fmt.Errorf("password source %q: the variable name is missing (write env:NAME)", s)
		}
		return Ref{Env: name}, nil
	case strings.HasPrefix(s, "file:"):
		p := strings.TrimSpace(strings.TrimPrefix(s, "file:"))
		if p == "" {
			return Ref{}, fmt.Errorf("password source %q: the path is missing (write file:PATH)", s)
		}
		return Ref{File: p}, nil
	}
	// Do not quote s: an admin who typed the password itself must not see it echoed.
	return Ref{}, errors.New("password source: write env:NAME or file:PATH (a password itself is never stored)")
}

// FromFlags builds a Ref from a --xxx-env and a --xxx-file flag pair.
func FromFlags(flagPrefix, envName, file string) (Ref, error) {
	if envName != "" && file != "" {
		return Ref{}, fmt.Errorf("--%s-env and --%s-file both given: choose one", flagPrefix, flagPrefix)
	}
	return Ref{Env: envName, File: file}, nil
}

// ErrNotGiven means the Ref was empty and nobody could be asked.
var ErrNotGiven = errors.New("no password given")

// Resolve reads the password the Ref points at. label names it in errors
// ("LDAP bind password"). An empty Ref returns ErrNotGiven.
func (r Ref) Resolve(label string) (Secret, error) {
	switch {
	case r.Env != "":
		v, ok := os.LookupEnv(r.Env)
		if !ok {
			return Secret{}, fmt.Errorf("%s: environment variable %s is not set; export it, or point to a file instead", label, r.Env)
		}
		if v == "" {
			return Secret{}, fmt.Errorf("%s: environment variable %s is empty", label, r.Env)
		}
		return New(v), nil
	case r.File != "":
		b, err := safefile.Read(r.File, safefile.MaxPassword)
		if err != nil {
			return Secret{}, fmt.Errorf("%s: read password file: %w", label, err)
		}
		v := passwordLine(b)
		if v == "" {
			return Secret{}, fmt.Errorf("%s: password file %s is empty", label, r.File)
		}
		return New(v), nil
	}
	return Secret{}, fmt.Errorf("%s: %w (use an env var or a file, or run interactively to be asked)", label, ErrNotGiven)
}

// passwordLine is the password in a password file: its first line, without
// the line end an editor or `echo` adds, decoded from UTF-16 when the file
// starts with a UTF-16 byte-order mark (what Windows PowerShell 5's
// `"pw" > file` writes) and without a UTF-8 one (Notepad's "UTF-8 with BOM").
func passwordLine(b []byte) string {
	var s string
	switch {
	case len(b) >= 2 && (b[0] == 0xFF && b[1] == 0xFE || b[0] == 0xFE && b[1] == 0xFF):
		le := b[0] == 0xFF
		b = b[2:]
		u := make([]uint16, 0, len(b)/2)
		for i := 0; i+1 < len(b); i += 2 {
			if le {
				u = append(u, uint16(b[i])|uint16(b[i+1])<<8)
			} else {
				u = append(u, uint16(b[i])<<8|uint16(b[i+1]))
			}
		}
		s = string(utf16.Decode(u))
	default:
		s = strings.TrimPrefix(string(b), "\uFEFF")
	}
	s, _, _ = strings.Cut(s, "\n")
	return strings.TrimRight(s, "\r")
}
