package logdoctor

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"ccewiz/testpeer"
)

// TestSignaturesMatchJNDI runs the JNDI lookup ECE's partition
// administrator login makes (testpeer.JNDISearch) against a real slapd,
// and feeds what Java prints, shaped as an ECE ApplicationServer log, to
// the log doctor: a wrong bind password, a DC certificate missing from the
// AD keystore, and the DC down must each be recognised.
func TestSignaturesMatchJNDI(t *testing.T) {
	dir := t.TempDir()
	dc := testpeer.StartSlapd(t, testpeer.SlapdOptions{})
	hosts := filepath.Join(dir, "hosts")
	os.WriteFile(hosts, []byte("127.0.0.1 "+dc.Name+"\n"), 0o644)
	pw, wrong := filepath.Join(dir, "pw"), filepath.Join(dir, "wrong")
	os.WriteFile(pw, []byte(dc.Password+"\n"), 0o600)
	os.WriteFile(wrong, []byte("Not-"+dc.Password+"\n"), 0o600)
	good := testpeer.KeytoolStore(t, filepath.Join(dir, "mydomain.jks"), dc.CA)
	other := testpeer.KeytoolStore(t, filepath.Join(dir, "other.jks"), testpeer.NewCA(t, "Some Other Root CA", nil))
	_, tlsPort, _ := net.SplitHostPort(dc.TLSAddr)
	_, plainPort, _ := net.SplitHostPort(dc.PlainAddr)
	ldaps := "ldaps://" + net.JoinHostPort(dc.Name, tlsPort)
	ldap := "ldap://" + net.JoinHostPort(dc.Name, plainPort)
	filter := "(userPrincipalName=" + testpeer.SlapdAgentUPN + ")"

	jndi := func(url, store, pwFile string) string {
		return testpeer.JNDISearch(t, url, dc.BindDN, pwFile, testpeer.SlapdUsersBase, filter,
			"-Djdk.net.hosts.file="+hosts, "-Djavax.net.ssl.trustStore="+store)
	}
	for _, tc := range []struct {
		name      string
		url       string
		store, pw string
		down      bool
		want      []string // signature IDs, sorted
	}{
		{"works", ldaps, good, pw, false, nil},
		{"wrong bind password", ldap, good, wrong, false, []string{"ldap-bind"}},
		{"DC certificate not in the AD keystore", ldaps, other, pw, false, []string{"ldap-unreachable", "pkix"}},
		{"DC down", ldaps, good, pw, true, []string{"conn-refused", "ldap-unreachable"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.down {
				dc.Stop()
			}
			out := jndi(tc.url, tc.store, tc.pw)
			if tc.want == nil && !strings.HasPrefix(out, "OK cn=agent1") {
				t.Fatalf("JNDI should find the agent:\n%s", out)
			}
			var log strings.Builder
			log.WriteString("2026-11-23 09:14:07.611 GMT+0000 <@> ERROR <@> [417:ServerService Thread Pool -- 73] <@> ProcessId:5120 <@> PID:1 <@> UID:12 <@> HOST:ECEAPP <@> CLIENT:ECEAPP <@> com.egain.platform.module.security.sso.admin.LdapAuthenticator <@> authenticate() <@> LDAP authentication failed <@> \n")
			log.WriteString(out)
			r, err := ScanReader(context.Background(), "eg_log_ECEAPP_ApplicationServer.log", strings.NewReader(log.String()), Options{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range r.Findings {
				got = append(got, f.Signature)
			}
			sort.Strings(got)
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("JNDI said:\n%s\nthe log doctor found %q, want %q", out, got, tc.want)
			}
		})
	}
}
