//go:debug x509negativeserial=1

package ldapcfg

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ccewiz/certs"
	"ccewiz/secret"
	"ccewiz/testpeer"
)

// TestAgreesWithJNDI runs the live test and the JDK's own JNDI LDAP client —
// what ECE uses — with the same keystore against the same slapd, and checks
// they agree: a pass here means ECE's Java accepts the keystore, the name and
// the search; each failure is the one ECE would log.
func TestAgreesWithJNDI(t *testing.T) {
	dc := testpeer.StartSlapd(t, testpeer.SlapdOptions{})
	other := testpeer.NewCA(t, "Some Other Root CA", nil)
	dir := t.TempDir()
	// Java resolves the DC's names through a hosts file, so it checks the
	// certificate against the name in the URL exactly as on a real network.
	hosts := filepath.Join(dir, "hosts")
	os.WriteFile(hosts, []byte("127.0.0.1 dc1.example.local dc9.example.local\n"), 0o644)
	pwFile, wrongFile := filepath.Join(dir, "pw"), filepath.Join(dir, "wrong")
	os.WriteFile(pwFile, []byte(dc.Password+"\n"), 0o600)
	os.WriteFile(wrongFile, []byte("Not-"+dc.Password+"\n"), 0o600)
	keystore := func(name string, c *testpeer.Cert) string {
		p, err := PlanKeystore(nil, secret.New("MyP@ssword"), c.Cert)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name)
		os.WriteFile(path, p.Data, 0o644)
		return path
	}
	good, bad := keystore("mydomain.jks", dc.CA), keystore("other.jks", other)
	_, port, _ := net.SplitHostPort(dc.TLSAddr)
	filter := "(userPrincipalName=" + testpeer.SlapdAgentUPN + ")"

	cases := []struct {
		name     string
		host     string
		keystore string
		base     string
		wrongPW  bool
		goStage  string // "" = every stage passes, else the first one that does not
		java     string
	}{
		{"trusted, below the referral", "dc1.example.local", good, testpeer.SlapdUsersBase, false, "", "OK cn=agent1"},
		{"not in the keystore", "dc1.example.local", bad, testpeer.SlapdUsersBase, false, StageConnect, "PKIX path building failed"},
		{"name not in the certificate", "dc9.example.local", good, testpeer.SlapdUsersBase, false, StageConnect, "No subject alternative DNS name matching dc9.example.local"},
		{"wrong password", "dc1.example.local", good, testpeer.SlapdUsersBase, true, StageBind, "error code 49"},
		// Not compared here: the domain root's continuation reference. JNDI's
		// default referral mode sends ManageDsaIT, which slapd honours (it
		// returns the referral object as an entry) and AD ignores at its
		// naming-context boundaries; the lab's directory behaves like AD and
		// its JNDI test shows ECE's PartialResultException.
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			url := "ldaps://" + net.JoinHostPort(c.host, port)
			data, _ := os.ReadFile(c.keystore)
			ks, err := OpenKeystore(c.keystore, data, secret.New("MyP@ssword"))
			if err != nil {
				t.Fatal(err)
			}
			pw, pwf := dc.Password, pwFile
			if c.wrongPW {
				pw, pwf = "Not-"+dc.Password, wrongFile
			}
			rep, err := Test(context.Background(), Settings{URL: url, DNAttribute: DNAttribute, Base: c.base, BindDN: dc.BindDN,
				Password: secret.New(pw), SSLEnabled: true}, Options{Roots: ks.TrustedCerts(), Resolve: loopbackResolve,
				Dial: dialTo(dc.TLSAddr), TestUser: testpeer.SlapdAgentUPN})
			if err != nil {
				t.Fatal(err)
			}
			first := ""
			for _, s := range rep.Stages {
				if s.Status != Pass {
					first = s.Name
					break
				}
			}
			if first != c.goStage {
				t.Errorf("ccewiz: first stage not passing is %q, want %q\n%s", first, c.goStage, summary(rep))
			}
			out := testpeer.JNDISearch(t, url, dc.BindDN, pwf, c.base, filter,
				"-Djdk.net.hosts.file="+hosts, "-Djavax.net.ssl.trustStore="+c.keystore)
			if !strings.Contains(strings.ToLower(out), strings.ToLower(c.java)) {
				t.Errorf("JNDI said:\n%s\nwant %q", out, c.java)
			}
		})
	}
}

