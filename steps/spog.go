package steps

import (
	"context"
	"fmt"
	"strings"

	"ccewiz/spogjs"
)

// spogStep is step 3: spog_config.js on every ECE web server names the
// protocol and FQDN the ECE gadget in CCE Administration (SPOG) uses.
type spogStep struct{}

// NewSpogStep returns step 3, spog_config.js.
func NewSpogStep() Step { return spogStep{} }

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

func (spogStep) Needed(a *Answers) (Need, string) {
	p := a.Profile
	if p.PCCEVersion == "12.0(1)" || p.ECEVersion == "12.0(1)" {
		return Required, "12.0(1): Cisco's guide makes this step mandatory on every 12.0 installation"
	}
	if strings.HasSuffix(p.ECEShape, "-ha") {
		return Required, fmt.Sprintf("ECE is installed for high availability (%s): every web server must name the shared FQDN", p.ECEShape)
	}
	fqdn := normName(p.ECEFQDN)
	if fqdn == "" || len(p.WebServers) == 0 {
		return Recommended, "cannot tell yet: set profile.ece_fqdn and profile.web_servers; the step is required when a web server's host name differs from the FQDN users type"
	}
	for _, w := range p.WebServers {
		if normName(w) != fqdn {
			return Required, fmt.Sprintf("web server %s is not the name users type (%s): spog_config.js must name %s", w, p.ECEFQDN, p.ECEFQDN)
		}
	}
	return Optional, fmt.Sprintf("ECE %s is not 12.0, not HA, and its web server's host name is the FQDN users type (%s); checking the file does no harm",
		orDefault(p.ECEVersion, "(version not set)"), p.ECEFQDN)
}

