package wxm

import (
	"context"
	"fmt"
	"strings"

	"ccewiz/steps"
)

// ICM is what the ICM checklist names.
type ICM struct {
	// CallTypes are the call types of the scripts that offer the survey.
	CallTypes []string `yaml:"call_types,omitempty"`
}

// The values the guide gives for the ICM script, to copy exactly.
const (
	eccSurveyFlag = "user.microapp.isPostCallSurvey"
	eccSurveyInfo = "user.CxSurveyInfo"
	eccPODID      = "POD.ID"
	podIDFormula  = `concatenate(Call.user.microapp.FromExtVXML[0],";",Call.user.microapp.FromExtVXML[1])`
)

// icmStep is the ICM side: it can only be done in CCE's own tools, so it
// is a checklist with the exact values.
type icmStep struct{}

func (icmStep) ID() string         { return "icm" }
func (icmStep) Title() string      { return "ICM: ECC variables, call types and the script" }
func (icmStep) ShortTitle() string { return "ICM checklist" }
func (icmStep) Intro() string {
	return "CVP builds its request to Cloud Connect from two ECC variables the ICM script sets; without " + eccSurveyFlag +
		" = Y, CVP takes the call for the legacy post-call survey and WxM's never starts. Each call type of such a script " +
		"needs \"Enable Experience Management\" and a questionnaire — a box the AW shows only while cherrypoint is up."
}

func (icmStep) Fields() []steps.Field {
	ct := steps.ListField("wxm.icm.call_types", "Call types", "comma-separated call types whose callers get the survey",
		func(a *steps.Answers) *[]string { return &Of(a).ICM.CallTypes })
	ct.Validate = func(_ *steps.Answers, v string) error {
		if len(steps.SplitList(v)) == 0 {
			return fmt.Errorf("name at least one call type that should offer the survey")
		}
		return nil
	}
	return []steps.Field{ct}
}

func (icmStep) Needed(*steps.Answers) (steps.Need, string) {
	return steps.Required, "without the script's values CVP never asks Cloud Connect for a survey"
}

func (s icmStep) Plan(_ context.Context, env *steps.Env) (*steps.Plan, error) {
	w := Of(env.Answers)
	p := &steps.Plan{Step: s.ID(), Summary: "the ICM values to set by hand"}
	for _, v := range []string{eccSurveyFlag, eccSurveyInfo, eccPODID} {
		p.GUI = append(p.GUI, steps.GUIEntry{Where: "Expanded Call Variable list", Field: v, Value: "Enabled"})
	}
	for _, ct := range w.ICM.CallTypes {
		where := "CCE Administration › Call Settings › Route Settings › Call Type › " + ct
		p.GUI = append(p.GUI,
			steps.GUIEntry{Where: where, Field: "Enable Experience Management", Value: "ticked"},
			steps.GUIEntry{Where: where + " › Experience Management", Field: "Questionnaire", Value: "the WxM deferred survey for these calls"})
	}
	p.GUI = append(p.GUI,
		steps.GUIEntry{Where: "Script Editor › the main script › Set Variable node", Field: "Call." + eccSurveyFlag, Value: `"Y"  ("N" turns WxM's survey off for this script)`},
		steps.GUIEntry{Where: "Script Editor › the main script › Set Variable node, after the opt-in VXML", Field: "Call." + eccPODID, Value: podIDFormula})
	return p, nil
}

func (icmStep) Apply(context.Context, *steps.Env, *steps.Plan) (*steps.Outcome, error) {
	return &steps.Outcome{}, nil
}

func (s icmStep) Checks() []steps.Check { return s.ChecksFor(nil) }

