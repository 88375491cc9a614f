// Package logdoctor reads ECE and PCCE log files, folders and .zip bundles
// and reports the known integration failures they contain, each with its
// cause and fix from Cisco's troubleshooting guide, so an admin does not
// have to read Java stack traces. It streams: a file is never loaded whole,
// and every line is searched for all signatures in one pass. It only reads;
// it must never change, move or delete a log.
package logdoctor

import (
	"bytes"
	"net"
	"regexp"
	"sync"
)

// Signature is one known problem. Adding one is adding a row to Signatures.
type Signature struct {
	ID    string // stable, in JSON output
	Title string
	// Patterns are literal, case-sensitive texts (as Java prints them); a
	// line containing any of them is a hit. At least 16 bytes each keeps the
	// search fast: the matcher jumps by the shortest pattern's length.
	Patterns []string
	Cause    string
	Fix      string
	// Variant splits hits into separate findings with their own explanation
	// (the AD sub-code of an LDAP bind error). May be nil.
	Variant func(line []byte) (key, explain string)
}

// Signatures is the table of known problems, in the order they are reported.
var Signatures = []Signature{
	{
		ID:    "pkix",
		Title: "PKIX path building failed: the peer's certificate is not trusted",
		Patterns: []string{
			"PKIX path building failed",
			"unable to find valid certification path to requested target",
		},
		Cause: "Java could not build a chain from the server's certificate to an entry of its trust store. " +
			"In PCCE logs (catalina, CCBU; SPOG shows \"Error loading the page. Contact administrator.\"): the ECE web server " +
			"certificate, or its root/intermediate CA, is not in the cacerts of that Admin Data Server's Java, or the ADS was not restarted after the import. " +
			"In ECE logs next to LDAP: the AD keystore lacks the domain controller's certificate.",
		Fix: "Import the ECE certificate (self-signed) or its root and then intermediate CA (CA-signed) into %JAVA_HOME%\\lib\\security\\cacerts on EVERY Admin Data Server " +
			"(step 4.1: keytool -import, store password changeit unless changed; `ccewiz apply --step trust`), then restart the ADS. " +
			"`ccewiz check --only trust` shows which store lacks it. For LDAP: rebuild the AD keystore with the DC certificate (step 2.1) on every application server.",
	},
	{
		ID:    "cert-expired",
		Title: "A certificate has expired or is not valid yet",
		Patterns: []string{
			"CertificateExpiredException",
			"CertificateNotYetValidException",
			"validity check failed",
		},
		Cause: "Java refused a certificate outside its validity dates — usually the ECE web server certificate (SPOG) or the domain controller's (LDAP).",
		Fix:   "Renew the certificate (step 1 for ECE), bind it in IIS, and import the new one (or its CA) on every ADS (step 4.1); check the server clocks.",
	},
	{
		ID:    "name-mismatch",
		Title: "Certificate name mismatch",
		Patterns: []string{
			"No subject alternative DNS name matching",
			"No name matching",
			"No subject alternative names matching IP address",
			"No subject alternative names present",
		},
		Cause: "The name PCCE used to reach ECE is neither the certificate's Common Name nor one of its DNS Subject Alternative Names " +
			"(an IP address or a short host name never matches).",
		Fix: "Enter the web server in the PCCE inventory (step 4.3) with the fully qualified name that is in the certificate, " +
			"or reissue the certificate with that name as a DNS SAN (step 1). `ccewiz check --only certificate` shows the names the certificate holds.",
		Variant: nameVariant,
	},
	{
		ID:    "ldap-not-gc",
		Title: "LDAP referral: the LDAP URL is not a Global Catalog",
		Patterns: []string{
			"PartialResultException",
			"Unprocessed Continuation Reference",
		},
		Cause: "ECE searched a plain domain controller (port 389/636), which answered with referrals to other domains that ECE does not follow.",
		Fix: "In ECE › Administration › Partition: default › Security › SSO and provisioning › Partition Administration Configuration, set the LDAP URL " +
			"to a Global Catalog: port 3269 (SSL) or 3268, e.g. ldaps://dc1.example.local:3269; the Base is then not needed (step 2.2). `ccewiz check --only sso` tests it.",
	},
	{
		ID:       "ldap-bind",
		Title:    "LDAP bind refused (error 49, invalid credentials)",
		Patterns: []string{"LDAP: error code 49"},
		Cause:    "Active Directory refused the 'DN for LDAP search' account ECE binds with.",
		Fix: "Correct 'DN for LDAP search' and its password in Partition Administration Configuration (step 2.2); the AD sub-code after \"data\" says what is wrong. " +
			"`ccewiz check --only sso` binds the same way.",
		Variant: adSubcode,
	},
	{
		ID:       "ldap-signing",
		Title:    "LDAP bind needs signing or SSL (error 8, strongerAuthRequired)",
		Patterns: []string{"LDAP: error code 8 "},
		Cause:    "The domain controller enforces Microsoft's LDAP signing / channel binding requirements and refused a plain bind.",
		Fix:      "Turn on 'Is LDAP SSL enabled' with the AD keystore of step 2.1 and an ldaps:// URL on port 3269 (Partition Administration Configuration, step 2.2).",
	},
	{
		ID:       "ldap-unreachable",
		Title:    "LDAP server unreachable",
		Patterns: []string{"javax.naming.CommunicationException"},
		Cause:    "ECE could not talk to the domain controller in the LDAP URL: wrong host or port, a firewall, or a failed TLS handshake (see the same line for PKIX).",
		Fix:      "Check the LDAP URL's host and port (3269 for a secure Global Catalog) from every application server, and the AD keystore (step 2.1) when SSL is on.",
	},
	{
		ID:    "conn-refused",
		Title: "Connection refused: a service is not running",
		Patterns: []string{
			"Connection refused",
			"The Cisco Service service is not started",
		},
		Cause: "Nothing listens at the address in the line. SPOG shows \"The web page at https://… might be temporarily down or it may have moved permanently\" " +
			"when the Windows service \"Cisco Service\" is stopped on an ECE server other than the web server.",
		Fix: "Start \"Cisco Service\" on every ECE server except the web server (PowerShell: Start-Service -DisplayName 'Cisco Service'), then read " +
			"egpl_root_<host>.log on the application server for the reason it stopped; check that the host and port in the line are right.",
	},
}

