package ece

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"ccewiz/certs"
	"ccewiz/safefile"
	"ccewiz/secret"
	"ccewiz/steps"
)

// trustStep is step 4.1: every Admin Data Server's Java trusts the ECE
// certificate. SPOG (Tomcat on the ADS) connects to ECE over https; if its
// cacerts holds neither ECE's self-signed certificate nor ECE's CA, the ECE
// gadget shows "Error loading the page" and catalina.log says "PKIX path
// building failed".
type trustStep struct{}

// NewTrustStep returns step 4.1, the ECE certificate in every ADS's cacerts.
func NewTrustStep() steps.Step { return trustStep{} }

// CacertsPath is where the ADS's Java keeps its trust store.
const CacertsPath = `%JAVA_HOME%\lib\security\cacerts`

// DefaultCacertsPassword is the JDK's default; Cisco's guide uses it.
const DefaultCacertsPassword = "changeit"

func (trustStep) ID() string         { return "trust" }
func (trustStep) Title() string      { return "ECE certificate in every ADS's Java trust store" }
func (trustStep) ShortTitle() string { return "ADS trust" }
func (trustStep) GuideStep() string  { return "4.1" }
func (trustStep) Intro() string {
	return "CCE Administration (SPOG) on each Admin Data Server reaches ECE over https with Java, which trusts only what its " +
		"cacerts holds. A self-signed ECE certificate is imported itself (alias = the ECE FQDN); a CA-signed one through its " +
		"root and intermediates. ccewiz imports into a cacerts it can reach (backup first, verified afterwards) or prints the " +
		"exact keytool lines for each ADS, and proves Java would accept ECE. Restart the ADS afterwards."
}

func (trustStep) Needed(a *steps.Answers) (steps.Need, string) {
	return steps.Required, fmt.Sprintf("SPOG on %s reaches ECE over https; without trust the ECE gadget fails with \"PKIX path building failed\"",
		orDefault(strings.Join(ProfileOf(a).AdminDataServers, ", "), "every ADS"))
}

// storesText renders trust.stores as "server=path, server" for a list field.
func storesText(a *steps.Answers) string {
	var out []string
	for _, s := range TrustOf(a).Stores {
		if s.Path == "" {
			out = append(out, s.Server)
		} else {
			out = append(out, s.Server+"="+s.Path)
		}
	}
	return strings.Join(out, ", ")
}

func (trustStep) Fields() []steps.Field {
	stores := steps.Field{Key: "trust.stores", Label: "ADS trust stores",
		Help: "server=path of its cacerts where ccewiz can reach it (e.g. ads1.example.com=\\\\ads1\\c$\\Program Files\\Java\\jre\\lib\\security\\cacerts); a server alone gets keytool commands",
		Kind: steps.List,
		Get:  storesText,
		Set: func(a *steps.Answers, v string) error {
			var out []TrustStore
			for _, item := range steps.SplitList(v) {
				server, path, _ := strings.Cut(item, "=")
				ts := TrustStore{Server: strings.TrimSpace(server), Path: strings.TrimSpace(path)}
				for _, old := range TrustOf(a).Stores {
					if strings.EqualFold(old.Server, ts.Server) {
						ts.Password = old.Password
					}
				}
				out = append(out, ts)
			}
			TrustOf(a).Stores = out
			return nil
		},
		Default: func(a *steps.Answers) string { return strings.Join(ProfileOf(a).AdminDataServers, ", ") },
		Validate: func(_ *steps.Answers, v string) error {
			for _, item := range steps.SplitList(v) {
				server, _, _ := strings.Cut(item, "=")
				if err := steps.ValidateFQDN(server); err != nil {
					return fmt.Errorf("ADS %w", err)
				}
			}
			return nil
		},
	}
	return []steps.Field{
		stores,
		trustPasswordField(),
		steps.ListField("trust.cert_files", "Certificates to trust", "empty: what the certificate step wrote (<out_dir>/<ece_fqdn>.crt and the CA's answer)",
			func(a *steps.Answers) *[]string { return &TrustOf(a).CertFiles }),
	}
}

