package ece

import (
	"context"
	"fmt"
	"strings"
	"time"

	"ccewiz/steps"
)

// integrationStep is step 5: ECE's Unified CCE integration, done in ECE
// through SPOG's Email and Chat card. Its Save cannot be undone — a mistake
// means uninstalling ECE and dropping its databases — so ccewiz lists what to
// fill in, re-runs every check that would make Save a mistake, and only
// records the admin's typed confirmation when they all pass.
type integrationStep struct{}

// NewIntegrationStep returns step 5, ECE's Unified CCE integration.
func NewIntegrationStep() steps.Step { return integrationStep{} }

const (
	integrationWhere = "CCE Administration › Email and Chat › Integration › Unified CCE › Unified CCE"
	// IntegrationWarning is what the admin confirms by typing the Application Instance.
	IntegrationWarning = "ECE › Integration › Unified CCE › Save is permanent: once saved, ECE is tied to this PCCE and " +
		"Application Instance for good; a mistake means uninstalling ECE, dropping all its databases and installing again"
)

func (integrationStep) ID() string         { return "integration" }
func (integrationStep) Title() string      { return "ECE integration with Unified CCE (permanent)" }
func (integrationStep) ShortTitle() string { return "UCCE integration" }
func (integrationStep) GuideStep() string  { return "5" }
func (integrationStep) Intro() string {
	return "In ECE (CCE Administration's Email and Chat card), Integration › Unified CCE takes the AWDB details and " +
		"the Application Instance with every Agent PG. Its Save is permanent: a wrong value means reinstalling ECE. " +
		"ccewiz waits for every earlier step to be done and pass, re-checks the web server name and the Application Instance, and asks " +
		"you to type the Application Instance to confirm."
}

func (integrationStep) Needed(*steps.Answers) (steps.Need, string) {
	return steps.Required, "ECE routes email and chat through PCCE only once it is integrated with Unified CCE"
}

