package ece

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ccewiz/steps"
	"ccewiz/testpeer"
)

// trustFake stands in for the trust step so the guard's verdict is the
// test's choice; the real trust step is tested in its own file.
type trustFake struct {
	fakeTrustStatus steps.Status
}

func (trustFake) ID() string                                            { return "trust" }
func (trustFake) Title() string                                         { return "trust" }
func (trustFake) Intro() string                                         { return "" }
func (trustFake) Fields() []steps.Field                                 { return nil }
func (trustFake) Needed(*steps.Answers) (steps.Need, string)            { return steps.Required, "" }
func (trustFake) Plan(context.Context, *steps.Env) (*steps.Plan, error) { return &steps.Plan{}, nil }
func (trustFake) Apply(context.Context, *steps.Env, *steps.Plan) (*steps.Outcome, error) {
	return &steps.Outcome{}, nil
}
func (f trustFake) Checks() []steps.Check {
	return []steps.Check{{ID: "trust.aw1a", Title: "aw1a trusts ECE", Run: func(context.Context, *steps.Env) steps.Result {
		return steps.Result{Status: f.fakeTrustStatus, Detail: "cacerts on aw1a: " + string(f.fakeTrustStatus), Fix: "import the ECE certificate"}
	}}}
}

func integrationEnv(t *testing.T, certName string) *steps.Env {
	t.Helper()
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "certs"), 0o755)
	testpeer.NewLeaf(t, certName, nil).WriteFiles(t, filepath.Join(dir, "certs"), "ece.example.com")
	a := inventoryAnswers(2000)
	*IntegrationOf(a) = IntegrationAnswers{AWDBServer: "aw1a.example.com", AWDBName: "pcce_awdb", AWDBAuth: "windows", AgentPGs: []string{"CUCM_PG_1", "CUCM_PG_2"}}
	env := steps.NewEnv(a, filepath.Join(dir, "ccewiz.yaml"))
	env.Now = func() time.Time { return time.Date(2026, 11, 23, 6, 15, 0, 0, time.FixedZone("BRT", -3*3600)) }
	return env
}

// withTrust puts the integration step in a flow whose trust step's verdict
// is st, with the earlier steps recorded as done: what is left to refuse the
// Save is that verdict and the step's own guards.
func withTrust(env *steps.Env, st steps.Status) integrationStep {
	env.Flow = []steps.Step{NewProfileStep(), trustFake{st}, NewIntegrationStep()}
	State(env.Answers).Progress.MarkDone("profile")
	State(env.Answers).Progress.MarkDone("trust")
	return integrationStep{}
}

func TestIntegrationPlanIsIrreversible(t *testing.T) {
	env := integrationEnv(t, "ece.example.com")
	plan, err := steps.PlanStep(context.Background(), env.Flow, withTrust(env, steps.Pass), env)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Irreversible == nil || plan.Irreversible.Confirm != "MultiChannel" || !strings.Contains(plan.Irreversible.What, "Save is permanent") {
		t.Fatalf("irreversible = %+v", plan.Irreversible)
	}
	var gui []string
	for _, g := range plan.GUI {
		gui = append(gui, g.Field+"="+g.Value)
	}
	joined := strings.Join(gui, "\n")
	for _, want := range []string{"Server=aw1a.example.com", "Database name=pcce_awdb", "Authentication=Windows authentication",
		"Application Instance=MultiChannel (never the one starting with UQ)", "Agent PG (add with +)=CUCM_PG_1", "Agent PG (add with +)=CUCM_PG_2"} {
		if !strings.Contains(joined, want) {
			t.Errorf("GUI lacks %q:\n%s", want, joined)
		}
	}
	if strings.Contains(strings.Join(plan.Notes, " "), "DO NOT SAVE") || len(plan.Blocked) > 0 {
		t.Errorf("plan warns although every guard passes: %v %v", plan.Notes, plan.Blocked)
	}
}

func TestIntegrationFields(t *testing.T) {
	cases := []struct {
		key, value, err string
	}{
		{"integration.awdb_name", "pcce_awdb", ""},
		{"integration.awdb_name", "pcce_hds", "does not end in _awdb"},
		{"integration.awdb_name", "", "required"},
		{"integration.awdb_server", `aw1a.example.com\SQL1`, ""},
		{"integration.awdb_server", "aw1a", "short host name"},
		{"integration.awdb_auth", "sql", ""},
		{"integration.awdb_auth", "kerberos", "not one of"},
		{"integration.agent_pgs", "CUCM_PG_1, CUCM_PG_2", ""},
		{"integration.agent_pgs", " , ", "every Agent PG"},
	}
	for _, c := range cases {
		err := steps.SetField(steps.NewAnswers(), NewIntegrationStep().Fields(), c.key, c.value)
		if (c.err == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), c.err) {
			t.Errorf("%s=%q: err = %v, want %q", c.key, c.value, err, c.err)
		}
	}
}