// TestAgreesWithJNDIOnDCCertificates serves, from a real slapd, the
// certificates domain controllers really hold — CN only (no SAN), a negative
// serial (Samba), the CN in capitals, wildcards — and checks that ccewiz's
// live test and JNDI (what ECE runs) give the same verdict with the same
// keystore, written by ccewiz. The agreement table goes to the test log.
func TestAgreesWithJNDIOnDCCertificates(t *testing.T) {
	root := testpeer.NewCA(t, "Example AD Root CA", nil)
	dir := t.TempDir()
	hosts := filepath.Join(dir, "hosts")
	// The JDK's hosts-file resolver matches names case-sensitively; a real
	// resolver does not, so the capitalised name is listed too.
	os.WriteFile(hosts, []byte("127.0.0.1 dc1.example.local DC1.Example.Local dc9.example.local dc1.sub.example.local\n"), 0o644)
	p, err := PlanKeystore(nil, secret.New("MyP@ssword"), root.Cert)
	if err != nil {
		t.Fatal(err)
	}
	store := filepath.Join(dir, "mydomain.jks")
	os.WriteFile(store, p.Data, 0o644)
	ks, err := OpenKeystore(store, p.Data, secret.New("MyP@ssword"))
	if err != nil {
		t.Fatal(err)
	}
	java17 := certs.Java17()
	filter := "(userPrincipalName=" + testpeer.SlapdAgentUPN + ")"
	cases := []struct {
		rule, name string
		leaf       testpeer.OpenSSLOptions
		host       string
	}{
		{"negative serial, CN only", "Samba DC", testpeer.OpenSSLOptions{CN: "dc1.example.local", Serial: "-4711"}, "dc1.example.local"},
		{"negative serial, CN only", "other host", testpeer.OpenSSLOptions{CN: "dc1.example.local", Serial: "-4711"}, "dc9.example.local"},
		{"CN only, case", "CN in capitals", testpeer.OpenSSLOptions{CN: "DC1.EXAMPLE.LOCAL"}, "dc1.example.local"},
		{"CN only, case", "URL in capitals", testpeer.OpenSSLOptions{CN: "dc1.example.local"}, "DC1.Example.Local"},
		{"SAN wins over CN", "CN matches, SAN does not", testpeer.OpenSSLOptions{CN: "dc1.example.local", DNS: []string{"dc2.example.local"}}, "dc1.example.local"},
		{"LDAP wildcard", "leftmost label", testpeer.OpenSSLOptions{CN: "ad", DNS: []string{"*.example.local"}}, "dc1.example.local"},
		{"LDAP wildcard", "two labels deep", testpeer.OpenSSLOptions{CN: "ad", DNS: []string{"*.example.local"}}, "dc1.sub.example.local"},
		{"LDAP wildcard", "partial label", testpeer.OpenSSLOptions{CN: "ad", DNS: []string{"dc*.example.local"}}, "dc1.example.local"},
		{"weak but allowed", "SHA-1, RSA 1024", testpeer.OpenSSLOptions{CN: "dc1.example.local", Bits: "1024", Digest: "sha1"}, "dc1.example.local"},
	}
	var table strings.Builder
	disagree := 0
	for _, c := range cases {
		leaf := testpeer.OpenSSLLeaf(t, root, c.leaf)
		dc := testpeer.StartSlapd(t, testpeer.SlapdOptions{Leaf: leaf, CA: root})
		pwFile := filepath.Join(dir, "pw")
		os.WriteFile(pwFile, []byte(dc.Password+"\n"), 0o600)
		_, port, _ := net.SplitHostPort(dc.TLSAddr)
		url := "ldaps://" + net.JoinHostPort(c.host, port)
		rep, err := Test(context.Background(), Settings{URL: url, DNAttribute: DNAttribute, Base: testpeer.SlapdUsersBase,
			BindDN: dc.BindDN, Password: secret.New(dc.Password), SSLEnabled: true},
			Options{Roots: ks.TrustedCerts(), Java: &java17, Resolve: loopbackResolve, Dial: dialTo(dc.TLSAddr), TestUser: testpeer.SlapdAgentUPN})
		if err != nil {
			t.Fatal(err)
		}
		ours := rep.Stages[0].Status == Pass
		for _, s := range rep.Stages {
			ours = ours && s.Status == Pass
		}
		out := testpeer.JNDISearch(t, url, dc.BindDN, pwFile, testpeer.SlapdUsersBase, filter,
			"-Djdk.net.hosts.file="+hosts, "-Djavax.net.ssl.trustStore="+store)
		java := strings.Contains(out, "OK cn=agent1")
		mark := "agree"
		if ours != java {
			mark = "DISAGREE"
			disagree++
			t.Errorf("%s / %s: JNDI %v, ccewiz %v\nJNDI: %s\nccewiz:\n%s", c.rule, c.name, java, ours, out, summary(rep))
		}
		fmt.Fprintf(&table, "%-26s %-26s %-22s java %-6s ccewiz %-6s %s\n", c.rule, c.name, c.host, verdict(java), verdict(ours), mark)
	}
	t.Logf("LDAPS differential, %d cases, %d disagreements:\n%s", len(cases), disagree, table.String())
}

func verdict(ok bool) string {
	if ok {
		return "accept"
	}
	return "refuse"
}
