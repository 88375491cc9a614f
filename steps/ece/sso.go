package ece

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"ccewiz/certs"
	"ccewiz/ldapcfg"
	"ccewiz/secret"
	"ccewiz/steps"
)

// ssoStep is step 2: Partition Administrator SSO. ECE creates a partition
// account for every administrator who opens the ECE gadget in SPOG, looking
// them up in Active Directory with the Partition Administration
// Configuration; it is needed even without agent or supervisor SSO. When
// any of its values is wrong ECE only says "Error loading the page", so
// this step proves them live before the admin types them in.
type ssoStep struct{}

// NewSSOStep returns step 2, Partition Administrator SSO.
func NewSSOStep() steps.Step { return ssoStep{} }

// Defaults of the SSO answers, from Cisco's guide.
const (
	DefaultKeystoreLocation = `c:\ece\pcce\mydomain.jks`
	DefaultKeystoreFile     = "mydomain.jks"
)

// SSOWhere is ECE's form, as the admin navigates to it in the Business partition (pa).
const SSOWhere = "ECE (https://<ece_fqdn>/default, user pa) › Administration › Partition: default › Security › SSO and provisioning › Partition Administration Configuration"

func (ssoStep) ID() string         { return "sso" }
func (ssoStep) Title() string      { return "Partition Administrator SSO (Active Directory)" }
func (ssoStep) ShortTitle() string { return "Partition SSO" }
func (ssoStep) GuideStep() string  { return "2" }
func (ssoStep) Intro() string {
	return "ECE looks up every administrator who opens its gadget in CCE Administration in Active Directory, over LDAP. " +
		"Since Microsoft's 2020 LDAP signing requirements that connection must use TLS, and ECE's Java trusts the domain " +
		"controller only through a keystore (mydomain.jks) on every application server. ccewiz fetches the DC's certificate, " +
		"builds that keystore, and proves the settings live — TLS with only that keystore, bind, user lookup, referrals — " +
		"then gives the exact values to type into ECE."
}

func (ssoStep) Needed(*steps.Answers) (steps.Need, string) {
	return steps.Required, "Partition Administrator SSO is mandatory even without agent or supervisor SSO; without it the ECE gadget shows \"Error loading the page\""
}

func ssoDNAttr(a *steps.Answers) string {
	return orDefault(strings.TrimSpace(SSOOf(a).DNAttribute), ldapcfg.DNAttribute)
}
func ssoKeystoreLocation(a *steps.Answers) string {
	return orDefault(strings.TrimSpace(SSOOf(a).KeystoreLocation), DefaultKeystoreLocation)
}
func ssoKeystoreFile(env *steps.Env) string {
	return env.Path(orDefault(strings.TrimSpace(SSOOf(env.Answers).KeystoreFile), DefaultKeystoreFile))
}

// ssoDCAddr is where to fetch the DC's certificate: sso.dc_addr, else the
// LDAP URL's server on its TLS port (the GC's 3269 for 3268, 636 for 389).
func ssoDCAddr(a *steps.Answers) string {
	if s := strings.TrimSpace(SSOOf(a).DCAddr); s != "" {
		return s
	}
	ep, err := ldapcfg.ParseURL(SSOOf(a).LDAPURL)
	if err != nil {
		return ""
	}
	port := ep.Port
	switch {
	case ep.Port == ldapcfg.PortGC:
		port = ldapcfg.PortGCTLS
	case !ep.TLS:
		port = ldapcfg.PortLDAPS
	}
	return net.JoinHostPort(ep.Host, strconv.Itoa(port))
}

