package orchestration

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strings"

	"ccewiz/inventoryconf"
	"ccewiz/secret"
	"ccewiz/steps"
)

// prereqStep takes the deployment — versions, model, the Cloud Connect
// cluster, the VOS clusters and Windows nodes — and checks it against the
// guide's version table and supported models before anything is done.
type prereqStep struct{}

func (prereqStep) ID() string { return "prereq" }
func (prereqStep) Title() string {
	return "Prerequisites: versions, model, Cloud Connect and the nodes"
}
func (prereqStep) ShortTitle() string { return "Prerequisites" }
func (prereqStep) GuideStep() string  { return "" }
func (prereqStep) Intro() string {
	return "Orchestration needs Cloud Connect 12.6(1) ES3, UCCE/PCCE 12.5(1) ES66 (after ES55) or later, CVP 12.5(1) ES23, " +
		"and on Finesse, CUIC and VVB the keymanagement COP (12.5(1): the orchestration-enable COP too). The 12000, 24000 " +
		"and 26000-agent models and HCS Small Contact Center are not supported. Every node is named by its FQDN: VOS onboarding refuses an IP."
}

var releases = []string{"12.5(1)", "12.5(2)", "12.6(1)", "12.6(2)", "older"}

func (prereqStep) Fields() []steps.Field {
	v := func(a *steps.Answers) *Versions { return &Of(a).Versions }
	cc := func(a *steps.Answers) *CloudConnect { return &Of(a).CloudConnect }
	pub := steps.TextField("orchestration.cloud_connect.publisher", "Cloud Connect publisher", "its FQDN, e.g. cc1.example.com (VOS onboarding refuses an IP)",
		func(a *steps.Answers) *string { return &cc(a).Publisher })
	pub.Validate = func(_ *steps.Answers, s string) error { return fqdnOnly(s) }
	sub := steps.TextField("orchestration.cloud_connect.subscriber", "Cloud Connect subscriber", "its FQDN, e.g. cc2.example.com",
		func(a *steps.Answers) *string { return &cc(a).Subscriber })
	sub.Validate = func(a *steps.Answers, s string) error {
		if err := fqdnOnly(s); err != nil {
			return err
		}
		if norm(s) == norm(cc(a).Publisher) {
			return fmt.Errorf("the subscriber %s is the publisher; give the second Cloud Connect node", s)
		}
		return nil
	}
	user := steps.TextField("orchestration.cloud_connect.app_user", "Application user", "Cloud Connect's application user (run sql select * from applicationuser on its CLI)",
		func(a *steps.Answers) *string { return &cc(a).AppUser })
	pass := steps.SecretRefField("orchestration.cloud_connect.app_password", "Application password", "its password: typed here (this session only), env:NAME or file:PATH",
		func(a *steps.Answers) *secret.Ref { return &cc(a).AppPassword })
	ucce := steps.ChoiceField("orchestration.versions.ucce", "UCCE/PCCE release", "the installed release", releases, func(a *steps.Answers) *string { return &v(a).UCCE })
	ucceES := steps.IntField("orchestration.versions.ucce_es", "UCCE/PCCE ES", "12.5(1) needs ES66 (0: none)", func(a *steps.Answers) *int { return &v(a).UCCEES })
	es55 := steps.BoolField("orchestration.versions.ucce_es55", "ES55 before ES66", "12.5(1): ES55 was installed before ES66", func(a *steps.Answers) *bool { return &v(a).UCCEES55 })
	is1251 := func(a *steps.Answers) bool { return v(a).UCCE == "12.5(1)" }
	ucceES.Visible, es55.Visible = is1251, is1251
	ccRel := steps.ChoiceField("orchestration.versions.cloud_connect", "Cloud Connect release", "orchestration needs 12.6(1)", releases, func(a *steps.Answers) *string { return &v(a).CloudConnect })
	ccES := steps.IntField("orchestration.versions.cloud_connect_es", "Cloud Connect ES", "12.6(1) needs ES3 (0: none)", func(a *steps.Answers) *int { return &v(a).CloudConnectES })
	upg := steps.BoolField("orchestration.upgrading_cloud_connect", "Upgrading Cloud Connect", "Cloud Connect goes from 12.5 to 12.6 first", func(a *steps.Answers) *bool { return &Of(a).UpgradingCloudConnect })
	disk := steps.IntField("orchestration.versions.cloud_connect_disk_gb", "Cloud Connect disk (GB)", "the upgrade needs 246 GB (a 12.5 VM has 146)", func(a *steps.Answers) *int { return &v(a).CloudConnectDiskGB })
	ccCOP := steps.BoolField("orchestration.versions.cloud_connect_keymanagement_cop", "Cloud Connect keymanagement COP", "ucos.keymanagement.cop.sgn on Cloud Connect before the upgrade (without it the upgrade fails)",
		func(a *steps.Answers) *bool { return &v(a).CloudConnectKeymanagementCOP })
	upgrading := func(a *steps.Answers) bool { return Of(a).UpgradingCloudConnect }
	disk.Visible, ccCOP.Visible = upgrading, upgrading
	cvp := steps.ChoiceField("orchestration.versions.cvp", "CVP release", "the installed release", releases, func(a *steps.Answers) *string { return &v(a).CVP })
	cvpES := steps.IntField("orchestration.versions.cvp_es", "CVP ES", "12.5(1) needs ES23", func(a *steps.Answers) *int { return &v(a).CVPES })
	cvpES.Visible = func(a *steps.Answers) bool { return v(a).CVP == "12.5(1)" }
	vos := steps.ChoiceField("orchestration.versions.vos", "Finesse/CUIC/VVB release", "the VOS nodes' release", releases, func(a *steps.Answers) *string { return &v(a).VOSRelease })
	orchCOP := steps.BoolField("orchestration.versions.orchestration_cop", "Orchestration COP", "12.5(1): ucos.orchestration.enable-12.5.1.cop.sgn on every VOS node",
		func(a *steps.Answers) *bool { return &v(a).OrchestrationCOP })
	orchCOP.Visible = func(a *steps.Answers) bool { return v(a).VOSRelease == "12.5(1)" }
	keyCOP := steps.BoolField("orchestration.versions.keymanagement_cop", "Keymanagement COP", "ucos.keymanagement.cop.sgn on every VOS node",
		func(a *steps.Answers) *bool { return &v(a).KeymanagementCOP })
	dtype := steps.TextField("orchestration.deployment.type", "Deployment type", strings.Join(inventoryconf.DeploymentTypes, ", "),
		func(a *steps.Answers) *string { return &Of(a).Deployment.Type })
	dtype.Validate = func(_ *steps.Answers, s string) error { return deploymentType(s) }
	dname := steps.TextField("orchestration.deployment.name", "Deployment name", "unique; the subject of Cloud Connect's e-mails, e.g. UnifiedCCE",
		func(a *steps.Answers) *string { return &Of(a).Deployment.Name })
	dname.Validate = func(_ *steps.Answers, s string) error {
		if strings.TrimSpace(s) == "" {
			return fmt.Errorf("give the deployment a name: it is the subject line of Cloud Connect's e-mail notifications")
		}
		return nil
	}
	vosList := steps.Field{Key: "orchestration.vos", Label: "VOS clusters", Kind: steps.List,
		Help: "Product:publisher+subscriber…, e.g. Finesse:fin1a.example.com+fin1b.example.com (" + strings.Join(inventoryconf.VOSProducts, ", ") + ")",
		Get:  func(a *steps.Answers) string { return formatVOS(Of(a).VOS) },
		Set: func(a *steps.Answers, s string) error {
			c, err := parseVOS(s)
			if err == nil {
				Of(a).VOS = c
			}
			return err
		}}
	vosList.Validate = func(_ *steps.Answers, s string) error { _, err := parseVOS(s); return err }
	winList := steps.Field{Key: "orchestration.windows", Label: "Windows nodes", Kind: steps.List,
		Help: "PRODUCT[/pair]:sideA+sideB, e.g. ROGGER:rgra.example.com+rgrb.example.com, PG/PG1:pg1a.example.com+pg1b.example.com",
		Get:  func(a *steps.Answers) string { return formatWindows(Of(a).Windows) },
		Set: func(a *steps.Answers, s string) error {
			w, err := parseWindows(s, Of(a).Windows)
			if err == nil {
				Of(a).Windows = w
			}
			return err
		}}
	winList.Validate = func(a *steps.Answers, s string) error { _, err := parseWindows(s, nil); return err }
	wuser := steps.TextField("orchestration.windows_user", "Windows logon user", "the user Cloud Connect logs on as: a domain admin, or a domain user with local admin rights (admin@example.local)",
		func(a *steps.Answers) *string { return &Of(a).WindowsUser })
	wuser.Validate = func(_ *steps.Answers, s string) error {
		if strings.TrimSpace(s) == "" {
			return fmt.Errorf("give the Windows logon user Cloud Connect will use (it must never be deleted afterwards)")
		}
		return nil
	}
	return []steps.Field{pub, sub, user, pass, ucce, ucceES, es55, ccRel, ccES, upg, disk, ccCOP, cvp, cvpES, vos, orchCOP, keyCOP, dtype, dname, vosList, winList, wuser}
}

