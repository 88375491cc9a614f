package wxm_test

import (
	"context"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ccewiz/finesse"
	"ccewiz/lab"
	"ccewiz/secret"
	"ccewiz/steps"
	"ccewiz/steps/wxm"
)

const (
	cej  = "https://cloudcherry.com/gadget/journey.xml?token=abc&mode=cc"
	ceaA = "https://cloudcherry.com/gadget/analytics.xml?dash=42"
	ceaS = "https://cloudcherry.com/gadget/analytics.xml?dash=43"
)

// finesseEnv points the flow at a lab Finesse (a real HTTPS server with
// basic authentication) through the resolve overrides, trusting its
// certificate file.
func finesseEnv(t *testing.T, f *lab.Finesse, password string) *steps.Env {
	t.Helper()
	dir := t.TempDir()
	certFile := filepath.Join(dir, "finesse.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: f.Cert.Raw}), 0o644)
	a := steps.NewAnswers()
	a.Resolve = map[string]string{lab.FinesseFQDN + ":8445": f.Addr}
	w := wxm.Of(a)
	w.Finesse = wxm.Finesse{Servers: []string{lab.FinesseFQDN, "fin1b.example.com"}, AdminUser: "admin", CertFile: certFile,
		CEJURL: cej, CEAAgentURL: ceaA, CEASupervisorURL: ceaS}
	env := steps.NewEnv(a, filepath.Join(dir, "ccewiz.yaml"))
	env.Flow, env.FlowID = wxm.Flow().Steps, wxm.FlowID
	env.Secrets["wxm.finesse.admin_password"] = secret.New(password)
	return env
}

func layoutCheck(t *testing.T, env *steps.Env) steps.Result {
	t.Helper()
	for _, r := range steps.RunChecks(context.Background(), env.Flow, env, steps.RunOptions{Only: []string{"finesse.layout"}}) {
		return r
	}
	t.Fatal("no finesse.layout result")
	return steps.Result{}
}

// TestFinesseLayoutThroughTheAPI: against a real HTTPS Finesse, the check
// fails first; the step reads the layout, keeps it in a backup file, PUTs
// the patched one and reads it back; the check passes; a second run PUTs
// nothing.
func TestFinesseLayoutThroughTheAPI(t *testing.T) {
	f, err := lab.StartFinesse("admin", "Finesse-1", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	env := finesseEnv(t, f, "Finesse-1")
	if r := layoutCheck(t, env); r.Status != steps.Fail || !strings.Contains(r.Detail, "Agent › home") {
		t.Fatalf("before: %+v", r)
	}
	st := wxm.Flow().Find("finesse")
	p, err := steps.PlanStep(context.Background(), env.Flow, st, env)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Remote) != 1 || p.Remote[0].Action != steps.Modify || !strings.Contains(p.Remote[0].Diff, "filterTags=cc_TeamId") {
		t.Fatalf("plan: %+v", p.Remote)
	}
	run := steps.RunStep(context.Background(), env.Flow, st, env, p, "")
	if run.Err != nil || len(run.Failed()) > 0 {
		t.Fatalf("apply: %v %+v", run.Err, run.Failed())
	}
	now, puts := f.Layout()
	if puts != 1 {
		t.Fatalf("%d PUTs, want 1", puts)
	}
	l, err := finesse.Parse(now)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range []finesse.Gadget{{Role: "Agent", Tab: "home", URL: cej}, {Role: "Supervisor", Tab: "teamData", URL: ceaS + "&filterTags=cc_TeamId"}} {
		if !l.Has(g) {
			t.Errorf("Finesse's layout lacks %s", g)
		}
	}
	if len(run.Outcome.Written) != 1 {
		t.Fatalf("written %+v, want the backup of the previous layout", run.Outcome.Written)
	}
	if b, _ := os.ReadFile(run.Outcome.Written[0].Path); string(b) != string(finesse.StockLayout) {
		t.Error("the backup is not the previous layout")
	}
	if r := layoutCheck(t, env); r.Status != steps.Pass {
		t.Fatalf("after: %+v", r)
	}
	p2, err := steps.PlanStep(context.Background(), env.Flow, st, env)
	if err != nil || !p2.Empty() {
		t.Fatalf("second plan: %v %+v", err, p2)
	}
	steps.RunStep(context.Background(), env.Flow, st, env, p2, "")
	if _, puts := f.Layout(); puts != 1 {
		t.Errorf("the second run PUT the layout again")
	}
}

// A wrong password is one clear error with what to do, and changes nothing.
func TestFinesseWrongPassword(t *testing.T) {
	f, err := lab.StartFinesse("admin", "Finesse-1", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	env := finesseEnv(t, f, "wrong")
	_, err = steps.PlanStep(context.Background(), env.Flow, wxm.Flow().Find("finesse"), env)
	if err == nil || !strings.Contains(err.Error(), "HTTP 401") || !strings.Contains(err.Error(), "user name and password") || strings.Contains(err.Error(), "wrong") {
		t.Errorf("wrong password: %v", err)
	}
	if _, puts := f.Layout(); puts != 0 {
		t.Error("a failed plan changed the layout")
	}
}