func (ssoStep) Fields() []steps.Field {
	url := steps.TextField("sso.ldap_url", "LDAP URL", "best practice: a Global Catalog over TLS, e.g. ldaps://gc1.example.local:3269",
		func(a *steps.Answers) *string { return &SSOOf(a).LDAPURL })
	url.Validate = func(_ *steps.Answers, v string) error { _, err := ldapcfg.ParseURL(v); return err }
	dcAddr := steps.TextField("sso.dc_addr", "Domain controller for its certificate", "host:port with LDAPS (636, or 3269 on a GC); empty: the LDAP URL's server",
		func(a *steps.Answers) *string { return &SSOOf(a).DCAddr })
	dcAddr.Default = ssoDCAddr
	dcAddr.Validate = func(_ *steps.Answers, v string) error {
		if strings.TrimSpace(v) == "" {
			return nil
		}
		if _, p, err := net.SplitHostPort(strings.TrimSpace(v)); err != nil || p == "" {
			return fmt.Errorf("%q: give host:port, e.g. dc1.example.local:636", v)
		}
		return nil
	}
	certFile := steps.TextField("sso.dc_cert_file", "or the DC's certificate file", "a Base-64 .cer you already have; used instead of fetching it",
		func(a *steps.Answers) *string { return &SSOOf(a).DCCertFile })
	trust := steps.ChoiceField("sso.trust", "Trust", "leaf: the DC's own certificate (the guide's way; redo at renewal); ca: its issuing CA (survives renewals)",
		[]string{ldapcfg.TrustLeaf, ldapcfg.TrustCA}, func(a *steps.Answers) *string { return &SSOOf(a).Trust })
	trust.Default = func(*steps.Answers) string { return ldapcfg.TrustLeaf }
	attr := steps.TextField("sso.dn_attribute", "DN Attribute", "must be userPrincipalName", func(a *steps.Answers) *string { return &SSOOf(a).DNAttribute })
	attr.Default = func(*steps.Answers) string { return ldapcfg.DNAttribute }
	attr.Validate = func(_ *steps.Answers, v string) error {
		if v = strings.TrimSpace(v); v != "" && v != ldapcfg.DNAttribute {
			return fmt.Errorf("%q: it must be userPrincipalName (SPOG hands ECE the user principal name)", v)
		}
		return nil
	}
	base := steps.TextField("sso.base", "Base", "not needed with a Global Catalog; else the domain's DN, e.g. DC=example,DC=local",
		func(a *steps.Answers) *string { return &SSOOf(a).Base })
	base.Validate = func(a *steps.Answers, v string) error {
		if strings.TrimSpace(v) == "" {
			if ep, err := ldapcfg.ParseURL(SSOOf(a).LDAPURL); err == nil && !ep.GC {
				return errors.New("required when the LDAP URL is not a Global Catalog (port 3268/3269), e.g. DC=example,DC=local")
			}
			return nil
		}
		_, err := ldapcfg.ParseDN(v)
		return err
	}
	bind := steps.TextField("sso.bind_dn", "DN for LDAP search", "distinguishedName of the service account, e.g. CN=pcceadmin,CN=Users,DC=example,DC=local",
		func(a *steps.Answers) *string { return &SSOOf(a).BindDN })
	bind.Validate = func(_ *steps.Answers, v string) error {
		if strings.TrimSpace(v) == "" {
			return nil
		}
		_, err := ldapcfg.ParseDN(v)
		return err
	}
	ssl := steps.BoolField("sso.ssl_enabled", "Is LDAP SSL enabled", "treat as mandatory (Microsoft's LDAP signing requirements)",
		func(a *steps.Answers) *bool { return &SSOOf(a).SSLEnabled })
	ssl.Default = func(*steps.Answers) string { return "true" }
	loc := steps.TextField("sso.keystore_location", "Keystore location", `the keystore's path on every application server, e.g. c:\ece\pcce\mydomain.jks`,
		func(a *steps.Answers) *string { return &SSOOf(a).KeystoreLocation })
	loc.Default = func(*steps.Answers) string { return DefaultKeystoreLocation }
	loc.Validate = func(a *steps.Answers, v string) error {
		if strings.TrimSpace(v) == "" {
			return nil // the default applies
		}
		ps := ldapcfg.Settings{SSLEnabled: true, KeystoreLocation: v}.Validate().Field(ldapcfg.FieldKeystore).Errors()
		if len(ps) > 0 {
			return errors.New(ps[0].Message)
		}
		return nil
	}
	file := steps.TextField("sso.keystore_file", "Keystore file here", "where ccewiz writes mydomain.jks on this machine, to copy to the application servers",
		func(a *steps.Answers) *string { return &SSOOf(a).KeystoreFile })
	file.Default = func(*steps.Answers) string { return DefaultKeystoreFile }
	user := steps.TextField("sso.test_user", "Test user", "a partition administrator's userPrincipalName (user@domain) to look up as ECE will",
		func(a *steps.Answers) *string { return &SSOOf(a).TestUser })
	user.Validate = func(_ *steps.Answers, v string) error {
		if v = strings.TrimSpace(v); v != "" && !strings.Contains(v, "@") {
			return fmt.Errorf("%q is not a userPrincipalName; write it as user@domain, e.g. admin1@example.local", v)
		}
		return nil
	}
	return []steps.Field{
		url, attr, base, bind,
		steps.SecretRefField("sso.bind_password", "Password", "the password of the DN for LDAP search", func(a *steps.Answers) *secret.Ref { return &SSOOf(a).BindPassword }),
		ssl, loc,
		dcAddr, certFile, trust, file,
		steps.SecretRefField("sso.keystore_password", "Keystore password", "protects mydomain.jks (keytool asks for it); ECE itself does not need it",
			func(a *steps.Answers) *secret.Ref { return &SSOOf(a).KeystorePassword }),
		user,
	}
}

