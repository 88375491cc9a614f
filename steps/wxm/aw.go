package wxm

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"ccewiz/ccerest"
	"ccewiz/certs"
	"ccewiz/secret"
	"ccewiz/steps"
)

// AWAnswers are the AWs whose CCE Administration talks to Cloud Connect.
type AWAnswers struct {
	// Servers are the AWs' FQDNs; Cacerts their Java trust stores as this
	// machine reaches them, in the same order (empty: print keytool
	// commands for that AW instead).
	Servers []string `yaml:"servers,omitempty"`
	Cacerts []string `yaml:"cacerts,omitempty"`
	// CacertsPassword opens every store; none = the JDK default changeit.
	CacertsPassword secret.Ref `yaml:"cacerts_password,omitempty"`
	// CertFiles are Cloud Connect's certificates, when its nodes are not
	// reachable from here; empty: fetched from both nodes on port 8445.
	CertFiles []string `yaml:"cert_files,omitempty"`
	// API is the AW whose CCE Administration REST API puts Cloud Connect
	// into the inventory (host[:port]); empty: the values to type.
	API         string     `yaml:"api,omitempty"`
	APIUser     string     `yaml:"api_user,omitempty"`
	APIPassword secret.Ref `yaml:"api_password,omitempty"`
	// AWCertFile is that AW's certificate or its CA, trusted for the API.
	AWCertFile string `yaml:"aw_cert_file,omitempty"`
}

func awAPI(w *Answers) steps.AWAPI {
	return steps.AWAPI{AW: w.AW.API, User: w.AW.APIUser, Password: w.AW.APIPassword, CertFile: w.AW.AWCertFile, Keys: "wxm.aw"}
}

// wantCloudConnect is the inventory entry of the Cloud Connect publisher
// (the subscriber follows it; the API does not create it).
func wantCloudConnect(w *Answers) ccerest.Machine {
	pub := normFQDN(w.CloudConnect.Publisher)
	return ccerest.Machine{Name: pub, Type: ccerest.TypeCloudConnect, HostName: pub, Networks: []ccerest.Network{{Type: "PUBLIC", Address: pub,
		Services: []ccerest.Service{{Type: ccerest.ServiceMachineInfo, UserName: w.CloudConnect.AdminUser}}}}}
}

// inventoryPlan is what Plan hands Apply for the API.
type inventoryPlan struct {
	want ccerest.Machine
	have *ccerest.Machine
}

// findCloudConnect returns the inventory's Cloud Connect publisher, if any.
func findCloudConnect(ctx context.Context, c *ccerest.Client) (*ccerest.Machine, error) {
	ms, err := c.List(ctx, ccerest.TypeCloudConnect)
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		return nil, nil
	}
	return &ms[0], nil
}

func cloudConnectDiff(have, want ccerest.Machine) string {
	var d []string
	if have.HostName != want.HostName {
		d = append(d, fmt.Sprintf("-hostName: %s\n+hostName: %s", have.HostName, want.HostName))
	}
	hu := ""
	if s := have.Service(ccerest.ServiceMachineInfo); s != nil {
		hu = s.UserName
	}
	if wu := want.Service(ccerest.ServiceMachineInfo).UserName; hu != wu {
		d = append(d, fmt.Sprintf("-user name: %s\n+user name: %s", hu, wu))
	}
	return strings.Join(d, "\n")
}

// awStore is one AW's trust store.
type awStore struct {
	Server, Path string
	password     secret.Ref
}

func awStores(w *Answers) []awStore {
	var out []awStore
	for i, s := range w.AW.Servers {
		st := awStore{Server: normFQDN(s), password: w.AW.CacertsPassword}
		if i < len(w.AW.Cacerts) {
			st.Path = strings.TrimSpace(w.AW.Cacerts[i])
		}
		out = append(out, st)
	}
	return out
}

func (st awStore) pass(env *steps.Env) (secret.Secret, error) {
	if st.password.IsZero() {
		return secret.New("changeit"), nil // the JDK's public default
	}
	return env.Secret("wxm.aw.cacerts_password", st.password, "cacerts password of the AWs")
}

