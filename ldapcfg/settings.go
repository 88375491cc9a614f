package ldapcfg

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"ccewiz/secret"
)

// What ECE requires, from Cisco's guide (step 2).
const (
	// DNAttribute is the only DN Attribute that works: SPOG hands ECE the
	// administrator's user principal name.
	DNAttribute = "userPrincipalName"
	// KeystoreAlias is the alias the guide's keytool command uses.
	KeystoreAlias = "mydomaincontroller"
	// ContinuationError is what ECE's ApplicationServer log shows when the
	// LDAP URL is a plain DC and the search meets a referral.
	ContinuationError = "javax.naming.PartialResultException: Unprocessed Continuation Reference(s)"
)

// Well-known Active Directory ports.
const (
	PortLDAP  = 389  // a DC, plain (or StartTLS)
	PortLDAPS = 636  // a DC, TLS
	PortGC    = 3268 // a Global Catalog, plain
	PortGCTLS = 3269 // a Global Catalog, TLS
)

// Field keys, the same as in the answers file's sso section.
const (
	FieldURL         = "ldap_url"
	FieldDNAttribute = "dn_attribute"
	FieldBase        = "base"
	FieldBindDN      = "bind_dn"
	FieldPassword    = "bind_password"
	FieldSSL         = "ssl_enabled"
	FieldKeystore    = "keystore_location"
)

// Labels are the field names exactly as ECE's Partition Administration
// Configuration shows them, so messages point at what the admin sees.
var Labels = map[string]string{
	FieldURL:         "LDAP URL",
	FieldDNAttribute: "DN Attribute",
	FieldBase:        "Base",
	FieldBindDN:      "DN for LDAP search",
	FieldPassword:    "Password",
	FieldSSL:         "Is LDAP SSL enabled",
	FieldKeystore:    "Keystore location",
}

// Settings is ECE's Partition Administration Configuration
// (Administration › Partition: default › Security › SSO and provisioning).
type Settings struct {
	URL         string        `json:"ldap_url"`
	DNAttribute string        `json:"dn_attribute"`
	Base        string        `json:"base"`
	BindDN      string        `json:"bind_dn"`
	Password    secret.Secret `json:"-"`
	SSLEnabled  bool          `json:"ssl_enabled"`
	// KeystoreLocation is the path on ECE's application servers (Windows).
	KeystoreLocation string `json:"keystore_location"`
}

// Endpoint is a parsed LDAP URL.
type Endpoint struct {
	Scheme string `json:"scheme"` // ldap or ldaps
	Host   string `json:"host"`
	Port   int    `json:"port"`
	// TLS: the connection is TLS from the first byte (ldaps, or a TLS port
	// with ECE's "Is LDAP SSL enabled" ticked).
	TLS bool `json:"tls"`
	// GC: a Global Catalog port (3268/3269), which answers for the whole
	// forest without referrals.
	GC bool `json:"gc"`
}

// Addr is host:port for dialling.
func (e Endpoint) Addr() string { return net.JoinHostPort(e.Host, strconv.Itoa(e.Port)) }

func (e Endpoint) String() string { return e.Scheme + "://" + e.Addr() }

// URLError says what is wrong with an LDAP URL and how to write it.
type URLError struct {
	URL    string
	Reason string
}

func (e *URLError) Error() string {
	if e.URL == "" {
		return e.Reason
	}
	return fmt.Sprintf("LDAP URL %q: %s", e.URL, e.Reason)
}

const urlExample = "ldaps://gc1.example.local:3269"