func fqdnOnly(s string) error {
	if net.ParseIP(strings.TrimSpace(s)) != nil {
		return fmt.Errorf("%s is an IP address: VOS onboarding and inventory.conf take the node's FQDN", s)
	}
	return steps.ValidateFQDN(s)
}

// deploymentType refuses, with the reason, what orchestration does not
// support.
func deploymentType(s string) error {
	if msg, fix := inventoryconf.DeploymentTypeProblem(s); msg != "" {
		return fmt.Errorf("%s: %s", msg, fix)
	}
	return nil
}

func formatVOS(cs []VOSCluster) string {
	var parts []string
	for _, c := range cs {
		p := c.Product
		if c.Name != "" {
			p += "/" + c.Name
		}
		parts = append(parts, p+":"+strings.Join(c.Hosts, "+"))
	}
	return strings.Join(parts, ", ")
}

func parseVOS(s string) ([]VOSCluster, error) {
	var out []VOSCluster
	for _, item := range steps.SplitList(s) {
		prod, hosts, ok := strings.Cut(item, ":")
		name := ""
		prod, name, _ = strings.Cut(strings.TrimSpace(prod), "/")
		if !ok || strings.TrimSpace(hosts) == "" {
			return nil, fmt.Errorf("%q: write Product:publisher+subscriber, e.g. Finesse:fin1a.example.com+fin1b.example.com", item)
		}
		if !slices.Contains(inventoryconf.VOSProducts, prod) {
			return nil, fmt.Errorf("%q: the VOS product is one of %s (as Cloud Connect's export spells it)", prod, strings.Join(inventoryconf.VOSProducts, ", "))
		}
		c := VOSCluster{Product: prod, Name: strings.TrimSpace(name)}
		for _, h := range strings.Split(hosts, "+") {
			if err := fqdnOnly(h); err != nil {
				return nil, fmt.Errorf("%s: %w", prod, err)
			}
			c.Hosts = append(c.Hosts, norm(h))
		}
		out = append(out, c)
	}
	return out, nil
}