// ssoSettings is the Partition Administration Configuration from the
// answers. The password is resolved only when withPassword; otherwise a
// source being configured counts as a password.
func ssoSettings(env *steps.Env, withPassword bool) (ldapcfg.Settings, error) {
	a := env.Answers
	s := ldapcfg.Settings{URL: strings.TrimSpace(SSOOf(a).LDAPURL), DNAttribute: ssoDNAttr(a), Base: strings.TrimSpace(SSOOf(a).Base),
		BindDN: strings.TrimSpace(SSOOf(a).BindDN), SSLEnabled: SSOOf(a).SSLEnabled, KeystoreLocation: ssoKeystoreLocation(a)}
	if s.BindDN == "" {
		return s, nil
	}
	if !withPassword {
		if !SSOOf(a).BindPassword.IsZero() || !env.Secrets["sso.bind_password"].IsZero() || env.Prompt != nil {
			s.Password = secret.New("(set)")
		}
		return s, nil
	}
	pw, err := env.Secret("sso.bind_password", SSOOf(a).BindPassword, "LDAP bind password of "+s.BindDN)
	if err != nil {
		return s, err
	}
	s.Password = pw
	return s, nil
}

func problemsText(ps ldapcfg.Problems) string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Error())
	}
	return strings.Join(out, "\n  - ")
}

// dcChain is the DC certificate chain: from sso.dc_cert_file when given,
// else fetched from the DC (trust on first use). source says which.
func dcChain(ctx context.Context, env *steps.Env) (chain []*x509.Certificate, source string, fetched bool, err error) {
	a := env.Answers
	if f := strings.TrimSpace(SSOOf(a).DCCertFile); f != "" {
		p := env.Path(f)
		chain, found, err := ldapcfg.ReadCertFile(p)
		if err != nil {
			return nil, "", false, steps.BadInput(fmt.Errorf("sso.dc_cert_file: %w", err))
		}
		return chain, p + " (" + strings.Join(found, "; ") + ")", false, nil
	}
	addr := ssoDCAddr(a)
	if addr == "" {
		return nil, "", false, steps.BadInput(errors.New("no DC certificate: set sso.dc_cert_file to the DC's Base-64 .cer, or sso.ldap_url / sso.dc_addr so ccewiz can fetch it"))
	}
	env.Stage("fetching the domain controller's certificate from %s…", addr)
	f, err := ldapcfg.FetchCert(ctx, addr, ldapcfg.FetchOptions{Dial: env.Dial, Timeout: env.TimeLimit()})
	if err != nil {
		return nil, "", false, fmt.Errorf("%w; or export the DC's certificate as Base-64 .cer and set sso.dc_cert_file", err)
	}
	return f.Chain, fmt.Sprintf("%s over %s", addr, f.Mode), true, nil
}