// ParseURL reads an LDAP URL as ECE takes it: ldap:// or ldaps://, a host,
// an optional port (389/636 by default), nothing else. It does not decide
// whether the settings around it are consistent; Validate does.
func ParseURL(s string) (Endpoint, error) {
	raw := strings.TrimSpace(s)
	fail := func(format string, a ...any) (Endpoint, error) {
		return Endpoint{}, &URLError{URL: raw, Reason: fmt.Sprintf(format, a...)}
	}
	if raw == "" {
		return Endpoint{}, &URLError{Reason: "the LDAP URL is empty; e.g. " + urlExample + " (a Global Catalog over TLS)"}
	}
	if strings.ContainsAny(raw, " \t") {
		return fail("holds a space; ECE takes exactly one URL, e.g. %s", urlExample)
	}
	i := strings.Index(raw, "://")
	if i < 0 {
		return fail("has no scheme; write it as %s", urlExample)
	}
	scheme := strings.ToLower(raw[:i])
	switch scheme {
	case "ldap", "ldaps":
	case "ldapi":
		return fail("ldapi:// is a local socket; ECE needs the domain controller's network address, e.g. %s", urlExample)
	default:
		return fail("scheme %q is not LDAP; use ldaps:// (or ldap://), e.g. %s", raw[:i], urlExample)
	}
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fail("%v; write it as %s", err, urlExample)
	}
	if u.User != nil {
		return fail("holds a user name; put the account in \"DN for LDAP search\" instead")
	}
	if u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(raw, "?") {
		return fail("has a query (?…) part; ECE takes only ldap[s]://host:port")
	}
	if p := strings.TrimPrefix(u.EscapedPath(), "/"); p != "" {
		return fail("holds a DN (%s); ECE takes the Base in its own field: remove it from the URL and put it in Base", p)
	}
	host := u.Hostname()
	if host == "" {
		return fail("has no host name; e.g. %s", urlExample)
	}
	if net.ParseIP(host) == nil {
		if err := checkHostName(host); err != "" {
			return fail("host %q: %s", host, err)
		}
	}
	ep := Endpoint{Scheme: scheme, Host: host}
	switch ps := u.Port(); {
	case ps == "" && strings.HasSuffix(u.Host, ":"):
		return fail("ends with ':' but no port; GC ports are 3268 (plain) and 3269 (TLS)")
	case ps == "" && scheme == "ldaps":
		ep.Port = PortLDAPS
	case ps == "":
		ep.Port = PortLDAP
	default:
		n, err := parsePort(ps)
		if err != nil {
			return fail("%v", err)
		}
		ep.Port = n
	}
	ep.GC = ep.Port == PortGC || ep.Port == PortGCTLS
	ep.TLS = scheme == "ldaps" || ep.Port == PortLDAPS || ep.Port == PortGCTLS
	return ep, nil
}

// parsePort reads a TCP port number.
func parsePort(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 65535 {
		return 0, fmt.Errorf("port %q is not a number from 1 to 65535", s)
	}
	return n, nil
}

func checkHostName(h string) string {
	if len(h) > 253 {
		return "longer than 253 characters"
	}
	for _, label := range strings.Split(strings.TrimSuffix(h, "."), ".") {
		if label == "" {
			return "has an empty label (two dots in a row)"
		}
		for _, r := range label {
			if !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
				return fmt.Sprintf("%q is not allowed in a host name", string(r))
			}
		}
	}
	return ""
}

// Severity ranks a Problem.
type Severity string

const (
	// Error: ECE will not work with this value.
	Error Severity = "error"
	// Warning: it may work, but it is how people end up with "Error loading the page".
	Warning Severity = "warning"
)

// Problem is one finding of Validate, tied to one ECE field.
type Problem struct {
	Field    string   `json:"field"` // a Field* key
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	Fix      string   `json:"fix,omitempty"`
}

func (p Problem) Error() string {
	s := fmt.Sprintf("%s: %s", Labels[p.Field], p.Message)
	if p.Fix != "" {
		s += "; " + p.Fix
	}
	return s
}

// Problems is what Validate found.
type Problems []Problem

// Errors returns only the problems of severity Error.
func (ps Problems) Errors() Problems {
	var out Problems
	for _, p := range ps {
		if p.Severity == Error {
			out = append(out, p)
		}
	}
	return out
}

// Field returns the problems of one field.
func (ps Problems) Field(key string) Problems {
	var out Problems
	for _, p := range ps {
		if p.Field == key {
			out = append(out, p)
		}
	}
	return out
}

func (ps *Problems) add(field string, sev Severity, fix, format string, a ...any) {
	*ps = append(*ps, Problem{Field: field, Severity: sev, Message: fmt.Sprintf(format, a...), Fix: fix})
}