func formatWindows(ws []WindowsPair) string {
	var parts []string
	for _, w := range ws {
		p := w.Product
		if w.Name != "" && w.Name != w.Product {
			p += "/" + w.Name
		}
		hs := []string{w.SideA}
		if w.SideB != "" {
			hs = append(hs, w.SideB)
		}
		parts = append(parts, p+":"+strings.Join(hs, "+"))
	}
	return strings.Join(parts, ", ")
}

// parseWindows reads the list; SSH folders already answered for a node
// are kept.
func parseWindows(s string, old []WindowsPair) ([]WindowsPair, error) {
	var out []WindowsPair
	for _, item := range steps.SplitList(s) {
		head, hosts, ok := strings.Cut(item, ":")
		prod, name, _ := strings.Cut(strings.TrimSpace(head), "/")
		if !ok || strings.TrimSpace(hosts) == "" {
			return nil, fmt.Errorf("%q: write PRODUCT[/pair]:sideA+sideB, e.g. ROGGER:rgra.example.com+rgrb.example.com", item)
		}
		if !slices.Contains(inventoryconf.WindowsProducts, prod) {
			if slices.Contains(inventoryconf.WindowsProducts, strings.ToUpper(prod)) {
				return nil, fmt.Errorf("%q: Windows component names are in upper case: write %s", prod, strings.ToUpper(prod))
			}
			return nil, fmt.Errorf("%q is not a Windows component; use one of %s", prod, strings.Join(inventoryconf.WindowsProducts, ", "))
		}
		hs := strings.Split(hosts, "+")
		if len(hs) > 2 {
			return nil, fmt.Errorf("%s: a pair has side A and side B only", item)
		}
		w := WindowsPair{Product: prod, Name: strings.TrimSpace(name)}
		for i, h := range hs {
			if err := fqdnOnly(h); err != nil {
				return nil, fmt.Errorf("%s: %w", prod, err)
			}
			if i == 0 {
				w.SideA = norm(h)
			} else {
				w.SideB = norm(h)
			}
		}
		for _, o := range old {
			if o.Product == w.Product && o.pairName() == w.pairName() {
				if norm(o.SideA) == w.SideA {
					w.SSHDirA = o.SSHDirA
				}
				if norm(o.SideB) == w.SideB {
					w.SSHDirB = o.SSHDirB
				}
			}
		}
		out = append(out, w)
	}
	return out, nil
}