func (st awStore) open(env *steps.Env) (*certs.Keystore, error) {
	if st.Path == "" {
		return nil, fmt.Errorf("no cacerts path for %s in wxm.aw.cacerts", st.Server)
	}
	data, err := os.ReadFile(certs.StorePath(env.Path(st.Path)))
	if err != nil {
		return nil, err
	}
	pw, err := st.pass(env)
	if err != nil {
		return nil, err
	}
	return certs.OpenKeystore(data, pw.Bytes())
}

// nodeChain is the chain one Cloud Connect node presents.
type nodeChain struct {
	Node  string
	Chain []*x509.Certificate
}

// cloudConnectChains are both nodes' chains: from wxm.aw.cert_files (each
// file's certificates go with the node its leaf names), else from the
// nodes themselves on 8445.
func cloudConnectChains(ctx context.Context, env *steps.Env) ([]nodeChain, error) {
	w := Of(env.Answers)
	nodes := []string{normFQDN(w.CloudConnect.Publisher), normFQDN(w.CloudConnect.Subscriber)}
	for _, n := range nodes {
		if err := steps.ValidateFQDN(n); err != nil {
			return nil, steps.BadInput(fmt.Errorf("wxm.cloud_connect: %w (step Prerequisites)", err))
		}
	}
	var out []nodeChain
	if len(w.AW.CertFiles) > 0 {
		for _, f := range w.AW.CertFiles {
			b, err := certs.ReadBundleFiles(env.Path(f))
			if err != nil {
				return nil, steps.BadInput(fmt.Errorf("wxm.aw.cert_files: %w", err))
			}
			if len(b.Certs) == 0 {
				return nil, steps.BadInput(fmt.Errorf("wxm.aw.cert_files: %s holds no certificate", f))
			}
			node := ""
			for _, n := range nodes {
				if certs.JavaHostname(b.Certs[0], n, certs.HTTPSCheck) == nil {
					node = n
				}
			}
			if node == "" {
				return nil, steps.BadInput(fmt.Errorf("wxm.aw.cert_files: %s is issued for %q, not for %s or %s", f, b.Certs[0].Subject.CommonName, nodes[0], nodes[1]))
			}
			out = append(out, nodeChain{Node: node, Chain: b.Certs})
		}
		return out, nil
	}
	for _, n := range nodes {
		env.Stage("reading Cloud Connect's certificate from %s:8445…", n)
		res, err := certs.Probe(ctx, n+":8445", certs.ProbeOptions{Name: n, Dial: env.Dial, Timeout: env.Timeout})
		if err != nil {
			return nil, fmt.Errorf("%w; or list Cloud Connect's certificate files in wxm.aw.cert_files", err)
		}
		h := res.NoSNI
		if res.SNI != nil {
			h = res.SNI
		}
		out = append(out, nodeChain{Node: n, Chain: h.Chain})
	}
	return out, nil
}

type awStep struct{}

func (awStep) ID() string         { return "aw" }
func (awStep) Title() string      { return "The AWs trust Cloud Connect, and know it in their inventory" }
func (awStep) ShortTitle() string { return "AW trust" }
func (awStep) Intro() string {
	return "CCE Administration on each AW calls Cloud Connect over HTTPS: without Cloud Connect's certificates in the AW's " +
		"Java cacerts, its pages answer \"Internal Server Error\". ccewiz imports both nodes' certificates (a backup first, " +
		"every existing entry kept and checked), then Cloud Connect goes into the inventory (Infrastructure › Inventory)."
}

