package ece

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"ccewiz/steps"
)

// Profile is step 0: the deployment profile and its prerequisites. Every
// later step reads it (the FQDN, the servers, the Application Instance).
type profileStep struct{}

// NewProfileStep returns the deployment profile step.
func NewProfileStep() steps.Step { return profileStep{} }

func (profileStep) ID() string         { return "profile" }
func (profileStep) Title() string      { return "Deployment profile and prerequisites" }
func (profileStep) ShortTitle() string { return "Profile" }
func (profileStep) GuideStep() string  { return "" }
func (profileStep) Intro() string {
	return "Describe the PCCE and ECE deployment once; every later step takes its names from here. " +
		"ccewiz checks the minimum patch levels and works out the exact, case-sensitive Application Instance " +
		"name ECE must be integrated with."
}

func (profileStep) Needed(*steps.Answers) (steps.Need, string) {
	return steps.Required, "every other step depends on the deployment profile"
}

func is4000(a *steps.Answers) bool {
	return ProfileOf(a).DeploymentModel == 4000 || ProfileOf(a).DeploymentModel == 12000
}

func (profileStep) Fields() []steps.Field {
	pcce := steps.ChoiceField("profile.pcce_version", "PCCE version", "CCE Administration › Overview shows it", PCCEVersions,
		func(a *steps.Answers) *string { return &ProfileOf(a).PCCEVersion })
	ece := steps.ChoiceField("profile.ece_version", "ECE version", "", ECEVersions, func(a *steps.Answers) *string { return &ProfileOf(a).ECEVersion })
	model := steps.IntField("profile.deployment_model", "Deployment model (agents)", "2000, 4000 or 12000",
		func(a *steps.Answers) *int { return &ProfileOf(a).DeploymentModel })
	model.Kind, model.Options = steps.Choice, []string{"2000", "4000", "12000"}
	model.Validate = func(_ *steps.Answers, v string) error {
		for _, o := range model.Options {
			if strings.TrimSpace(v) == o {
				return nil
			}
		}
		return fmt.Errorf("%q is not a PCCE deployment model; choose 2000, 4000 or 12000", v)
	}
	fqdn := steps.TextField("profile.ece_fqdn", "ECE FQDN users type", "the name in https://<name>/default — it must be in the certificate",
		func(a *steps.Answers) *string { return &ProfileOf(a).ECEFQDN })
	fqdn.Validate = func(_ *steps.Answers, v string) error { return steps.ValidateFQDN(v) }
	web := steps.ListField("profile.web_servers", "ECE web servers", "fully qualified host names, comma-separated",
		func(a *steps.Answers) *[]string { return &ProfileOf(a).WebServers })
	web.Default = func(a *steps.Answers) string { return ProfileOf(a).ECEFQDN }
	web.Validate = validateFQDNList("at least one web server")
	ads := steps.ListField("profile.admin_data_servers", "Admin Data Servers (AW)", "every ADS: each needs the ECE certificate in its Java cacerts",
		func(a *steps.Answers) *[]string { return &ProfileOf(a).AdminDataServers })
	ads.Validate = validateFQDNList("at least one Admin Data Server")
	site := steps.TextField("profile.site", "Site", "e.g. Main (case kept exactly)", func(a *steps.Answers) *string { return &ProfileOf(a).Site })
	ps := steps.TextField("profile.peripheral_set", "Peripheral set", "e.g. PS1", func(a *steps.Answers) *string { return &ProfileOf(a).PeripheralSet })
	inst := steps.TextField("profile.instance", "Application instance", "e.g. Multichannel", func(a *steps.Answers) *string { return &ProfileOf(a).Instance })
	for _, f := range []*steps.Field{&site, &ps, &inst} {
		f.Visible = is4000
	}
	return []steps.Field{
		pcce,
		steps.IntField("profile.pcce_es", "PCCE ES installed", "the Engineering Special number, 0 for none", func(a *steps.Answers) *int { return &ProfileOf(a).PCCEES }),
		ece,
		steps.IntField("profile.ece_es", "ECE ES installed", "0 for none", func(a *steps.Answers) *int { return &ProfileOf(a).ECEES }),
		steps.ListField("profile.ece_et", "ECE engineering test fixes", "e.g. ES3_ET1a (12.0(1) needs it)", func(a *steps.Answers) *[]string { return &ProfileOf(a).ECEETs }),
		model,
		site, ps, inst,
		steps.ChoiceField("profile.ece_shape", "ECE deployment", "400-agent single side or HA, 1500-agent (HA)", ECEShapes, func(a *steps.Answers) *string { return &ProfileOf(a).ECEShape }),
		steps.ChoiceField("profile.load_balancer", "Load balancer", "passthrough: one certificate on every web server; offload: one per web server plus the balancer's", LoadBalancer,
			func(a *steps.Answers) *string { return &ProfileOf(a).LoadBalancer }),
		fqdn,
		web,
		steps.ListField("profile.app_servers", "ECE application servers", "they all get the AD keystore", func(a *steps.Answers) *[]string { return &ProfileOf(a).AppServers }),
		steps.ListField("profile.services_servers", "ECE services (data) servers", "added to the PCCE inventory as ECE data servers", func(a *steps.Answers) *[]string { return &ProfileOf(a).ServicesServers }),
		ads,
		steps.BoolField("profile.wxm_analyzer", "WXM analyzer wanted", "needs PCCE ES7 and ECE ES1 on 12.5(1)", func(a *steps.Answers) *bool { return &ProfileOf(a).WXMAnalyzer }),
	}
}