// trustStores lists every ADS with its store: the profile's servers first,
// then stores for servers the profile does not list.
func trustStores(a *steps.Answers) []TrustStore {
	var out []TrustStore
	seen := map[string]bool{}
	byServer := map[string]TrustStore{}
	for _, s := range TrustOf(a).Stores {
		byServer[normName(s.Server)] = s
	}
	for _, ads := range ProfileOf(a).AdminDataServers {
		k := normName(ads)
		if seen[k] {
			continue
		}
		seen[k] = true
		if s, ok := byServer[k]; ok {
			out = append(out, s)
		} else {
			out = append(out, TrustStore{Server: ads})
		}
	}
	for _, s := range TrustOf(a).Stores {
		if k := normName(s.Server); !seen[k] {
			seen[k] = true
			out = append(out, s)
		}
	}
	for i := range out {
		if out[i].Path == "" {
			out[i].Path = localCacerts(out[i].Server)
		}
	}
	return out
}

// hostname is os.Hostname; tests replace it.
var hostname = os.Hostname

// localCacerts is %JAVA_HOME%\lib\security\cacerts when ccewiz runs on
// server itself (Windows reports the short name) and that file exists, so
// an admin running ccewiz on the ADS gets the import, not commands.
func localCacerts(server string) string {
	h, err := hostname()
	javaHome := os.Getenv("JAVA_HOME")
	if err != nil || h == "" || javaHome == "" {
		return ""
	}
	h, server = normName(h), normName(server)
	first, _, _ := strings.Cut(server, ".")
	if h != server && (strings.Contains(h, ".") || h != first) {
		return ""
	}
	p := filepath.Join(javaHome, "lib", "security", "cacerts")
	if !fileExists(p) {
		return ""
	}
	return p
}