func (s ssoStep) Plan(ctx context.Context, env *steps.Env) (*steps.Plan, error) {
	a := env.Answers
	settings, _ := ssoSettings(env, false)
	var problems ldapcfg.Problems
	for _, p := range settings.Validate() {
		if p.Field == ldapcfg.FieldPassword {
			// The keystore and the form do not need the password; the live check says it is missing.
			p.Severity, p.Message, p.Fix = ldapcfg.Warning, "no password source (sso.bind_password)", "set it to {env: NAME} or {file: PATH} for the live check"
		}
		problems = append(problems, p)
	}
	if errs := problems.Errors(); len(errs) > 0 {
		return nil, steps.BadInput(fmt.Errorf("the Partition Administration Configuration would not work:\n  - %s", problemsText(errs)))
	}
	plan := &steps.Plan{Step: s.ID()}
	for _, p := range problems {
		plan.Notes = append(plan.Notes, "warning: "+p.Error())
	}

	// Validate refuses SSL off (treated as mandatory), so there is always a keystore to build.
	chain, source, fetched, err := dcChain(ctx, env)
	if err != nil {
		return nil, err
	}
	trusted, err := ldapcfg.Pick(chain, orDefault(SSOOf(a).Trust, ldapcfg.TrustLeaf))
	if err != nil {
		return nil, steps.BadInput(fmt.Errorf("sso.trust: %w", err))
	}
	info := certs.Describe(trusted)
	plan.Notes = append(plan.Notes, fmt.Sprintf("DC certificate from %s; trusting %q (issuer %q, valid until %s, SHA-256 %s, SHA-1 thumbprint %s)",
		source, info.Subject, info.Issuer, info.NotAfter.Format(time.DateOnly), info.SHA256, info.Thumbprint))
	if fetched {
		plan.Notes = append(plan.Notes, ldapcfg.TOFU)
	}
	fc, kc, data, err := ssoKeystoreChange(env, trusted)
	if err != nil {
		return nil, err
	}
	plan.Files = append(plan.Files, fc)
	plan.Keystore = append(plan.Keystore, kc...)
	plan.Commands = ssoCopyCommands(a, ssoKeystoreFile(env), data)
	if len(plan.Commands) == 0 {
		plan.Notes = append(plan.Notes, "profile.app_servers is empty: copy "+ssoKeystoreFile(env)+" to "+settings.KeystoreLocation+" on every ECE application server")
	}
	plan.GUI = ssoGUI(a, settings)
	plan.Summary = fmt.Sprintf("the AD keystore %s, copied to %d application server(s), and %d values to type into ECE",
		ssoKeystoreFile(env), len(plan.Commands), len(plan.GUI)-1)
	return plan, nil
}

// ssoKeystoreChange plans mydomain.jks here: new, or the existing one with
// alias mydomaincontroller added or replaced. data is the keystore's
// content after the change (for the copy commands' hash).
func ssoKeystoreChange(env *steps.Env, trusted *x509.Certificate) (steps.FileChange, []steps.KeystoreChange, []byte, error) {
	path := ssoKeystoreFile(env)
	fc := steps.FileChange{Path: path, Action: steps.Unchanged, Backup: true, Sensitive: true, Mode: 0o644}
	pw, err := env.Secret("sso.keystore_password", SSOOf(env.Answers).KeystorePassword, "AD keystore password")
	if err != nil {
		return fc, nil, nil, err
	}
	old, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		old = nil
	case err != nil:
		return fc, nil, nil, steps.BadInput(fmt.Errorf("sso.keystore_file: %w", err))
	}
	ip, err := ldapcfg.PlanKeystore(old, pw, trusted)
	if err != nil {
		return fc, nil, nil, steps.BadInput(fmt.Errorf("%s: %w", path, err))
	}
	var kc []steps.KeystoreChange
	for _, ch := range ip.Changes {
		kc = append(kc, steps.KeystoreChange{Keystore: path, Alias: orDefault(ch.PresentAs, ch.Alias), Subject: ch.Subject, SHA256: ch.SHA256, Action: string(ch.Action)})
	}
	if ip.NothingToDo() {
		fc.Why = "already trusts the DC's certificate"
		return fc, kc, old, nil
	}
	fc.Action, fc.Data, fc.Verify = steps.Create, ip.Data, ip.Verify
	fc.Why = fmt.Sprintf("the AD keystore (JKS, alias %s), as the guide's keytool -import -trustcacerts would make it", ldapcfg.KeystoreAlias)
	if old != nil {
		fc.Action, fc.BaseSHA256 = steps.Modify, steps.SHA256Hex(old)
		fc.Why = fmt.Sprintf("the AD keystore: %d → %d entries, alias %s set to the DC's certificate", ip.Before, ip.After, ldapcfg.KeystoreAlias)
	}
	return fc, kc, ip.Data, nil
}