func validateFQDNList(what string) func(*steps.Answers, string) error {
	return func(_ *steps.Answers, v string) error {
		names := steps.SplitList(v)
		if len(names) == 0 {
			return fmt.Errorf("%s is required", what)
		}
		for _, n := range names {
			if err := steps.ValidateFQDN(n); err != nil {
				return err
			}
		}
		return nil
	}
}

// The profile changes no file; its plan lists what to confirm in the GUIs.
func (s profileStep) Plan(_ context.Context, env *steps.Env) (*steps.Plan, error) {
	a := env.Answers
	if errs := steps.ValidateFields(a, s.Fields()); len(errs) > 0 {
		return nil, steps.BadInput(joinErrs("the deployment profile is incomplete", errs))
	}
	inst, err := AppInstance(*ProfileOf(a))
	if err != nil {
		return nil, steps.BadInput(err)
	}
	return &steps.Plan{Step: s.ID(), Summary: "nothing to write: the profile only records the deployment",
		GUI: []steps.GUIEntry{{Where: "CCE Administration › Manage › Media Routing Domains",
			Field: "ECE_Email, ECE_Chat, ECE_Outbound", Value: "associated with Application Instance " + inst}},
		Notes: []string{fmt.Sprintf("ECE is integrated with Application Instance %s (case-sensitive)", inst)},
	}, nil
}

func (profileStep) Apply(_ context.Context, _ *steps.Env, _ *steps.Plan) (*steps.Outcome, error) {
	return &steps.Outcome{Notes: []string{"profile recorded in the answers file"}}, nil
}

func joinErrs(head string, errs []error) error {
	var b strings.Builder
	b.WriteString(head)
	b.WriteString(":")
	for _, e := range errs {
		b.WriteString("\n  - ")
		b.WriteString(e.Error())
	}
	return fmt.Errorf("%s", b.String())
}

