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
