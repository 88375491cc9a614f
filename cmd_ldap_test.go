package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ccewiz/certs"
	"ccewiz/testpeer"
)

// TestLDAPCommand drives `ccewiz ldap` against a real slapd, reached through
// the answers file's resolve section as an admin (or the lab) would.
func TestLDAPCommand(t *testing.T) {
	dc := testpeer.StartSlapd(t, testpeer.SlapdOptions{})
	gc := testpeer.StartSlapd(t, testpeer.SlapdOptions{GC: true})
	dir := t.TempDir()
	var res strings.Builder
	res.WriteString("version: 1\nresolve:\n")
	for _, p := range []*testpeer.Slapd{dc, gc} {
		for k, v := range p.Resolve() {
			fmt.Fprintf(&res, "  %s: %s\n", k, v)
		}
	}
	answers := filepath.Join(dir, "ccewiz.yaml")
	os.WriteFile(answers, []byte(res.String()), 0o644)
	os.WriteFile(filepath.Join(dir, "store.txt"), []byte("MyP@ssword\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "bind.txt"), []byte(dc.Password+"\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "gcbind.txt"), []byte(gc.Password+"\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "wrong.txt"), []byte("not-the-password\n"), 0o600)
	other := testpeer.NewCA(t, "Other CA", nil)
	otherFile, _ := other.WriteFiles(t, dir, "other")
	jks := filepath.Join(dir, "mydomain.jks")
	cer := filepath.Join(dir, "domainctl.cer")
	gcjks := filepath.Join(dir, "gc.jks")

	base := []string{"--answers", answers}
	test := func(url string, extra ...string) []string {
		return append(append([]string{"ldap", "test"}, base...), append([]string{"--url", url, "--bind-dn", dc.BindDN,
			"--password-file", filepath.Join(dir, "bind.txt"), "--timeout", "3s"}, extra...)...)
	}
	cases := []struct {
		name     string
		args     []string
		code     int
		contains []string
	}{
		{"fetch the DC certificate into a new keystore", append(append([]string{"ldap", "fetch-cert"}, base...), "--addr", "dc1.example.local:636",
			"--out", cer, "--keystore", jks, "--storepass-file", filepath.Join(dir, "store.txt")), 0,
			[]string{"presented 2 certificate(s) over ldaps", "trust on first use", certs.Fingerprint(dc.Leaf.Cert.Raw), "alias mydomaincontroller", "wrote " + cer}},
		{"fetch the GC's issuing CA", append(append([]string{"ldap", "fetch-cert"}, base...), "--addr", "gc1.example.local:3269", "--trust", "ca",
			"--keystore", gcjks, "--storepass-file", filepath.Join(dir, "store.txt"), "--format", "json"), 0,
			[]string{`"trust": "ca"`, certs.Fingerprint(gc.CA.Cert.Raw)}},
		{"fetch again: the keystore already trusts it", append(append([]string{"ldap", "fetch-cert"}, base...), "--addr", "dc1.example.local:389",
			"--keystore", jks, "--storepass-file", filepath.Join(dir, "store.txt")), 0, []string{"over StartTLS", "already trusts it"}},
		{"fetch without --addr", []string{"ldap", "fetch-cert", "--out", cer}, 2, []string{"--addr"}},
		{"fetch with a bad trust choice", []string{"ldap", "fetch-cert", "--addr", "x:636", "--out", cer, "--trust", "root"}, 2, []string{"choose leaf or ca"}},
		{"test passes with the keystore", test(dc.LDAPSURL, "--base", testpeer.SlapdUsersBase, "--keystore", jks,
			"--storepass-file", filepath.Join(dir, "store.txt"), "--user", testpeer.SlapdAgentUPN), 0,
			[]string{"pass  connect", "found cn=agent1,", "result: pass"}},
		{"test against the GC with its CA", append(append([]string{"ldap", "test"}, base...), "--url", gc.LDAPSURL, "--bind-dn", gc.BindDN,
			"--password-file", filepath.Join(dir, "gcbind.txt"), "--keystore", gcjks, "--storepass-file", filepath.Join(dir, "store.txt"),
			"--user", testpeer.SlapdChildUPN, "--format", "json"), 0, []string{`"status": "pass"`, `"is_global_catalog_ready": "TRUE"`}},
		{"wrong bind password", append(append([]string{"ldap", "test"}, base...), "--url", dc.LDAPSURL, "--bind-dn", dc.BindDN,
			"--password-file", filepath.Join(dir, "wrong.txt"), "--base", testpeer.SlapdUsersBase, "--keystore", jks,
			"--storepass-file", filepath.Join(dir, "store.txt")), 1, []string{"fail  bind", "invalid credentials", "result: fail"}},
		{"certificate not in the trusted file", test(dc.LDAPSURL, "--base", testpeer.SlapdUsersBase, "--ca-file", otherFile), 1,
			[]string{"fail  connect", "not trusted by other.crt"}},
		{"insecure never passes", test(dc.LDAPSURL, "--base", testpeer.SlapdUsersBase, "--insecure"), 1,
			[]string{"INSECURE", "result: warn"}},
		{"wrong keystore password", test(dc.LDAPSURL, "--keystore", jks, "--storepass-file", filepath.Join(dir, "wrong.txt")), 2, []string{"wrong password"}},
		{"bad URL", test("dc1.example.local:636", "--insecure"), 2, []string{"no scheme"}},
		// The step's keystore (sso.keystore_file's default, mydomain.jks beside the answers) is the one tried.
		{"no keystore flag: the step's keystore", test(dc.LDAPSURL), 2, []string{"no keystore to verify the DC with", "sso.keystore_password", "--storepass-env VAR"}},
		{"no password source and no terminal", append(append([]string{"ldap", "test"}, base...), "--url", dc.LDAPSURL, "--bind-dn", dc.BindDN, "--insecure"), 2,
			[]string{"--password-env"}},
		{"unknown action", []string{"ldap", "frob"}, 2, []string{"fetch-cert or test"}},
	}
	// The same test from answers alone: ldap test is the sso.ldap check.
	ssoAnswers := filepath.Join(dir, "sso.yaml")
	os.WriteFile(ssoAnswers, []byte(res.String()+fmt.Sprintf("sso:\n  ldap_url: %s\n  bind_dn: %q\n  bind_password: {file: bind.txt}\n  base: %q\n"+
		"  ssl_enabled: true\n  keystore_password: {file: store.txt}\n  test_user: %s\n", dc.LDAPSURL, dc.BindDN, testpeer.SlapdUsersBase, testpeer.SlapdAgentUPN)), 0o644)
	cases = append(cases, []struct {
		name     string
		args     []string
		code     int
		contains []string
	}{
		{"test from the answers alone", []string{"ldap", "test", "--answers", ssoAnswers}, 0, []string{"pass  bind", "found cn=agent1,", "result: pass"}},
		{"the same verdict from check", []string{"check", "--answers", ssoAnswers, "--only", "sso.ldap"}, 0, []string{"found cn=agent1,"}},
		{"a flag replaces one answer for this run", []string{"ldap", "test", "--answers", ssoAnswers, "--password-file", filepath.Join(dir, "wrong.txt")}, 1,
			[]string{"fail  bind", "invalid credentials"}},
		{"and the answers are as they were", []string{"check", "--answers", ssoAnswers, "--only", "sso.ldap"}, 0, []string{"found cn=agent1,"}},
		{"a DN attribute ECE cannot use", []string{"ldap", "test", "--answers", ssoAnswers, "--dn-attribute", "sAMAccountName"}, 2,
			[]string{"--dn-attribute", "must be userPrincipalName"}},
	}...)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tc.args...)
			all := out + errOut
			if code != tc.code {
				t.Fatalf("exit %d, want %d\n%s", code, tc.code, all)
			}
			for _, c := range tc.contains {
				if !strings.Contains(all, c) {
					t.Errorf("output lacks %q:\n%s", c, all)
				}
			}
			for _, pw := range []string{dc.Password, gc.Password, "MyP@ssword", "not-the-password"} {
				if strings.Contains(all, pw) {
					t.Fatalf("a password leaked into the output:\n%s", all)
				}
			}
			if strings.Contains(tc.name, "json") || strings.Contains(strings.Join(tc.args, " "), "--format json") {
				var v map[string]any
				if err := json.Unmarshal([]byte(out), &v); err != nil {
					t.Fatalf("--format json is not JSON: %v\n%s", err, out)
				}
			}
		})
	}
}
