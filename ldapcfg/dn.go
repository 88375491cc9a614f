package ldapcfg

import (
	"fmt"
	"strings"

	"github.com/go-ldap/ldap/v3"
)

// DNError says which part of a distinguished name is malformed: admins copy
// DNs out of "Active Directory Users and Computers" by hand, and "invalid DN"
// does not tell them which of five parts lost its "CN=".
type DNError struct {
	DN     string
	Part   string // the malformed component as typed, e.g. "DC="
	Index  int    // 1-based position of Part
	Reason string
	Err    error // the go-ldap parser's error, when it produced one
}

func (e *DNError) Error() string {
	if e.Part == "" && e.Index == 0 {
		return fmt.Sprintf("%q is not a distinguished name: %s", e.DN, e.Reason)
	}
	return fmt.Sprintf("part %d %q of %q: %s", e.Index, e.Part, e.DN, e.Reason)
}

func (e *DNError) Unwrap() error { return e.Err }

// ParseDN parses an LDAP distinguished name such as
// CN=pcceadmin,CN=Users,DC=example,DC=local with ldap.ParseDN, and when it
// fails returns a *DNError naming the malformed component. An empty string is
// an error here (callers decide whether an empty DN is allowed).
func ParseDN(s string) (*ldap.DN, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, &DNError{DN: s, Reason: "it is empty"}
	}
	parts, trailingEscape := splitUnescaped(s, ",;")
	if trailingEscape {
		return nil, &DNError{DN: s, Part: parts[len(parts)-1], Index: len(parts),
			Reason: `ends with a lone backslash; escape it as \\ or remove it`}
	}
	for i, p := range parts {
		if err := checkRDN(p); err != "" {
			return nil, &DNError{DN: s, Part: p, Index: i + 1, Reason: err}
		}
		if _, err := ldap.ParseDN(p); err != nil {
			return nil, &DNError{DN: s, Part: p, Index: i + 1, Reason: err.Error(), Err: err}
		}
	}
	dn, err := ldap.ParseDN(s)
	if err != nil {
		return nil, &DNError{DN: s, Reason: err.Error(), Err: err}
	}
	return dn, nil
}

// checkRDN explains the mistakes people make in one component, in words
// the go-ldap parser does not use ("incomplete type, value pair").
func checkRDN(p string) string {
	t := strings.TrimSpace(p)
	if t == "" {
		return "is empty (two commas in a row, or a comma at the start or end)"
	}
	avs, _ := splitUnescaped(t, "+")
	for _, av := range avs {
		av = strings.TrimSpace(av)
		eq := strings.IndexByte(av, '=')
		switch {
		case eq < 0:
			return "has no '=': every part is TYPE=value, e.g. CN=Users or DC=example"
		case strings.TrimSpace(av[:eq]) == "":
			return "has no attribute type before '=' (e.g. CN, OU, DC)"
		case strings.TrimSpace(av[eq+1:]) == "":
			return fmt.Sprintf("%s= has no value", strings.TrimSpace(av[:eq]))
		}
		if strings.HasPrefix(strings.TrimSpace(av[eq+1:]), "#") {
			// go-ldap would decode it as BER, and a hostile length there
			// makes it allocate gigabytes; no DN an admin copies from AD has one.
			return `has a value starting with '#', which LDAP reads as hex-encoded BER; Active Directory DNs are plain text — escape it as \#`
		}
		typ := strings.TrimSpace(av[:eq])
		for _, r := range typ {
			if !(r == '-' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
				return fmt.Sprintf("attribute type %q holds %q; types are letters, digits and hyphens (CN, OU, DC)", typ, string(r))
			}
		}
	}
	return ""
}

// splitUnescaped cuts s at every byte of seps not escaped by a backslash,
// keeping each part as typed, and reports whether s ends in a lone
// backslash. A DN is cut at ",;" (RFC 4514 and the older RFC 2253
// separator), a multi-valued RDN at "+".
func splitUnescaped(s, seps string) (parts []string, trailingEscape bool) {
	start, esc := 0, false
	for i := 0; i < len(s); i++ {
		switch {
		case esc:
			esc = false
		case s[i] == '\\':
			esc = true
		case strings.IndexByte(seps, s[i]) >= 0:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:]), esc
}

// domainOf returns the DNS domain a DN's DC= components spell
// (DC=example,DC=local → example.local), or "" when it has none.
func domainOf(dn *ldap.DN) string {
	var labels []string
	for _, rdn := range dn.RDNs {
		for _, a := range rdn.Attributes {
			if strings.EqualFold(a.Type, "DC") {
				labels = append(labels, strings.ToLower(a.Value))
			}
		}
	}
	return strings.Join(labels, ".")
}
