package ece

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ccewiz/certs"
	"ccewiz/ldapcfg"
	"ccewiz/secret"
	"ccewiz/steps"
	"ccewiz/testpeer"
)

// ssoEnv is an answers file for a GC over TLS, reached through the resolve
// section, with passwords in files as a headless run has them.
func ssoEnv(t *testing.T, dir string, p *testpeer.Slapd) *steps.Env {
	t.Helper()
	write := func(name, v string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(v+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	a := steps.NewAnswers()
	ProfileOf(a).ECEFQDN = "ece.example.com"
	ProfileOf(a).AppServers = []string{"app1.example.com", "app2.example.com"}
	*SSOOf(a) = SSOAnswers{
		LDAPURL:          p.LDAPSURL,
		DNAttribute:      "userPrincipalName",
		BindDN:           p.BindDN,
		BindPassword:     secret.Ref{File: write("ldap-pw", p.Password)},
		SSLEnabled:       true,
		KeystoreLocation: `c:\ece\pcce\mydomain.jks`,
		KeystorePassword: secret.Ref{File: write("store-pw", "MyP@ssword")},
		TestUser:         testpeer.SlapdChildUPN,
	}
	if !p.GC {
		SSOOf(a).Base = testpeer.SlapdUsersBase
		SSOOf(a).TestUser = testpeer.SlapdAgentUPN
	}
	a.Resolve = p.Resolve()
	env := steps.NewEnv(a, filepath.Join(dir, "ccewiz.yaml"))
	env.Timeout = 3 * time.Second
	return env
}

func runSSOChecks(t *testing.T, env *steps.Env) map[string]steps.Result {
	t.Helper()
	return checkResults(t, env, []steps.Step{NewSSOStep()}, time.Minute)
}

func TestSSOStep(t *testing.T) {
	gc := testpeer.StartSlapd(t, testpeer.SlapdOptions{GC: true})
	dir := t.TempDir()
	env := ssoEnv(t, dir, gc)
	step := NewSSOStep()

	// Before: no keystore yet, so the keystore and live checks fail and say how to build it.
	before := runSSOChecks(t, env)
	if before["sso.settings"].Status != steps.Pass {
		t.Fatalf("sso.settings before: %+v", before["sso.settings"])
	}
	for _, id := range []string{"sso.keystore", "sso.ldap"} {
		if r := before[id]; r.Status != steps.Fail || !strings.Contains(r.Fix, "apply --step sso") {
			t.Errorf("%s before apply: %+v", id, r)
		}
	}

	plan, err := step.Plan(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	ks := filepath.Join(dir, DefaultKeystoreFile)
	if len(plan.Files) != 1 || plan.Files[0].Path != ks || plan.Files[0].Action != steps.Create || !plan.Files[0].Sensitive {
		t.Fatalf("files: %+v", plan.Files)
	}
	if len(plan.Keystore) != 1 || plan.Keystore[0].Alias != ldapcfg.KeystoreAlias || plan.Keystore[0].SHA256 != certs.Fingerprint(gc.Leaf.Cert.Raw) {
		t.Fatalf("keystore entries: %+v", plan.Keystore)
	}
	want := map[string]string{"LDAP URL": gc.LDAPSURL, "DN Attribute": "userPrincipalName", "Base": "(leave empty",
		"DN for LDAP search": gc.BindDN, "Password": "never shows it", "Is LDAP SSL enabled": "ticked", "Keystore location": `c:\ece\pcce\mydomain.jks`}
	for _, g := range plan.GUI {
		if w, ok := want[g.Field]; ok {
			if !strings.HasPrefix(g.Value, w) && !strings.Contains(g.Value, w) {
				t.Errorf("GUI %s = %q, want %q", g.Field, g.Value, w)
			}
			if !strings.Contains(g.Where, "Partition Administration Configuration") || !strings.Contains(g.Where, "https://ece.example.com/default") {
				t.Errorf("GUI where = %q", g.Where)
			}
			delete(want, g.Field)
		}
	}
	if len(want) > 0 {
		t.Errorf("GUI lacks %v", want)
	}
	if len(plan.Commands) != 2 || plan.Commands[1].Host != "app2.example.com" || plan.Commands[0].Shell != "powershell" {
		t.Fatalf("commands: %+v", plan.Commands)
	}
	sum := strings.ToUpper(steps.SHA256Hex(plan.Files[0].Data))
	for _, c := range plan.Commands {
		for _, w := range []string{`$dst = 'c:\ece\pcce\mydomain.jks'`, sum, ".bak", `C:\temp\mydomain.jks`} {
			if !strings.Contains(c.Script, w) {
				t.Errorf("command for %s lacks %q:\n%s", c.Host, w, c.Script)
			}
		}
	}
	var text bytes.Buffer
	plan.WriteText(&text)
	if !strings.Contains(text.String(), "trust on first use") {
		t.Errorf("the plan does not say the certificate is trusted on first use:\n%s", text.String())
	}
	if _, err := os.Stat(ks); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("Plan wrote the keystore")
	}

	out, err := step.Apply(context.Background(), env, plan)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Written) != 1 || out.Written[0].Path != ks {
		t.Fatalf("written: %+v", out.Written)
	}
	for _, r := range out.Results {
		if r.Status != steps.Pass {
			t.Errorf("after apply %s: %s %s (fix: %s)", r.ID, r.Status, r.Detail, r.Fix)
		}
	}
	if r := runSSOChecks(t, env)["sso.ldap"]; !strings.Contains(r.Detail, "found cn=alice") {
		t.Errorf("sso.ldap detail: %s", r.Detail)
	}

	// Nothing left to do: the keystore already trusts the DC.
	again, err := step.Plan(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	if again.Files[0].Action != steps.Unchanged || again.Keystore[0].Action != string(certs.Present) {
		t.Fatalf("second plan: %+v %+v", again.Files, again.Keystore)
	}

	// Every rendering of plan, outcome and checks is free of passwords.
	all := renderAll(t, plan, out, runSSOChecks(t, env))
	for _, pw := range []string{gc.Password, "MyP@ssword"} {
		if strings.Contains(all, pw) {
			t.Fatalf("a password leaked:\n%s", all)
		}
	}
}

func renderAll(t *testing.T, v ...any) string {
	t.Helper()
	var b strings.Builder
	for _, x := range v {
		j, err := json.Marshal(x)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(j)
		fmt.Fprintf(&b, "\n%+v\n", x)
		if p, ok := x.(*steps.Plan); ok {
			p.WriteText(&b)
		}
	}
	return b.String()
}

// The checks fail for the reasons admins meet, each with its own words.
func TestSSOChecksFail(t *testing.T) {
	dc := testpeer.StartSlapd(t, testpeer.SlapdOptions{})
	other := testpeer.NewCA(t, "Another Root CA", nil)
	cases := []struct {
		name   string
		change func(t *testing.T, env *steps.Env, dir string)
		want   map[string]string // check ID → status and a fragment, "fail:…"
	}{
		{"trusting the issuing CA from a .cer file, DC from the users container", func(t *testing.T, env *steps.Env, dir string) {
			crt, _ := dc.CA.WriteFiles(t, dir, "issuing-ca")
			SSOOf(env.Answers).DCCertFile = crt
			SSOOf(env.Answers).Trust = "ca"
		}, map[string]string{"sso.settings": "warn:not a Global Catalog", "sso.keystore": "pass:trusts dc1.example.local", "sso.ldap": "pass:found cn=agent1"}},
		{"keystore trusting another CA", func(t *testing.T, env *steps.Env, dir string) {
			crt, _ := other.WriteFiles(t, dir, "other")
			SSOOf(env.Answers).DCCertFile = crt
		}, map[string]string{"sso.keystore": "fail:not trusted", "sso.ldap": "fail:connect: "}},
		{"wrong bind password", func(t *testing.T, env *steps.Env, dir string) {
			p := filepath.Join(dir, "wrong-pw")
			os.WriteFile(p, []byte("Not-"+dc.Password), 0o600)
			SSOOf(env.Answers).BindPassword = secret.Ref{File: p}
		}, map[string]string{"sso.keystore": "pass:", "sso.ldap": "fail:invalid credentials"}},
		{"domain root meets referrals", func(t *testing.T, env *steps.Env, dir string) {
			SSOOf(env.Answers).Base = testpeer.SlapdBase
		}, map[string]string{"sso.ldap": "fail:PartialResultException"}},
		{"no test user", func(t *testing.T, env *steps.Env, dir string) {
			SSOOf(env.Answers).TestUser = ""
		}, map[string]string{"sso.ldap": "warn:not tried"}},
		{"SSL off", func(t *testing.T, env *steps.Env, dir string) {
			SSOOf(env.Answers).SSLEnabled = false
		}, map[string]string{"sso.settings": "fail:is a TLS port", "sso.keystore": "skip:"}},
		{"no password source", func(t *testing.T, env *steps.Env, dir string) {
			SSOOf(env.Answers).BindPassword = secret.Ref{}
		}, map[string]string{"sso.settings": "fail:no password source", "sso.ldap": "fail:sso.bind_password"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			env := ssoEnv(t, dir, dc)
			tc.change(t, env, dir)
			if SSOOf(env.Answers).SSLEnabled {
				// Build the keystore the way apply does, from what the answers say.
				plan, err := NewSSOStep().Plan(context.Background(), env)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := steps.ApplyFiles(env, plan); err != nil {
					t.Fatal(err)
				}
			}
			got := runSSOChecks(t, env)
			for id, w := range tc.want {
				status, frag, _ := strings.Cut(w, ":")
				r := got[id]
				if string(r.Status) != status || !strings.Contains(r.Detail, frag) {
					t.Errorf("%s = %s %q (fix %q); want %s containing %q", id, r.Status, r.Detail, r.Fix, status, frag)
				}
				if r.Status == steps.Fail && r.Fix == "" {
					t.Errorf("%s fails without a fix", id)
				}
			}
			all := renderAll(t, got)
			if strings.Contains(all, dc.Password) || strings.Contains(all, "MyP@ssword") {
				t.Fatalf("a password leaked:\n%s", all)
			}
		})
	}
}

func TestSSOPlanRefusesBadSettings(t *testing.T) {
	dir := t.TempDir()
	a := steps.NewAnswers()
	*SSOOf(a) = SSOAnswers{LDAPURL: "ldaps://dc1.example.local:636", DNAttribute: "sAMAccountName", BindDN: "CN=x,,DC=y", SSLEnabled: true}
	env := steps.NewEnv(a, filepath.Join(dir, "ccewiz.yaml"))
	_, err := NewSSOStep().Plan(context.Background(), env)
	if !errors.Is(err, steps.ErrBadInput) {
		t.Fatalf("got %v, want bad input", err)
	}
	for _, w := range []string{"DN Attribute", "Base: is required", `part 2 ""`} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q:\n%v", w, err)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) > 0 {
		t.Fatalf("a refused plan wrote %v", entries)
	}
}

func TestSSOFields(t *testing.T) {
	a := steps.NewAnswers()
	fields := NewSSOStep().Fields()
	set := func(key, v string) error { return steps.SetField(a, fields, key, v) }
	for _, c := range []struct {
		key, v string
		ok     bool
	}{
		{"sso.ldap_url", "ldaps://gc1.example.local:3269", true},
		{"sso.ldap_url", "gc1.example.local:3269", false},
		{"sso.dn_attribute", "sAMAccountName", false},
		{"sso.dn_attribute", "userPrincipalName", true},
		{"sso.base", "", true}, // a GC needs none
		{"sso.base", "DC=example,DC", false},
		{"sso.bind_dn", "CN=pcceadmin,CN=Users,DC=example,DC=local", true},
		{"sso.bind_dn", "CN=pcceadmin,Users", false},
		{"sso.keystore_location", `c:\ece\pcce\mydomain.jks`, true},
		{"sso.keystore_location", `ece\mydomain.jks`, false},
		{"sso.trust", "CA", true},
		{"sso.trust", "root", false},
		{"sso.test_user", "admin1@example.local", true},
		{"sso.test_user", "admin1", false},
		{"sso.dc_addr", "dc1.example.local:636", true},
		{"sso.dc_addr", "dc1.example.local", false},
		{"sso.bind_password", "env:LDAP_PW", true},
		{"sso.bind_password", "hunter2", false},
	} {
		if err := set(c.key, c.v); (err == nil) != c.ok {
			t.Errorf("set %s = %q: %v (want ok=%v)", c.key, c.v, err, c.ok)
		}
	}
	if err := set("sso.ldap_url", "ldaps://dc1.example.local:636"); err != nil {
		t.Fatal(err)
	}
	if err := set("sso.base", ""); err == nil {
		t.Error("an empty Base was accepted for a plain DC")
	}
	SSOOf(a).DCAddr = ""
	if got := ssoDCAddr(a); got != "dc1.example.local:636" {
		t.Errorf("dc_addr default %q", got)
	}
	SSOOf(a).LDAPURL = "ldap://gc1.example.local:3268"
	if got := ssoDCAddr(a); got != "gc1.example.local:3269" {
		t.Errorf("dc_addr default for a plain GC %q", got)
	}
	if SSOOf(a).Trust != "ca" || SSOOf(a).BindPassword.Env != "LDAP_PW" {
		t.Errorf("answers: %+v", *SSOOf(a))
	}
}