// trustCertFiles are the files holding ECE's certificate (and chain).
func trustCertFiles(env *steps.Env) []string {
	a := env.Answers
	var files []string
	if len(TrustOf(a).CertFiles) > 0 {
		for _, f := range TrustOf(a).CertFiles {
			files = append(files, env.Path(f))
		}
		return files
	}
	crt := eceCertFile(env)
	if _, err := os.Stat(crt); err == nil {
		files = append(files, crt)
	}
	for _, f := range CertificateOf(a).CAResponse {
		if p := env.Path(f); fileExists(p) {
			files = append(files, p)
		}
	}
	return files
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// eceChain is ECE's certificate chain, leaf first. preferLive probes ECE
// as SPOG does (no SNI) before reading files; otherwise files come first.
// source says where it came from, for the report.
func eceChain(ctx context.Context, env *steps.Env, preferLive bool) (chain []*x509.Certificate, source string, err error) {
	fqdn := normName(ProfileOf(env.Answers).ECEFQDN)
	fromFiles := func() ([]*x509.Certificate, string, error) {
		files := trustCertFiles(env)
		if len(files) == 0 {
			return nil, "", fmt.Errorf("no certificate file: %s does not exist and trust.cert_files is empty",
				eceCertFile(env))
		}
		b, err := certs.ReadBundleFiles(files...)
		if err != nil {
			return nil, "", err
		}
		return leafFirst(b.Certs, fqdn), strings.Join(files, ", "), nil
	}
	live := func() ([]*x509.Certificate, string, error) {
		addr := net.JoinHostPort(fqdn, "443")
		res, err := certs.Probe(ctx, addr, certs.ProbeOptions{Name: fqdn, Dial: env.Dial, Timeout: env.TimeLimit()})
		if err != nil {
			return nil, "", err
		}
		if res.NoSNI != nil {
			return res.NoSNI.Chain, addr + " (without SNI, as SPOG connects)", nil
		}
		return res.SNI.Chain, addr + " (only with SNI: SPOG will fail before trust matters — fix the IIS binding)", nil
	}
	first, second := fromFiles, live
	if preferLive {
		first, second = live, fromFiles
	}
	chain, source, err = first()
	if err == nil {
		return chain, source, nil
	}
	chain, source, err2 := second()
	if err2 == nil {
		return chain, source, nil
	}
	return nil, "", fmt.Errorf("no ECE certificate to check: %v; and %v", err, err2)
}

// leafFirst puts the server certificate first and its issuers after it, as
// a server sends them.
func leafFirst(list []*x509.Certificate, fqdn string) []*x509.Certificate {
	leaf := certs.PickLeaf(list)
	for _, c := range list {
		if certs.JavaHostname(c, fqdn, certs.HTTPSCheck) == nil && !c.IsCA {
			leaf = c
			break
		}
	}
	if leaf == nil {
		return list
	}
	return certs.BuildChain(leaf, list).Certs()
}

// trustPasswordField is the password of every store without its own; what
// is in force without it is each store's own source, else changeit.
func trustPasswordField() steps.Field {
	f := steps.SecretRefField("trust.password", "cacerts password", "the password of every store without its own (trust.stores[].password); empty: the JDK default changeit (what Cisco's guide uses)",
		func(a *steps.Answers) *secret.Ref { return &TrustOf(a).Password })
	f.InForce = func(a *steps.Answers) string {
		var own, def []string
		for _, st := range trustStores(a) {
			if st.Password.IsZero() {
				def = append(def, st.Server)
			} else {
				own = append(own, st.Server+" from "+st.Password.String())
			}
		}
		switch {
		case len(own) > 0 && len(def) == 0:
			return "each store uses its own password (" + strings.Join(own, "; ") + "); this field is only for stores without one"
		case len(own) > 0:
			return strings.Join(own, "; ") + "; the others (" + strings.Join(def, ", ") + ") use the JDK default changeit unless you type one here"
		}
		return "the JDK default changeit unless you type one here (or env:NAME / file:PATH)"
	}
	return f
}

// storePassword is the password of one store: its own, trust.password, or changeit.
func storePassword(env *steps.Env, s TrustStore) (secret.Secret, error) {
	if !s.Password.IsZero() {
		return env.Secret("trust.stores."+normName(s.Server)+".password", s.Password, "cacerts password of "+s.Server)
	}
	if !TrustOf(env.Answers).Password.IsZero() {
		return env.Secret("trust.password", TrustOf(env.Answers).Password, "cacerts password")
	}
	if s, ok := env.Secrets["trust.password"]; ok && !s.IsZero() {
		return s, nil
	}
	return secret.New(DefaultCacertsPassword), nil
}

// storepassArg is keytool's -storepass for the printed commands: never a
// password itself, except the JDK's public default.
func storepassArg(a *steps.Answers, s TrustStore) (string, error) {
	ref := s.Password
	if ref.IsZero() {
		ref = TrustOf(a).Password
	}
	switch {
	case ref.Env != "":
		if !reEnvName().MatchString(ref.Env) {
			return "", steps.BadInput(fmt.Errorf("the password's environment variable %q is not a plain name (letters, digits, _): the printed command would run something else", ref.Env))
		}
		return "-storepass:env " + ref.Env, nil
	case ref.File != "":
		v, err := steps.CmdQuote("the password file", ref.File)
		return "-storepass:file " + v, err
	}
	return "-storepass " + DefaultCacertsPassword, nil
}

var reEnvName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`) })

// trustPrivate is what Plan found, for Apply.
type trustPrivate struct {
	Planned []certs.Planned
}

func (s trustStep) Plan(ctx context.Context, env *steps.Env) (*steps.Plan, error) {
	a := env.Answers
	fqdn := normName(ProfileOf(a).ECEFQDN)
	if err := steps.ValidateFQDN(fqdn); err != nil {
		return nil, steps.BadInput(fmt.Errorf("profile.ece_fqdn: %w", err))
	}
	stores := trustStores(a)
	if len(stores) == 0 {
		return nil, steps.BadInput(errors.New("no Admin Data Server: list them in profile.admin_data_servers (every ADS needs the ECE certificate)"))
	}
	env.Stage("reading the ECE certificate…")
	chain, source, err := eceChain(ctx, env, false)
	if err != nil {
		return nil, steps.BadInput(fmt.Errorf("%w; run the certificate step first, or list the certificate files in trust.cert_files", err))
	}
	planned, err := certs.TrustPlan(chain, certs.ImportOptions{FQDN: fqdn})
	if err != nil {
		return nil, steps.BadInput(fmt.Errorf("%s: %w", source, err))
	}
	plan := &steps.Plan{Step: s.ID(), Private: &trustPrivate{Planned: planned}}
	var what []string
	for _, p := range planned {
		what = append(what, fmt.Sprintf("%q as %q", p.Cert.Subject.CommonName, p.Alias))
	}
	plan.Notes = append(plan.Notes, fmt.Sprintf("certificate(s) from %s; trusted on every ADS: %s", source, strings.Join(what, ", then ")))

	// The admin copies one .cer per certificate to each ADS for keytool.
	var cerFiles []string
	needCommands := false
	for _, st := range stores {
		needCommands = needCommands || st.Path == ""
	}
	if needCommands {
		for _, p := range planned {
			path := filepath.Join(CertOutDir(env), "trust-"+certs.FileBase(p.Alias)+".cer")
			fc, err := trustCerFile(path, p)
			if err != nil {
				return nil, err
			}
			plan.Files = append(plan.Files, fc)
			cerFiles = append(cerFiles, path)
		}
	}
	opts := certs.ImportOptions{FQDN: fqdn}
	changed, commands := 0, 0
	for _, st := range stores {
		if st.Path == "" {
			cmd, err := keytoolCommand(a, st, planned, cerFiles, safefile.BackupName("cacerts", env.Time()))
			if err != nil {
				return nil, err
			}
			plan.Commands = append(plan.Commands, cmd)
			for _, p := range planned {
				plan.Keystore = append(plan.Keystore, steps.KeystoreChange{Keystore: st.Server + ": " + CacertsPath, Alias: p.Alias,
					Subject: p.Cert.Subject.String(), SHA256: certs.Fingerprint(p.Cert.Raw), Action: "add"})
			}
			commands++
			continue
		}
		env.Stage("opening %s…", st.Path)
		fc, ks, err := planStore(env, st, chain, opts)
		if err != nil {
			return nil, err
		}
		plan.Files = append(plan.Files, fc)
		plan.Keystore = append(plan.Keystore, ks...)
		if fc.Action != steps.Unchanged {
			changed++
		}
	}
	plan.Summary = fmt.Sprintf("%d of %d ADS trust store(s) to update here, %d by the keytool commands shown", changed, len(stores)-commands, commands)
	if changed+commands > 0 {
		plan.Notes = append(plan.Notes, "restart each changed Admin Data Server afterwards (its Apache Tomcat service): Java reads cacerts only at start")
	}
	return plan, nil
}

func trustCerFile(path string, p certs.Planned) (steps.FileChange, error) {
	return fileChange(path, certs.CertPEM(p.Cert), fmt.Sprintf("Base-64 certificate %q to copy to every ADS for keytool (alias %q)", p.Cert.Subject.CommonName, p.Alias),
		false, certs.VerifyCertPEM(p.Cert))
}

// planStore works out one reachable cacerts: open and verify it, add what
// Java lacks; the FileChange carries the new bytes and their verification.
func planStore(env *steps.Env, st TrustStore, chain []*x509.Certificate, opts certs.ImportOptions) (steps.FileChange, []steps.KeystoreChange, error) {
	path := certs.StorePath(env.Path(st.Path))
	fc := steps.FileChange{Path: path, Action: steps.Unchanged, Backup: true}
	old, err := os.ReadFile(path)
	if err != nil {
		return fc, nil, steps.BadInput(fmt.Errorf("trust store of %s: %w; check trust.stores (a share like \\\\ads1\\c$\\… must be reachable from here)", st.Server, err))
	}
	pw, err := storePassword(env, st)
	if err != nil {
		return fc, nil, steps.BadInput(err)
	}
	ip, err := certs.PlanImport(old, pw.Bytes(), chain, opts)
	if err != nil {
		return fc, nil, steps.BadInput(fmt.Errorf("keystore %s (%s): %w", path, st.Server, err))
	}
	var kc []steps.KeystoreChange
	for _, ch := range ip.Changes {
		action := string(ch.Action)
		if ch.Action == certs.Present {
			action = "present"
		}
		kc = append(kc, steps.KeystoreChange{Keystore: path, Alias: orDefault(ch.PresentAs, ch.Alias), Subject: ch.Subject, SHA256: ch.SHA256, Action: action})
	}
	if ip.NothingToDo() {
		fc.Why = fmt.Sprintf("%s: already trusts ECE's certificate (%d entries)", st.Server, ip.Before)
		return fc, kc, nil
	}
	fc.Action, fc.Data, fc.BaseSHA256, fc.Verify = steps.Modify, ip.Data, steps.SHA256Hex(old), ip.Verify
	fc.Why = fmt.Sprintf("%s: %s store, %d → %d entries; every existing entry is kept and checked after the write", st.Server, ip.Kind, ip.Before, ip.After)
	fc.Sensitive = true // binary: show the entry list, not bytes
	return fc, kc, nil
}

// keytoolCommand is Cisco's step 4.1 for one ADS, ready to paste into cmd.
func keytoolCommand(a *steps.Answers, st TrustStore, planned []certs.Planned, files []string, backup string) (steps.Command, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "rem On %s, as an administrator. First copy %s to C:\\temp.\n", steps.OneLine(st.Server), steps.OneLine(baseNames(files)))
	b.WriteString("cd /d \"%JAVA_HOME%\\bin\"\n")
	bak, err := steps.CmdQuote("the backup name", `..\lib\security\`+backup)
	if err != nil {
		return steps.Command{}, err
	}
	fmt.Fprintf(&b, "copy ..\\lib\\security\\cacerts %s\n", bak)
	storepass, err := storepassArg(a, st)
	if err != nil {
		return steps.Command{}, err
	}
	for i, p := range planned {
		trust := ""
		if p.Cert.IsCA {
			trust = " -trustcacerts"
		}
		alias, err := steps.CmdQuote("the alias", p.Alias)
		if err != nil {
			return steps.Command{}, err
		}
		file, err := steps.CmdQuote("the certificate file", `C:\temp\`+filepath.Base(files[i]))
		if err != nil {
			return steps.Command{}, err
		}
		fmt.Fprintf(&b, "keytool -importcert -noprompt%s -keystore ..\\lib\\security\\cacerts %s -alias %s -file %s\n", trust, storepass, alias, file)
	}
	b.WriteString("rem Then restart the Admin Data Server's Apache Tomcat service so SPOG reads the new cacerts.")
	return steps.Command{Host: st.Server, Shell: "cmd", Script: b.String(),
		Why: "Cisco's step 4.1 (or run `ccewiz keystore import --keystore \"%JAVA_HOME%\\lib\\security\\cacerts\" --cert <file>` on the ADS: it backs up and verifies)"}, nil
}