func (awStep) Fields() []steps.Field {
	aw := func(a *steps.Answers) *AWAnswers { return &Of(a).AW }
	servers := steps.ListField("wxm.aw.servers", "AWs", "comma-separated FQDNs of every AW (Admin Workstation / ADS)",
		func(a *steps.Answers) *[]string { return &aw(a).Servers })
	servers.Validate = func(_ *steps.Answers, v string) error {
		list := steps.SplitList(v)
		if len(list) == 0 {
			return errors.New("give at least one AW's FQDN")
		}
		for _, s := range list {
			if err := steps.ValidateFQDN(s); err != nil {
				return err
			}
		}
		return nil
	}
	stores := steps.ListField("wxm.aw.cacerts", "AW cacerts files", `each AW's Java cacerts in the same order, e.g. \\aw1a\c$\Program Files\Java\jre\lib\security\cacerts; empty: keytool commands to run there`,
		func(a *steps.Answers) *[]string { return &aw(a).Cacerts })
	pass := steps.SecretRefField("wxm.aw.cacerts_password", "cacerts password", "empty: the JDK default (changeit); env:NAME or file:PATH keeps a source",
		func(a *steps.Answers) *secret.Ref { return &aw(a).CacertsPassword })
	files := steps.ListField("wxm.aw.cert_files", "Cloud Connect cert files", "only when the nodes are not reachable from here on 8445",
		func(a *steps.Answers) *[]string { return &aw(a).CertFiles })
	api := steps.TextField("wxm.aw.api", "AW for the inventory API", "the AW whose CCE Administration API adds Cloud Connect to the inventory (host[:port]); empty: the values to type",
		func(a *steps.Answers) *string { return &aw(a).API })
	api.Validate = func(_ *steps.Answers, v string) error {
		if strings.TrimSpace(v) == "" {
			return nil
		}
		host := v
		if h, _, err := net.SplitHostPort(v); err == nil {
			host = h
		}
		return steps.ValidateFQDN(host)
	}
	viaAPI := func(a *steps.Answers) bool { return strings.TrimSpace(aw(a).API) != "" }
	apiUser := steps.TextField("wxm.aw.api_user", "CCE administrator", "for the API, e.g. administrator@example.local",
		func(a *steps.Answers) *string { return &aw(a).APIUser })
	apiPass := steps.SecretRefField("wxm.aw.api_password", "CCE administrator password", "env:NAME or file:PATH keeps a source; a typed password is for this session only",
		func(a *steps.Answers) *secret.Ref { return &aw(a).APIPassword })
	apiCert := steps.TextField("wxm.aw.aw_cert_file", "AW certificate file", "the AW's certificate or its CA, trusted for the API; empty: this machine's roots",
		func(a *steps.Answers) *string { return &aw(a).AWCertFile })
	ccUser := steps.TextField("wxm.cloud_connect.admin_user", "Cloud Connect admin", "the administrator the inventory entry logs in to Cloud Connect with",
		func(a *steps.Answers) *string { return &Of(a).CloudConnect.AdminUser })
	ccPass := steps.SecretRefField("wxm.cloud_connect.admin_password", "Cloud Connect password", "env:NAME or file:PATH keeps a source",
		func(a *steps.Answers) *secret.Ref { return &Of(a).CloudConnect.AdminPassword })
	apiUser.Visible, apiPass.Visible, apiCert.Visible, ccPass.Visible = viaAPI, viaAPI, viaAPI, viaAPI
	return []steps.Field{servers, stores, pass, files, api, apiUser, apiPass, apiCert, ccUser, ccPass}
}

func (awStep) Needed(*steps.Answers) (steps.Need, string) {
	return steps.Required, "CCE Administration reaches Cloud Connect only over trusted TLS"
}

