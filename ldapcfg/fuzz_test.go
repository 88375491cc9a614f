package ldapcfg

import (
	"net"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/go-ldap/ldap/v3"
)

// FuzzParseURL: whatever an admin pastes, ParseURL never panics, and what it
// accepts is a dialable LDAP endpoint whose flags follow from its port.
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{"ldaps://gc1.example.local:3269", "ldap://dc1:389/", "ldaps://[::1]:636", "ldap://a:0", "dc1:3268", "ldaps://x/DC=a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ep, err := ParseURL(s)
		if err != nil {
			if _, ok := err.(*URLError); !ok {
				t.Fatalf("ParseURL(%q): error %T is not a *URLError", s, err)
			}
			return
		}
		if ep.Scheme != "ldap" && ep.Scheme != "ldaps" || ep.Host == "" || ep.Port < 1 || ep.Port > 65535 {
			t.Fatalf("ParseURL(%q) accepted %+v", s, ep)
		}
		host, port, err := net.SplitHostPort(ep.Addr())
		if err != nil || host != ep.Host || port != strconv.Itoa(ep.Port) {
			t.Fatalf("ParseURL(%q): Addr %q does not split back (%v)", s, ep.Addr(), err)
		}
		if ep.GC != (ep.Port == 3268 || ep.Port == 3269) || ep.TLS != (ep.Scheme == "ldaps" || ep.Port == 636 || ep.Port == 3269) {
			t.Fatalf("ParseURL(%q): flags %+v do not follow from the port", s, ep)
		}
		// Validating any accepted URL must not panic either.
		_ = Settings{URL: s, SSLEnabled: ep.TLS}.Validate()
	})
}

// FuzzParseDN: ParseDN never panics, accepts only what go-ldap accepts, and
// its error always points at a part that is really in the input.
func FuzzParseDN(f *testing.F) {
	for _, s := range []string{"CN=pcceadmin,CN=Users,DC=example,DC=local", "CN=a\\,b,DC=x", "DC=", ",,", "a=b+c=d;e=f", "CN=x\\", "#=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		dn, err := ParseDN(s)
		if err == nil {
			if _, lerr := ldap.ParseDN(s); lerr != nil || dn == nil || len(dn.RDNs) == 0 {
				t.Fatalf("ParseDN(%q) accepted what go-ldap refuses (%v)", s, lerr)
			}
			return
		}
		de, ok := err.(*DNError)
		if !ok {
			t.Fatalf("ParseDN(%q): error %T is not a *DNError", s, err)
		}
		if de.Index > 0 && !strings.Contains(s, de.Part) {
			t.Fatalf("ParseDN(%q) blames part %q, which is not in the input", s, de.Part)
		}
		if utf8.ValidString(s) && !utf8.ValidString(de.Error()) {
			t.Fatalf("ParseDN(%q): message is not valid UTF-8", s)
		}
	})
}
