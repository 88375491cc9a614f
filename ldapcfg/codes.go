package ldapcfg

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/go-ldap/ldap/v3"
)

// adSubCodes are the "data NNN" values Active Directory puts in the
// diagnostic message of an invalidCredentials (49) answer: the only place
// it says why a bind failed.
var adSubCodes = map[string]struct{ msg, fix string }{
	"525": {"the user does not exist (AD sub-code 525)", "copy the DN again from the user's Attribute Editor (distinguishedName)"},
	"52e": {"wrong password (AD sub-code 52e)", "check the password of the DN for LDAP search; in ECE retype it, as it was saved with the old value"},
	"530": {"the account may not log on at this time (AD sub-code 530)", "lift the logon-hours restriction on the service account"},
	"531": {"the account may not log on from this computer (AD sub-code 531)", "allow this computer in the account's \"Log On To…\" list, or clear the restriction"},
	"532": {"the password has expired (AD sub-code 532)", "set a new password and tick \"Password never expires\" on the service account, then update it in ECE"},
	"533": {"the account is disabled (AD sub-code 533)", "enable the service account in Active Directory Users and Computers"},
	"568": {"the account has too many group memberships (AD sub-code 568)", "reduce the service account's group memberships"},
	"701": {"the account has expired (AD sub-code 701)", "extend the account's expiry date (Account tab › Account expires)"},
	"773": {"the user must change the password at next logon (AD sub-code 773)", "log on once with the account and change the password, or clear \"User must change password at next logon\""},
	"775": {"the account is locked out (AD sub-code 775), usually after repeated wrong passwords — perhaps from ECE with an old password", "unlock it (Account tab › Unlock account) and correct the password wherever it is stored"},
}

var reADData = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)\bdata ([0-9a-f]{3,8})\b`) })

// ADSubCode returns the "data NNN" code of an Active Directory diagnostic
// message, in lower case, or "".
func ADSubCode(diagnostic string) string {
	m := reADData().FindStringSubmatch(diagnostic)
	if m == nil {
		return ""
	}
	return strings.ToLower(m[1])
}

// Explain turns an LDAP error into plain language and a fix: ECE shows
// "Error loading the page" for all of them, the admin needs to know which.
func Explain(err error) (msg, fix string) {
	if err == nil {
		return "", ""
	}
	if errors.Is(err, ErrTimeout) {
		return "no answer in time: " + err.Error(), "the server accepted the connection but does not answer LDAP requests; check it is a working DC and not overloaded"
	}
	var le *ldap.Error
	if !errors.As(err, &le) {
		return err.Error(), "check that the server is reachable and is an LDAP server"
	}
	diag := ""
	if le.Err != nil {
		diag = strings.TrimSpace(le.Err.Error())
	}
	with := func(s string) string {
		if diag == "" || strings.Contains(s, diag) {
			return s
		}
		return fmt.Sprintf("%s (server said: %s)", s, diag)
	}
	switch le.ResultCode {
	case ldap.LDAPResultInvalidCredentials:
		if sc, ok := adSubCodes[ADSubCode(diag)]; ok {
			return with("invalid credentials: " + sc.msg), sc.fix
		}
		return with("invalid credentials: the DN does not exist or the password is wrong (result code 49)"),
			"check the DN for LDAP search (copy distinguishedName from the Attribute Editor) and its password"
	case ldap.LDAPResultStrongAuthRequired:
		return with("the DC requires a signed or encrypted connection for a simple bind (result code 8, strong authentication required): Microsoft's LDAP signing requirement"),
			"use ldaps:// (port 3269 or 636) with Is LDAP SSL enabled ticked and the AD keystore"
	case ldap.LDAPResultConfidentialityRequired:
		return with("the server requires an encrypted connection (result code 13, confidentiality required)"),
			"use ldaps:// (port 3269 or 636) with Is LDAP SSL enabled ticked and the AD keystore"
	case ldap.LDAPResultReferral:
		return with("the server does not hold this part of the directory and referred the request elsewhere (result code 10, referral); ECE does not follow referrals"),
			"use a Global Catalog (ldaps://…:3269) or the DC of the Base's domain, or correct the Base"
	case ldap.LDAPResultNoSuchObject:
		m := "the Base does not exist on this server (result code 32, no such object)"
		if le.MatchedDN != "" {
			m += "; the closest existing entry is " + le.MatchedDN
		}
		return with(m), "copy the Base again; for a whole domain it is its DC= parts, e.g. DC=example,DC=local"
	case ldap.LDAPResultInvalidDNSyntax:
		return with("the server cannot read the DN (result code 34, invalid DN syntax)"), "copy the DN again: TYPE=value parts separated by commas"
	case ldap.LDAPResultInsufficientAccessRights:
		return with("the account may not read there (result code 50, insufficient access rights)"), "give the DN for LDAP search read access to the users (Authenticated Users has it by default)"
	case ldap.LDAPResultOperationsError:
		if strings.Contains(strings.ToLower(diag), "successful bind") {
			return with("the DC refuses searches without a bind (result code 1)"), "give a DN for LDAP search and its password"
		}
		return with("the server reported an operations error (result code 1)"), "check the DC's event log (Directory Service)"
	case ldap.LDAPResultUnwillingToPerform:
		return with("the server is unwilling to perform the request (result code 53)"), "on AD this often means an empty password or a disabled simple bind; check the DN for LDAP search and its password"
	case ldap.LDAPResultBusy, ldap.LDAPResultUnavailable:
		return with(fmt.Sprintf("the server is busy or unavailable (result code %d)", le.ResultCode)), "try again later, or use another DC (a GC name that several DCs answer for)"
	case ldap.LDAPResultTimeLimitExceeded, ldap.LDAPResultSizeLimitExceeded:
		return with(fmt.Sprintf("the server stopped the search at its limit (result code %d)", le.ResultCode)), "narrow the Base"
	case ldap.LDAPResultProtocolError:
		return with("the server did not understand the request (result code 2, protocol error)"), "check that the LDAP URL points at an LDAP port of a domain controller"
	case ldap.ErrorNetwork:
		return with("the connection broke"), "check the DC is up and that nothing between here and it cuts LDAP connections"
	}
	name := ldap.LDAPResultCodeMap[le.ResultCode]
	if name == "" {
		name = "unknown"
	}
	return with(fmt.Sprintf("LDAP result code %d (%s)", le.ResultCode, name)), "see the DC's Directory Service event log"
}