func baseNames(files []string) string {
	var out []string
	for _, f := range files {
		out = append(out, filepath.Base(f))
	}
	return strings.Join(out, " and ")
}

func (s trustStep) Apply(ctx context.Context, env *steps.Env, p *steps.Plan) (*steps.Outcome, error) {
	out, err := steps.ApplyFiles(env, p)
	if err != nil {
		return out, err
	}
	out.Results = append(out.Results, steps.VerifyStep(ctx, s, env)...)
	for _, w := range out.Written {
		if strings.HasSuffix(w.Path, ".cer") {
			continue
		}
		out.Notes = append(out.Notes, fmt.Sprintf("%s updated (backup %s): restart that Admin Data Server's Apache Tomcat service", w.Path, orDefault(w.Backup, "none")))
	}
	return out, nil
}

// Checks returns one check over every ADS; ChecksFor has one per ADS.
func (s trustStep) Checks() []steps.Check {
	return []steps.Check{{ID: "trust.stores", Title: "Every ADS's Java trusts ECE's certificate", Run: func(ctx context.Context, env *steps.Env) steps.Result {
		var fails, manual, good []string
		var fix string
		for _, c := range s.ChecksFor(env.Answers) {
			if strings.HasSuffix(c.ID, ".restarted") {
				continue // a person's to confirm, not a store's state
			}
			if c.Run == nil {
				manual = append(manual, strings.TrimPrefix(c.ID, "trust."))
				continue
			}
			r := c.Run(ctx, env)
			switch r.Status {
			case steps.Pass:
				good = append(good, r.Detail)
			default:
				fails = append(fails, r.Detail)
				fix = r.Fix
			}
		}
		switch {
		case len(fails) > 0:
			return steps.Result{Status: steps.Fail, Detail: strings.Join(fails, "; "), Fix: fix}
		case len(manual) > 0:
			return steps.Result{Status: steps.Manual, Detail: fmt.Sprintf("no cacerts path for %s: check on each ADS with keytool -list", strings.Join(manual, ", ")),
				Fix: "give trust.stores server=path where ccewiz can reach the ADS's cacerts, or run the keytool commands of `ccewiz apply --step trust`"}
		}
		return steps.Result{Status: steps.Pass, Detail: strings.Join(good, "; ")}
	}}}
}