func (s awStep) Plan(ctx context.Context, env *steps.Env) (*steps.Plan, error) {
	w := Of(env.Answers)
	stores := awStores(w)
	if len(stores) == 0 {
		return nil, steps.BadInput(errors.New("wxm.aw.servers is empty: list every AW (their CCE Administration calls Cloud Connect)"))
	}
	chains, err := cloudConnectChains(ctx, env)
	if err != nil {
		return nil, err
	}
	p := &steps.Plan{Step: s.ID()}
	changed := 0
	for _, st := range stores {
		if st.Path == "" {
			cmd, files, err := keytoolCommands(env, st, chains)
			if err != nil {
				return nil, err
			}
			p.Files = append(p.Files, files...)
			p.Commands = append(p.Commands, cmd)
			continue
		}
		fc, kc, err := planAWStore(env, st, chains)
		if err != nil {
			return nil, err
		}
		if fc.Action != steps.Unchanged {
			changed++
		}
		p.Files = append(p.Files, fc)
		p.Keystore = append(p.Keystore, kc...)
	}
	p.Summary = fmt.Sprintf("Cloud Connect's certificates into %d AW cacerts (%d to change)", len(stores), changed)
	pub := normFQDN(w.CloudConnect.Publisher)
	p.GUI = append(p.GUI, steps.GUIEntry{Where: "each AW › Services (services.msc)", Field: "Apache Tomcat", Value: "Restart — Java reads cacerts only at start"})
	c, err := steps.NewAWClient(env, awAPI(w))
	if err != nil {
		return nil, err
	}
	if c == nil {
		inv := "CCE Administration › Infrastructure › Inventory › New"
		p.GUI = append(p.GUI,
			steps.GUIEntry{Where: inv, Field: "Type", Value: "Cloud Connect Publisher"},
			steps.GUIEntry{Where: inv, Field: "Hostname", Value: pub},
			steps.GUIEntry{Where: inv, Field: "User name / password", Value: orUnset(w.CloudConnect.AdminUser) + " / its password (the subscriber follows the publisher)"})
		return p, nil
	}
	if strings.TrimSpace(w.CloudConnect.AdminUser) == "" {
		return nil, steps.BadInput(errors.New("wxm.cloud_connect.admin_user is empty: give the Cloud Connect administrator the inventory entry logs in with"))
	}
	env.Stage("reading the inventory on %s…", w.AW.API)
	have, err := findCloudConnect(ctx, c)
	if err != nil {
		return nil, err
	}
	want := wantCloudConnect(w)
	target := "CCE Administration on " + w.AW.API
	switch {
	case have == nil:
		p.Remote = append(p.Remote, steps.RemoteChange{Target: target, Action: steps.Create, What: ccerest.TypeCloudConnect + " " + pub})
		p.Private = &inventoryPlan{want: want}
	case cloudConnectDiff(*have, want) != "":
		p.Remote = append(p.Remote, steps.RemoteChange{Target: target, Action: steps.Modify, What: ccerest.TypeCloudConnect + " " + have.Name, Diff: cloudConnectDiff(*have, want)})
		p.Private = &inventoryPlan{want: want, have: have}
	default:
		p.Remote = append(p.Remote, steps.RemoteChange{Target: target, Action: steps.Unchanged, What: ccerest.TypeCloudConnect + " " + pub + " is in the inventory"})
	}
	return p, nil
}

