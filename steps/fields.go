package steps

import (
	"fmt"
	"strconv"
	"strings"

	"ccewiz/secret"
)

// Field constructors bind a field to one answers value, so each step lists
// its fields as data instead of repeating Get/Set closures.

// TextField binds a string answer.
func TextField(key, label, help string, ptr func(*Answers) *string) Field {
	return Field{Key: key, Label: label, Help: help, Kind: Text,
		Get: func(a *Answers) string { return *ptr(a) },
		Set: func(a *Answers, v string) error { *ptr(a) = strings.TrimSpace(v); return nil },
	}
}

// ChoiceField binds a string answer that must be one of options.
func ChoiceField(key, label, help string, options []string, ptr func(*Answers) *string) Field {
	f := TextField(key, label, help, ptr)
	f.Kind = Choice
	f.Options = options
	f.Set = func(a *Answers, v string) error {
		v = strings.TrimSpace(v)
		for _, o := range options {
			if strings.EqualFold(o, v) {
				*ptr(a) = o
				return nil
			}
		}
		return fmt.Errorf("%s: %q is not one of %s", label, v, strings.Join(options, ", "))
	}
	return f
}

// ListField binds a list answer, typed as comma-separated text.
func ListField(key, label, help string, ptr func(*Answers) *[]string) Field {
	return Field{Key: key, Label: label, Help: help, Kind: List,
		Get: func(a *Answers) string { return strings.Join(*ptr(a), ", ") },
		Set: func(a *Answers, v string) error { *ptr(a) = SplitList(v); return nil },
	}
}

// IntField binds a whole-number answer.
func IntField(key, label, help string, ptr func(*Answers) *int) Field {
	return Field{Key: key, Label: label, Help: help, Kind: Int,
		Get: func(a *Answers) string {
			if *ptr(a) == 0 {
				return ""
			}
			return strconv.Itoa(*ptr(a))
		},
		Set: func(a *Answers, v string) error {
			v = strings.TrimSpace(v)
			if v == "" {
				*ptr(a) = 0
				return nil
			}
			n, err := strconv.Atoi(v)
			if err != nil {
				return fmt.Errorf("%s: %q is not a whole number", label, v)
			}
			*ptr(a) = n
			return nil
		},
	}
}

// BoolField binds a yes/no answer.
func BoolField(key, label, help string, ptr func(*Answers) *bool) Field {
	return Field{Key: key, Label: label, Help: help, Kind: Bool,
		Get: func(a *Answers) string { return strconv.FormatBool(*ptr(a)) },
		Set: func(a *Answers, v string) error {
			switch strings.ToLower(strings.TrimSpace(v)) {
			case "true", "yes", "y", "1":
				*ptr(a) = true
			case "false", "no", "n", "0", "":
				*ptr(a) = false
			default:
				return fmt.Errorf("%s: answer yes or no, not %q", label, v)
			}
			return nil
		},
	}
}

// SecretRefField binds a password source. In the TUI the admin types the
// password into a masked input (kept in Env.Secrets under key); Get/Set only
// ever see "env:NAME", "file:PATH" or "" (ask).
func SecretRefField(key, label, help string, ptr func(*Answers) *secret.Ref) Field {
	return Field{Key: key, Label: label, Help: help, Kind: SecretField,
		Get: func(a *Answers) string {
			if ptr(a).IsZero() {
				return ""
			}
			return ptr(a).String()
		},
		Set: func(a *Answers, v string) error {
			r, err := secret.ParseRef(v)
			if err != nil {
				return fmt.Errorf("%s: %w", label, err)
			}
			*ptr(a) = r
			return nil
		},
	}
}

// SplitList splits comma, semicolon or newline separated names, dropping blanks.
func SplitList(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// SetField finds the field with key among fields, validates v and sets it.
func SetField(a *Answers, fields []Field, key, v string) error {
	for _, f := range fields {
		if f.Key != key {
			continue
		}
		if f.Validate != nil {
			if err := f.Validate(a, v); err != nil {
				return BadInput(err)
			}
		}
		if f.Set == nil {
			return nil // shown, not stored: the TUI's form skips it too
		}
		return BadInput(f.Set(a, v))
	}
	return BadInput(fmt.Errorf("no field %q", key))
}

// ValidateFields runs every visible field's validation against the current
// answers and returns one error per problem, each naming the field.
func ValidateFields(a *Answers, fields []Field) []error {
	var errs []error
	for _, f := range fields {
		if f.Visible != nil && !f.Visible(a) {
			continue
		}
		if f.Validate == nil {
			continue
		}
		if err := f.Validate(a, f.Get(a)); err != nil {
			errs = append(errs, fmt.Errorf("%s (%s): %w", f.Label, f.Key, err))
		}
	}
	return errs
}

// SecretSource says, in words, where the password of field f comes from
// now: typed this session, the field's source in the answers, or what is
// in force without one (Field.InForce). Every UI shows it in full at the
// field, so the admin never types over a source without knowing.
func SecretSource(env *Env, f Field) string {
	ref := ""
	if f.Get != nil {
		ref = f.Get(env.Answers)
	}
	switch {
	case !env.Secrets[f.Key].IsZero():
		return "typed earlier in this session — leave empty to keep it"
	case ref != "":
		return "from " + ref + " (in the answers file) — leave empty to use it"
	case f.InForce != nil:
		if s := f.InForce(env.Answers); s != "" {
			return s
		}
	}
	return "typed here, kept for this session only; or type env:NAME or file:PATH to keep a source in the answers file"
}

// EnterSecret takes what the admin typed into password field f, by one
// rule for every UI: env:NAME or file:PATH is a source, kept in the answers;
// anything else is the password itself, kept in env.Secrets for this session
// only. note is what the UI should say about it ("" for nothing typed).
func EnterSecret(env *Env, f Field, typed string) (note string, err error) {
	typed = strings.TrimSpace(typed)
	if typed == "" {
		return "", nil
	}
	if strings.HasPrefix(typed, "env:") || strings.HasPrefix(typed, "file:") {
		if f.Set == nil {
			return "", BadInput(fmt.Errorf("%s: this password cannot come from a source; type the password itself", f.Label))
		}
		if err := f.Set(env.Answers, typed); err != nil {
			return "", BadInput(err)
		}
		delete(env.Secrets, f.Key)
		return fmt.Sprintf("%s: the password now comes from %s (kept in the answers file)", f.Label, typed), nil
	}
	if env.Secrets == nil {
		env.Secrets = map[string]secret.Secret{}
	}
	env.Secrets[f.Key] = secret.New(typed)
	if f.Get != nil {
		if ref := f.Get(env.Answers); ref != "" {
			return fmt.Sprintf("%s: the password typed is used in this session only; a later `ccewiz check` or `apply` still reads %s — "+
				"to keep the typed one, save it in a file (or an environment variable) and type file:PATH (or env:NAME) here instead", f.Label, ref), nil
		}
	}
	return "", nil
}
