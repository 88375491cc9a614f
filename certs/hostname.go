package certs

import (
	"crypto/x509"
	"net"
	"strings"
)

// HostCheck names the rules of Java's HostnameChecker a client applies.
type HostCheck int

const (
	// HTTPSCheck is TYPE_TLS: SPOG's Tomcat, the AW, every HTTPS client
	// with endpoint identification. A wildcard may stand in any label
	// (the labels are counted and matched one by one).
	HTTPSCheck HostCheck = iota
	// LDAPSCheck is TYPE_LDAP: JNDI's LDAPS (ECE's Partition Administrator
	// SSO). A wildcard may stand only in the leftmost label.
	LDAPSCheck
)

// JavaHostname is Java's answer (sun.security.util.HostnameChecker) to
// "is leaf issued for host?": nil, or an error carrying Java's own
// message. It differs from crypto/x509's VerifyHostname where Java does:
//   - a certificate without any DNS name in its subjectAltName is matched
//     by its most specific (last) CN — Go ignores the CN — which is common
//     on AD domain controllers and old IIS certificates;
//   - wildcards may be partial (f*.example.com) and, for HTTPS, stand in
//     any label (ece.*.com); "*", "*." and a wildcard with no dot after it
//     never match;
//   - an IP address matches IP SANs only, never the CN.
//
// Names compare case-insensitively. The public-suffix rule Java adds for
// certificates that chain to a public CA (no *.co.uk) is not applied: the
// CAs of these integrations are private.
func JavaHostname(leaf *x509.Certificate, host string, check HostCheck) error {
	if ip := net.ParseIP(host); ip != nil {
		if len(leaf.IPAddresses) == 0 {
			return &HostnameError{Host: host, Names: JavaNames(leaf), java: "No subject alternative names present"}
		}
		for _, a := range leaf.IPAddresses {
			if a.Equal(ip) {
				return nil
			}
		}
		return &HostnameError{Host: host, Names: JavaNames(leaf), java: "No subject alternative names matching IP address " + host + " found"}
	}
	if len(leaf.DNSNames) > 0 {
		for _, n := range leaf.DNSNames {
			if javaNameMatches(host, n, check) {
				return nil
			}
		}
		return &HostnameError{Host: host, Names: JavaNames(leaf), java: "No subject alternative DNS name matching " + host + " found."}
	}
	if cn := mostSpecificCN(leaf); cn != "" && javaNameMatches(host, cn, check) {
		return nil
	}
	return &HostnameError{Host: host, Names: JavaNames(leaf), java: "No name matching " + host + " found"}
}

// HostnameError is Java's refusal of a certificate for the host name a
// client dialled: Error is Java's own CertificateException text.
type HostnameError struct {
	Host  string
	Names []string // the names Java matched against (JavaNames)
	java  string
}

func (e *HostnameError) Error() string {
	return "java.security.cert.CertificateException: " + e.java
}

// JavaNames are the names Java matches a host against: the DNS (and IP)
// subjectAltNames when there is any DNS name, else the most specific CN.
func JavaNames(leaf *x509.Certificate) []string {
	var names []string
	names = append(names, leaf.DNSNames...)
	for _, ip := range leaf.IPAddresses {
		names = append(names, ip.String())
	}
	if len(leaf.DNSNames) == 0 {
		if cn := mostSpecificCN(leaf); cn != "" {
			names = append(names, cn)
		}
	}
	return names
}

// mostSpecificCN is the last CN of the subject, the one Java matches.
func mostSpecificCN(c *x509.Certificate) string {
	cn := ""
	for _, atv := range c.Subject.Names {
		if atv.Type.Equal([]int{2, 5, 4, 3}) {
			if s, ok := atv.Value.(string); ok {
				cn = s
			}
		}
	}
	return cn
}

// javaNameMatches is HostnameChecker.isMatched.
func javaNameMatches(name, template string, check HostCheck) bool {
	name, template = strings.ToLower(name), strings.ToLower(template)
	if javaIllegalWildcard(template) {
		return false
	}
	if check == LDAPSCheck {
		ni, ti := strings.Index(name, "."), strings.Index(template, ".")
		if ni < 0 {
			ni = len(name)
		}
		if ti < 0 {
			ti = len(template)
		}
		return matchWildCards(name[:ni], template[:ti]) && name[ni:] == template[ti:]
	}
	nl, tl := labels(name), labels(template)
	if len(nl) != len(tl) {
		return false
	}
	for i := range nl {
		if !matchWildCards(nl[i], tl[i]) {
			return false
		}
	}
	return true
}

// labels splits as Java's StringTokenizer(s, "."): no empty tokens.
func labels(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == '.' })
}

// javaIllegalWildcard: "*", "*.", or a wildcard with no dot after it.
func javaIllegalWildcard(t string) bool {
	if t == "*" || t == "*." {
		return true
	}
	i := strings.LastIndex(t, "*")
	return i >= 0 && !strings.Contains(t[i:], ".")
}

// matchWildCards is Java's: each '*' matches any run of characters; the
// part before the first must start the name.
func matchWildCards(name, template string) bool {
	w := strings.Index(template, "*")
	if w < 0 {
		return name == template
	}
	beginning, after := true, template
	for w >= 0 {
		before := after[:w]
		after = after[w+1:]
		at := strings.Index(name, before)
		if at < 0 || beginning && at != 0 {
			return false
		}
		beginning = false
		name = name[at+len(before):]
		w = strings.Index(after, "*")
	}
	return strings.HasSuffix(name, after)
}
