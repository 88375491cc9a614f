package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ccewiz/certs"
	"ccewiz/testpeer"
)

// TestLDAPAgainstASambaDC walks the SSO step's commands against a real LDAPS
// server holding what a Samba AD DC (and many Windows DCs) hold: a
// certificate with a negative serial number and a CN but no SAN. crypto/x509
// refuses to parse the first and to match the second; Java accepts both, so
// fetch-cert, keystore import, ldap test and check must too — and JNDI, with
// the keystore ccewiz wrote, is the judge of the result.
func TestLDAPAgainstASambaDC(t *testing.T) {
	root := testpeer.NewCA(t, "Samba AD Root CA", nil)
	leaf := testpeer.OpenSSLLeaf(t, root, testpeer.OpenSSLOptions{CN: "dc1.example.local", Serial: "-318569211"})
	if leaf.Cert.SerialNumber.Sign() >= 0 || len(leaf.Cert.DNSNames) != 0 {
		t.Fatalf("test certificate: serial %v, SANs %v; want a negative serial and no SAN", leaf.Cert.SerialNumber, leaf.Cert.DNSNames)
	}
	dc := testpeer.StartSlapd(t, testpeer.SlapdOptions{Leaf: leaf, CA: root})
	dir := t.TempDir()
	bind, store := filepath.Join(dir, "bind.txt"), filepath.Join(dir, "store.txt")
	os.WriteFile(bind, []byte(dc.Password+"\n"), 0o600)
	os.WriteFile(store, []byte("MyP@ssword\n"), 0o600)
	cer, jks := filepath.Join(dir, "domainctl.cer"), filepath.Join(dir, "mydomain.jks")
	var a strings.Builder
	a.WriteString("version: 1\nresolve:\n")
	for k, v := range dc.Resolve() {
		fmt.Fprintf(&a, "  %s: %s\n", k, v)
	}
	fmt.Fprintf(&a, "sso:\n  ldap_url: %s\n  base: %s\n  bind_dn: %s\n  bind_password: {file: %s}\n  ssl_enabled: true\n"+
		"  keystore_location: c:\\ece\\pcce\\mydomain.jks\n  keystore_file: %s\n  keystore_password: {file: %s}\n  test_user: %s\n",
		dc.LDAPSURL, testpeer.SlapdUsersBase, dc.BindDN, bind, jks, store, testpeer.SlapdAgentUPN)
	answers := filepath.Join(dir, "ccewiz.yaml")
	os.WriteFile(answers, []byte(a.String()), 0o644)

	steps := []struct {
		name     string
		args     []string
		contains []string
	}{
		{"fetch the DC certificate", []string{"ldap", "fetch-cert", "--answers", answers, "--addr", "dc1.example.local:636", "--out", cer},
			[]string{"trust on first use", certs.Fingerprint(leaf.Cert.Raw), "wrote " + cer}},
		{"import it into a new mydomain.jks", []string{"keystore", "import", "--keystore", jks, "--create", "--alias", "mydomaincontroller",
			"--cert", cer, "--storepass-file", store}, []string{"mydomaincontroller"}},
		{"ldap test with that keystore", []string{"ldap", "test", "--answers", answers, "--url", dc.LDAPSURL, "--bind-dn", dc.BindDN,
			"--password-file", bind, "--base", testpeer.SlapdUsersBase, "--keystore", jks, "--storepass-file", store,
			"--user", testpeer.SlapdAgentUPN}, []string{"pass  connect", "found cn=agent1,", "result: pass"}},
		{"check the SSO step", []string{"check", "--answers", answers, "--only", "sso"},
			[]string{"sso.keystore", "sso.ldap"}},
	}
	for _, s := range steps {
		code, out, errOut := runCLI(t, s.args...)
		all := out + errOut
		if code != 0 {
			t.Fatalf("%s: exit %d\n%s", s.name, code, all)
		}
		for _, c := range s.contains {
			if !strings.Contains(all, c) {
				t.Errorf("%s: output lacks %q:\n%s", s.name, c, all)
			}
		}
		if strings.Contains(all, dc.Password) || strings.Contains(all, "MyP@ssword") {
			t.Fatalf("%s: a password leaked:\n%s", s.name, all)
		}
	}

	// ECE's side: the JDK's JNDI client, with the keystore ccewiz wrote.
	hosts := filepath.Join(dir, "hosts")
	os.WriteFile(hosts, []byte("127.0.0.1 dc1.example.local\n"), 0o644)
	_, port, _ := net.SplitHostPort(dc.TLSAddr)
	out := testpeer.JNDISearch(t, "ldaps://"+net.JoinHostPort("dc1.example.local", port), dc.BindDN, bind,
		testpeer.SlapdUsersBase, "(userPrincipalName="+testpeer.SlapdAgentUPN+")",
		"-Djdk.net.hosts.file="+hosts, "-Djavax.net.ssl.trustStore="+jks)
	if !strings.Contains(out, "OK cn=agent1") {
		t.Fatalf("JNDI with ccewiz's keystore disagrees:\n%s", out)
	}
}
