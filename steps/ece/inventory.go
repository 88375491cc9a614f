package ece

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"sort"
	"strings"

	"ccewiz/certs"
	"ccewiz/steps"
)

// inventoryStep is steps 4.2 and 4.3: the ECE data server(s) and web server
// in the PCCE inventory. ccewiz cannot type into CCE Administration; it
// works out the exact values, proves them first (FQDN, certificate name,
// DNS, pa login, Application Instance) and hands them over as GUI entries
// (2000 agents) or CSV rows (4000/12000 agents).
type inventoryStep struct{}

// NewInventoryStep returns steps 4.2 and 4.3, the PCCE inventory entries.
func NewInventoryStep() steps.Step { return inventoryStep{} }

// The two inventory machine kinds, as the guide names them.
const (
	KindDataServer = "ECE Data Server"
	KindWebServer  = "ECE Web Server"
)

// inventoryWhere is where the admin types the values (2000-agent model).
const inventoryWhere = "CCE Administration › Inventory › New"

func (inventoryStep) ID() string         { return "inventory" }
func (inventoryStep) Title() string      { return "ECE in the PCCE inventory" }
func (inventoryStep) ShortTitle() string { return "Inventory" }
func (inventoryStep) GuideStep() string  { return "4.2–4.3" }
func (inventoryStep) Intro() string {
	return "PCCE must know ECE's data server(s) and web server. The web server is entered by its fully qualified " +
		"name, which must be in ECE's certificate, with the pa login and the exact, case-sensitive Application " +
		"Instance — a short name, an IP address or a case slip here makes the ECE gadget fail later. ccewiz checks " +
		"every value before you type it."
}

func (inventoryStep) Needed(*steps.Answers) (steps.Need, string) {
	return steps.Required, "SPOG only shows the ECE gadget for an ECE web server in the inventory"
}

// Resolved inventory answers: what the admin set, or the default from the profile.
func invWebServer(a *steps.Answers) string {
	if v := strings.TrimSpace(InventoryOf(a).WebServerName); v != "" {
		return v
	}
	return strings.TrimSpace(ProfileOf(a).ECEFQDN)
}

func invDataServers(a *steps.Answers) []string {
	if len(InventoryOf(a).DataServers) > 0 {
		return InventoryOf(a).DataServers
	}
	return ProfileOf(a).ServicesServers
}

func invUser(a *steps.Answers) string {
	if v := strings.TrimSpace(InventoryOf(a).User); v != "" {
		return v
	}
	return "pa"
}

func invAppInstance(a *steps.Answers) string {
	if v := strings.TrimSpace(InventoryOf(a).AppInstance); v != "" {
		return v
	}
	inst, _ := AppInstance(*ProfileOf(a))
	return inst
}

func (inventoryStep) Fields() []steps.Field {
	web := steps.TextField("inventory.web_server_name", "ECE web server (FQDN)", "the name in ECE's certificate — with a balancer, its name or each web server's",
		func(a *steps.Answers) *string { return &InventoryOf(a).WebServerName })
	web.Default = func(a *steps.Answers) string { return ProfileOf(a).ECEFQDN }
	web.Validate = func(_ *steps.Answers, v string) error {
		if strings.TrimSpace(v) == "" {
			return nil // the profile's ece_fqdn is used
		}
		return steps.ValidateFQDN(v)
	}
	data := steps.ListField("inventory.data_servers", "ECE data servers", "the ECE services servers (both in HA)",
		func(a *steps.Answers) *[]string { return &InventoryOf(a).DataServers })
	data.Default = func(a *steps.Answers) string { return strings.Join(ProfileOf(a).ServicesServers, ", ") }
	data.Validate = func(a *steps.Answers, v string) error {
		for _, n := range steps.SplitList(v) {
			if err := steps.ValidateFQDN(n); err != nil {
				return err
			}
		}
		return nil
	}
	user := steps.TextField("inventory.user", "ECE user name", "the Business partition administrator, pa (its password is typed by you, never stored)",
		func(a *steps.Answers) *string { return &InventoryOf(a).User })
	user.Default = func(*steps.Answers) string { return "pa" }
	user.Validate = func(_ *steps.Answers, v string) error {
		if r := UserRule(orDefault(strings.TrimSpace(v), "pa")); r.Status == steps.Fail {
			return errors.New(r.Detail)
		}
		return nil
	}
	inst := steps.TextField("inventory.app_instance", "Application Instance", "exact, case-sensitive; never the one starting with UQ",
		func(a *steps.Answers) *string { return &InventoryOf(a).AppInstance })
	inst.Default = func(a *steps.Answers) string { s, _ := AppInstance(*ProfileOf(a)); return s }
	inst.Validate = func(a *steps.Answers, v string) error {
		if strings.TrimSpace(v) == "" {
			return nil
		}
		want, err := AppInstance(*ProfileOf(a))
		if err != nil {
			return err
		}
		return CompareAppInstance(strings.TrimSpace(v), want)
	}
	tmpl := steps.TextField("inventory.template", "Inventory CSV template", "4000/12000 agents: the CSV downloaded from CCE Administration's inventory page; ccewiz fills its columns",
		func(a *steps.Answers) *string { return &InventoryOf(a).Template })
	tmpl.Visible = is4000
	return []steps.Field{web, data, user, inst, tmpl}
}