// DefaultSpogPath is the proposed UNC path of spog_config.js on a web server.
func DefaultSpogPath(webServer string) string {
	home := strings.Replace(defaultECEHome, ":", "$", 1)
	return `\\` + webServer + `\` + home + `\` + SpogRelPath
}

func (spogStep) Fields() []Field {
	files := ListField("spog.files", "spog_config.js files", "one per ECE web server: a local path, or a UNC path like \\\\web1\\c$\\Cisco\\"+SpogRelPath,
		func(a *Answers) *[]string { return &a.Spog.Files })
	files.Default = func(a *Answers) string {
		var out []string
		for _, w := range a.Profile.WebServers {
			out = append(out, DefaultSpogPath(w))
		}
		return strings.Join(out, ", ")
	}
	files.Validate = func(_ *Answers, v string) error {
		for _, f := range SplitList(v) {
			base := f[strings.LastIndexAny(f, `/\`)+1:]
			if !strings.EqualFold(base, "spog_config.js") {
				return fmt.Errorf("%s is not a spog_config.js; give the file itself ({ECE_HOME}\\%s)", f, SpogRelPath)
			}
		}
		return nil
	}
	proto := ChoiceField("spog.protocol", "web_server_protocol", "always https: ECE does not support non-SSL access", []string{"https"},
		func(a *Answers) *string { return &a.Spog.Protocol })
	proto.Default = func(*Answers) string { return "https" }
	return []Field{files, proto}
}

// spogWant is what every spog_config.js must say.
func spogWant(a *Answers) (spogjs.Want, error) {
	w := spogjs.Want{Protocol: orDefault(a.Spog.Protocol, "https"), ServerName: strings.TrimSuffix(strings.TrimSpace(a.Profile.ECEFQDN), ".")}
	if err := ValidateFQDN(w.ServerName); err != nil {
		return w, fmt.Errorf("profile.ece_fqdn: %w", err)
	}
	if w.Protocol != "https" {
		return w, fmt.Errorf("spog.protocol %q: use https (ECE does not support non-SSL access)", w.Protocol)
	}
	return w, w.Validate()
}

func (s spogStep) Plan(_ context.Context, env *Env) (*Plan, error) {
	a := env.Answers
	want, err := spogWant(a)
	if err != nil {
		return nil, BadInput(err)
	}
	if errs := ValidateFields(a, s.Fields()); len(errs) > 0 {
		return nil, BadInput(joinErrs("the spog answers are wrong", errs))
	}
	plan := &Plan{Step: s.ID()}
	if len(a.Spog.Files) == 0 {
		plan.Summary = "spog.files is empty: run ccewiz on each web server, or list each file's UNC path in spog.files"
		for _, w := range a.Profile.WebServers {
			plan.Commands = append(plan.Commands, Command{Host: w, Shell: "cmd",
				Script: fmt.Sprintf(`ccewiz spog patch --file "%s\%s" --server-name %s`, defaultECEHome, SpogRelPath, want.ServerName),
				Why:    "sets web_server_protocol and web_server_name, after showing the diff and making a backup (adjust C:\\Cisco to ECE_HOME)"})
		}
		return plan, nil
	}
	var fps []*spogjs.FilePlan
	changed := 0
	for _, f := range a.Spog.Files {
		fp, err := spogjs.PlanFile(env.Path(f), want)
		if err != nil {
			return nil, BadInput(err)
		}
		fps = append(fps, fp)
		fc := FileChange{Path: fp.Path, Action: Unchanged, Backup: true,
			Why: fmt.Sprintf("already set: %s = %q, %s = %q", spogjs.ProtocolVar, want.Protocol, spogjs.NameVar, want.ServerName)}
		if fp.Changed() {
			changed++
			var why []string
			for _, c := range fp.Result.Changes {
				why = append(why, fmt.Sprintf("%s %q → %q (line %d)", c.Var, c.From, c.To, c.Line))
			}
			fc.Action, fc.Why, fc.Diff = Modify, strings.Join(why, "; "), fp.Diff()
			fc.Data, fc.BaseSHA256 = fp.Result.New, SHA256Hex(fp.Result.Old)
			fc.Verify = spogjs.VerifyFunc(want)
		}
		plan.Files = append(plan.Files, fc)
	}
	plan.Private = fps
	plan.Summary = fmt.Sprintf("%d of %d spog_config.js file(s) to change; only the two values, everything else kept byte for byte", changed, len(fps))
	if n, w := len(a.Spog.Files), len(a.Profile.WebServers); n < w {
		plan.Notes = append(plan.Notes, fmt.Sprintf("%d web server(s) in the profile but only %d file(s) in spog.files: every web server has its own spog_config.js", w, n))
	}
	return plan, nil
}

func (s spogStep) Apply(ctx context.Context, env *Env, p *Plan) (*Outcome, error) {
	out, err := ApplyFiles(env, p)
	if err != nil {
		return out, err
	}
	out.Results = append(out.Results, VerifyStep(ctx, s, env)...)
	if len(out.Written) > 0 {
		out.Notes = append(out.Notes, "SPOG reads spog_config.js when the ECE gadget loads: reload CCE Administration's Email and Chat card")
	}
	return out, nil
}

// Checks returns one check over every file; ChecksFor has one per file.
func (s spogStep) Checks() []Check {
	return []Check{{ID: "spog.files", Title: "spog_config.js names https and the ECE FQDN", Run: func(ctx context.Context, env *Env) Result {
		cs := s.ChecksFor(env.Answers)
		if len(cs) == 1 && cs[0].ID == "spog.files" {
			return cs[0].Run(ctx, env)
		}
		var bad, good []string
		var fix string
		worst := Pass
		for _, c := range cs {
			r := c.Run(ctx, env)
			if r.Status == Pass {
				good = append(good, r.Detail)
				continue
			}
			bad, fix = append(bad, r.Detail), r.Fix
			if r.Status == Fail || worst == Pass {
				worst = r.Status
			}
		}
		if len(bad) > 0 {
			return Result{Status: worst, Detail: strings.Join(bad, "; "), Fix: fix}
		}
		return Result{Status: Pass, Detail: strings.Join(good, "; ")}
	}}}
}

// ChecksFor returns spog.1, spog.2 … — one check per file in spog.files.
func (s spogStep) ChecksFor(a *Answers) []Check {
	if a == nil || len(a.Spog.Files) == 0 {
		return []Check{{ID: "spog.files", Title: "spog_config.js names https and the ECE FQDN", Run: func(_ context.Context, env *Env) Result {
			need, why := s.Needed(env.Answers)
			if need == Optional || need == NotNeeded {
				return Result{Status: Skip, Detail: "spog.files is empty and the step is optional: " + why}
			}
			return Result{Status: Manual, Detail: fmt.Sprintf("on every web server, {ECE_HOME}\\%s must say web_server_protocol = \"https\" and web_server_name = %q (%s)",
				SpogRelPath, env.Answers.Profile.ECEFQDN, why),
				Fix: "list each file in spog.files (UNC paths work from Windows), or run `ccewiz spog check` on each web server"}
		}}}
	}
	var out []Check
	for i, f := range a.Spog.Files {
		out = append(out, Check{ID: fmt.Sprintf("spog.%d", i+1), Title: "spog_config.js " + f, Run: func(_ context.Context, env *Env) Result {
			return checkSpogFile(env, f)
		}})
	}
	return out
}

func checkSpogFile(env *Env, f string) Result {
	want, err := spogWant(env.Answers)
	if err != nil {
		return Result{Status: Fail, Detail: err.Error(), Fix: "complete the profile"}
	}
	fp, err := spogjs.PlanFile(env.Path(f), want)
	if err != nil {
		return Result{Status: Fail, Detail: err.Error(), Fix: "fix the file or its path in spog.files"}
	}
	if !fp.Changed() {
		return Result{Status: Pass, Detail: fmt.Sprintf("%s: %s = %q, %s = %q", f, spogjs.ProtocolVar, want.Protocol, spogjs.NameVar, want.ServerName)}
	}
	var bad []string
	for _, c := range fp.Result.Changes {
		bad = append(bad, fmt.Sprintf("%s is %q, should be %q (line %d)", c.Var, c.From, c.To, c.Line))
	}
	return Result{Status: Fail, Detail: f + ": " + strings.Join(bad, "; "),
		Fix: fmt.Sprintf("ccewiz apply --step spog, or ccewiz spog patch --file %s --server-name %s", f, want.ServerName)}
}