// planAWStore plans Cloud Connect's certificates into one store: one
// import per node, the alias of a self-signed node certificate its FQDN.
func planAWStore(env *steps.Env, st awStore, chains []nodeChain) (steps.FileChange, []steps.KeystoreChange, error) {
	path := certs.StorePath(env.Path(st.Path))
	fc := steps.FileChange{Path: path, Action: steps.Unchanged, Backup: true}
	old, err := os.ReadFile(path)
	if err != nil {
		return fc, nil, steps.BadInput(fmt.Errorf("cacerts of %s: %w; check wxm.aw.cacerts (a share like \\\\aw1a\\c$\\… must be reachable from here)", st.Server, err))
	}
	pw, err := st.pass(env)
	if err != nil {
		return fc, nil, steps.BadInput(err)
	}
	cur := old
	var verifies []func([]byte) error
	var kc []steps.KeystoreChange
	before, after := 0, 0
	for i, nc := range chains {
		ip, err := certs.PlanImport(cur, pw.Bytes(), nc.Chain, certs.ImportOptions{FQDN: nc.Node})
		if err != nil {
			return fc, nil, steps.BadInput(fmt.Errorf("keystore %s (%s): %w", path, st.Server, err))
		}
		if i == 0 {
			before = ip.Before
		}
		after = ip.After
		for _, ch := range ip.Changes {
			action := string(ch.Action)
			alias := ch.Alias
			if ch.Action == certs.Present {
				action, alias = "present", orDefault(ch.PresentAs, ch.Alias)
			}
			kc = append(kc, steps.KeystoreChange{Keystore: path, Alias: alias, Subject: ch.Subject, SHA256: ch.SHA256, Action: action})
		}
		if !ip.NothingToDo() {
			cur = ip.Data
			verifies = append(verifies, ip.Verify)
		}
	}
	if len(verifies) == 0 {
		fc.Why = fmt.Sprintf("%s: already trusts both Cloud Connect nodes (%d entries)", st.Server, before)
		return fc, kc, nil
	}
	// The last import's check holds every entry before it, the first
	// import's included; the first's check is of bytes no longer written.
	fc.Action, fc.Data, fc.BaseSHA256, fc.Verify = steps.Modify, cur, steps.SHA256Hex(old), verifies[len(verifies)-1]
	fc.Why = fmt.Sprintf("%s: %d → %d entries; every existing entry is kept and checked after the write", st.Server, before, after)
	fc.Sensitive = true // binary: show the entry list, not bytes
	return fc, kc, nil
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// keytoolCommands are the commands for an AW whose cacerts ccewiz cannot
// reach, with the .cer files to copy there. Names and aliases come from
// validated FQDNs (letters, digits, '-', '.'), so nothing needs quoting.
func keytoolCommands(env *steps.Env, st awStore, chains []nodeChain) (steps.Command, []steps.FileChange, error) {
	var b strings.Builder
	var files []steps.FileChange
	var names []string
	for _, nc := range chains {
		name := "cloudconnect-" + nc.Node + ".cer"
		path := env.Path(filepath.Join("wxm", name))
		fc, err := steps.PlanWrite(path, certs.CertPEM(nc.Chain[0]), 0o644, "copy it to "+st.Server+" for keytool")
		if err != nil {
			return steps.Command{}, nil, err
		}
		files = append(files, fc)
		names = append(names, name)
	}
	fmt.Fprintf(&b, "rem On %s, as an administrator. First copy %s to C:\\temp.\n", st.Server, strings.Join(names, " and "))
	b.WriteString("cd /d \"%JAVA_HOME%\\bin\"\n")
	b.WriteString("copy ..\\lib\\security\\cacerts ..\\lib\\security\\cacerts.before-cloudconnect\n")
	for i, nc := range chains {
		fmt.Fprintf(&b, "keytool -importcert -noprompt -keystore ..\\lib\\security\\cacerts -storepass changeit -alias %s -file C:\\temp\\%s\n", nc.Node, names[i])
	}
	b.WriteString("rem then restart Apache Tomcat (services.msc)")
	return steps.Command{Host: st.Server, Shell: "cmd", Script: b.String(), Why: "ccewiz cannot reach this AW's cacerts from here"}, files, nil
}

func (awStep) Apply(ctx context.Context, env *steps.Env, p *steps.Plan) (*steps.Outcome, error) {
	out, err := steps.ApplyFiles(env, p)
	if err != nil {
		return out, err
	}
	ip, ok := p.Private.(*inventoryPlan)
	if !ok {
		return out, nil
	}
	w := Of(env.Answers)
	c, err := steps.NewAWClient(env, awAPI(w))
	if err != nil {
		return out, err
	}
	pw, err := env.Secret("wxm.cloud_connect.admin_password", w.CloudConnect.AdminPassword, "password of the Cloud Connect administrator "+w.CloudConnect.AdminUser)
	if err != nil {
		return out, err
	}
	if ip.have == nil {
		_, err = c.Create(ctx, ip.want, pw)
	} else {
		m := ip.want
		m.RefURL, m.ChangeStamp, m.Name = ip.have.RefURL, ip.have.ChangeStamp, ip.have.Name
		err = c.Update(ctx, m, pw)
	}
	var ae *ccerest.APIError
	if errors.As(err, &ae) && ae.Status >= 500 {
		return out, fmt.Errorf("%w; CCE Administration's \"Internal Server Error\" here means the AW does not trust Cloud Connect yet: restart its Apache Tomcat (Java reads cacerts at start), then run this step again", err)
	}
	if err != nil {
		return out, err
	}
	back, err := findCloudConnect(ctx, c)
	if err != nil {
		return out, fmt.Errorf("read the inventory back: %w", err)
	}
	if back == nil || cloudConnectDiff(*back, ip.want) != "" {
		return out, fmt.Errorf("the inventory on %s does not hold %s as written; look at CCE Administration › Infrastructure › Inventory", w.AW.API, ip.want.Name)
	}
	out.Notes = append(out.Notes, fmt.Sprintf("%s is in the inventory of %s as %s", ip.want.Name, w.AW.API, ccerest.TypeCloudConnect))
	return out, nil
}

func (s awStep) Checks() []steps.Check { return s.ChecksFor(nil) }

// ChecksFor checks each AW's store as its Java would, then the items only
// the admin can see.
func (awStep) ChecksFor(a *steps.Answers) []steps.Check {
	var stores []awStore
	if a != nil {
		stores = awStores(Of(a))
	}
	var out []steps.Check
	for _, st := range stores {
		st := st
		id := "aw." + st.Server
		title := "Java on " + st.Server + " trusts both Cloud Connect nodes"
		if st.Path == "" {
			out = append(out, steps.Check{ID: id, Title: title, Manual: true,
				What: fmt.Sprintf("On %s: keytool -list -keystore \"%%JAVA_HOME%%\\lib\\security\\cacerts\" lists both Cloud Connect nodes (aliases %s, %s)", st.Server, normFQDN(Of(a).CloudConnect.Publisher), normFQDN(Of(a).CloudConnect.Subscriber))})
			continue
		}
		out = append(out, steps.Check{ID: id, Title: title, Run: func(ctx context.Context, env *steps.Env) steps.Result {
			chains, err := cloudConnectChains(ctx, env)
			if err != nil {
				return steps.Result{Status: steps.Fail, Detail: err.Error(), Fix: "make both Cloud Connect nodes reachable on 8445 from here, or list their certificates in wxm.aw.cert_files"}
			}
			var refusals []string
			for _, nc := range chains {
				refusals = append(refusals, awVerdicts(env, []awStore{st}, nc.Chain, nc.Node)...)
			}
			if len(refusals) > 0 {
				return steps.Result{Status: steps.Fail, Detail: strings.Join(refusals, "; "), Fix: "ccewiz apply --flow wxm --step aw, then restart Apache Tomcat on " + st.Server}
			}
			return steps.Result{Status: steps.Pass, Detail: fmt.Sprintf("Java accepts %s and %s", chains[0].Node, chains[len(chains)-1].Node)}
		}})
	}
	if a != nil {
		for _, st := range stores {
			out = append(out, steps.Check{ID: "aw." + st.Server + ".restarted", Title: "Apache Tomcat on " + st.Server + " restarted since the import", Manual: true,
				What: "On " + st.Server + ": Services › Apache Tomcat restarted after Cloud Connect's certificates went into its cacerts — Java reads cacerts only at start"})
		}
	}
	if a != nil && strings.TrimSpace(Of(a).AW.API) != "" {
		return append(out, steps.Check{ID: "aw.inventory", Title: "Cloud Connect is in the CCE inventory", Run: checkInventory})
	}
	out = append(out, steps.Check{ID: "aw.inventory", Title: "Cloud Connect is in the CCE inventory", Manual: true,
		What: "CCE Administration › Infrastructure › Inventory lists the Cloud Connect publisher (and its subscriber) with no alert; \"Internal Server Error\" there means the AW does not trust Cloud Connect yet"})
	return out
}

func checkInventory(ctx context.Context, env *steps.Env) steps.Result {
	w := Of(env.Answers)
	c, err := steps.NewAWClient(env, awAPI(w))
	if err != nil {
		return steps.Result{Status: steps.Fail, Detail: err.Error(), Fix: "answer wxm.aw.api, api_user and api_password"}
	}
	have, err := findCloudConnect(ctx, c)
	if err != nil {
		return steps.Result{Status: steps.Fail, Detail: err.Error(), Fix: "check the CCE administrator's credentials and that " + w.AW.API + " answers"}
	}
	want := wantCloudConnect(w)
	if have == nil {
		return steps.Result{Status: steps.Fail, Detail: "the inventory on " + w.AW.API + " has no " + ccerest.TypeCloudConnect, Fix: "ccewiz apply --flow wxm --step aw"}
	}
	if d := cloudConnectDiff(*have, want); d != "" {
		return steps.Result{Status: steps.Fail, Detail: fmt.Sprintf("the inventory's %s %s differs: %s", ccerest.TypeCloudConnect, have.Name, strings.ReplaceAll(d, "\n", "; ")), Fix: "ccewiz apply --flow wxm --step aw"}
	}
	return steps.Result{Status: steps.Pass, Detail: fmt.Sprintf("%s %s (%s) on %s", ccerest.TypeCloudConnect, have.Name, have.HostName, w.AW.API)}
}
