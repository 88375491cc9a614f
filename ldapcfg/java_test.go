package ldapcfg

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
				Password: secret.New(pw), SSLEnabled: true}, Options{Roots: ks.CertPool(), Resolve: loopbackResolve,
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
