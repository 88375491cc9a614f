package testpeer

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The harness is checked with OpenLDAP's own client, so a fault in it is not
// hidden by the same Go library the code under test uses.
func TestStartSlapd(t *testing.T) {
	Need(t, "ldapsearch")
	for _, gc := range []bool{false, true} {
		s := StartSlapd(t, SlapdOptions{GC: gc})
		ca := filepath.Join(t.TempDir(), "ca.crt")
		if err := os.WriteFile(ca, s.CA.PEM(), 0o644); err != nil {
			t.Fatal(err)
		}
		search := func(url, base string, extra ...string) string {
			args := append([]string{"-x", "-H", url, "-D", s.BindDN, "-w", s.Password, "-b", base, "-o", "nettimeout=5"}, extra...)
			cmd := exec.Command("ldapsearch", args...)
			cmd.Env = append(os.Environ(), "LDAPTLS_CACERT="+ca, "LDAPTLS_REQCERT=demand")
			out, err := cmd.CombinedOutput()
			if err != nil && !strings.Contains(string(out), "result:") {
				t.Fatalf("ldapsearch %s: %v\n%s\nslapd: %s", url, err, out, s.Output())
			}
			return string(out)
		}
		out := search("ldaps://127.0.0.1:"+port(s.TLSAddr), SlapdBase, "(userPrincipalName="+SlapdAgentUPN+")", "dn")
		if !strings.Contains(strings.ToLower(out), strings.ToLower(SlapdAgentDN)) {
			t.Errorf("gc=%v: ldaps search for %s:\n%s", gc, SlapdAgentUPN, out)
		}
		out = search("ldap://127.0.0.1:"+port(s.PlainAddr), "", "-Z", "-s", "base", "isGlobalCatalogReady")
		want := map[bool]string{false: "FALSE", true: "TRUE"}[gc]
		if !strings.Contains(out, "isGlobalCatalogReady: "+want) {
			t.Errorf("gc=%v: StartTLS rootDSE:\n%s", gc, out)
		}
		out = search("ldaps://127.0.0.1:"+port(s.TLSAddr), SlapdBase, "(userPrincipalName="+SlapdChildUPN+")", "dn")
		if gc != strings.Contains(strings.ToLower(out), strings.ToLower(SlapdChildDN)) {
			t.Errorf("gc=%v: child user:\n%s", gc, out)
		}
		if !gc && !strings.Contains(out, "ref: "+strings.ToLower(SlapdChildDCRef[:strings.Index(SlapdChildDCRef, "/D")])) {
			t.Errorf("DC: no continuation reference for the child domain:\n%s", out)
		}
		if gc {
			// A GC finds users of every domain from the empty base.
			out = search("ldaps://127.0.0.1:"+port(s.TLSAddr), "", "(userPrincipalName="+SlapdChildUPN+")", "dn")
			if !strings.Contains(strings.ToLower(out), strings.ToLower(SlapdChildDN)) {
				t.Errorf("GC: search from the empty base:\n%s", out)
			}
		}
		s.Stop()
		s.Stop()
	}
}

func port(addr string) string { return addr[strings.LastIndex(addr, ":")+1:] }

// RequireTLS refuses a simple bind in clear text but accepts it after StartTLS.
func TestStartSlapdRequireTLS(t *testing.T) {
	Need(t, "ldapwhoami")
	s := StartSlapd(t, SlapdOptions{RequireTLS: true})
	ca := filepath.Join(t.TempDir(), "ca.crt")
	os.WriteFile(ca, s.CA.PEM(), 0o644)
	whoami := func(extra ...string) (string, error) {
		cmd := exec.Command("ldapwhoami", append([]string{"-x", "-H", "ldap://127.0.0.1:" + port(s.PlainAddr), "-D", s.BindDN, "-w", s.Password}, extra...)...)
		cmd.Env = append(os.Environ(), "LDAPTLS_CACERT="+ca, "LDAPTLS_REQCERT=demand")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := whoami(); err == nil || !strings.Contains(out, "Confidentiality required (13)") {
		t.Errorf("clear-text bind: %v\n%s", err, out)
	}
	if out, err := whoami("-Z"); err != nil || !strings.Contains(strings.ToLower(out), strings.ToLower(SlapdBindDN)) {
		t.Errorf("bind after StartTLS: %v\n%s", err, out)
	}
}