func (s profileStep) Checks() []steps.Check {
	return []steps.Check{
		{ID: "profile.complete", Title: "Deployment profile is complete", Run: func(_ context.Context, env *steps.Env) steps.Result {
			if errs := steps.ValidateFields(env.Answers, s.Fields()); len(errs) > 0 {
				return steps.Result{Status: steps.Fail, Detail: joinErrs(fmt.Sprintf("%d answer(s) missing or wrong", len(errs)), errs).Error(),
					Fix: "fill them in the wizard's first step or in the answers file's profile section"}
			}
			return steps.Result{Status: steps.Pass, Detail: fmt.Sprintf("ECE %s (%s), PCCE %s, %d-agent model", ProfileOf(env.Answers).ECEFQDN,
				ProfileOf(env.Answers).ECEShape, ProfileOf(env.Answers).PCCEVersion, ProfileOf(env.Answers).DeploymentModel)}
		}},
		{ID: "profile.pcce-patch", Title: "PCCE patch level", Run: func(_ context.Context, env *steps.Env) steps.Result {
			p := *ProfileOf(env.Answers)
			if p.PCCEVersion == "" {
				return steps.Result{Status: steps.Fail, Detail: "profile.pcce_version is not set", Fix: "choose one of " + strings.Join(PCCEVersions, ", ")}
			}
			st, d, fix := CheckPatch("PCCE", p.PCCEVersion, p.PCCEES, nil, p.WXMAnalyzer)
			return steps.Result{Status: st, Detail: d, Fix: fix}
		}},
		{ID: "profile.ece-patch", Title: "ECE patch level", Run: func(_ context.Context, env *steps.Env) steps.Result {
			p := *ProfileOf(env.Answers)
			if p.ECEVersion == "" {
				return steps.Result{Status: steps.Fail, Detail: "profile.ece_version is not set", Fix: "choose one of " + strings.Join(ECEVersions, ", ")}
			}
			st, d, fix := CheckPatch("ECE", p.ECEVersion, p.ECEES, p.ECEETs, p.WXMAnalyzer)
			return steps.Result{Status: st, Detail: d, Fix: fix}
		}},
		{ID: "profile.app-instance", Title: "Application Instance name", Run: func(_ context.Context, env *steps.Env) steps.Result {
			inst, err := AppInstance(*ProfileOf(env.Answers))
			if err != nil {
				return steps.Result{Status: steps.Fail, Detail: err.Error(), Fix: "complete the profile's site, peripheral set and instance exactly as CCE Administration shows them"}
			}
			return steps.Result{Status: steps.Pass, Detail: "ECE must be integrated with " + strconv.Quote(inst) + " (case-sensitive; never the one starting with UQ)"}
		}},
		{ID: "profile.servers", Title: "Servers match the ECE deployment shape", Run: func(_ context.Context, env *steps.Env) steps.Result {
			return checkShape(*ProfileOf(env.Answers))
		}},
		{ID: "profile.mrds", Title: "ECE media routing domains", Manual: true,
			What: "CCE Administration › Manage › Media Routing Domains: ECE_Email, ECE_Chat and ECE_Outbound exist and are associated with the ECE Application Instance"},
	}
}

// checkShape compares the server lists with the ECE deployment shape.
func checkShape(p Profile) steps.Result {
	var problems, warns []string
	ha := strings.HasSuffix(p.ECEShape, "-ha")
	switch {
	case p.ECEShape == "":
		problems = append(problems, "profile.ece_shape is not set")
	case strings.HasPrefix(p.ECEShape, "1500") && len(p.ServicesServers) == 0:
		problems = append(problems, "a 1500-agent deployment has services servers; list them in profile.services_servers (they are the ECE data servers in the inventory)")
	}
	if ha && strings.HasPrefix(p.ECEShape, "1500") && len(p.ServicesServers) < 2 {
		problems = append(problems, "1500-agent HA has two services servers (active/standby); list both in profile.services_servers")
	}
	if ha && p.ECEShape == "400-ha" && len(p.AppServers) < 2 {
		warns = append(warns, "400-agent HA has two collocated servers; list both in profile.app_servers so both get the AD keystore")
	}
	if len(p.WebServers) > 1 && (p.LoadBalancer == "" || p.LoadBalancer == "none") {
		problems = append(problems, fmt.Sprintf("%d web servers but no load balancer; ECE needs one with sticky sessions (cookie insert), SSL passthrough or offload", len(p.WebServers)))
	}
	if len(p.AdminDataServers) == 0 {
		problems = append(problems, "no Admin Data Server listed; every ADS needs the ECE certificate in its Java cacerts")
	}
	switch {
	case len(problems) > 0:
		return steps.Result{Status: steps.Fail, Detail: strings.Join(problems, "; "), Fix: "correct the server lists in the profile"}
	case len(warns) > 0:
		return steps.Result{Status: steps.Warn, Detail: strings.Join(warns, "; "), Fix: "correct the server lists in the profile"}
	}
	return steps.Result{Status: steps.Pass, Detail: fmt.Sprintf("%d web, %d application, %d services server(s), %d ADS; load balancer: %s",
		len(p.WebServers), len(p.AppServers), len(p.ServicesServers), len(p.AdminDataServers), orDefault(p.LoadBalancer, "none"))}
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
