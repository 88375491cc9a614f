package lab

import (
	"context"
	"crypto/x509"
	"strings"
	"testing"

	"ccewiz/ldapcfg"
	"ccewiz/secret"
	"ccewiz/steps"
)

// TestDirectoryWithLiveTest runs ccewiz's own LDAP live test (what the SSO
// step and `check` use) against the lab: the Global Catalog passes every
// stage, the domain controller's ports do not pass the referrals stage —
// the PartialResultException ECE would log — and a wrong password fails the
// bind. (StartTLS ports warn at connect: ECE itself never uses StartTLS.)
func TestDirectoryWithLiveTest(t *testing.T) {
	l := startLab(t, Options{})
	a, err := steps.LoadAnswers(l.AnswersPath)
	if err != nil {
		t.Fatal(err)
	}
	env := steps.NewEnv(a, l.AnswersPath)
	pw := secret.New(readSecret(t, l, "ldap-password"))
	roots := []*x509.Certificate{l.CACert}
	cases := []struct {
		name      string
		url       string
		pw        secret.Secret
		failStage string // "" = every stage passes; else the first stage that does not pass
	}{
		{"GC over TLS (the lab's answer)", "ldaps://dc1.example.local:3269", pw, ""},
		{"GC with StartTLS", "ldap://dc1.example.local:3268", pw, ""},
		{"DC over TLS: referrals", "ldaps://dc1.example.local:636", pw, ldapcfg.StageReferrals},
		{"DC with StartTLS: referrals", "ldap://dc1.example.local:389", pw, ldapcfg.StageReferrals},
		{"wrong password", "ldaps://dc1.example.local:3269", secret.New("wrong"), ldapcfg.StageBind},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := ldapcfg.Settings{URL: c.url, DNAttribute: "userPrincipalName", BindDN: ServiceAccount, Password: c.pw, SSLEnabled: true,
				KeystoreLocation: KeystoreLocation}
			if !strings.Contains(c.url, ":326") {
				s.Base = domainDN
			}
			ep, err := ldapcfg.ParseURL(c.url)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := ldapcfg.Test(context.Background(), s, ldapcfg.Options{
				Dial: env.Dial, Resolve: ldapcfg.ResolveVia(env.Target, ep.Port), Roots: roots, RootsName: "lab CA",
				TestUser: Users[0].UPN(),
			})
			if err != nil {
				t.Fatal(err)
			}
			var failed *ldapcfg.Stage
			for i := range rep.Stages {
				if rep.Stages[i].Status != ldapcfg.Pass && rep.Stages[i].Name != ldapcfg.StageConnect {
					failed = &rep.Stages[i]
					break
				}
			}
			switch {
			case c.failStage == "" && failed != nil:
				t.Fatalf("stage %s failed: %s (fix: %s)", failed.Name, failed.Detail, failed.Fix)
			case c.failStage != "" && (failed == nil || failed.Name != c.failStage):
				t.Fatalf("want stage %s to fail, got %+v", c.failStage, rep.Stages)
			}
		})
	}
}
