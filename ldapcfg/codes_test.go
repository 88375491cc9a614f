package ldapcfg

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/go-ldap/ldap/v3"
)

// AD's diagnostic messages, as Windows Server sends them.
const adDiag = "80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data %s, v4563"

func TestExplain(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		msg, fix string
	}{
		{"AD bad password", ldap.NewError(49, fmt.Errorf(adDiag, "52e")), "wrong password (AD sub-code 52e)", "retype it"},
		{"AD locked", ldap.NewError(49, fmt.Errorf(adDiag, "775")), "locked out", "unlock it"},
		{"AD expired password", ldap.NewError(49, fmt.Errorf(adDiag, "532")), "password has expired", "Password never expires"},
		{"AD must change", ldap.NewError(49, fmt.Errorf(adDiag, "773")), "must change the password", "change the password"},
		{"AD no such user", ldap.NewError(49, fmt.Errorf(adDiag, "525")), "does not exist", "distinguishedName"},
		{"AD disabled", ldap.NewError(49, fmt.Errorf(adDiag, "533")), "disabled", "enable"},
		{"OpenLDAP invalid credentials", ldap.NewError(49, errors.New("")), "DN does not exist or the password is wrong", "its password"},
		{"signing required", ldap.NewError(8, errors.New("00002028: LdapErr: DSID-0C090259, comment: The server requires binds to turn on integrity checking if SSL\\TLS are not already active on the connection, data 0, v4563")),
			"strong authentication required", "use ldaps://"},
		{"confidentiality required", ldap.NewError(13, errors.New("TLS confidentiality required")), "result code 13", "use ldaps://"},
		{"referral", ldap.NewError(10, errors.New("0000202B: RefErr: DSID-0310082F, data 0, 1 access points")), "result code 10", "Global Catalog"},
		{"wrong base", &ldap.Error{ResultCode: 32, MatchedDN: "DC=example,DC=local", Err: errors.New("0000208D: NameErr: DSID-03100241, problem 2001 (NO_OBJECT)")},
			"closest existing entry is DC=example,DC=local", "copy the Base again"},
		{"anonymous search", ldap.NewError(1, errors.New("000004DC: LdapErr: DSID-0C090A5C, comment: In order to perform this operation a successful bind must be completed on the connection., data 0, v4563")),
			"without a bind", "DN for LDAP search"},
		{"access", ldap.NewError(50, errors.New("")), "insufficient access", "read access"},
		{"unknown code", ldap.NewError(80, errors.New("boom")), "LDAP result code 80", "event log"},
		{"timeout", fmt.Errorf("%w within 5s", ErrTimeout), "no answer in time", "overloaded"},
		{"plain error", errors.New("broken"), "broken", "reachable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, fix := Explain(tt.err)
			if !strings.Contains(msg, tt.msg) || !strings.Contains(fix, tt.fix) {
				t.Fatalf("Explain = %q / %q; want %q / %q", msg, fix, tt.msg, tt.fix)
			}
		})
	}
	if m, f := Explain(nil); m != "" || f != "" {
		t.Fatal("Explain(nil) is not empty")
	}
}

func TestADSubCode(t *testing.T) {
	for in, want := range map[string]string{
		fmt.Sprintf(adDiag, "52e"): "52e",
		fmt.Sprintf(adDiag, "775"): "775",
		"... data 52E, v893":       "52e",
		"no sub-code here":         "",
		"metadata 123":             "",
	} {
		if got := ADSubCode(in); got != want {
			t.Errorf("ADSubCode(%q) = %q, want %q", in, got, want)
		}
	}
}