// ChecksFor lists one item per call type, with the values to compare.
func (icmStep) ChecksFor(a *steps.Answers) []steps.Check {
	out := []steps.Check{
		{ID: "icm.ecc", Title: "The three ECC variables are enabled", Manual: true,
			What: "The Expanded Call Variable list has " + eccSurveyFlag + ", " + eccSurveyInfo + " and " + eccPODID + ", each Enabled"},
		{ID: "icm.script", Title: "The script turns the survey on and builds POD.ID", Manual: true,
			What: "In the main script, a Set Variable node sets Call." + eccSurveyFlag + ` = "Y" before the call reaches CVP's survey, and one sets Call.` + eccPODID + " = " + podIDFormula},
	}
	var cts []string
	if a != nil {
		cts = Of(a).ICM.CallTypes
	}
	if len(cts) == 0 {
		cts = []string{"(each call type of the script)"}
	}
	for i, ct := range cts {
		id := "icm.call_type"
		if len(cts) > 1 {
			id = fmt.Sprintf("icm.call_type.%d", i+1)
		}
		out = append(out, steps.Check{ID: id, Title: "Call type " + ct + " has Experience Management", Manual: true,
			What: "CCE Administration › Call Settings › Route Settings › Call Type › " + ct + ": \"Enable Experience Management\" ticked and a questionnaire chosen on its Experience Management tab (the box is missing while cherrypoint is down)"})
	}
	return out
}

// corsStep is WxM's side: its portal must let each Finesse desktop call it.
type corsStep struct{}

func (corsStep) ID() string         { return "cors" }
func (corsStep) Title() string      { return "WxM portal: the CORS origin of every Finesse server" }
func (corsStep) ShortTitle() string { return "WxM CORS" }
func (corsStep) Intro() string {
	return "The gadgets run in the Finesse desktop and call WxM from there: WxM answers only origins listed in its profile's " +
		"CORS ORIGIN, each with port 8445. ccewiz computes them from the Finesse servers; a wildcard covers them when they share a domain."
}
func (corsStep) Fields() []steps.Field { return nil }
func (corsStep) Needed(*steps.Answers) (steps.Need, string) {
	return steps.Required, "without it the gadgets stay empty"
}

// corsOrigins are the origins for the Finesse servers, and a wildcard that
// covers them all when they share their parent domain.
func corsOrigins(servers []string) (origins []string, wildcard string) {
	parent := ""
	for i, s := range servers {
		n := normFQDN(s)
		origins = append(origins, "https://"+n+":8445")
		_, dom, ok := strings.Cut(n, ".")
		switch {
		case !ok || !strings.Contains(dom, "."):
			parent = "-"
		case i == 0:
			parent = dom
		case dom != parent:
			parent = "-"
		}
	}
	if len(servers) > 1 && parent != "-" && parent != "" {
		wildcard = "https://*." + parent + ":8445"
	}
	return origins, wildcard
}

func (s corsStep) Plan(_ context.Context, env *steps.Env) (*steps.Plan, error) {
	servers := Of(env.Answers).Finesse.Servers
	if len(servers) == 0 {
		return nil, steps.BadInput(fmt.Errorf("wxm.finesse.servers is empty: list the Finesse servers (step Finesse gadgets)"))
	}
	for _, sv := range servers {
		if err := steps.ValidateFQDN(sv); err != nil {
			return nil, steps.BadInput(fmt.Errorf("wxm.finesse.servers: %w", err))
		}
	}
	origins, wild := corsOrigins(servers)
	p := &steps.Plan{Step: s.ID(), Summary: fmt.Sprintf("%d CORS origin(s) for WxM", len(origins))}
	for _, o := range origins {
		p.GUI = append(p.GUI, steps.GUIEntry{Where: "WxM › profile › CORS ORIGIN", Field: "origin", Value: o})
	}
	if wild != "" {
		p.Notes = append(p.Notes, "or one origin that covers every Finesse server: "+wild)
	}
	return p, nil
}

func (corsStep) Apply(context.Context, *steps.Env, *steps.Plan) (*steps.Outcome, error) {
	return &steps.Outcome{}, nil
}

func (s corsStep) Checks() []steps.Check { return s.ChecksFor(nil) }

func (corsStep) ChecksFor(a *steps.Answers) []steps.Check {
	what := "WxM › profile › CORS ORIGIN lists https://<each Finesse FQDN>:8445 (or a wildcard covering them)"
	if a != nil && len(Of(a).Finesse.Servers) > 0 {
		origins, wild := corsOrigins(Of(a).Finesse.Servers)
		what = "WxM › profile › CORS ORIGIN lists " + strings.Join(origins, ", ")
		if wild != "" {
			what += " (or " + wild + ")"
		}
	}
	return []steps.Check{{ID: "cors.origins", Title: "WxM accepts calls from every Finesse desktop", Manual: true, What: what}}
}
