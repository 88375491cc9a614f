package ldapcfg

import (
	"errors"
	"strings"
	"testing"

	"ccewiz/secret"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		in       string
		want     Endpoint
		errMatch string // "" = must parse
	}{
		{in: "ldaps://gc1.example.local:3269", want: Endpoint{Scheme: "ldaps", Host: "gc1.example.local", Port: 3269, TLS: true, GC: true}},
		{in: "  LDAPS://GC1.example.local:3269/ ", want: Endpoint{Scheme: "ldaps", Host: "GC1.example.local", Port: 3269, TLS: true, GC: true}},
		{in: "ldap://gc1.example.local:3268", want: Endpoint{Scheme: "ldap", Host: "gc1.example.local", Port: 3268, GC: true}},
		{in: "ldap://dc1.example.local", want: Endpoint{Scheme: "ldap", Host: "dc1.example.local", Port: 389}},
		{in: "ldaps://dc1.example.local", want: Endpoint{Scheme: "ldaps", Host: "dc1.example.local", Port: 636, TLS: true}},
		{in: "ldap://dc1.example.local:636", want: Endpoint{Scheme: "ldap", Host: "dc1.example.local", Port: 636, TLS: true}},
		{in: "ldaps://10.0.0.5:636", want: Endpoint{Scheme: "ldaps", Host: "10.0.0.5", Port: 636, TLS: true}},
		{in: "ldaps://[fd00::5]:3269", want: Endpoint{Scheme: "ldaps", Host: "fd00::5", Port: 3269, TLS: true, GC: true}},
		{in: "", errMatch: "empty"},
		{in: "dc1.example.local:3269", errMatch: "no scheme"},
		{in: "https://dc1.example.local", errMatch: "not LDAP"},
		{in: "ldapi:///var/run/slapd", errMatch: "local socket"},
		{in: "ldaps://dc1.example.local:3269/DC=example,DC=local", errMatch: "put it in Base"},
		{in: "ldaps://dc1.example.local:3269??sub", errMatch: "query"},
		{in: "ldaps://admin@dc1.example.local:3269", errMatch: "user name"},
		{in: "ldaps://:3269", errMatch: "no host"},
		{in: "ldaps://dc1.example.local:", errMatch: "no port"},
		{in: "ldaps://dc1.example.local:99999", errMatch: "1 to 65535"},
		{in: "ldaps://dc1.example.local:0", errMatch: "1 to 65535"},
		{in: "ldaps://dc1.example.local:abc", errMatch: "invalid port"},
		{in: "ldaps://dc1..example.local", errMatch: "empty label"},
		{in: "ldaps://dc1.exa$mple.local", errMatch: `"$" is not allowed`},
		{in: "ldaps://dc1 ldaps://dc2", errMatch: "exactly one URL"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseURL(tt.in)
			if tt.errMatch != "" {
				var ue *URLError
				if err == nil || !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.errMatch) {
					t.Fatalf("ParseURL(%q) = %+v, %v; want a *URLError containing %q", tt.in, got, err, tt.errMatch)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseURL(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseDN(t *testing.T) {
	tests := []struct {
		in        string
		wantIndex int    // 0 = valid
		wantPart  string // the part named in the error
		reason    string
	}{
		{in: "CN=pcceadmin,CN=Users,DC=example,DC=local"},
		{in: "CN=pcceadmin, CN=Users, DC=example, DC=local"}, // the guide's own spacing
		{in: `CN=Smith\, John,OU=Admins,DC=example,DC=local`},
		{in: "CN=a+sn=b,DC=example;DC=local"},
		{in: "", reason: "empty"},
		{in: "CN=pcceadmin,,DC=local", wantIndex: 2, wantPart: "", reason: "two commas"},
		{in: "CN=pcceadmin,CN=Users,DC=example,", wantIndex: 4, wantPart: "", reason: "is empty"},
		{in: "CN=pcceadmin,Users,DC=example", wantIndex: 2, wantPart: "Users", reason: "has no '='"},
		{in: "CN=pcceadmin,CN=Users,DC=", wantIndex: 3, wantPart: "DC=", reason: "DC= has no value"},
		{in: "=pcceadmin,DC=example", wantIndex: 1, wantPart: "=pcceadmin", reason: "no attribute type"},
		{in: "C N=x,DC=example", wantIndex: 1, wantPart: "C N=x", reason: `holds " "`},
		{in: `CN=x\`, wantIndex: 1, wantPart: `CN=x\`, reason: "lone backslash"},
		{in: `CN=x\zz,DC=a`, wantIndex: 1, wantPart: `CN=x\zz`, reason: "failed to decode"},
		{in: "CN=#04847fffffff00,DC=a", wantIndex: 1, wantPart: "CN=#04847fffffff00", reason: "hex-encoded BER"},
		{in: `CN=\#1,DC=a`},
		{in: "pcceadmin@example.local", wantIndex: 1, wantPart: "pcceadmin@example.local", reason: "has no '='"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			dn, err := ParseDN(tt.in)
			if tt.reason == "" {
				if err != nil || dn == nil {
					t.Fatalf("ParseDN(%q): %v", tt.in, err)
				}
				return
			}
			var de *DNError
			if !errors.As(err, &de) {
				t.Fatalf("ParseDN(%q) = %v, %v; want a *DNError", tt.in, dn, err)
			}
			if de.Index != tt.wantIndex || de.Part != tt.wantPart || !strings.Contains(de.Error(), tt.reason) {
				t.Fatalf("ParseDN(%q): part %d %q, %q; want part %d %q, reason containing %q", tt.in, de.Index, de.Part, de.Error(), tt.wantIndex, tt.wantPart, tt.reason)
			}
		})
	}
}

// good is a setting ECE accepts without a remark: the guide's example with a GC over TLS.
func good() Settings {
	return Settings{
		URL:              "ldaps://gc1.example.local:3269",
		DNAttribute:      "userPrincipalName",
		BindDN:           "CN=pcceadmin,CN=Users,DC=example,DC=local",
		Password:         secret.New("Sup3r-secret"),
		SSLEnabled:       true,
		KeystoreLocation: `c:\ece\pcce\mydomain.jks`,
	}
}

// TestValidate has one case per rule: the field it flags, the severity and
// a fragment of the message, so a rule that stops firing fails here.
func TestValidate(t *testing.T) {
	type want struct {
		field string
		sev   Severity
		frag  string
	}
	tests := []struct {
		name   string
		change func(*Settings)
		want   []want // nil = no problem at all
	}{
		{name: "GC over TLS is clean", change: func(*Settings) {}},
		{name: "GC with a Base is clean", change: func(s *Settings) { s.Base = "DC=example,DC=local" }},
		{name: "DC over TLS with a Base warns about referrals", change: func(s *Settings) {
			s.URL, s.Base = "ldaps://dc1.example.local:636", "DC=example,DC=local"
		}, want: []want{{FieldURL, Warning, "PartialResultException: Unprocessed Continuation Reference(s)"}}},
		{name: "DC without Base", change: func(s *Settings) { s.URL = "ldaps://dc1.example.local" },
			want: []want{{FieldURL, Warning, "not a Global Catalog"}, {FieldBase, Error, "is required"}}},
		{name: "unknown port", change: func(s *Settings) { s.URL, s.Base = "ldaps://dc1.example.local:10636", "DC=example,DC=local" },
			want: []want{{FieldURL, Warning, "not an Active Directory port"}}},
		{name: "URL unparsable", change: func(s *Settings) { s.URL = "dc1.example.local" },
			want: []want{{FieldURL, Error, "no scheme"}}},
		{name: "ldaps on the GC plain port", change: func(s *Settings) { s.URL = "ldaps://gc1.example.local:3268" },
			want: []want{{FieldURL, Error, "TLS port is 3269"}}},
		{name: "ldaps on 389", change: func(s *Settings) { s.URL, s.Base = "ldaps://dc1.example.local:389", "DC=example,DC=local" },
			want: []want{{FieldURL, Error, "389 is plain LDAP"}}},
		{name: "IP address with TLS", change: func(s *Settings) { s.URL = "ldaps://10.0.0.5:3269" },
			want: []want{{FieldURL, Warning, "IP address"}}},
		{name: "SSL ticked on a plain port", change: func(s *Settings) { s.URL = "ldap://gc1.example.local:3268" },
			want: []want{{FieldSSL, Error, "plain LDAP port"}}},
		{name: "SSL not ticked on a TLS port", change: func(s *Settings) { s.SSLEnabled = false },
			want: []want{{FieldSSL, Error, "is a TLS port"}}},
		{name: "SSL not ticked on 636 written as ldap://", change: func(s *Settings) {
			s.URL, s.Base, s.SSLEnabled = "ldap://dc1.example.local:636", "DC=example,DC=local", false
		}, want: []want{{FieldURL, Warning, "not a Global Catalog"}, {FieldSSL, Error, "is a TLS port"}}},
		{name: "plain LDAP everywhere", change: func(s *Settings) { s.URL, s.SSLEnabled = "ldap://gc1.example.local:3268", false },
			want: []want{{FieldSSL, Error, "treat SSL as mandatory"}}},
		{name: "ldap scheme on TLS port with SSL", change: func(s *Settings) { s.URL = "ldap://gc1.example.local:3269" },
			want: []want{{FieldURL, Warning, "should say so"}}},
		{name: "DN attribute sAMAccountName", change: func(s *Settings) { s.DNAttribute = "sAMAccountName" },
			want: []want{{FieldDNAttribute, Error, "must be userPrincipalName"}}},
		{name: "DN attribute empty", change: func(s *Settings) { s.DNAttribute = "" },
			want: []want{{FieldDNAttribute, Error, "is empty"}}},
		{name: "DN attribute in other case", change: func(s *Settings) { s.DNAttribute = "userprincipalname" },
			want: []want{{FieldDNAttribute, Warning, "case only"}}},
		{name: "Base malformed names the part", change: func(s *Settings) { s.Base = "DC=example,DC" },
			want: []want{{FieldBase, Error, `part 2 "DC"`}}},
		{name: "Base in another domain than the DC", change: func(s *Settings) {
			s.URL, s.Base = "ldaps://dc1.example.local:636", "DC=example,DC=com"
		}, want: []want{{FieldURL, Warning, "not a Global Catalog"}, {FieldBase, Warning, "names the domain example.com"}}},
		{name: "bind DN empty is anonymous", change: func(s *Settings) { s.BindDN, s.Password = "", secret.Secret{} },
			want: []want{{FieldBindDN, Warning, "anonymously"}}},
		{name: "bind DN as UPN", change: func(s *Settings) { s.BindDN = "pcceadmin@example.local" },
			want: []want{{FieldBindDN, Warning, "logon name"}}},
		{name: "bind DN as down-level name", change: func(s *Settings) { s.BindDN = `EXAMPLE\pcceadmin` },
			want: []want{{FieldBindDN, Warning, "logon name"}}},
		{name: "bind DN malformed names the part", change: func(s *Settings) { s.BindDN = "CN=pcceadmin,CN=Users,DC=example,DC=" },
			want: []want{{FieldBindDN, Error, `part 4 "DC="`}}},
		{name: "password missing", change: func(s *Settings) { s.Password = secret.Secret{} },
			want: []want{{FieldPassword, Error, "cannot bind"}}},
		{name: "keystore empty with SSL", change: func(s *Settings) { s.KeystoreLocation = "" },
			want: []want{{FieldKeystore, Error, "is empty"}}},
		{name: "keystore ignored without SSL", change: func(s *Settings) {
			s.KeystoreLocation, s.SSLEnabled, s.URL = "", false, "ldap://gc1.example.local:3268"
		}, want: []want{{FieldSSL, Error, "mandatory"}}},
		{name: "keystore relative", change: func(s *Settings) { s.KeystoreLocation = `ece\pcce\mydomain.jks` },
			want: []want{{FieldKeystore, Error, "not an absolute path"}}},
		{name: "keystore drive-relative", change: func(s *Settings) { s.KeystoreLocation = `c:mydomain.jks` },
			want: []want{{FieldKeystore, Error, "relative to the current folder"}}},
		{name: "keystore unix path", change: func(s *Settings) { s.KeystoreLocation = "/etc/ece/mydomain.jks" },
			want: []want{{FieldKeystore, Error, "not a Windows path"}}},
		{name: "keystore not .jks", change: func(s *Settings) { s.KeystoreLocation = `c:\ece\pcce\mydomain.p12` },
			want: []want{{FieldKeystore, Error, "does not end in .jks"}}},
		{name: "keystore folder", change: func(s *Settings) { s.KeystoreLocation = `c:\ece\pcce\` },
			want: []want{{FieldKeystore, Error, "is a folder"}}},
		{name: "keystore bad character", change: func(s *Settings) { s.KeystoreLocation = `c:\ece\pc?ce\mydomain.jks` },
			want: []want{{FieldKeystore, Error, `"?"`}}},
		{name: "keystore forward slashes are fine", change: func(s *Settings) { s.KeystoreLocation = `C:/ece/pcce/MyDomain.JKS` }},
		{name: "keystore on a share", change: func(s *Settings) { s.KeystoreLocation = `\\fs1\ece\mydomain.jks` },
			want: []want{{FieldKeystore, Warning, "network path"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := good()
			tt.change(&s)
			got := s.Validate()
			if len(got) != len(tt.want) {
				t.Fatalf("got %d problem(s), want %d:\n%s", len(got), len(tt.want), dump(got))
			}
			for i, w := range tt.want {
				g := got[i]
				if g.Field != w.field || g.Severity != w.sev || !strings.Contains(g.Error(), w.frag) {
					t.Errorf("problem %d = %s %s %q; want %s %s containing %q", i, g.Field, g.Severity, g.Error(), w.field, w.sev, w.frag)
				}
				if g.Severity == Error && g.Fix == "" && g.Field != FieldURL {
					t.Errorf("problem %d has no fix: %s", i, g.Error())
				}
			}
			if strings.Contains(dump(got), "Sup3r-secret") {
				t.Fatalf("the password leaked into a problem:\n%s", dump(got))
			}
		})
	}
}

func dump(ps Problems) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString("  " + string(p.Severity) + " " + p.Error() + "\n")
	}
	return b.String()
}

// TestDCPortWarningFitsTheBase: a DC port warns about referrals to other
// domains when Base is set, and asks for a Base only when it is not.
func TestDCPortWarningFitsTheBase(t *testing.T) {
	cases := []struct {
		url, base   string
		want, never string
	}{
		{"ldaps://dc1.example.local:636", "DC=example,DC=local", "finds users under DC=example,DC=local in this DC's own domain only", "needs a Base"},
		{"ldaps://dc1.example.local:636", "", "a DC without one finds nothing", "finds users under"},
		{"ldaps://dc1.example.local:1636", "DC=example,DC=local", "searched from DC=example,DC=local", "needs a Base"},
		{"ldaps://dc1.example.local:1636", "", "which needs a Base", "searched from"},
	}
	for _, c := range cases {
		s := Settings{URL: c.url, Base: c.base, BindDN: "CN=pcceadmin,CN=Users,DC=example,DC=local", Password: secret.New("x"),
			SSLEnabled: true, KeystoreLocation: `c:\ece\pcce\mydomain.jks`}
		var urlMsgs []string
		for _, p := range s.Validate() {
			if p.Field == FieldURL {
				urlMsgs = append(urlMsgs, p.Message+" / "+p.Fix)
			}
		}
		got := strings.Join(urlMsgs, "\n")
		if !strings.Contains(got, c.want) || strings.Contains(got, c.never) || strings.Contains(got, "make sure Base is set") {
			t.Errorf("%s base %q: URL warnings:\n%s\nwant %q, never %q", c.url, c.base, got, c.want, c.never)
		}
	}
}
