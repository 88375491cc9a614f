package ece

import (
	"context"
	"fmt"
	"strings"

	"ccewiz/spogjs"
	"ccewiz/steps"
)

// spogStep is step 3: spog_config.js on every ECE web server names the
// protocol and FQDN the ECE gadget in CCE Administration (SPOG) uses.
type spogStep struct{}

// NewSpogStep returns step 3, spog_config.js.
func NewSpogStep() steps.Step { return spogStep{} }

// SpogRelPath is where spog_config.js lives under {ECE_HOME}.
const SpogRelPath = `eService\templates\finesse\gadget\spog\spog_config.js`

// defaultECEHome is the folder Cisco's guide uses as its example; ccewiz
// only proposes it, the admin confirms every path.
const defaultECEHome = `C:\Cisco`

func (spogStep) ID() string         { return "spog" }
func (spogStep) Title() string      { return "spog_config.js on every ECE web server" }
func (spogStep) ShortTitle() string { return "spog_config.js" }
func (spogStep) GuideStep() string  { return "3" }
func (spogStep) Intro() string {
	return "The ECE gadget inside CCE Administration reads spog_config.js on each ECE web server to find ECE. " +
		"It must say https and the fully qualified name users type, or the gadget cannot reach ECE. " +
		"ccewiz changes only those two values — line endings and everything else stay as they are — " +
		"and backs the file up first."
}

func (spogStep) Needed(a *steps.Answers) (steps.Need, string) {
	p := *ProfileOf(a)
	if p.PCCEVersion == "12.0(1)" || p.ECEVersion == "12.0(1)" {
		return steps.Required, "12.0(1): Cisco's guide makes this step mandatory on every 12.0 installation"
	}
	if strings.HasSuffix(p.ECEShape, "-ha") {
		return steps.Required, fmt.Sprintf("ECE is installed for high availability (%s): every web server must name the shared FQDN", p.ECEShape)
	}
	fqdn := normName(p.ECEFQDN)
	if fqdn == "" || len(p.WebServers) == 0 {
		return steps.Recommended, "cannot tell yet: set profile.ece_fqdn and profile.web_servers; the step is required when a web server's host name differs from the FQDN users type"
	}
	for _, w := range p.WebServers {
		if normName(w) != fqdn {
			return steps.Required, fmt.Sprintf("web server %s is not the name users type (%s): spog_config.js must name %s", w, p.ECEFQDN, p.ECEFQDN)
		}
	}
	return steps.Optional, fmt.Sprintf("ECE %s is not 12.0, not HA, and its web server's host name is the FQDN users type (%s); checking the file does no harm",
		orDefault(p.ECEVersion, "(version not set)"), p.ECEFQDN)
}