// ChecksFor returns trust.<server> for each ADS: automated where its
// cacerts is reachable, manual otherwise.
func (s trustStep) ChecksFor(a *steps.Answers) []steps.Check {
	var out []steps.Check
	fqdn := normName(ProfileOf(a).ECEFQDN)
	for _, st := range trustStores(a) {
		st := st
		id := "trust." + normName(st.Server)
		title := "Java on " + st.Server + " trusts ECE"
		if st.Path == "" {
			out = append(out, steps.Check{ID: id, Title: title, Manual: true,
				What: fmt.Sprintf("On %s: \"%%JAVA_HOME%%\\bin\\keytool\" -list -keystore \"%s\" -storepass changeit lists ECE's certificate (alias %s) or its CA as trustedCertEntry, and the ADS was restarted since",
					st.Server, CacertsPath, fqdn)})
			continue
		}
		out = append(out, steps.Check{ID: id, Title: title, Run: func(ctx context.Context, env *steps.Env) steps.Result {
			return checkStore(ctx, env, st)
		}})
	}
	// Java reads cacerts only at start: an import is not in force until the
	// restart, which only the admin can do and confirm.
	for _, st := range trustStores(a) {
		out = append(out, steps.Check{ID: "trust." + normName(st.Server) + ".restarted", Title: "Apache Tomcat on " + st.Server + " restarted since the import",
			Manual: true, What: fmt.Sprintf("On %s: Services › Apache Tomcat (SPOG) restarted after ECE's certificate went into its cacerts — Java reads cacerts only at start", st.Server)})
	}
	return out
}