// InventoryValue is one value of an inventory entry. Key is stable for
// machines (hostname, username, password, app_instance); Name is the label.
type InventoryValue struct {
	Key   string `json:"key"`
	Name  string `json:"name"`
	Value string `json:"value"`
}

// InventoryEntry is one machine to add to the PCCE inventory.
type InventoryEntry struct {
	Kind   string           `json:"kind"`
	Fields []InventoryValue `json:"fields"`
}

// InventorySheet is everything the admin enters for ECE, in order: the
// data server(s) first (step 4.2), then the web server (4.3).
type InventorySheet struct {
	Model int `json:"deployment_model"`
	// Method is "gui" (2000 agents: CCE Administration's pop-up) or "csv" (4000/12000).
	Method      string           `json:"method"`
	AppInstance string           `json:"app_instance"`
	Entries     []InventoryEntry `json:"entries"`
}

// passwordPlaceholder stands where the pa password goes: ccewiz never holds it.
const passwordPlaceholder = "(the pa password — type it yourself; ccewiz never stores it)"

// BuildInventory works out the inventory entries from the answers. It
// fails (bad input) when the profile lacks what the entries need.
func BuildInventory(a *steps.Answers) (*InventorySheet, error) {
	var problems []string
	model := ProfileOf(a).DeploymentModel
	method := "gui"
	switch model {
	case 2000:
	case 4000, 12000:
		method = "csv"
	default:
		problems = append(problems, "profile.deployment_model must be 2000, 4000 or 12000")
	}
	web := invWebServer(a)
	if web == "" {
		problems = append(problems, "no web server name: set profile.ece_fqdn or inventory.web_server_name")
	}
	ds := invDataServers(a)
	if len(ds) == 0 {
		problems = append(problems, "no data server: list the ECE services servers in profile.services_servers (or inventory.data_servers)")
	}
	inst := invAppInstance(a)
	if inst == "" {
		_, err := AppInstance(*ProfileOf(a))
		problems = append(problems, fmt.Sprintf("no Application Instance: %v", err))
	}
	if len(problems) > 0 {
		return nil, steps.BadInput(fmt.Errorf("cannot work out the inventory entries: %s", strings.Join(problems, "; ")))
	}
	s := &InventorySheet{Model: model, Method: method, AppInstance: inst}
	for _, d := range ds {
		s.Entries = append(s.Entries, InventoryEntry{Kind: KindDataServer, Fields: []InventoryValue{
			{Key: "hostname", Name: "Hostname", Value: d},
		}})
	}
	s.Entries = append(s.Entries, InventoryEntry{Kind: KindWebServer, Fields: []InventoryValue{
		{Key: "hostname", Name: "Hostname", Value: web},
		{Key: "username", Name: "User Name", Value: invUser(a)},
		{Key: "password", Name: "Password", Value: passwordPlaceholder},
		{Key: "app_instance", Name: "Application Instance", Value: inst},
	}})
	return s, nil
}