// ssoCopyCommands put the keystore on every application server at the path
// ECE is told (Keystore location), backing up what is there and checking
// the copy's hash.
func ssoCopyCommands(a *steps.Answers, local string, data []byte) []steps.Command {
	dst := ssoKeystoreLocation(a)
	name := dst[strings.LastIndexAny(dst, `\/`)+1:]
	dir := strings.TrimSuffix(dst, name)
	sum := strings.ToUpper(steps.SHA256Hex(data))
	var out []steps.Command
	for _, host := range ProfileOf(a).AppServers {
		script := fmt.Sprintf(`# First copy %s from this machine to C:\temp\%s on %s.
$dst = %s
New-Item -ItemType Directory -Force -Path %s | Out-Null
if (Test-Path $dst) { Copy-Item $dst ("$dst.ccewiz-" + (Get-Date -Format 'yyyyMMdd-HHmmss') + '.bak') }
Copy-Item -Path (Join-Path 'C:\temp' %s) -Destination $dst -Force
if ((Get-FileHash $dst -Algorithm SHA256).Hash -ne '%s') { throw "$dst differs from the keystore ccewiz built" }`,
			steps.OneLine(local), steps.OneLine(name), steps.OneLine(host), steps.PSQuote(dst), steps.PSQuote(dir), steps.PSQuote(name), sum)
		out = append(out, steps.Command{Host: host, Shell: "powershell", Script: script,
			Why: "the guide: the keystore must be at the same path on every application server (Keystore location)"})
	}
	return out
}

// ssoGUI is the form to fill in, value by value, in ECE's order.
func ssoGUI(a *steps.Answers, s ldapcfg.Settings) []steps.GUIEntry {
	where := strings.Replace(SSOWhere, "<ece_fqdn>", orDefault(ProfileOf(a).ECEFQDN, "<ece_fqdn>"), 1)
	base := s.Base
	if base == "" {
		base = "(leave empty: the Global Catalog searches the whole forest)"
	}
	bind := s.BindDN
	pw := "(leave empty: anonymous bind)"
	if bind == "" {
		bind = "(leave empty: anonymous bind)"
	} else {
		pw = "the password of " + s.BindDN + " (from " + SSOOf(a).BindPassword.String() + "; ccewiz never shows it)"
	}
	ssl := "not ticked"
	loc := "(leave empty: SSL is off)"
	if s.SSLEnabled {
		ssl, loc = "ticked", s.KeystoreLocation
	}
	return []steps.GUIEntry{
		{Where: where, Field: "LDAP URL", Value: s.URL},
		{Where: where, Field: "DN Attribute", Value: s.DNAttribute},
		{Where: where, Field: "Base", Value: base},
		{Where: where, Field: "DN for LDAP search", Value: bind},
		{Where: where, Field: "Password", Value: pw},
		{Where: where, Field: "Is LDAP SSL enabled", Value: ssl},
		{Where: where, Field: "Keystore location", Value: loc},
		{Where: where, Field: "then", Value: "click the floppy-disk icon to save"},
	}
}

func (s ssoStep) Apply(ctx context.Context, env *steps.Env, p *steps.Plan) (*steps.Outcome, error) {
	out, err := steps.ApplyFiles(env, p)
	if err != nil {
		return out, err
	}
	out.Results = append(out.Results, steps.VerifyStep(ctx, s, env)...)
	if len(p.Commands) > 0 {
		out.Notes = append(out.Notes, fmt.Sprintf("copy the keystore to the %d application server(s) with the commands shown, then type the values into ECE", len(p.Commands)))
	}
	return out, nil
}

func (s ssoStep) Checks() []steps.Check {
	return []steps.Check{
		{ID: "sso.settings", Title: "Partition Administration Configuration is consistent", Run: checkSSOSettings},
		{ID: "sso.keystore", Title: "The AD keystore trusts the domain controller", Run: checkSSOKeystore},
		{ID: "sso.ldap", Title: "ECE's LDAP settings work live (TLS, bind, user lookup, referrals)", Run: checkSSOLive},
	}
}

func checkSSOSettings(_ context.Context, env *steps.Env) steps.Result {
	s, _ := ssoSettings(env, false)
	ps := s.Validate()
	if s.BindDN != "" && s.Password.IsZero() {
		for i := range ps {
			if ps[i].Field == ldapcfg.FieldPassword {
				ps[i].Message, ps[i].Fix = "no password source", "set sso.bind_password to {env: NAME} or {file: PATH}"
			}
		}
	}
	errs := ps.Errors()
	switch {
	case len(errs) > 0:
		return steps.Result{Status: steps.Fail, Detail: fmt.Sprintf("%d problem(s): %s", len(errs), problemsText(errs)), Fix: errs[0].Fix}
	case len(ps) > 0:
		return steps.Result{Status: steps.Warn, Detail: problemsText(ps), Fix: ps[0].Fix}
	}
	ep, _ := ldapcfg.ParseURL(s.URL)
	kind := "a domain controller"
	if ep.GC {
		kind = "a Global Catalog"
	}
	return steps.Result{Status: steps.Pass, Detail: fmt.Sprintf("%s is %s over TLS, DN attribute userPrincipalName, keystore %s", ep, kind, s.KeystoreLocation)}
}