func (integrationStep) Fields() []steps.Field {
	server := steps.TextField("integration.awdb_server", "AWDB server", "the Admin Data Server whose AWDB ECE reads (host, or host\\SQL instance)",
		func(a *steps.Answers) *string { return &IntegrationOf(a).AWDBServer })
	server.Default = func(a *steps.Answers) string {
		if len(ProfileOf(a).AdminDataServers) > 0 {
			return ProfileOf(a).AdminDataServers[0]
		}
		return ""
	}
	server.Validate = func(_ *steps.Answers, v string) error {
		host, _, _ := strings.Cut(strings.TrimSpace(v), `\`)
		if err := steps.ValidateFQDN(host); err != nil {
			return fmt.Errorf("AWDB server: %w", err)
		}
		return nil
	}
	name := steps.TextField("integration.awdb_name", "AWDB database name", "<ICM instance>_awdb, e.g. pcce_awdb",
		func(a *steps.Answers) *string { return &IntegrationOf(a).AWDBName })
	name.Validate = func(_ *steps.Answers, v string) error {
		v = strings.TrimSpace(v)
		switch {
		case v == "":
			return fmt.Errorf("the AWDB database name is required: <ICM instance>_awdb, e.g. pcce_awdb")
		case !strings.HasSuffix(strings.ToLower(v), "_awdb"):
			return fmt.Errorf("%q does not end in _awdb; the AWDB is named <ICM instance>_awdb (e.g. pcce_awdb) — not the HDS (_hds) or the logger (_sideA)", v)
		}
		return nil
	}
	auth := steps.ChoiceField("integration.awdb_auth", "AWDB authentication", "windows (integrated) or sql (SQL Server login)", []string{"windows", "sql"},
		func(a *steps.Answers) *string { return &IntegrationOf(a).AWDBAuth })
	auth.Default = func(*steps.Answers) string { return "windows" }
	pgs := steps.ListField("integration.agent_pgs", "Agent PGs", "every Agent PG, as CCE Administration names them (e.g. CUCM_PG_1)",
		func(a *steps.Answers) *[]string { return &IntegrationOf(a).AgentPGs })
	pgs.Validate = func(_ *steps.Answers, v string) error {
		if len(steps.SplitList(v)) == 0 {
			return fmt.Errorf("list every Agent PG: ECE only routes to agents on the PGs added here")
		}
		return nil
	}
	return []steps.Field{server, name, auth, pgs}
}

func authLabel(s string) string {
	if s == "sql" {
		return "SQL Server authentication"
	}
	return "Windows authentication"
}

// Guards re-runs this step's own reasons that would make Save a mistake:
// the web server name in ECE's certificate and the exact Application
// Instance. Any Fail means: do not Save. That every earlier step (ECE's
// certificate trusted on every ADS among them) is done and passes is the
// engine's guard (Guard), which every driver applies to an irreversible plan.
func (s integrationStep) Guards(ctx context.Context, env *steps.Env) []steps.Result {
	a := env.Answers
	cert := CertRule(ctx, env, invWebServer(a))
	cert.ID, cert.Title = "integration.guard-cert", "the web server name is in ECE's certificate"
	inst := AppInstanceRule(a)
	inst.ID, inst.Title = "integration.guard-app-instance", "the Application Instance is exact"
	return []steps.Result{cert, inst}
}

// earlierSteps is the engine's guard as a result, for the ready check: a
// failing earlier check fails it; a step not recorded as done (the admin may
// have done it by hand) only warns, since the check cannot know.
func (s integrationStep) earlierSteps(ctx context.Context, env *steps.Env) steps.Result {
	r := steps.Result{ID: "integration.guard-earlier", Title: "every earlier step is done and passes its checks"}
	if len(env.Flow) == 0 {
		r.Status, r.Detail = steps.Warn, "run outside its flow: confirm by hand that every earlier step is done and passes its checks"
		return r
	}
	var failing, undone []string
	for _, b := range steps.Guard(ctx, env.Flow, s.ID(), env) {
		if b.Why == "not done yet" {
			undone = append(undone, b.Step)
			continue
		}
		failing = append(failing, b.String())
		if r.Fix == "" {
			r.Fix = b.Fix
		}
	}
	switch {
	case len(failing) > 0:
		r.Status, r.Detail = steps.Fail, strings.Join(failing, "; ")
	case len(undone) > 0:
		r.Status, r.Detail = steps.Warn, "no check fails, but not recorded as done: "+strings.Join(undone, ", ")
		r.Fix = "run those steps in the wizard or with ccewiz apply --step ID; the Save waits for them"
	default:
		r.Status, r.Detail = steps.Pass, "every earlier step is done and passes its checks"
	}
	return r
}

func failed(rs []steps.Result) []string {
	var bad []string
	for _, r := range rs {
		if r.Status == steps.Fail {
			bad = append(bad, fmt.Sprintf("%s — %s", r.Title, r.Detail))
		}
	}
	return bad
}

func (s integrationStep) Plan(ctx context.Context, env *steps.Env) (*steps.Plan, error) {
	a := env.Answers
	inst, err := AppInstance(*ProfileOf(a))
	if err != nil {
		return nil, steps.BadInput(err)
	}
	if c, ok := env.Confirmed(s.ID()); ok {
		if c.Instance == inst {
			return &steps.Plan{Step: s.ID(), Summary: fmt.Sprintf("already confirmed for %s at %s; nothing to do (Save cannot be repeated or undone)", c.Instance, c.At)}, nil
		}
		return nil, steps.BadInput(fmt.Errorf("the Save was confirmed for Application Instance %q (flows.ece.confirmed.integration) but the profile now expects %q; if ECE was saved with %q it must be reinstalled — otherwise correct the answers file", c.Instance, inst, c.Instance))
	}
	if errs := steps.ValidateFields(a, s.Fields()); len(errs) > 0 {
		return nil, steps.BadInput(joinErrs("the integration answers are incomplete", errs))
	}
	ig := *IntegrationOf(a)
	awdb := integrationWhere + " › AWDB Details"
	conf := integrationWhere + " › Configuration"
	plan := &steps.Plan{Step: s.ID(),
		Summary: "fill in AWDB Details and Save; then Configuration — its Save is permanent",
		GUI: []steps.GUIEntry{
			{Where: "CCE Administration › Email and Chat", Field: "Device name", Value: invWebServer(a)},
			{Where: awdb, Field: "Server", Value: ig.AWDBServer},
			{Where: awdb, Field: "Database name", Value: ig.AWDBName},
			{Where: awdb, Field: "Authentication", Value: authLabel(orDefault(ig.AWDBAuth, "windows"))},
			{Where: awdb, Field: "User name / Password", Value: "an account that can read the AWDB — typed by you, never stored"},
			{Where: conf, Field: "Application Instance", Value: inst + " (never the one starting with UQ)"},
		},
		Irreversible: &steps.Irreversible{What: IntegrationWarning, Confirm: inst},
	}
	for _, pg := range ig.AgentPGs {
		plan.GUI = append(plan.GUI, steps.GUIEntry{Where: conf, Field: "Agent PG (add with +)", Value: pg})
	}
	guards := s.Guards(ctx, env)
	for _, r := range guards {
		plan.Notes = append(plan.Notes, fmt.Sprintf("%s %s: %s", steps.Symbol(r.Status), r.Title, r.Detail))
	}
	if bad := failed(guards); len(bad) > 0 {
		plan.Notes = append(plan.Notes, "DO NOT SAVE: fix the failures above first; ccewiz will not record a confirmation until they pass")
	}
	return plan, nil
}

// Apply returns the admin's confirmation for the driver to record (it has
// checked the typed Application Instance) — but only after the guards pass
// again, right now.
func (s integrationStep) Apply(ctx context.Context, env *steps.Env, _ *steps.Plan) (*steps.Outcome, error) {
	a := env.Answers
	inst, err := AppInstance(*ProfileOf(a))
	if err != nil {
		return nil, steps.BadInput(err)
	}
	guards := s.Guards(ctx, env)
	out := &steps.Outcome{Results: guards}
	if bad := failed(guards); len(bad) > 0 {
		return out, fmt.Errorf("refusing to confirm the permanent Save: %s; fix these, then run the step again", strings.Join(bad, "; "))
	}
	// Recorded by the driver (Outcome.Record): Apply may run in the background.
	out.Confirmed = &steps.Confirmation{At: env.Time().UTC().Format(time.RFC3339), Instance: inst}
	out.Notes = append(out.Notes, fmt.Sprintf("confirmed for %s at %s (recorded in the answers file); now select %s in ECE's Configuration tab, add every Agent PG and Save",
		inst, out.Confirmed.At, inst))
	return out, nil
}

func (s integrationStep) Checks() []steps.Check {
	return []steps.Check{
		{ID: "integration.ready", Title: "Nothing would make the permanent Save a mistake", Run: func(ctx context.Context, env *steps.Env) steps.Result {
			rs := append([]steps.Result{s.earlierSteps(ctx, env)}, s.Guards(ctx, env)...)
			if bad := failed(rs); len(bad) > 0 {
				return steps.Result{Status: steps.Fail, Detail: strings.Join(bad, "; "), Fix: "fix these before ECE's Integration › Unified CCE › Save"}
			}
			for _, r := range rs {
				if r.Status == steps.Warn {
					return steps.Result{Status: steps.Warn, Detail: r.Detail, Fix: "confirm it by hand before the Save"}
				}
			}
			return steps.Result{Status: steps.Pass, Detail: "trust, certificate name and Application Instance all check out"}
		}},
		{ID: "integration.confirmed", Title: "ECE's Unified CCE integration confirmed", Run: func(_ context.Context, env *steps.Env) steps.Result {
			a := env.Answers
			want, err := AppInstance(*ProfileOf(a))
			if err != nil {
				return steps.Result{Status: steps.Fail, Detail: err.Error(), Fix: "complete the profile"}
			}
			c, _ := env.Confirmed(s.ID())
			switch ci := c.Instance; {
			case ci == "":
				return steps.Result{Status: steps.Manual, Detail: fmt.Sprintf("not confirmed yet: after the checks pass, ECE › Integration › Unified CCE › Configuration takes Application Instance %s and every Agent PG, then Save (permanent)", want),
					Fix: fmt.Sprintf("ccewiz apply --step integration --confirm %s", want)}
			case ci != want:
				return steps.Result{Status: steps.Fail, Detail: fmt.Sprintf("confirmed for %q at %s, but the Application Instance is %q", ci, c.At, want),
					Fix: "if ECE was saved with the wrong instance it must be reinstalled (uninstall, drop its databases); otherwise correct the answers file"}
			}
			return steps.Result{Status: steps.Pass, Detail: fmt.Sprintf("confirmed for %s at %s", want, c.At)}
		}},
	}
}
