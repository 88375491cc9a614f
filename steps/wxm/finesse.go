package wxm

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/aymanbagabas/go-udiff"

	"ccewiz/finesse"
	"ccewiz/safefile"
	"ccewiz/secret"
	"ccewiz/steps"
)

// Finesse is where the WxM gadgets go.
type Finesse struct {
	// Servers are the Finesse servers' FQDNs; the first holds the layout
	// (Finesse replicates it) and every one needs a CORS origin in WxM.
	Servers []string `yaml:"servers,omitempty"`
	// LayoutFile is a layout exported from CFAdmin › Desktop Layout, to
	// patch as a file and paste back; empty: through Finesse's REST API.
	LayoutFile string `yaml:"layout_file,omitempty"`
	// AdminUser and AdminPassword log in to Finesse's REST API.
	AdminUser     string     `yaml:"admin_user,omitempty"`
	AdminPassword secret.Ref `yaml:"admin_password,omitempty"`
	// CertFile is Finesse's certificate or its CA, trusted for the API;
	// empty: this machine's roots.
	CertFile string `yaml:"cert_file,omitempty"`
	// The gadget URLs exported from WxM.
	CEJURL           string `yaml:"cej_url,omitempty"`
	CEAAgentURL      string `yaml:"cea_agent_url,omitempty"`
	CEASupervisorURL string `yaml:"cea_supervisor_url,omitempty"`
}

// The filters WxM's CEA gadget needs, per the guide.
const (
	agentFilter = "&filterTags=cc_AgentId"
	teamFilter  = "&filterTags=cc_TeamId"
)

// withFilter appends f unless the URL already has a filterTags parameter.
func withFilter(u, f string) string {
	if strings.Contains(u, "filterTags=") {
		return u
	}
	return u + f
}

// wantGadgets are the four placements of the guide.
func wantGadgets(fi Finesse) []finesse.Gadget {
	a, s := strings.TrimSpace(fi.CEAAgentURL), strings.TrimSpace(fi.CEASupervisorURL)
	cej := strings.TrimSpace(fi.CEJURL)
	return []finesse.Gadget{
		{Role: "Agent", Tab: "home", URL: cej},
		{Role: "Supervisor", Tab: "home", URL: cej},
		{Role: "Agent", Tab: "myStatistics", URL: withFilter(a, agentFilter), Base: a},
		{Role: "Supervisor", Tab: "teamData", URL: withFilter(s, teamFilter), Base: s},
	}
}

// validateGadgetURL accepts an absolute https URL, as WxM exports them.
func validateGadgetURL(v string) error {
	u, err := url.Parse(strings.TrimSpace(v))
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("%q is not the https URL WxM exports for the gadget (WxM › Overall Experience, or the dashboard's gadget URL)", v)
	}
	return nil
}

type finesseStep struct{}

func (finesseStep) ID() string         { return "finesse" }
func (finesseStep) Title() string      { return "Finesse desktop layout: the CEJ and CEA gadgets" }
func (finesseStep) ShortTitle() string { return "Finesse gadgets" }
func (finesseStep) Intro() string {
	return "WxM's Customer Experience Journey gadget goes into the Home tab of the Agent and the Supervisor layouts; " +
		"the Customer Experience Analytics gadget into the Agent's My Statistics tab (filtered by cc_AgentId) and the " +
		"Supervisor's Team Data tab (filtered by cc_TeamId). ccewiz edits the layout through Finesse's REST API (or an " +
		"exported file), adds only these gadgets, keeps the previous layout as a backup and reads the result back."
}