func (prereqStep) Needed(*steps.Answers) (steps.Need, string) {
	return steps.Required, "every later step takes its names from here"
}

func (s prereqStep) Plan(_ context.Context, env *steps.Env) (*steps.Plan, error) {
	if errs := steps.ValidateFields(env.Answers, s.Fields()); len(errs) > 0 {
		return nil, steps.BadInput(errs[0])
	}
	o := Of(env.Answers)
	p := &steps.Plan{Step: s.ID(), Summary: fmt.Sprintf("%s (%s): %d VOS cluster(s), %d Windows node(s), Cloud Connect %s",
		orDefault(o.Deployment.Name, "(no name)"), orDefault(o.Deployment.Type, "(no type)"), len(o.VOS), len(windowsHosts(o)), strings.Join(nodes(o), " + "))}
	p.Notes = append(p.Notes, "nothing to write: this step records the deployment; its checks hold the guide's version table")
	return p, nil
}

func (prereqStep) Apply(context.Context, *steps.Env, *steps.Plan) (*steps.Outcome, error) {
	return &steps.Outcome{}, nil
}

func (prereqStep) Checks() []steps.Check {
	check := func(id, title string, f func(o *Answers) steps.Result) steps.Check {
		return steps.Check{ID: "prereq." + id, Title: title, Run: func(_ context.Context, env *steps.Env) steps.Result { return f(Of(env.Answers)) }}
	}
	return []steps.Check{
		check("ucce", "UCCE/PCCE is at the level orchestration needs", checkUCCE),
		check("cloud-connect", "Cloud Connect is 12.6(1) ES3 or later", checkCloudConnect),
		check("vos-cop", "Finesse, CUIC and VVB have the COP files", checkVOSCOP),
		check("cvp", "CVP is at the level orchestration needs", checkCVP),
		check("model", "The deployment model is one orchestration supports", func(o *Answers) steps.Result {
			if err := deploymentType(o.Deployment.Type); err != nil || o.Deployment.Type == "" {
				return steps.Result{Status: steps.Fail, Detail: errText(err, "orchestration.deployment.type is not answered"),
					Fix: "answer orchestration.deployment.type with one of " + strings.Join(inventoryconf.DeploymentTypes, ", ")}
			}
			return steps.Result{Status: steps.Pass, Detail: o.Deployment.Type}
		}),
		check("names", "Cloud Connect and every node are named by FQDN", checkNames),
		check("upgrade", "The 12.5 → 12.6 upgrade of Cloud Connect is prepared", checkUpgrade),
	}
}