func checkStore(ctx context.Context, env *steps.Env, st TrustStore) steps.Result {
	fqdn := normName(ProfileOf(env.Answers).ECEFQDN)
	path := env.Path(st.Path)
	data, err := os.ReadFile(path)
	if err != nil {
		return steps.Result{Status: steps.Fail, Detail: fmt.Sprintf("%s: %v", st.Server, err), Fix: "fix the path in trust.stores or make the share reachable"}
	}
	pw, err := storePassword(env, st)
	if err != nil {
		return steps.Result{Status: steps.Fail, Detail: err.Error(), Fix: "set trust.password to {env: NAME} or {file: PATH}"}
	}
	ks, err := certs.OpenKeystore(data, pw.Bytes())
	if err != nil {
		return steps.Result{Status: steps.Fail, Detail: fmt.Sprintf("keystore %s (%s): %v", path, st.Server, err),
			Fix: "give the right password in trust.password (or the store's own password)"}
	}
	chain, source, err := eceChain(ctx, env, true)
	if err != nil {
		return steps.Result{Status: steps.Fail, Detail: err.Error(), Fix: "run the certificate step, or make " + fqdn + ":443 reachable from here"}
	}
	// SPOG's Tomcat connects by the ECE FQDN with endpoint identification:
	// the judge applies Java's path, leaf and host name checks too.
	if err := certs.JudgeServer(chain, ks.TrustedCerts(), fqdn, certs.HTTPSCheck, env.Time(), fqdn); err != nil {
		return steps.Result{Status: steps.Fail, Detail: fmt.Sprintf("%s (%s), for the certificate from %s: %v", st.Server, path, source, err),
			Fix: "ccewiz apply --step trust (imports with a backup), then restart the ADS's Apache Tomcat service"}
	}
	return steps.Result{Status: steps.Pass, Detail: fmt.Sprintf("%s: Java accepts %s (certificate from %s)", st.Server, chain[0].Subject.CommonName, source)}
}