func (finesseStep) Fields() []steps.Field {
	of := func(a *steps.Answers) *Finesse { return &Of(a).Finesse }
	servers := steps.ListField("wxm.finesse.servers", "Finesse servers", "comma-separated FQDNs of every Finesse server; the first holds the layout",
		func(a *steps.Answers) *[]string { return &of(a).Servers })
	servers.Validate = func(_ *steps.Answers, v string) error {
		list := steps.SplitList(v)
		if len(list) == 0 {
			return errors.New("give at least the primary Finesse server's FQDN")
		}
		for _, s := range list {
			if err := steps.ValidateFQDN(s); err != nil {
				return err
			}
		}
		return nil
	}
	file := steps.TextField("wxm.finesse.layout_file", "Layout file (optional)", "a layout exported from CFAdmin › Desktop Layout; empty: through Finesse's REST API",
		func(a *steps.Answers) *string { return &of(a).LayoutFile })
	viaAPI := func(a *steps.Answers) bool { return strings.TrimSpace(of(a).LayoutFile) == "" }
	user := steps.TextField("wxm.finesse.admin_user", "Finesse admin user", "the administrator that logs in to CFAdmin",
		func(a *steps.Answers) *string { return &of(a).AdminUser })
	pass := steps.SecretRefField("wxm.finesse.admin_password", "Finesse admin password", "env:NAME or file:PATH keeps a source; a typed password is for this session only",
		func(a *steps.Answers) *secret.Ref { return &of(a).AdminPassword })
	cert := steps.TextField("wxm.finesse.cert_file", "Finesse certificate file", "Finesse's certificate or its CA (PEM/DER), trusted for the API; empty: this machine's roots",
		func(a *steps.Answers) *string { return &of(a).CertFile })
	user.Visible, pass.Visible, cert.Visible = viaAPI, viaAPI, viaAPI
	cej := steps.TextField("wxm.finesse.cej_url", "CEJ gadget URL", "WxM › Overall Experience › Cisco Contact Center journey gadget",
		func(a *steps.Answers) *string { return &of(a).CEJURL })
	ceaA := steps.TextField("wxm.finesse.cea_agent_url", "CEA agent dashboard URL", "the agent dashboard's gadget URL; ccewiz adds &filterTags=cc_AgentId",
		func(a *steps.Answers) *string { return &of(a).CEAAgentURL })
	ceaS := steps.TextField("wxm.finesse.cea_supervisor_url", "CEA supervisor URL", "the supervisor dashboard's gadget URL; ccewiz adds &filterTags=cc_TeamId",
		func(a *steps.Answers) *string { return &of(a).CEASupervisorURL })
	for _, f := range []*steps.Field{&cej, &ceaA, &ceaS} {
		f.Validate = func(_ *steps.Answers, v string) error { return validateGadgetURL(v) }
	}
	return []steps.Field{servers, file, user, pass, cert, cej, ceaA, ceaS}
}

func (finesseStep) Needed(*steps.Answers) (steps.Need, string) {
	return steps.Required, "without the gadgets agents and supervisors see no WxM data"
}

// finesseClient is the REST client of the primary Finesse server.
func finesseClient(env *steps.Env) (*finesse.Client, error) {
	fi := Of(env.Answers).Finesse
	if len(fi.Servers) == 0 {
		return nil, steps.BadInput(errors.New("wxm.finesse.servers is empty: give the Finesse servers' FQDNs"))
	}
	host := normFQDN(fi.Servers[0])
	if err := steps.ValidateFQDN(host); err != nil {
		return nil, steps.BadInput(fmt.Errorf("wxm.finesse.servers: %w", err))
	}
	if strings.TrimSpace(fi.AdminUser) == "" {
		return nil, steps.BadInput(errors.New("wxm.finesse.admin_user is empty: give the Finesse administrator, or wxm.finesse.layout_file to patch an exported layout"))
	}
	tc, err := steps.ClientTLS(env, host, "wxm.finesse.cert_file", fi.CertFile)
	if err != nil {
		return nil, err
	}
	pw, err := env.Secret("wxm.finesse.admin_password", fi.AdminPassword, "Finesse administrator password of "+fi.AdminUser)
	if err != nil {
		return nil, err
	}
	return &finesse.Client{Base: "https://" + net.JoinHostPort(host, "8445"), User: fi.AdminUser, Password: pw, HTTP: env.HTTPClient(tc)}, nil
}

// layoutPlan is what Plan hands Apply for the API path.
type layoutPlan struct {
	old, new []byte
}