// DefaultSpogPath is the proposed UNC path of spog_config.js on a web server.
func DefaultSpogPath(webServer string) string {
	home := strings.Replace(defaultECEHome, ":", "$", 1)
	return `\\` + webServer + `\` + home + `\` + SpogRelPath
}

func (spogStep) Fields() []steps.Field {
	files := steps.ListField("spog.files", "spog_config.js files", "one per ECE web server: a local path, or a UNC path like \\\\web1\\c$\\Cisco\\"+SpogRelPath,
		func(a *steps.Answers) *[]string { return &SpogOf(a).Files })
	files.Default = func(a *steps.Answers) string {
		var out []string
		for _, w := range ProfileOf(a).WebServers {
			out = append(out, DefaultSpogPath(w))
		}
		return strings.Join(out, ", ")
	}
	files.Validate = func(_ *steps.Answers, v string) error {
		for _, f := range steps.SplitList(v) {
			base := f[strings.LastIndexAny(f, `/\`)+1:]
			if !strings.EqualFold(base, "spog_config.js") {
				return fmt.Errorf("%s is not a spog_config.js; give the file itself ({ECE_HOME}\\%s)", f, SpogRelPath)
			}
		}
		return nil
	}
	proto := steps.ChoiceField("spog.protocol", "web_server_protocol", "always https: ECE does not support non-SSL access", []string{"https"},
		func(a *steps.Answers) *string { return &SpogOf(a).Protocol })
	proto.Default = func(*steps.Answers) string { return "https" }
	return []steps.Field{files, proto}
}

// spogWant is what every spog_config.js must say.
func spogWant(a *steps.Answers) (spogjs.Want, error) {
	w := spogjs.Want{Protocol: orDefault(SpogOf(a).Protocol, "https"), ServerName: strings.TrimSuffix(strings.TrimSpace(ProfileOf(a).ECEFQDN), ".")}
	if err := steps.ValidateFQDN(w.ServerName); err != nil {
		return w, fmt.Errorf("profile.ece_fqdn: %w", err)
	}
	if w.Protocol != "https" {
		return w, fmt.Errorf("spog.protocol %q: use https (ECE does not support non-SSL access)", w.Protocol)
	}
	return w, w.Validate()
}

func (s spogStep) Plan(_ context.Context, env *steps.Env) (*steps.Plan, error) {
	a := env.Answers
	want, err := spogWant(a)
	if err != nil {
		return nil, steps.BadInput(err)
	}
	if errs := steps.ValidateFields(a, s.Fields()); len(errs) > 0 {
		return nil, steps.BadInput(joinErrs("the spog answers are wrong", errs))
	}
	plan := &steps.Plan{Step: s.ID()}
	if len(SpogOf(a).Files) == 0 {
		plan.Summary = "spog.files is empty: run ccewiz on each web server, or list each file's UNC path in spog.files"
		for _, w := range ProfileOf(a).WebServers {
			plan.Commands = append(plan.Commands, steps.Command{Host: w, Shell: "cmd",
				Script: fmt.Sprintf(`ccewiz spog patch --file "%s\%s" --server-name %s`, defaultECEHome, SpogRelPath, want.ServerName),
				Why:    "sets web_server_protocol and web_server_name, after showing the diff and making a backup (adjust C:\\Cisco to ECE_HOME)"})
		}
		return plan, nil
	}
	var fps []*spogjs.FilePlan
	changed := 0
	for _, f := range SpogOf(a).Files {
		fp, err := spogjs.PlanFile(env.Path(f), want)
		if err != nil {
			return nil, steps.BadInput(err)
		}
		fps = append(fps, fp)
		fc := steps.FileChange{Path: fp.Path, Action: steps.Unchanged, Backup: true,
			Why: fmt.Sprintf("already set: %s = %q, %s = %q", spogjs.ProtocolVar, want.Protocol, spogjs.NameVar, want.ServerName)}
		if fp.Changed() {
			changed++
			var why []string
			for _, c := range fp.Result.Changes {
				why = append(why, fmt.Sprintf("%s %q → %q (line %d)", c.Var, c.From, c.To, c.Line))
			}
			fc.Action, fc.Why, fc.Diff = steps.Modify, strings.Join(why, "; "), fp.Diff()
			fc.Data, fc.BaseSHA256 = fp.Result.New, steps.SHA256Hex(fp.Result.Old)
			fc.Verify = spogjs.VerifyFunc(want)
		}
		plan.Files = append(plan.Files, fc)
	}
	plan.Private = fps
	plan.Summary = fmt.Sprintf("%d of %d spog_config.js file(s) to change; only the two values, everything else kept byte for byte", changed, len(fps))
	if n, w := len(SpogOf(a).Files), len(ProfileOf(a).WebServers); n < w {
		plan.Notes = append(plan.Notes, fmt.Sprintf("%d web server(s) in the profile but only %d file(s) in spog.files: every web server has its own spog_config.js", w, n))
	}
	return plan, nil
}

func (s spogStep) Apply(ctx context.Context, env *steps.Env, p *steps.Plan) (*steps.Outcome, error) {
	out, err := steps.ApplyFiles(env, p)
	if err != nil {
		return out, err
	}
	out.Results = append(out.Results, steps.VerifyStep(ctx, s, env)...)
	if len(out.Written) > 0 {
		out.Notes = append(out.Notes, "SPOG reads spog_config.js when the ECE gadget loads: reload CCE Administration's Email and Chat card")
	}
	return out, nil
}

// Checks returns one check over every file; ChecksFor has one per file.
func (s spogStep) Checks() []steps.Check {
	return []steps.Check{{ID: "spog.files", Title: "spog_config.js names https and the ECE FQDN", Run: func(ctx context.Context, env *steps.Env) steps.Result {
		cs := s.ChecksFor(env.Answers)
		if len(cs) == 1 && cs[0].ID == "spog.files" {
			return cs[0].Run(ctx, env)
		}
		var bad, good []string
		var fix string
		worst := steps.Pass
		for _, c := range cs {
			r := c.Run(ctx, env)
			if r.Status == steps.Pass {
				good = append(good, r.Detail)
				continue
			}
			bad, fix = append(bad, r.Detail), r.Fix
			if r.Status == steps.Fail || worst == steps.Pass {
				worst = r.Status
			}
		}
		if len(bad) > 0 {
			return steps.Result{Status: worst, Detail: strings.Join(bad, "; "), Fix: fix}
		}
		return steps.Result{Status: steps.Pass, Detail: strings.Join(good, "; ")}
	}}}
}

// ChecksFor returns spog.1, spog.2 … — one check per file in spog.files.
func (s spogStep) ChecksFor(a *steps.Answers) []steps.Check {
	if a == nil || len(SpogOf(a).Files) == 0 {
		return []steps.Check{{ID: "spog.files", Title: "spog_config.js names https and the ECE FQDN", Run: func(_ context.Context, env *steps.Env) steps.Result {
			need, why := s.Needed(env.Answers)
			if need == steps.Optional || need == steps.NotNeeded {
				return steps.Result{Status: steps.Skip, Detail: "spog.files is empty and the step is optional: " + why}
			}
			return steps.Result{Status: steps.Manual, Detail: fmt.Sprintf("on every web server, {ECE_HOME}\\%s must say web_server_protocol = \"https\" and web_server_name = %q (%s)",
				SpogRelPath, ProfileOf(env.Answers).ECEFQDN, why),
				Fix: "list each file in spog.files (UNC paths work from Windows), or run `ccewiz spog check` on each web server"}
		}}}
	}
	var out []steps.Check
	for i, f := range SpogOf(a).Files {
		out = append(out, steps.Check{ID: fmt.Sprintf("spog.%d", i+1), Title: "spog_config.js " + f, Run: func(_ context.Context, env *steps.Env) steps.Result {
			return checkSpogFile(env, f)
		}})
	}
	return out
}

func checkSpogFile(env *steps.Env, f string) steps.Result {
	want, err := spogWant(env.Answers)
	if err != nil {
		return steps.Result{Status: steps.Fail, Detail: err.Error(), Fix: "complete the profile"}
	}
	fp, err := spogjs.PlanFile(env.Path(f), want)
	if err != nil {
		return steps.Result{Status: steps.Fail, Detail: err.Error(), Fix: "fix the file or its path in spog.files"}
	}
	if !fp.Changed() {
		return steps.Result{Status: steps.Pass, Detail: fmt.Sprintf("%s: %s = %q, %s = %q", f, spogjs.ProtocolVar, want.Protocol, spogjs.NameVar, want.ServerName)}
	}
	var bad []string
	for _, c := range fp.Result.Changes {
		bad = append(bad, fmt.Sprintf("%s is %q, should be %q (line %d)", c.Var, c.From, c.To, c.Line))
	}
	return steps.Result{Status: steps.Fail, Detail: f + ": " + strings.Join(bad, "; "),
		Fix: fmt.Sprintf("ccewiz apply --step spog, or ccewiz spog patch --file %s --server-name %s", f, want.ServerName)}
}