// Validate checks the settings offline, the way ECE will use them, and
// returns every problem found (nil when there is none).
func (s Settings) Validate() Problems {
	var ps Problems
	ep, urlErr := ParseURL(s.URL)
	if urlErr != nil {
		var ue *URLError
		msg := urlErr.Error()
		if errors.As(urlErr, &ue) {
			msg = ue.Reason
		}
		ps.add(FieldURL, Error, "", "%s", msg)
	} else {
		ps = append(ps, s.checkEndpoint(ep)...)
	}

	switch a := strings.TrimSpace(s.DNAttribute); {
	case a == DNAttribute:
	case strings.EqualFold(a, DNAttribute):
		ps.add(FieldDNAttribute, Warning, "type it exactly as userPrincipalName", "%q differs from userPrincipalName in case only", a)
	case a == "":
		ps.add(FieldDNAttribute, Error, "type userPrincipalName", "is empty; it must be userPrincipalName")
	default:
		ps.add(FieldDNAttribute, Error, "type userPrincipalName",
			"%q does not work: SPOG signs the partition administrator in with the user principal name (user@domain), and ECE looks the user up by this attribute, so it must be userPrincipalName", a)
	}

	gc := urlErr == nil && ep.GC
	if base := strings.TrimSpace(s.Base); base == "" {
		// With an unreadable URL nobody knows whether it is a GC; the URL error says enough.
		if !gc && urlErr == nil {
			ps.add(FieldBase, Error, "give the domain's base DN, e.g. DC=example,DC=local, or use a Global Catalog URL (port 3269)",
				"is required when the LDAP URL is not a Global Catalog (ports 3268/3269)")
		}
	} else if dn, err := ParseDN(base); err != nil {
		ps.add(FieldBase, Error, "copy the DN again (e.g. DC=example,DC=local)", "%v", err)
	} else if urlErr == nil && !gc && net.ParseIP(ep.Host) == nil {
		// A DC only holds its own domain; a Base in another one is answered with a referral.
		if d := domainOf(dn); d != "" && !strings.HasSuffix("."+strings.ToLower(strings.TrimSuffix(ep.Host, ".")), "."+d) {
			ps.add(FieldBase, Warning, "check the Base, or point the URL at a DC (or a GC) of that domain",
				"names the domain %s, but the LDAP URL's server %s is not in it; a DC answers for other domains only with a referral, which ECE does not follow", d, ep.Host)
		}
	}

	bind := strings.TrimSpace(s.BindDN)
	switch {
	case bind == "":
		ps.add(FieldBindDN, Warning, "give the DN of a service account allowed to bind and search, e.g. CN=pcceadmin,CN=Users,DC=example,DC=local",
			"is empty, so ECE binds anonymously; Active Directory refuses anonymous searches unless the forest allows them")
	default:
		if _, err := ParseDN(bind); err != nil {
			if strings.Contains(bind, "@") || strings.Contains(bind, `\`) && !strings.Contains(bind, "=") {
				ps.add(FieldBindDN, Warning, "in Active Directory Users and Computers enable View › Advanced Features, open the user's Attribute Editor and copy distinguishedName",
					"%q is a logon name, not a distinguished name; AD accepts it for a bind, but ECE's field is \"DN for LDAP search\" — use the DN, e.g. CN=pcceadmin,CN=Users,DC=example,DC=local", bind)
			} else {
				ps.add(FieldBindDN, Error, "copy distinguishedName from the user's Attribute Editor in Active Directory Users and Computers", "%v", err)
			}
		}
		if s.Password.IsZero() {
			ps.add(FieldPassword, Error, "give the password of the DN for LDAP search", "is empty; ECE cannot bind as %s without it", bind)
		}
	}

	if s.SSLEnabled {
		if err := checkKeystoreLocation(s.KeystoreLocation); err != "" {
			ps.add(FieldKeystore, Error, `use the path the AD keystore has on every application server, e.g. c:\ece\pcce\mydomain.jks`, "%s", err)
		} else if strings.HasPrefix(strings.TrimSpace(s.KeystoreLocation), `\\`) {
			ps.add(FieldKeystore, Warning, "copy the keystore to the same local path on every application server, as the guide says",
				"is a network path; ECE would then depend on that share being reachable from every application server")
		}
	}
	return ps
}

func (s Settings) checkEndpoint(ep Endpoint) Problems {
	var ps Problems
	switch {
	case ep.Scheme == "ldaps" && ep.Port == PortGC:
		ps.add(FieldURL, Error, "use ldaps://"+ep.Host+":3269", "ldaps:// on port 3268: 3268 is the Global Catalog's plain port; its TLS port is 3269")
	case ep.Scheme == "ldaps" && ep.Port == PortLDAP:
		ps.add(FieldURL, Error, "use ldaps://"+ep.Host+":3269 (Global Catalog) or :636", "ldaps:// on port 389: 389 is plain LDAP; TLS is on 636 (or 3269 on a Global Catalog)")
	case (ep.Port == PortLDAP || ep.Port == PortLDAPS) && strings.TrimSpace(s.Base) == "":
		// Base's own error asks for it; this says why a DC port needs one.
		ps.add(FieldURL, Warning, "use a Global Catalog: ldaps://"+ep.Host+":3269 (the guide's best practice), or set Base to the domain's DN",
			"port %d is a domain controller, not a Global Catalog: ECE searches from the Base, and a DC without one finds nothing; it also refers anything outside its own domain, which ECE logs as %s", ep.Port, ContinuationError)
	case ep.Port == PortLDAP || ep.Port == PortLDAPS:
		ps.add(FieldURL, Warning, "use a Global Catalog: ldaps://"+ep.Host+":3269 (the guide's best practice), so users of every domain of the forest are found",
			"port %d is a domain controller, not a Global Catalog: ECE finds users under %s in this DC's own domain only; a user of another domain is answered with a referral, which ECE logs as %s", ep.Port, strings.TrimSpace(s.Base), ContinuationError)
	case !ep.GC && strings.TrimSpace(s.Base) == "":
		ps.add(FieldURL, Warning, "AD listens on 3269 (Global Catalog, TLS), 3268, 636 and 389; on another port, set Base to the domain's DN",
			"port %d is not an Active Directory port, so ccewiz cannot tell whether it is a Global Catalog; it is treated as a plain DC, which needs a Base", ep.Port)
	case !ep.GC:
		ps.add(FieldURL, Warning, "AD listens on 3269 (Global Catalog, TLS), 3268, 636 and 389",
			"port %d is not an Active Directory port, so ccewiz cannot tell whether it is a Global Catalog; it is treated as a plain DC, searched from %s", ep.Port, strings.TrimSpace(s.Base))
	}
	if net.ParseIP(ep.Host) != nil && ep.TLS {
		ps.add(FieldURL, Warning, "use the DC's fully qualified name, as in its certificate",
			"%s is an IP address; Java checks the DC's certificate against the name in the URL, and DC certificates rarely hold an IP address", ep.Host)
	}
	plainPort := ep.Port == PortLDAP || ep.Port == PortGC
	switch {
	case s.SSLEnabled && ep.Scheme == "ldap" && plainPort:
		ps.add(FieldSSL, Error, "use ldaps://"+ep.Host+":3269 (Global Catalog) or :636 with SSL enabled",
			"is ticked, but %s is a plain LDAP port: ECE would start TLS where the DC expects plain text", ep)
	case !s.SSLEnabled && ep.TLS:
		ps.add(FieldSSL, Error, "tick Is LDAP SSL enabled (and set the Keystore location)",
			"is not ticked, but %s is a TLS port: ECE would send plain LDAP where the DC expects TLS", ep)
	case !s.SSLEnabled:
		ps.add(FieldSSL, Error, "tick Is LDAP SSL enabled and use ldaps://"+ep.Host+":3269, trusting the DC through the AD keystore",
			"is not ticked: the bind password crosses the network in clear text, and DCs that enforce Microsoft's 2020 LDAP channel binding and signing requirements refuse it; treat SSL as mandatory")
	case s.SSLEnabled && ep.Scheme == "ldap":
		ps.add(FieldURL, Warning, "write ldaps://"+ep.Addr(), "says ldap:// for TLS port %d; ECE connects with TLS because SSL is enabled, but the URL should say so", ep.Port)
	}
	return ps
}

// checkKeystoreLocation accepts a Windows absolute path to a .jks file, the
// way ECE's application servers (Windows, Java) will open it.
func checkKeystoreLocation(p string) string {
	p = strings.TrimSpace(p)
	if p == "" {
		return `is empty; with SSL enabled ECE needs the AD keystore's path, e.g. c:\ece\pcce\mydomain.jks`
	}
	unc := strings.HasPrefix(p, `\\`)
	drive := len(p) >= 3 && (p[0]|0x20 >= 'a' && p[0]|0x20 <= 'z') && p[1] == ':' && (p[2] == '\\' || p[2] == '/')
	switch {
	case strings.HasPrefix(p, "/"):
		return fmt.Sprintf("%q is not a Windows path; ECE's application servers are Windows, e.g. c:\\ece\\pcce\\mydomain.jks", p)
	case len(p) >= 2 && p[1] == ':' && !drive:
		return fmt.Sprintf("%q is relative to the current folder of drive %c:; write the full path, e.g. %c:\\ece\\pcce\\mydomain.jks", p, p[0], p[0])
	case !unc && !drive:
		return fmt.Sprintf("%q is not an absolute path; a relative path would be resolved from ECE's working folder — write e.g. c:\\ece\\pcce\\mydomain.jks", p)
	}
	rest := p[2:]
	if i := strings.IndexAny(rest, `<>"|?*:`); i >= 0 {
		return fmt.Sprintf("%q holds %q, which Windows does not allow in a path", p, string(rest[i]))
	}
	if strings.HasSuffix(p, `\`) || strings.HasSuffix(p, "/") {
		return fmt.Sprintf("%q is a folder; give the keystore file, e.g. %smydomain.jks", p, p)
	}
	if !strings.HasSuffix(strings.ToLower(p), ".jks") {
		return fmt.Sprintf("%q does not end in .jks; ECE reads a Java keystore (JKS) such as the guide's mydomain.jks", p)
	}
	return ""
}