// openSSOKeystore opens the keystore ccewiz built, with its password.
func openSSOKeystore(env *steps.Env) (*certs.Keystore, string, *steps.Result) {
	path := ssoKeystoreFile(env)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, path, &steps.Result{Status: steps.Fail, Detail: fmt.Sprintf("the AD keystore %s does not exist yet", path),
			Fix: "run `ccewiz apply --step sso` to build it, or set sso.keystore_file to where it is"}
	}
	if err != nil {
		return nil, path, &steps.Result{Status: steps.Fail, Detail: fmt.Sprintf("AD keystore %s: %v", path, err),
			Fix: "run `ccewiz apply --step sso` to build it, or set sso.keystore_file to where it is"}
	}
	pw, err := env.Secret("sso.keystore_password", SSOOf(env.Answers).KeystorePassword, "AD keystore password")
	if err != nil {
		return nil, path, &steps.Result{Status: steps.Fail, Detail: err.Error(), Fix: "set sso.keystore_password to {env: NAME} or {file: PATH}"}
	}
	ks, err := ldapcfg.OpenKeystore(path, data, pw)
	if err != nil {
		return nil, path, &steps.Result{Status: steps.Fail, Detail: err.Error(), Fix: "rebuild it with `ccewiz apply --step sso` (the old one is backed up)"}
	}
	return ks, path, nil
}

func checkSSOKeystore(ctx context.Context, env *steps.Env) steps.Result {
	if !SSOOf(env.Answers).SSLEnabled {
		return steps.Result{Status: steps.Skip, Detail: "SSL is off, so ECE uses no keystore (sso.settings fails for that)"}
	}
	ks, path, bad := openSSOKeystore(env)
	if bad != nil {
		return *bad
	}
	ep, err := ldapcfg.ParseURL(SSOOf(env.Answers).LDAPURL)
	if err != nil {
		return steps.Result{Status: steps.Fail, Detail: "sso.ldap_url: " + err.Error(), Fix: "correct the LDAP URL"}
	}
	chain, source, err := serverChain(ctx, env, ep)
	if err != nil {
		return steps.Result{Status: steps.Warn, Detail: fmt.Sprintf("%s opens and holds %d certificate(s), but the DC's certificate could not be read to compare: %v", path, len(ks.TrustedCerts()), err),
			Fix: "make the DC reachable from here, or set sso.dc_cert_file"}
	}
	if err := ldapcfg.TrustsChain(ks, path, chain, ep.Host, env.Time()); err != nil {
		var te *ldapcfg.TrustError
		fix := "rebuild the keystore with `ccewiz apply --step sso` and copy it to every application server again"
		if errors.As(err, &te) && te.Fix != "" {
			fix = te.Fix
		}
		return steps.Result{Status: steps.Fail, Detail: fmt.Sprintf("%s does not make Java trust %s (certificate from %s): %v", path, ep.Host, source, err), Fix: fix}
	}
	alias := ""
	if e, ok := ks.Lookup(ldapcfg.KeystoreAlias); ok {
		alias = fmt.Sprintf(", alias %s: %s", e.Alias, e.Subject)
	}
	return steps.Result{Status: steps.Pass, Detail: fmt.Sprintf("%s opens with its password and trusts %s's certificate (from %s)%s", path, ep.Host, source, alias)}
}

// serverChain is the chain the LDAP URL's server presents — what ECE will
// verify — fetched live; when the server cannot be reached, the DC
// certificate file stands in if it holds the DC's own certificate.
func serverChain(ctx context.Context, env *steps.Env, ep ldapcfg.Endpoint) ([]*x509.Certificate, string, error) {
	addr := ssoDCAddr(env.Answers)
	if ep.TLS {
		addr = ep.Addr()
	}
	f, err := ldapcfg.FetchCert(ctx, addr, ldapcfg.FetchOptions{Dial: env.Dial, Timeout: env.TimeLimit()})
	if err == nil {
		return f.Chain, addr, nil
	}
	if file := strings.TrimSpace(SSOOf(env.Answers).DCCertFile); file != "" {
		if chain, _, ferr := ldapcfg.ReadCertFile(env.Path(file)); ferr == nil && !chain[0].IsCA {
			return chain, env.Path(file) + " (the DC could not be reached: " + err.Error() + ")", nil
		}
	}
	return nil, "", err
}