var reMatchingName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`matching (?:IP address )?(\S+?)\.? found`) })

func nameVariant(line []byte) (string, string) {
	if bytes.Contains(line, []byte("No subject alternative names present")) {
		return "no-san", "the certificate has no Subject Alternative Name at all; Java then never matches an IP address and modern clients ignore the CN"
	}
	if m := reMatchingName().FindSubmatch(line); m != nil {
		name := string(m[1])
		if net.ParseIP(name) != nil {
			return name, "PCCE reached ECE by the IP address " + name + "; certificates name hosts, so enter the FQDN instead"
		}
		return name, "the certificate does not name " + name
	}
	return "", ""
}

// AD puts a sub-code after "data" in the error 49 text
// ("80090308: LdapErr: DSID-0C09042A, comment: AcceptSecurityContext error, data 52e, v4563").
var adCodes = []struct{ code, meaning string }{
	{"525", "user not found: the 'DN for LDAP search' does not exist — copy it from AD (distinguishedName)"},
	{"52e", "wrong password for the 'DN for LDAP search' account (or the DN is wrong)"},
	{"530", "the account may not log on at this time (AD logon hours)"},
	{"531", "the account may not log on from this workstation (AD \"Log On To\")"},
	{"532", "the account's password has expired — set a new one in AD and in ECE"},
	{"533", "the account is disabled — enable it in AD"},
	{"568", "the account is in too many groups for its logon token — reduce its group memberships"},
	{"701", "the account has expired — extend it in AD"},
	{"773", "the account must change its password at next logon — set a password and clear that flag"},
	{"775", "the account is locked out — unlock it in AD (too many wrong passwords, perhaps from an old password saved in ECE)"},
}

func adSubcode(line []byte) (string, string) {
	if j := bytes.Index(line, []byte("LDAP: error code 49")); j >= 0 {
		line = line[j:]
	}
	i := bytes.Index(line, []byte("data "))
	if i < 0 {
		return "", ""
	}
	code := line[i+5:]
	for _, c := range adCodes {
		if len(code) >= 3 && string(bytes.ToLower(code[:3])) == c.code {
			return c.code, "AD sub-code " + c.code + ": " + c.meaning
		}
	}
	return "", ""
}