func errText(err error, dflt string) string {
	if err != nil {
		return err.Error()
	}
	return dflt
}

func checkUCCE(o *Answers) steps.Result {
	v := o.Versions
	switch {
	case v.UCCE == "" || v.UCCE == "older":
		return steps.Result{Status: steps.Fail, Detail: "UCCE/PCCE " + orDefault(v.UCCE, "(not answered)") + ": orchestration needs 12.5(1) ES66 or later",
			Fix: "install 12.5(1) ES55, then ES66 (or the 12.5(2) MR), and answer orchestration.versions.ucce"}
	case v.UCCE == "12.5(1)" && v.UCCEES < 66:
		return steps.Result{Status: steps.Fail, Detail: fmt.Sprintf("UCCE/PCCE 12.5(1) ES%d: orchestration needs ES66", v.UCCEES),
			Fix: "install ES55 first, then ES66, on every UCCE/PCCE server (or upgrade to 12.5(2))"}
	case v.UCCE == "12.5(1)" && !v.UCCEES55:
		return steps.Result{Status: steps.Fail, Detail: "UCCE/PCCE 12.5(1) ES66 without ES55 before it",
			Fix: "ES55 must be installed before ES66: install ES55, then reinstall ES66; then answer orchestration.versions.ucce_es55"}
	}
	return steps.Result{Status: steps.Pass, Detail: fmt.Sprintf("UCCE/PCCE %s%s", v.UCCE, esText(v.UCCEES))}
}

func checkCloudConnect(o *Answers) steps.Result {
	v := o.Versions
	switch {
	case v.CloudConnect == "12.6(1)" && v.CloudConnectES < 3:
		return steps.Result{Status: steps.Fail, Detail: fmt.Sprintf("Cloud Connect 12.6(1)%s: orchestration needs ES3 (a proxy to the internet too)", esText(v.CloudConnectES)),
			Fix: "install Cloud Connect 12.6(1) ES3 on both nodes"}
	case v.CloudConnect == "12.6(1)" || v.CloudConnect == "12.6(2)":
		return steps.Result{Status: steps.Pass, Detail: "Cloud Connect " + v.CloudConnect + esText(v.CloudConnectES)}
	}
	return steps.Result{Status: steps.Fail, Detail: "Cloud Connect " + orDefault(v.CloudConnect, "(not answered)") + ": orchestration needs 12.6(1) ES3",
		Fix: "upgrade Cloud Connect to 12.6(1) (say so in orchestration.upgrading_cloud_connect: the keymanagement COP and a 246 GB disk come first), then ES3"}
}

func checkVOSCOP(o *Answers) steps.Result {
	v := o.Versions
	var missing []string
	switch v.VOSRelease {
	case "12.5(1)":
		if !v.OrchestrationCOP {
			missing = append(missing, "ucos.orchestration.enable-12.5.1.cop.sgn")
		}
		fallthrough
	case "12.5(2)", "12.6(1)", "12.6(2)":
		if !v.KeymanagementCOP {
			missing = append(missing, "ucos.keymanagement.cop.sgn")
		}
	default:
		return steps.Result{Status: steps.Fail, Detail: "Finesse/CUIC/VVB " + orDefault(v.VOSRelease, "(not answered)") + ": orchestration needs 12.5(1) or later",
			Fix: "answer orchestration.versions.vos with the VOS nodes' release"}
	}
	if len(missing) > 0 {
		return steps.Result{Status: steps.Fail, Detail: "Finesse/CUIC/VVB " + v.VOSRelease + " without " + strings.Join(missing, " and "),
			Fix: "install " + strings.Join(missing, " and ") + " on every Finesse, CUIC and VVB node (utils system upgrade initiate), then answer the COP fields"}
	}
	return steps.Result{Status: steps.Pass, Detail: "Finesse/CUIC/VVB " + v.VOSRelease + " with the COP files the guide asks for"}
}