func (s finesseStep) Plan(ctx context.Context, env *steps.Env) (*steps.Plan, error) {
	fi := Of(env.Answers).Finesse
	want := wantGadgets(fi)
	for _, g := range want {
		if err := validateGadgetURL(g.URL); err != nil {
			return nil, steps.BadInput(fmt.Errorf("%s › %s: %w", g.Role, g.Tab, err))
		}
	}
	p := &steps.Plan{Step: s.ID()}
	if f := strings.TrimSpace(fi.LayoutFile); f != "" {
		path := env.Path(f)
		old, err := safefile.Read(path, finesse.MaxSize)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, steps.BadInput(fmt.Errorf("read %s: no such file; export the layout from CFAdmin › Desktop Layout (copy the XML into a file), or empty wxm.finesse.layout_file to use Finesse's REST API", f))
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", f, err)
		}
		out, changes, err := ensure(old, want)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		fc := steps.FileChange{Path: path, Action: steps.Unchanged, Why: "every gadget is already in its tab"}
		if len(changes) > 0 {
			fc = steps.FileChange{Path: path, Action: steps.Modify, Backup: true, Data: out, BaseSHA256: steps.SHA256Hex(old),
				Why: changeText(changes), Diff: udiff.Unified(f, f+" (patched)", lf(old), lf(out)), Verify: verifyLayout(want)}
			p.GUI = append(p.GUI, steps.GUIEntry{Where: "CFAdmin › Desktop Layout (on " + orUnset(first(fi.Servers)) + ")", Field: "Finesse Layout XML", Value: "paste the whole of " + path + ", then Save"})
		}
		p.Files = append(p.Files, fc)
		p.Summary = fmt.Sprintf("%d gadget(s) to place in %s", len(changes), f)
		return p, nil
	}
	c, err := finesseClient(env)
	if err != nil {
		return nil, err
	}
	old, err := c.GetLayout(ctx)
	if err != nil {
		return nil, err
	}
	out, changes, err := ensure(old, want)
	if err != nil {
		return nil, fmt.Errorf("the layout on %s: %w", c.Base, err)
	}
	rc := steps.RemoteChange{Target: "Finesse on " + first(fi.Servers), Action: steps.Unchanged, What: "desktop layout: every gadget is already in its tab"}
	if len(changes) > 0 {
		rc = steps.RemoteChange{Target: "Finesse on " + first(fi.Servers), Action: steps.Modify, What: "desktop layout: " + changeText(changes),
			Diff: udiff.Unified("layout on "+first(fi.Servers), "patched", lf(old), lf(out))}
		p.Private = &layoutPlan{old: old, new: out}
	}
	p.Remote = append(p.Remote, rc)
	p.Summary = fmt.Sprintf("%d gadget(s) to place in the default layout on %s", len(changes), first(fi.Servers))
	return p, nil
}

func ensure(layout []byte, want []finesse.Gadget) ([]byte, []finesse.Change, error) {
	l, err := finesse.Parse(layout)
	if err != nil {
		return nil, nil, err
	}
	return l.Ensure(want)
}

func changeText(cs []finesse.Change) string {
	var parts []string
	for _, c := range cs {
		parts = append(parts, fmt.Sprintf("%s › %s: %s", c.Gadget.Role, c.Gadget.Tab, c.What))
	}
	return strings.Join(parts, "; ")
}

// verifyLayout is the check new layout bytes pass before they are written.
func verifyLayout(want []finesse.Gadget) func([]byte) error {
	return func(b []byte) error {
		l, err := finesse.Parse(b)
		if err != nil {
			return err
		}
		for _, g := range want {
			if !l.Has(g) {
				return fmt.Errorf("the patched layout lacks %s", g)
			}
		}
		return nil
	}
}

func (finesseStep) Apply(ctx context.Context, env *steps.Env, p *steps.Plan) (*steps.Outcome, error) {
	lp, ok := p.Private.(*layoutPlan)
	if !ok {
		return steps.ApplyFiles(env, p)
	}
	c, err := finesseClient(env)
	if err != nil {
		return nil, err
	}
	// The layout on Finesse must still be the one planned from, and the
	// previous one is kept in a file before it is replaced.
	now, err := c.GetLayout(ctx)
	if err != nil {
		return nil, err
	}
	if string(now) != string(lp.old) {
		return nil, fmt.Errorf("the layout on %s changed since the plan (someone saved it in CFAdmin?); nothing was changed — review the plan again", c.Base)
	}
	fi := Of(env.Answers).Finesse
	backup := env.Path(filepath.Join("backups", "finesse-layout-"+normFQDN(first(fi.Servers))+"-"+env.Time().UTC().Format("20060102-150405")+".xml"))
	base := strings.TrimSuffix(backup, ".xml")
	for i := 1; ; i++ { // never over an earlier backup made in the same second
		if _, err := os.Lstat(backup); err != nil {
			break
		}
		backup = fmt.Sprintf("%s.%d.xml", base, i)
	}
	if err := os.MkdirAll(filepath.Dir(backup), 0o755); err != nil {
		return nil, fmt.Errorf("keep the previous layout before replacing it: %w; nothing was changed", err)
	}
	if _, err := safefile.Replace(backup, lp.old, safefile.Options{NoBackup: true, Verify: verifyWellFormed}); err != nil {
		return nil, fmt.Errorf("keep the previous layout before replacing it: %w; nothing was changed", err)
	}
	out := &steps.Outcome{Written: []steps.Written{{Path: backup}}}
	if err := c.PutLayout(ctx, lp.new); err != nil {
		return out, fmt.Errorf("%w (the previous layout is %s)", err, backup)
	}
	back, err := c.GetLayout(ctx)
	if err != nil {
		return out, fmt.Errorf("read the layout back: %w (the previous layout is %s)", err, backup)
	}
	if err := verifyLayout(wantGadgets(fi))(back); err != nil {
		return out, fmt.Errorf("Finesse holds a layout that %v; paste %s back in CFAdmin › Desktop Layout to undo", err, backup)
	}
	out.Notes = append(out.Notes, "the layout on "+first(fi.Servers)+" holds the gadgets; agents and supervisors see them after they sign in again (or reload the desktop)")
	return out, nil
}

