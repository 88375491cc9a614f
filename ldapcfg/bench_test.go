package ldapcfg

import (
	"context"
	"testing"

	"ccewiz/secret"
	"ccewiz/testpeer"
)

// BenchmarkValidate is the offline check the wizard runs on every keystroke.
func BenchmarkValidate(b *testing.B) {
	s := Settings{URL: "ldaps://dc1.example.local:636", DNAttribute: DNAttribute, Base: "CN=Users,DC=example,DC=local",
		BindDN: "CN=pcceadmin,CN=Users,DC=example,DC=local", Password: secret.New("x"), SSLEnabled: true, KeystoreLocation: `c:\ece\pcce\mydomain.jks`}
	for b.Loop() {
		if ps := s.Validate(); len(ps) != 1 {
			b.Fatal(ps)
		}
	}
}

// BenchmarkLiveTest is one full live test (TLS handshake, rootDSE, bind,
// search) against a local slapd Global Catalog: the cost of `check`'s sso.ldap
// without network latency.
func BenchmarkLiveTest(b *testing.B) {
	gc := testpeer.StartSlapd(b, testpeer.SlapdOptions{GC: true})
	pool := keystorePool(b, gc.CA.Cert)
	s := Settings{URL: gc.LDAPSURL, DNAttribute: DNAttribute, BindDN: gc.BindDN, Password: secret.New(gc.Password), SSLEnabled: true}
	o := Options{Roots: pool, Dial: gc.Dial, Resolve: loopbackResolve, TestUser: testpeer.SlapdChildUPN}
	for b.Loop() {
		rep, err := Test(context.Background(), s, o)
		if err != nil || rep.Status() != Pass {
			b.Fatal(err, summary(rep))
		}
	}
}