func checkCVP(o *Answers) steps.Result {
	v := o.Versions
	switch {
	case v.CVP == "12.5(1)" && v.CVPES < 23:
		return steps.Result{Status: steps.Fail, Detail: fmt.Sprintf("CVP 12.5(1)%s: orchestration needs ES23", esText(v.CVPES)), Fix: "install CVP 12.5(1) ES23 on every CVP server"}
	case v.CVP == "" || v.CVP == "older":
		return steps.Result{Status: steps.Fail, Detail: "CVP " + orDefault(v.CVP, "(not answered)") + ": orchestration needs 12.5(1) ES23 or later", Fix: "answer orchestration.versions.cvp"}
	}
	return steps.Result{Status: steps.Pass, Detail: "CVP " + v.CVP + esText(v.CVPES)}
}

func checkNames(o *Answers) steps.Result {
	var bad []string
	for _, n := range []struct{ key, v string }{{"cloud_connect.publisher", o.CloudConnect.Publisher}, {"cloud_connect.subscriber", o.CloudConnect.Subscriber}} {
		if err := fqdnOnly(n.v); err != nil {
			bad = append(bad, "orchestration."+n.key+": "+err.Error())
		}
	}
	if len(o.VOS) == 0 && len(o.Windows) == 0 {
		bad = append(bad, "no VOS cluster and no Windows node is listed")
	}
	if strings.TrimSpace(o.WindowsUser) == "" && len(o.Windows) > 0 {
		bad = append(bad, "orchestration.windows_user is not answered")
	}
	if len(bad) > 0 {
		return steps.Result{Status: steps.Fail, Detail: strings.Join(bad, "; "), Fix: "answer the prerequisites (ccewiz wizard --flow orchestration)"}
	}
	return steps.Result{Status: steps.Pass, Detail: fmt.Sprintf("Cloud Connect %s; %d VOS cluster(s), %d Windows node(s) as %s", strings.Join(nodes(o), " + "),
		len(o.VOS), len(windowsHosts(o)), o.WindowsUser)}
}

func checkUpgrade(o *Answers) steps.Result {
	if !o.UpgradingCloudConnect {
		return steps.Result{Status: steps.Skip, Detail: "Cloud Connect is not being upgraded (orchestration.upgrading_cloud_connect)"}
	}
	var todo []string
	if !o.Versions.CloudConnectKeymanagementCOP {
		todo = append(todo, "install ucos.keymanagement.cop.sgn on Cloud Connect before the upgrade (without it the upgrade fails), then answer orchestration.versions.cloud_connect_keymanagement_cop")
	}
	if o.Versions.CloudConnectDiskGB < 246 {
		todo = append(todo, fmt.Sprintf("grow the Cloud Connect disk from %d GB to 246 GB first: stop the VM, extend the disk in vSphere, start it (VOS grows the partition itself)", o.Versions.CloudConnectDiskGB))
	}
	if len(todo) > 0 {
		return steps.Result{Status: steps.Fail, Detail: "the 12.5 → 12.6 upgrade is not prepared", Fix: strings.Join(todo, "; ")}
	}
	return steps.Result{Status: steps.Pass, Detail: fmt.Sprintf("keymanagement COP on Cloud Connect, disk %d GB", o.Versions.CloudConnectDiskGB)}
}

func esText(es int) string {
	if es == 0 {
		return ""
	}
	return fmt.Sprintf(" ES%d", es)
}
