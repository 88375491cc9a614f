package lab

import (
	"strings"

	ber "github.com/go-asn1-ber/asn1-ber"
	"github.com/go-ldap/ldap/v3"
)

// matches evaluates a compiled LDAP filter against e the way AD does for the
// attributes the lab holds: case-insensitive, objectClass present on every
// entry, and objectCategory=person matching the Person schema object.
func matches(f *ber.Packet, e *ldapEntry) bool {
	switch f.Tag {
	case ldap.FilterAnd:
		for _, c := range f.Children {
			if !matches(c, e) {
				return false
			}
		}
		return true
	case ldap.FilterOr:
		for _, c := range f.Children {
			if matches(c, e) {
				return true
			}
		}
		return false
	case ldap.FilterNot:
		return len(f.Children) == 1 && !matches(f.Children[0], e)
	case ldap.FilterPresent:
		name := str(f)
		return strings.EqualFold(name, "objectClass") || len(e.get(name)) > 0
	case ldap.FilterEqualityMatch, ldap.FilterApproxMatch:
		if len(f.Children) != 2 {
			return false
		}
		name, want := str(f.Children[0]), str(f.Children[1])
		for _, v := range e.get(name) {
			if strings.EqualFold(v, want) {
				return true
			}
			if strings.EqualFold(name, "objectCategory") && strings.EqualFold("CN="+want+",", v[:min(len(v), len(want)+4)]) {
				return true
			}
		}
		return false
	case ldap.FilterSubstrings:
		if len(f.Children) != 2 {
			return false
		}
		for _, v := range e.get(str(f.Children[0])) {
			if substringMatch(strings.ToLower(v), f.Children[1].Children) {
				return true
			}
		}
		return false
	case ldap.FilterGreaterOrEqual, ldap.FilterLessOrEqual:
		if len(f.Children) != 2 {
			return false
		}
		want := strings.ToLower(str(f.Children[1]))
		for _, v := range e.get(str(f.Children[0])) {
			v = strings.ToLower(v)
			if f.Tag == ldap.FilterGreaterOrEqual && v >= want || f.Tag == ldap.FilterLessOrEqual && v <= want {
				return true
			}
		}
		return false
	}
	// Extensible matches (bitwise rules on userAccountControl) match nothing
	// here: the lab's accounts carry no such attributes.
	return false
}

func substringMatch(v string, parts []*ber.Packet) bool {
	for _, p := range parts {
		s := strings.ToLower(str(p))
		switch p.Tag {
		case ldap.FilterSubstringsInitial:
			if !strings.HasPrefix(v, s) {
				return false
			}
			v = v[len(s):]
		case ldap.FilterSubstringsFinal:
			return strings.HasSuffix(v, s)
		default:
			i := strings.Index(v, s)
			if i < 0 {
				return false
			}
			v = v[i+len(s):]
		}
	}
	return true
}

func str(p *ber.Packet) string {
	if s, ok := p.Value.(string); ok {
		return s
	}
	if p.Data != nil {
		return p.Data.String()
	}
	return ""
}