func checkSSOLive(ctx context.Context, env *steps.Env) steps.Result {
	live, bad := TestLDAP(ctx, env, LiveOptions{})
	if bad != nil {
		return *bad
	}
	return ldapResult(live.Report)
}

// LiveOptions are where a diagnostic departs from what ECE does. ECE
// trusts only the AD keystore; `ccewiz ldap test --ca-file` trusts the
// certificates of a file instead, and --insecure trusts anything (a test
// that then never passes).
type LiveOptions struct {
	Roots     []*x509.Certificate
	RootsName string
	Insecure  bool
}

// Live is a live test of the SSO answers: the settings it used and what
// each stage found.
type Live struct {
	Settings ldapcfg.Settings
	Report   *ldapcfg.Report
}

// TestLDAP connects to the directory as ECE will with env's SSO answers —
// TLS verified with only the AD keystore's certificates (unless o says
// otherwise), rootDSE, bind, the test user's lookup, referrals. What stops
// the test before it starts (no password source, a bad URL, no keystore)
// comes back as the result the sso.ldap check reports, with its fix.
func TestLDAP(ctx context.Context, env *steps.Env, o LiveOptions) (*Live, *steps.Result) {
	s, err := ssoSettings(env, true)
	if err != nil {
		return nil, &steps.Result{Status: steps.Fail, Detail: err.Error(), Fix: "set sso.bind_password to {env: NAME} or {file: PATH}"}
	}
	ep, err := ldapcfg.ParseURL(s.URL)
	if err != nil {
		return nil, &steps.Result{Status: steps.Fail, Detail: "sso.ldap_url: " + err.Error(), Fix: "correct the LDAP URL"}
	}
	opts := ldapcfg.Options{Dial: env.Dial, Resolve: ldapcfg.ResolveVia(env.Target, ep.Port), TestUser: strings.TrimSpace(SSOOf(env.Answers).TestUser),
		Timeout: env.TimeLimit(), Now: env.Time, Progress: func(stage string) { env.Stage("LDAP %s…", stage) },
		Insecure: o.Insecure, Roots: o.Roots, RootsName: o.RootsName}
	if o.Roots == nil && !o.Insecure {
		ks, path, bad := openSSOKeystore(env)
		if bad != nil {
			bad.Detail = "no keystore to verify the DC with: " + bad.Detail
			return nil, bad
		}
		opts.Roots, opts.RootsName = ks.TrustedCerts(), "keystore "+path
	}
	rep, err := ldapcfg.Test(ctx, s, opts)
	if err != nil {
		return nil, &steps.Result{Status: steps.Fail, Detail: err.Error(), Fix: "correct the LDAP URL"}
	}
	return &Live{Settings: s, Report: rep}, nil
}

// ldapResult folds a live test into one check result: the first stage that
// is not a pass decides, and every stage is listed with its time.
func ldapResult(rep *ldapcfg.Report) steps.Result {
	var parts []string
	for _, st := range rep.Stages {
		parts = append(parts, fmt.Sprintf("%s %s (%dms)", st.Name, st.Status, st.Millis))
	}
	r := steps.Result{Status: steps.Pass, Detail: rep.URL + ": " + strings.Join(parts, ", ")}
	if rep.UserDN != "" {
		r.Detail += "; found " + rep.UserDN
	}
	for _, st := range rep.Stages {
		if st.Status == ldapcfg.Fail || st.Status == ldapcfg.Warn {
			r.Detail = fmt.Sprintf("%s: %s — %s", st.Name, st.Detail, r.Detail)
			r.Fix = st.Fix
			break
		}
	}
	switch rep.Status() {
	case ldapcfg.Fail:
		r.Status = steps.Fail
	case ldapcfg.Warn:
		r.Status = steps.Warn
	}
	if s := rep.Stage(ldapcfg.StageSearch); s != nil && s.Status == ldapcfg.Skip && r.Status == steps.Pass {
		r.Status, r.Fix = steps.Warn, s.Fix
		r.Detail = "the user lookup was not tried (no sso.test_user) — " + r.Detail
	}
	return r
}
