package ece

import (
	"context"
	"strings"
	"testing"

	"ccewiz/steps"
	"ccewiz/testpeer"
)

// TestLDAPDownInTheFlow: sso.ldap through the whole flow's runner passes
// against a live Global Catalog (slapd), then fails with a fix once slapd
// is stopped — the "Cisco Service"-style outage on the AD side.
func TestLDAPDownInTheFlow(t *testing.T) {
	gc := testpeer.StartSlapd(t, testpeer.SlapdOptions{GC: true})
	env := ssoEnv(t, t.TempDir(), gc)
	ctx := context.Background()
	step := steps.Find(Flow().Steps, "sso")
	if step == nil {
		t.Fatal("the flow has no sso step (steps/flow.go)")
	}
	plan, err := step.Plan(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := step.Apply(ctx, env, plan); err != nil {
		t.Fatal(err)
	}
	if r := flowResults(t, env, "sso.ldap")["sso.ldap"]; r.Status != steps.Pass {
		t.Fatalf("sso.ldap with slapd up = %s: %s\nfix: %s", r.Status, r.Detail, r.Fix)
	}
	gc.Stop()
	r := flowResults(t, env, "sso.ldap")["sso.ldap"]
	if r.Status != steps.Fail || r.Fix == "" || !strings.Contains(strings.ToLower(r.Detail), "refused") {
		t.Errorf("sso.ldap with slapd down = %s: %s\nfix: %s; want a fail saying the connection was refused, with a fix", r.Status, r.Detail, r.Fix)
	}
	t.Logf("slapd down: %s\nfix: %s", r.Detail, r.Fix)
}