// GUI lists the values in the order CCE Administration's pop-up asks them.
func (s *InventorySheet) GUI() []steps.GUIEntry {
	var out []steps.GUIEntry
	for _, e := range s.Entries {
		for _, f := range e.Fields {
			out = append(out, steps.GUIEntry{Where: inventoryWhere + " › " + e.Kind, Field: f.Name, Value: f.Value})
		}
	}
	return out
}

// --- the rules, each a pure function so every one has a table test ---

// WebFQDNRule: the web server is entered by its fully qualified name.
func WebFQDNRule(name string) steps.Result {
	if err := steps.ValidateFQDN(name); err != nil {
		return steps.Result{Status: steps.Fail, Detail: err.Error(),
			Fix: "set inventory.web_server_name (or profile.ece_fqdn) to the FQDN in ECE's certificate, e.g. ece.example.com"}
	}
	return steps.Result{Status: steps.Pass, Detail: name + " is fully qualified"}
}

// CertNameRule: the web server name is the certificate's CN or one of its
// DNS SANs, the way SPOG's Java client checks it — when the certificate has
// DNS SANs, Java ignores the CN.
func CertNameRule(c *x509.Certificate, name string) steps.Result {
	name = normName(name)
	cn := c.Subject.CommonName
	for _, san := range c.DNSNames {
		if matchHost(san, name) {
			d := fmt.Sprintf("%s is a DNS SAN of the certificate (CN=%s)", name, cn)
			if strings.HasPrefix(san, "*.") {
				d = fmt.Sprintf("%s matches the wildcard SAN %s (CN=%s)", name, san, cn)
			}
			return steps.Result{Status: steps.Pass, Detail: d}
		}
	}
	reissue := fmt.Sprintf("reissue the certificate (step 1) with %s as CN and DNS SAN, or use one of its names as the web server name", name)
	if len(c.DNSNames) == 0 {
		if strings.EqualFold(cn, name) {
			return steps.Result{Status: steps.Pass, Detail: fmt.Sprintf("%s is the certificate's CN (it has no DNS SANs, so Java checks the CN)", name)}
		}
		return steps.Result{Status: steps.Fail, Detail: fmt.Sprintf("the certificate's CN is %s and it has no DNS SANs; %s does not match", cn, name), Fix: reissue}
	}
	if strings.EqualFold(cn, name) {
		return steps.Result{Status: steps.Fail, Detail: fmt.Sprintf("%s is the CN but none of the DNS SANs (%s); Java ignores the CN when a certificate has SANs, so SPOG reports a name mismatch",
			name, strings.Join(c.DNSNames, ", ")), Fix: reissue}
	}
	return steps.Result{Status: steps.Fail, Detail: fmt.Sprintf("%s is neither the CN (%s) nor a DNS SAN (%s) of the certificate", name, cn, strings.Join(c.DNSNames, ", ")), Fix: reissue}
}

// matchHost compares a certificate name with a host name; a wildcard covers
// exactly one leftmost label.
func matchHost(pattern, host string) bool {
	pattern = normName(pattern)
	if pattern == host {
		return true
	}
	if strings.HasPrefix(pattern, "*.") {
		i := strings.IndexByte(host, '.')
		return i > 0 && host[i:] == pattern[1:]
	}
	return false
}