// TestIntegrationGuardsRefuse: each reason that would make Save a mistake
// stops the run with the right confirmation typed, and nothing is recorded.
// An earlier step's failing check is the engine's guard (plan.Blocked); the
// certificate name and the instance are the step's own (DO NOT SAVE).
func TestIntegrationGuardsRefuse(t *testing.T) {
	cases := []struct {
		name    string
		cert    string
		trust   steps.Status
		change  func(a *steps.Answers)
		blocked bool
		why     string
	}{
		{"certificate not trusted on an ADS", "ece.example.com", steps.Fail, func(*steps.Answers) {}, true, "cacerts on aw1a: fail"},
		{"web server name not in the certificate", "other.example.com", steps.Pass, func(*steps.Answers) {}, false, "neither the CN"},
		{"instance case slip", "ece.example.com", steps.Pass, func(a *steps.Answers) { InventoryOf(a).AppInstance = "Multichannel" }, false, "only in case"},
		{"UQ instance", "ece.example.com", steps.Pass, func(a *steps.Answers) { InventoryOf(a).AppInstance = "UQ_MultiChannel" }, false, "UQ"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			env := integrationEnv(t, c.cert)
			c.change(env.Answers)
			st := withTrust(env, c.trust)
			plan, err := steps.PlanStep(ctx, env.Flow, st, env)
			if err != nil {
				t.Fatal(err)
			}
			if c.blocked && len(plan.Blocked) == 0 {
				t.Errorf("plan not blocked: %+v", plan)
			}
			if !c.blocked && !strings.Contains(strings.Join(plan.Notes, " "), "DO NOT SAVE") {
				t.Errorf("plan does not warn: %v", plan.Notes)
			}
			r := steps.RunStep(ctx, env.Flow, st, env, plan, plan.Irreversible.Confirm)
			r.Record(env)
			if r.Err == nil || !strings.Contains(r.Err.Error(), c.why) || r.Done {
				t.Fatalf("run: done %v, %v", r.Done, r.Err)
			}
			if _, ok := env.Confirmed("integration"); ok || State(env.Answers).Progress.IsDone("integration") {
				t.Error("a confirmation was recorded")
			}
			if r := st.Checks()[0].Run(ctx, env); r.Status != steps.Fail || !strings.Contains(r.Detail, c.why) {
				t.Errorf("integration.ready = %+v", r)
			}
		})
	}
}

func TestIntegrationApplyRecordsConfirmation(t *testing.T) {
	ctx := context.Background()
	env := integrationEnv(t, "ece.example.com")
	st := withTrust(env, steps.Pass)
	confirmed := func() steps.Result { return st.Checks()[1].Run(ctx, env) }
	if r := confirmed(); r.Status != steps.Manual || !strings.Contains(r.Fix, "--confirm MultiChannel") {
		t.Errorf("before: %+v", r)
	}
	plan, err := steps.PlanStep(ctx, env.Flow, st, env)
	if err != nil {
		t.Fatal(err)
	}
	if r := steps.RunStep(ctx, env.Flow, st, env, plan, "multichannel"); !errors.Is(r.Err, steps.ErrNotConfirmed) || r.Outcome != nil {
		t.Fatalf("a confirmation in the wrong case ran: %+v", r)
	}
	r := steps.RunStep(ctx, env.Flow, st, env.Snapshot(), plan, "MultiChannel")
	if r.Err != nil || !r.Done {
		t.Fatalf("run: %v, failed %+v", r.Err, r.Failed())
	}
	if _, ok := env.Confirmed("integration"); ok {
		t.Fatal("a run on a snapshot changed the owner's answers before Record")
	}
	r.Record(env)
	if !State(env.Answers).Progress.IsDone("integration") {
		t.Error("not recorded as done")
	}
	ig := State(env.Answers).Confirmed["integration"]
	if ig.At != "2026-11-23T09:15:00Z" || ig.Instance != "MultiChannel" {
		t.Errorf("recorded %+v", ig)
	}
	if r := confirmed(); r.Status != steps.Pass {
		t.Errorf("after: %+v", r)
	}
	// The record survives the answers file round trip.
	b, err := steps.MarshalAnswers(env.Answers)
	if err != nil {
		t.Fatal(err)
	}
	back, err := steps.ParseAnswers("x", b)
	if err != nil || State(back).Confirmed["integration"] != ig {
		t.Errorf("round trip: %v %+v", err, back)
	}
	again, err := st.Plan(ctx, env)
	if err != nil || again.Irreversible != nil || !again.Empty() {
		t.Errorf("second plan: %+v %v", again, err)
	}
	// The profile changed under a recorded confirmation: say so loudly.
	ProfileOf(env.Answers).DeploymentModel = 4000
	if r := confirmed(); r.Status != steps.Fail || !strings.Contains(r.Detail, "Main_PS1_Multichannel") {
		t.Errorf("mismatch: %+v", r)
	}
	if _, err := st.Plan(ctx, env); err == nil || !isBadInput(err) {
		t.Errorf("plan after mismatch: %v", err)
	}
}

// TestIntegrationReadyOutsideFlow: without its flow the ready check cannot
// see the earlier steps, and says so instead of passing.
func TestIntegrationReadyOutsideFlow(t *testing.T) {
	env := integrationEnv(t, "ece.example.com")
	r := integrationStep{}.earlierSteps(context.Background(), env)
	if r.Status != steps.Warn || !strings.Contains(r.Detail, "by hand") {
		t.Errorf("earlier steps = %+v", r)
	}
	env.Flow = []steps.Step{NewProfileStep(), trustFake{steps.Pass}, NewIntegrationStep()}
	r = integrationStep{}.earlierSteps(context.Background(), env)
	if r.Status != steps.Warn || !strings.Contains(r.Detail, "not recorded as done: profile, trust") {
		t.Errorf("undone earlier steps = %+v", r)
	}
}