func verifyWellFormed(b []byte) error {
	_, err := finesse.Parse(b)
	return err
}

func (s finesseStep) Checks() []steps.Check { return s.ChecksFor(nil) }

// ChecksFor adds, for a layout patched as a file, the item only the admin
// can tick: the file is what Finesse holds only once pasted into CFAdmin.
func (s finesseStep) ChecksFor(a *steps.Answers) []steps.Check {
	out := s.checks()
	if a != nil && strings.TrimSpace(Of(a).Finesse.LayoutFile) != "" {
		out = append(out, steps.Check{ID: "finesse.layout_saved", Title: "The patched layout is saved in CFAdmin", Manual: true,
			What: "CFAdmin › Desktop Layout on " + orUnset(first(Of(a).Finesse.Servers)) + ": the Finesse Layout XML is the whole of " + Of(a).Finesse.LayoutFile + ", saved"})
	}
	return out
}

func (finesseStep) checks() []steps.Check {
	return []steps.Check{
		{ID: "finesse.layout", Title: "The layout holds the CEJ and CEA gadgets in their tabs", Run: checkLayout},
		{ID: "finesse.cloud_connect", Title: "Finesse knows Cloud Connect", Manual: true,
			What: "Finesse administration (CFAdmin) › Cloud Connect Server Settings: the publisher and subscriber FQDNs and the Cloud Connect user; " +
				"Finesse and Cloud Connect trust each other's certificates (the gadgets get their WxM token through Cloud Connect)"},
	}
}

func checkLayout(ctx context.Context, env *steps.Env) steps.Result {
	fi := Of(env.Answers).Finesse
	want := wantGadgets(fi)
	var layout []byte
	where := ""
	if f := strings.TrimSpace(fi.LayoutFile); f != "" {
		b, err := safefile.Read(env.Path(f), finesse.MaxSize)
		if err != nil {
			return steps.Result{Status: steps.Fail, Detail: err.Error(), Fix: "set wxm.finesse.layout_file to the exported layout, or empty it to use the REST API"}
		}
		layout, where = b, f
	} else {
		c, err := finesseClient(env)
		if err != nil {
			return steps.Result{Status: steps.Fail, Detail: err.Error(), Fix: "answer the Finesse values: ccewiz wizard --flow wxm"}
		}
		b, err := c.GetLayout(ctx)
		if err != nil {
			return steps.Result{Status: steps.Fail, Detail: err.Error(), Fix: "check the Finesse administrator and that " + c.Base + " answers"}
		}
		layout, where = b, "the default layout on "+first(fi.Servers)
	}
	l, err := finesse.Parse(layout)
	if err != nil {
		return steps.Result{Status: steps.Fail, Detail: where + ": " + err.Error(), Fix: "restore a well-formed layout in CFAdmin › Desktop Layout"}
	}
	var missing []string
	for _, g := range want {
		if !l.Has(g) {
			missing = append(missing, fmt.Sprintf("%s › %s", g.Role, g.Tab))
		}
	}
	if len(missing) > 0 {
		fix := "ccewiz apply --flow wxm --step finesse"
		if fi.LayoutFile != "" {
			fix += ", then paste the file into CFAdmin › Desktop Layout"
		}
		return steps.Result{Status: steps.Fail, Detail: where + " lacks the WxM gadget in " + strings.Join(missing, ", "), Fix: fix}
	}
	return steps.Result{Status: steps.Pass, Detail: where + ": CEJ in both Home tabs, CEA in My Statistics (cc_AgentId) and Team Data (cc_TeamId)"}
}

func first(list []string) string {
	if len(list) == 0 {
		return ""
	}
	return normFQDN(list[0])
}

func lf(b []byte) string { return strings.ReplaceAll(string(b), "\r\n", "\n") }