// UserRule: the inventory takes ECE's Business partition administrator, pa.
func UserRule(user string) steps.Result {
	u := strings.TrimSpace(user)
	switch {
	case u == "":
		return steps.Result{Status: steps.Fail, Detail: "no ECE user name", Fix: "use pa, the Business partition administrator"}
	case strings.EqualFold(u, "sa"):
		return steps.Result{Status: steps.Fail, Detail: "sa is the System partition (partition 0) administrator; the inventory needs the Business partition's pa login",
			Fix: "set inventory.user to pa"}
	case u == "pa":
		return steps.Result{Status: steps.Pass, Detail: "pa, the Business partition administrator (password typed by you, never stored)"}
	case strings.ContainsAny(u, `@\`):
		return steps.Result{Status: steps.Warn, Detail: fmt.Sprintf("%q looks like a domain account; the guide says the ECE pa login", u),
			Fix: "use pa unless your ECE partition administrator is named differently"}
	}
	return steps.Result{Status: steps.Warn, Detail: fmt.Sprintf("%q is not pa; it works only if it is a Business partition administrator", u), Fix: "the guide says to use the pa login"}
}

// AppInstanceRule: the Application Instance is exactly the expected one.
func AppInstanceRule(a *steps.Answers) steps.Result {
	want, err := AppInstance(*ProfileOf(a))
	if err != nil {
		return steps.Result{Status: steps.Fail, Detail: err.Error(), Fix: "complete the profile"}
	}
	got := invAppInstance(a)
	if err := CompareAppInstance(got, want); err != nil {
		return steps.Result{Status: steps.Fail, Detail: err.Error(), Fix: fmt.Sprintf("type %s exactly (inventory.app_instance)", want)}
	}
	return steps.Result{Status: steps.Pass, Detail: fmt.Sprintf("%s, exactly as PCCE names it (case-sensitive)", got)}
}

// DataServersRule: the ECE data servers are the services servers — both in HA.
func DataServersRule(a *steps.Answers) steps.Result {
	ds, svc := invDataServers(a), ProfileOf(a).ServicesServers
	if len(svc) == 0 {
		return steps.Result{Status: steps.Fail, Detail: "profile.services_servers is empty; the ECE data server in the inventory is the services server",
			Fix: "list the ECE services servers (on a 400-agent deployment, the collocated servers) in the profile"}
	}
	var problems []string
	for _, d := range ds {
		if err := steps.ValidateFQDN(d); err != nil {
			problems = append(problems, err.Error())
		}
	}
	has := func(list []string, s string) bool {
		for _, v := range list {
			if normName(v) == normName(s) {
				return true
			}
		}
		return false
	}
	for _, s := range svc {
		if !has(ds, s) {
			problems = append(problems, fmt.Sprintf("services server %s is missing from the data servers", s))
		}
	}
	for _, d := range ds {
		if !has(svc, d) {
			problems = append(problems, fmt.Sprintf("%s is not an ECE services server", d))
		}
	}
	if strings.HasSuffix(ProfileOf(a).ECEShape, "-ha") && len(ds) < 2 {
		problems = append(problems, fmt.Sprintf("ECE is HA (%s): both services servers are added as data servers", ProfileOf(a).ECEShape))
	}
	if len(problems) > 0 {
		return steps.Result{Status: steps.Fail, Detail: strings.Join(problems, "; "), Fix: "inventory.data_servers must be exactly profile.services_servers (or leave it empty to use them)"}
	}
	return steps.Result{Status: steps.Pass, Detail: "data server(s): " + strings.Join(ds, ", ")}
}

// ResolveRule: the web server name resolves — through the answers file's
// resolve overrides first, as every ccewiz connection does.
func ResolveRule(ctx context.Context, env *steps.Env, name string) steps.Result {
	n := normName(name)
	if env.Answers != nil {
		keys := make([]string, 0, len(env.Answers.Resolve))
		for k := range env.Answers.Resolve {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			host := k
			if h, _, err := net.SplitHostPort(k); err == nil {
				host = h
			}
			if normName(host) == n {
				return steps.Result{Status: steps.Pass, Detail: fmt.Sprintf("%s resolves through the answers file's resolve override (%s → %s)", n, k, env.Answers.Resolve[k])}
			}
		}
	}
	addrs, err := net.DefaultResolver.LookupHost(ctx, n)
	if err != nil || len(addrs) == 0 {
		return steps.Result{Status: steps.Fail, Detail: fmt.Sprintf("%s does not resolve from here: %v", n, err),
			Fix: "add it to DNS (an A record, or a CNAME to the balancer) — every ADS must resolve it too"}
	}
	return steps.Result{Status: steps.Pass, Detail: fmt.Sprintf("%s resolves to %s", n, strings.Join(addrs, ", "))}
}

// ECECertificate finds ECE's web server certificate: the file step 1 wrote
// (<certificate.out_dir>/<ece_fqdn>.crt), else the CA's answer files, else
// what the web server presents on port 443. source says which.
func ECECertificate(ctx context.Context, env *steps.Env, webServer string) (c *x509.Certificate, source string, err error) {
	a := env.Answers
	var tried []string
	if normName(ProfileOf(a).ECEFQDN) != "" {
		p := eceCertFile(env)
		if b, err := certs.ReadBundleFiles(p); err == nil && len(b.Certs) > 0 {
			return certs.PickLeaf(b.Certs), p, nil
		} else {
			tried = append(tried, fmt.Sprintf("%s: %v", p, errOr(err, "no certificate")))
		}
	}
	if len(CertificateOf(a).CAResponse) > 0 {
		var paths []string
		for _, p := range CertificateOf(a).CAResponse {
			paths = append(paths, env.Path(p))
		}
		if b, err := certs.ReadBundleFiles(paths...); err == nil && len(b.Certs) > 0 {
			return certs.PickLeaf(b.Certs), strings.Join(paths, ", "), nil
		} else {
			tried = append(tried, fmt.Sprintf("%s: %v", strings.Join(paths, ", "), errOr(err, "no certificate")))
		}
	}
	if webServer != "" {
		addr := net.JoinHostPort(normName(webServer), "443")
		env.Stage("reading the certificate %s presents…", addr)
		res, err := certs.Probe(ctx, addr, certs.ProbeOptions{Name: normName(webServer), Dial: env.Dial, Timeout: env.TimeLimit()})
		if err == nil && res.Leaf() != nil {
			return res.Leaf(), "the server at " + addr, nil
		}
		tried = append(tried, fmt.Sprintf("%s: %v", addr, errOr(err, "no certificate")))
	}
	return nil, "", fmt.Errorf("no ECE certificate found (%s)", strings.Join(tried, "; "))
}

func errOr(err error, s string) string {
	if err != nil {
		return err.Error()
	}
	return s
}

// CertRule runs CertNameRule against ECE's certificate, wherever it is found.
func CertRule(ctx context.Context, env *steps.Env, name string) steps.Result {
	c, src, err := ECECertificate(ctx, env, name)
	if err != nil {
		return steps.Result{Status: steps.Fail, Detail: err.Error(),
			Fix: "do step 1 first (ccewiz writes <out_dir>/<ece_fqdn>.crt), or make the web server reachable on 443"}
	}
	r := CertNameRule(c, name)
	r.Detail += " — certificate from " + src
	return r
}

// offlineRules are the rules that need neither the network nor files.
func offlineRules(a *steps.Answers) []steps.Result {
	return []steps.Result{WebFQDNRule(invWebServer(a)), UserRule(invUser(a)), AppInstanceRule(a), DataServersRule(a)}
}

func (s inventoryStep) Plan(ctx context.Context, env *steps.Env) (*steps.Plan, error) {
	a := env.Answers
	sheet, err := BuildInventory(a)
	if err != nil {
		return nil, err
	}
	var bad []error
	for _, r := range offlineRules(a) {
		if r.Status == steps.Fail {
			bad = append(bad, fmt.Errorf("%s (%s)", r.Detail, r.Fix))
		}
	}
	if r := CertRule(ctx, env, invWebServer(a)); r.Status == steps.Fail {
		bad = append(bad, fmt.Errorf("%s (%s)", r.Detail, r.Fix))
	}
	if len(bad) > 0 {
		return nil, steps.BadInput(joinErrs("these inventory values would fail in SPOG", bad))
	}
	plan := &steps.Plan{Step: s.ID(), GUI: sheet.GUI()}
	viaAPI := planAPI(ctx, env, plan, sheet)
	if r := ResolveRule(ctx, env, invWebServer(a)); r.Status != steps.Pass {
		plan.Notes = append(plan.Notes, r.Detail+"; "+r.Fix)
	}
	if r := UserRule(invUser(a)); r.Status == steps.Warn {
		plan.Notes = append(plan.Notes, r.Detail)
	}
	switch {
	case viaAPI:
		plan.Summary = "the ECE web server goes into CCE Administration's inventory through its API"
	case sheet.Method == "gui":
		plan.Summary = "add these in CCE Administration's inventory, data server(s) first, in this order"
	default:
		plan.Summary = fmt.Sprintf("%d-agent model: the entries go into the inventory CSV you download from CCE Administration, fill in and upload", sheet.Model)
		if InventoryOf(a).Template == "" {
			plan.Notes = append(plan.Notes, "download the inventory CSV template from CCE Administration and set inventory.template to it; "+
				"`ccewiz inventory show --format csv` then fills its columns (ccewiz does not guess the CSV format)")
		} else {
			plan.Notes = append(plan.Notes, fmt.Sprintf("run `ccewiz inventory show --format csv --template %s > ece-inventory.csv`, fill in the columns it names, and upload it", InventoryOf(a).Template))
		}
	}
	if viaAPI {
		plan.Notes = append(plan.Notes, "the pa password goes to CCE Administration's API from inventory.password; ccewiz never stores it")
	} else {
		plan.Notes = append(plan.Notes, "the pa password is typed by you into CCE Administration; ccewiz never stores it")
	}
	return plan, nil
}

// Apply puts the web server in the inventory through the API when the plan
// says so; the other entries are typed (or uploaded) by the admin. It
// re-runs the checks so the outcome shows where things stand.
func (s inventoryStep) Apply(ctx context.Context, env *steps.Env, p *steps.Plan) (*steps.Outcome, error) {
	if ap, ok := p.Private.(*apiPlan); ok {
		out, err := applyAPI(ctx, env, ap)
		if err != nil {
			return out, err
		}
		if len(p.GUI) > 0 {
			out.Notes = append(out.Notes, "enter the data server values above in CCE Administration's GUI")
		}
		out.Results = steps.VerifyStep(ctx, s, env)
		return out, nil
	}
	out := &steps.Outcome{Notes: []string{"enter the values above in CCE Administration; afterwards its status bar must show no alert for the ECE servers"}}
	out.Results = steps.VerifyStep(ctx, s, env)
	return out, nil
}

// ChecksFor: with an AW named, whether the web server entry is there is
// asked of the API instead of the admin.
func (s inventoryStep) ChecksFor(a *steps.Answers) []steps.Check {
	cs := s.Checks()
	if strings.TrimSpace(InventoryOf(a).AW) == "" {
		return cs
	}
	for i, c := range cs {
		if c.ID == "inventory.entered" {
			cs[i] = steps.Check{ID: "inventory.api", Title: "ECE web server is in CCE Administration's inventory", Run: apiEntryCheck}
		}
	}
	return cs
}

func (inventoryStep) Checks() []steps.Check {
	return []steps.Check{
		{ID: "inventory.web-fqdn", Title: "ECE web server is entered by its FQDN", Run: func(_ context.Context, env *steps.Env) steps.Result {
			return WebFQDNRule(invWebServer(env.Answers))
		}},
		{ID: "inventory.web-cert", Title: "ECE web server name is in ECE's certificate", Run: func(ctx context.Context, env *steps.Env) steps.Result {
			return CertRule(ctx, env, invWebServer(env.Answers))
		}},
		{ID: "inventory.web-resolves", Title: "ECE web server name resolves", Run: func(ctx context.Context, env *steps.Env) steps.Result {
			return ResolveRule(ctx, env, invWebServer(env.Answers))
		}},
		{ID: "inventory.user", Title: "ECE user is the pa login", Run: func(_ context.Context, env *steps.Env) steps.Result {
			return UserRule(invUser(env.Answers))
		}},
		{ID: "inventory.app-instance", Title: "Application Instance is exact", Run: func(_ context.Context, env *steps.Env) steps.Result {
			return AppInstanceRule(env.Answers)
		}},
		{ID: "inventory.data-servers", Title: "ECE data servers are the services servers", Run: func(_ context.Context, env *steps.Env) steps.Result {
			return DataServersRule(env.Answers)
		}},
		{ID: "inventory.entered", Title: "ECE servers are in the PCCE inventory", Manual: true,
			What: "CCE Administration › Inventory lists the ECE data server(s) and web server, and the status bar shows no alert for them"},
	}
}
