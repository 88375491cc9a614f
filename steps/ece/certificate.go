package ece

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"ccewiz/certs"
	"ccewiz/secret"
	"ccewiz/steps"
)

// certificateStep is step 1: the ECE web server certificate — made
// self-signed or requested from a CA, exported as PFX for IIS and .cer for
// the ADS, bound in IIS without SNI, and proven by probing port 443 the way
// SPOG connects (no SNI).
type certificateStep struct{}

// NewCertificateStep returns step 1, the ECE web server certificate.
func NewCertificateStep() steps.Step { return certificateStep{} }

// CertModes are the values of certificate.mode.
var CertModes = []string{"selfsigned", "ca"}

func (certificateStep) ID() string         { return "certificate" }
func (certificateStep) Title() string      { return "ECE web server certificate" }
func (certificateStep) ShortTitle() string { return "Web certificate" }
func (certificateStep) GuideStep() string  { return "1" }
func (certificateStep) Intro() string {
	return "SPOG reaches ECE only over https, and only when the certificate names the ECE FQDN in its CN and DNS SANs, " +
		"is in date, and is served without SNI (IIS binding: All Unassigned, port 443, no host name, " +
		"\"Require Server Name Indication\" off). ccewiz makes a self-signed certificate or a CSR for your CA, " +
		"completes it with what the CA returns, exports the PFX for IIS and the .cer for the ADS, writes the IIS " +
		"binding script for every web server, and probes port 443 the way SPOG connects."
}

func (certificateStep) Needed(*steps.Answers) (steps.Need, string) {
	return steps.Required, "SPOG talks to ECE over https only; without a matching certificate the ECE gadget does not load"
}

func certMode(a *steps.Answers) string { return orDefault(CertificateOf(a).Mode, "selfsigned") }

func (certificateStep) Fields() []steps.Field {
	mode := steps.ChoiceField("certificate.mode", "Certificate", "selfsigned: made here, every ADS imports it; ca: a CSR for your CA, completed with its answer",
		CertModes, func(a *steps.Answers) *string { return &CertificateOf(a).Mode })
	mode.Default = func(*steps.Answers) string { return "selfsigned" }
	sans := steps.ListField("certificate.sans", "Extra DNS names", "every other name users type (the ECE FQDN is always included)",
		func(a *steps.Answers) *[]string { return &CertificateOf(a).SANs })
	sans.Validate = func(a *steps.Answers, v string) error {
		return certs.Request{CN: orDefault(ProfileOf(a).ECEFQDN, "ece.example.com"), SANs: steps.SplitList(v)}.Validate(false)
	}
	keySize := steps.IntField("certificate.key_size", "Key size (bits)", "2048 is the minimum; 3072 or 4096 if your policy asks",
		func(a *steps.Answers) *int { return &CertificateOf(a).KeySize })
	keySize.Kind, keySize.Options = steps.Choice, []string{"2048", "3072", "4096"}
	keySize.Default = func(*steps.Answers) string { return "2048" }
	keySize.Validate = func(_ *steps.Answers, v string) error {
		if strings.TrimSpace(v) == "" {
			return nil
		}
		var n int
		if _, err := fmt.Sscan(v, &n); err != nil {
			return fmt.Errorf("%q is not a number of bits", v)
		}
		return certs.Request{CN: "ece.example.com", KeySize: n}.Validate(false)
	}
	days := steps.IntField("certificate.validity_days", "Validity (days)", "self-signed only; default 730, at most 825 (Apple platforms refuse longer)",
		func(a *steps.Answers) *int { return &CertificateOf(a).ValidityDays })
	days.Visible = func(a *steps.Answers) bool { return certMode(a) == "selfsigned" }
	days.Validate = func(_ *steps.Answers, v string) error {
		var n int
		if strings.TrimSpace(v) == "" {
			return nil
		}
		if _, err := fmt.Sscan(v, &n); err != nil {
			return fmt.Errorf("%q is not a number of days", v)
		}
		return certs.Request{CN: "ece.example.com", Validity: time.Duration(n) * 24 * time.Hour}.Validate(false)
	}
	caOnly := func(a *steps.Answers) bool { return certMode(a) == "ca" }
	subject := func(key, label, help string, ptr func(*steps.Answers) *string) steps.Field {
		f := steps.TextField(key, label, help, ptr)
		f.Visible = caOnly
		f.Validate = func(_ *steps.Answers, v string) error {
			if strings.TrimSpace(v) == "" {
				return fmt.Errorf("required in a CSR: CAs reject blank Subject fields")
			}
			return nil
		}
		return f
	}
	country := subject("certificate.c", "Country (C)", "two letters, e.g. US", func(a *steps.Answers) *string { return &CertificateOf(a).C })
	country.Validate = func(_ *steps.Answers, v string) error {
		return certs.Request{CN: "ece.example.com", O: "o", OU: "o", L: "l", ST: "s", C: v}.Validate(true)
	}
	outDir := steps.TextField("certificate.out_dir", "Output folder", "where the key, certificate, PFX and IIS scripts go (relative to the answers file)",
		func(a *steps.Answers) *string { return &CertificateOf(a).OutDir })
	outDir.Default = func(*steps.Answers) string { return "certs" }
	caResp := steps.ListField("certificate.ca_response", "CA's answer", "the file(s) the CA returned: PEM, DER or .p7b, in any order",
		func(a *steps.Answers) *[]string { return &CertificateOf(a).CAResponse })
	caResp.Visible = caOnly
	return []steps.Field{
		mode, sans, keySize, days,
		subject("certificate.o", "Organization (O)", "your company's legal name", func(a *steps.Answers) *string { return &CertificateOf(a).O }),
		subject("certificate.ou", "Organizational unit (OU)", "e.g. Contact Center", func(a *steps.Answers) *string { return &CertificateOf(a).OU }),
		subject("certificate.l", "City (L)", "", func(a *steps.Answers) *string { return &CertificateOf(a).L }),
		subject("certificate.st", "State or province (ST)", "spelled out, e.g. Illinois", func(a *steps.Answers) *string { return &CertificateOf(a).ST }),
		country,
		outDir, caResp,
		steps.SecretRefField("certificate.pfx_password", "PFX password", "protects the private key in the PFX on its way to IIS (env:NAME, file:PATH, or typed here)",
			func(a *steps.Answers) *secret.Ref { return &CertificateOf(a).PFXPassword }),
	}
}

// certTarget is one certificate the deployment needs.
type certTarget struct {
	req  certs.Request
	web  []string // web servers that bind it (none: the balancer's)
	why  string
	base string // file-name stem in out_dir
}

// certTargets works out which certificates the deployment needs: one for
// the ECE FQDN on every web server (no balancer, or SSL passthrough — the
// same PFX everywhere), or with SSL offload one per web server plus the
// balancer's for the ECE FQDN.
func certTargets(a *steps.Answers) ([]certTarget, error) {
	fqdn := normName(ProfileOf(a).ECEFQDN)
	if err := steps.ValidateFQDN(fqdn); err != nil {
		return nil, fmt.Errorf("profile.ece_fqdn: %w", err)
	}
	c := *CertificateOf(a)
	base := certs.Request{SANs: c.SANs, O: c.O, OU: c.OU, L: c.L, ST: c.ST, C: c.C, KeySize: c.KeySize,
		Validity: time.Duration(c.ValidityDays) * 24 * time.Hour}
	var web []string
	for _, w := range ProfileOf(a).WebServers {
		web = append(web, normName(w))
	}
	if len(web) == 0 {
		web = []string{fqdn}
	}
	mk := func(cn string, sans, web []string, why string) certTarget {
		r := base
		r.CN, r.SANs = cn, sans
		return certTarget{req: r, web: web, why: why, base: certs.FileBase(cn)}
	}
	if ProfileOf(a).LoadBalancer == "offload" {
		var out []certTarget
		for _, w := range web {
			out = append(out, mk(w, nil, []string{w}, "SSL offload: "+w+"'s own certificate, for the balancer's connection to it"))
		}
		sans := append([]string{}, c.SANs...)
		if lb := normName(ProfileOf(a).LoadBalancerFQDN); lb != "" && lb != fqdn {
			sans = append(sans, lb)
		}
		return append(out, mk(fqdn, sans, nil, "SSL offload: the balancer's certificate for "+fqdn+" — import its PFX into the balancer")), nil
	}
	why := "the ECE certificate"
	if len(web) > 1 {
		why = "SSL passthrough: one certificate, the same PFX on every web server"
	}
	return []certTarget{mk(fqdn, c.SANs, web, why)}, nil
}

func normName(s string) string { return strings.ToLower(strings.TrimSuffix(strings.TrimSpace(s), ".")) }

// CertOutDir is the folder the certificate step writes into:
// certificate.out_dir (default certs), beside the answers file.
func CertOutDir(env *steps.Env) string {
	return env.Path(orDefault(CertificateOf(env.Answers).OutDir, "certs"))
}

// eceCertFile is the .crt the certificate step writes for the ECE FQDN;
// everything that looks for "step 1's certificate" looks here, so an FQDN
// typed in capitals or with a final dot still finds it.
func eceCertFile(env *steps.Env) string {
	return filepath.Join(CertOutDir(env), certs.FileBase(normName(ProfileOf(env.Answers).ECEFQDN))+".crt")
}

// certFiles are where one target's files live.
type certPaths struct{ key, csr, crt, cer, pfx string }

func pathsFor(dir string, t certTarget) certPaths {
	p := filepath.Join(dir, t.base)
	return certPaths{key: p + ".key", csr: p + ".csr", crt: p + ".crt", cer: p + ".cer", pfx: p + ".pfx"}
}

func (s certificateStep) Plan(_ context.Context, env *steps.Env) (*steps.Plan, error) {
	a := env.Answers
	if errs := steps.ValidateFields(a, s.Fields()); len(errs) > 0 {
		return nil, steps.BadInput(joinErrs("the certificate answers are wrong", errs))
	}
	targets, err := certTargets(a)
	if err != nil {
		return nil, steps.BadInput(err)
	}
	dir := CertOutDir(env)
	plan := &steps.Plan{Step: s.ID()}
	var cached secret.Secret
	password := func() (secret.Secret, error) {
		if cached.IsZero() {
			p, err := env.Secret("certificate.pfx_password", CertificateOf(a).PFXPassword, "PFX password")
			if err != nil {
				return p, err
			}
			cached = p
		}
		return cached, nil
	}
	var pending []string
	for _, t := range targets {
		p := pathsFor(dir, t)
		var key crypto.Signer
		var chain *certs.Chain
		if certMode(a) == "ca" {
			key, chain, err = planCA(env, plan, t, p)
			if err != nil {
				return nil, err
			}
			if chain == nil {
				pending = append(pending, p.csr)
				continue
			}
		} else {
			key, chain, err = planSelfSigned(env, plan, t, p)
			if err != nil {
				return nil, err
			}
		}
		pw, err := password()
		if err != nil {
			return nil, steps.BadInput(err)
		}
		if err := planExports(plan, t, p, key, chain, pw, len(targets) > 1); err != nil {
			return nil, err
		}
	}
	changed := 0
	for _, f := range plan.Files {
		if f.Action != steps.Unchanged {
			changed++
		}
	}
	switch {
	case len(pending) > 0:
		plan.Summary = fmt.Sprintf("waiting for the CA: send %s, then list the files it returns in certificate.ca_response and run again", strings.Join(pending, ", "))
	case changed == 0:
		plan.Summary = "the certificate files are in place and current; nothing to write"
		// Nothing new to bind: the scripts were shown when the files were
		// written. Keep them as a reminder, not as work, so the plan is empty.
		for _, c := range plan.Commands {
			plan.Notes = append(plan.Notes, fmt.Sprintf("if not done yet, on %s: %s", c.Host, strings.ReplaceAll(c.Script, "\n", " ")))
		}
		plan.Commands = nil
	default:
		plan.Summary = fmt.Sprintf("%d file(s) to write in %s", changed, dir)
	}
	if len(pending) == 0 {
		if certMode(a) == "selfsigned" {
			plan.Notes = append(plan.Notes, "self-signed: every ADS must import the .cer into its Java cacerts (step 4.1) and be restarted")
		} else {
			plan.Notes = append(plan.Notes, "CA-signed: every ADS must import the root CA (then any intermediate) into its Java cacerts (step 4.1) and be restarted")
		}
		plan.Notes = append(plan.Notes, "the PFX is 3DES/SHA-1 encrypted so Windows Server 2016 can import it; delete it from places it is no longer needed")
	}
	return plan, nil
}

// planSelfSigned keeps a good existing self-signed certificate (the ADS
// trust depends on it: replacing it means importing it again everywhere)
// and makes a new one only when it is missing, wrong or expiring.
func planSelfSigned(env *steps.Env, plan *steps.Plan, t certTarget, p certPaths) (crypto.Signer, *certs.Chain, error) {
	key, chain, why := loadPair(p)
	if why == "" {
		why = reusable(chain.Leaf, key, t.req, env.Time())
	}
	if why == "" {
		plan.Files = append(plan.Files, steps.FileChange{Path: p.key, Action: steps.Unchanged, Sensitive: true,
			Why: "kept: the self-signed certificate is current (replacing it would mean importing it into every ADS again)"})
		return key, chain, nil
	}
	env.Stage("generating an RSA %d key for %s…", orInt(t.req.KeySize, certs.DefaultKeySize), t.req.CN)
	newKey, err := certs.GenerateKey(t.req.KeySize)
	if err != nil {
		return nil, nil, steps.BadInput(err)
	}
	leaf, _, err := certs.SelfSigned(t.req, newKey, env.Time())
	if err != nil {
		return nil, nil, steps.BadInput(err)
	}
	kp, err := certs.KeyPEM(newKey)
	if err != nil {
		return nil, nil, err
	}
	fc, err := fileChange(p.key, kp, "new private key ("+why+")", true, certs.VerifyKeyPEM(newKey))
	if err != nil {
		return nil, nil, err
	}
	plan.Files = append(plan.Files, fc)
	return newKey, certs.BuildChain(leaf, nil), nil
}

// loadPair reads an existing key and certificate; why says what is wrong ("" = both read and match).
func loadPair(p certPaths) (crypto.Signer, *certs.Chain, string) {
	kb, err := os.ReadFile(p.key)
	if err != nil {
		return nil, nil, "none yet"
	}
	key, err := certs.ParseKey(kb)
	if err != nil {
		return nil, nil, "the old key does not read: " + err.Error()
	}
	b, err := certs.ReadBundleFiles(p.crt)
	if err != nil {
		return key, nil, "no readable certificate"
	}
	chain, err := certs.Complete(key, b.Certs)
	if err != nil {
		return key, nil, "the certificate does not match the key"
	}
	return key, chain, ""
}

// reusable says why leaf cannot stay ("" = it can).
func reusable(leaf *x509.Certificate, key crypto.Signer, r certs.Request, now time.Time) string {
	for _, n := range r.DNSNames() {
		if leaf.VerifyHostname(n) != nil {
			return "the old certificate lacks " + n
		}
	}
	if leaf.NotAfter.Sub(now) < certs.SoonDays*24*time.Hour {
		return "the old certificate expires on " + leaf.NotAfter.UTC().Format("2006-01-02")
	}
	if want := orInt(r.KeySize, certs.DefaultKeySize); !strings.HasSuffix(certs.KeyDescription(key.Public()), fmt.Sprint(" ", want)) {
		return fmt.Sprintf("the old key is %s, %d bits asked", certs.KeyDescription(key.Public()), want)
	}
	return ""
}

// planCA makes the key and CSR when there is none, or completes the request
// with the CA's answer. A key with a pending request is never replaced:
// the CA's certificate will only work with it.
func planCA(env *steps.Env, plan *steps.Plan, t certTarget, p certPaths) (crypto.Signer, *certs.Chain, error) {
	if err := t.req.Validate(true); err != nil {
		return nil, nil, steps.BadInput(fmt.Errorf("certificate (CA mode, %s): %w", t.req.CN, err))
	}
	var key crypto.Signer
	kb, err := os.ReadFile(p.key)
	switch {
	case errors.Is(err, fs.ErrNotExist) && len(CertificateOf(env.Answers).CAResponse) > 0:
		return nil, nil, steps.BadInput(fmt.Errorf("certificate.ca_response is set but the key %s is missing; the CA's certificate only works with the key of its request: "+
			"restore that key (or its .bak), or clear certificate.ca_response to start a new request", p.key))
	case errors.Is(err, fs.ErrNotExist):
		env.Stage("generating an RSA %d key for %s…", orInt(t.req.KeySize, certs.DefaultKeySize), t.req.CN)
		k, err := certs.GenerateKey(t.req.KeySize)
		if err != nil {
			return nil, nil, steps.BadInput(err)
		}
		kp, err := certs.KeyPEM(k)
		if err != nil {
			return nil, nil, err
		}
		fc, err := fileChange(p.key, kp, "private key for the request (keep it: the CA's certificate only works with it)", true, certs.VerifyKeyPEM(k))
		if err != nil {
			return nil, nil, err
		}
		plan.Files = append(plan.Files, fc)
		key = k
	case err != nil:
		return nil, nil, fmt.Errorf("read %s: %w", p.key, err)
	default:
		if key, err = certs.ParseKey(kb); err != nil {
			return nil, nil, steps.BadInput(fmt.Errorf("%s: %w", p.key, err))
		}
		plan.Files = append(plan.Files, steps.FileChange{Path: p.key, Action: steps.Unchanged, Sensitive: true, Why: "kept: the key of the request"})
	}
	var resp []string
	for _, r := range CertificateOf(env.Answers).CAResponse {
		resp = append(resp, env.Path(r))
	}
	if len(resp) == 0 {
		return key, nil, planCSR(plan, t, p, key)
	}
	b, err := certs.ReadBundleFiles(resp...)
	if err != nil {
		return nil, nil, steps.BadInput(fmt.Errorf("certificate.ca_response: %w", err))
	}
	chain, err := certs.Complete(key, b.Certs)
	if err != nil {
		return nil, nil, steps.BadInput(fmt.Errorf("certificate.ca_response for %s (key %s): %w", t.req.CN, p.key, err))
	}
	fs := certs.Assess(chain, certs.AssessOptions{Name: t.req.CN, Now: env.Time()})
	var bad []string
	for _, f := range fs {
		if f.Severity == certs.SevError {
			bad = append(bad, f.Message+" — "+f.Fix)
		} else if f.Severity == certs.SevWarn {
			plan.Notes = append(plan.Notes, t.req.CN+": "+f.Message+" — "+f.Fix)
		}
	}
	if len(bad) > 0 {
		return nil, nil, steps.BadInput(fmt.Errorf("the CA's certificate for %s would fail in SPOG: %s", t.req.CN, strings.Join(bad, "; ")))
	}
	return key, chain, nil
}

func planCSR(plan *steps.Plan, t certTarget, p certPaths, key crypto.Signer) error {
	csr, err := certs.CSR(t.req, key)
	if err != nil {
		return steps.BadInput(err)
	}
	if old, err := os.ReadFile(p.csr); err == nil {
		if req, err := certs.ParseCSR(old); err == nil && certs.RequestKeyMatches(req, key) &&
			sameNames(req.DNSNames, t.req.DNSNames()) {
			plan.Files = append(plan.Files, steps.FileChange{Path: p.csr, Action: steps.Unchanged, Why: "the request waiting for the CA"})
			plan.Notes = append(plan.Notes, certs.CSRInstructions(t.req, p.csr, p.key))
			return nil
		}
	}
	fc, err := fileChange(p.csr, csr, "certificate signing request (PKCS#10, Base-64) to send to the CA", false,
		func(b []byte) error { _, err := certs.ParseCSR(b); return err })
	if err != nil {
		return err
	}
	plan.Files = append(plan.Files, fc)
	plan.Notes = append(plan.Notes, certs.CSRInstructions(t.req, p.csr, p.key))
	return nil
}

func sameNames(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !strings.EqualFold(a[i], b[i]) {
			return false
		}
	}
	return true
}

// planExports adds the .crt, .cer, .pfx and IIS scripts of one target.
func planExports(plan *steps.Plan, t certTarget, p certPaths, key crypto.Signer, chain *certs.Chain, pw secret.Secret, several bool) error {
	all := chain.Certs()
	crt, err := fileChange(p.crt, certs.CertPEM(all...), "certificate with its chain (PEM)", false, certs.VerifyCertPEM(all...))
	if err != nil {
		return err
	}
	cer, err := fileChange(p.cer, certs.CertPEM(chain.Leaf), "Base-64 X.509 certificate for the ADS keytool import", false, certs.VerifyCertPEM(chain.Leaf))
	if err != nil {
		return err
	}
	plan.Files = append(plan.Files, crt, cer)
	pfx := steps.FileChange{Path: p.pfx, Action: steps.Unchanged, Sensitive: true, Mode: 0o600, Backup: true,
		Why: "kept: the PFX opens with the password and holds this certificate and chain"}
	old, err := os.ReadFile(p.pfx)
	if err != nil || !certs.PFXHolds(old, pw, chain) {
		data, err := certs.EncodePFX(key, chain, pw)
		if err != nil {
			return err
		}
		pfx.Data, pfx.Why = data, "PFX with private key and chain for IIS (3DES, so Windows Server 2016 imports it) — "+t.why
		pfx.Action = steps.Create
		if old != nil {
			pfx.Action, pfx.BaseSHA256 = steps.Modify, steps.SHA256Hex(old)
		}
		pfx.Verify = certs.VerifyPFX(pw, chain)
	}
	plan.Files = append(plan.Files, pfx)
	if len(t.web) == 0 {
		plan.Commands = append(plan.Commands, steps.Command{Host: t.req.CN + " (load balancer)", Shell: "gui",
			Script: fmt.Sprintf("import %s (password: the PFX password) as the balancer's certificate for %s", p.pfx, t.req.CN),
			Why:    t.why})
		return nil
	}
	for i, w := range t.web {
		s, err := certs.IISScript(certs.IISBinding{Host: w, Name: t.req.CN, Thumbprint: certs.Thumbprint(chain.Leaf),
			Subject: chain.Leaf.Subject.String(), PFXFile: filepath.Base(p.pfx)})
		if err != nil {
			return err
		}
		name := filepath.Join(filepath.Dir(p.pfx), certs.IISScriptName(w))
		fc, err := fileChange(name, []byte(s), "binds the certificate on "+w+": https, All Unassigned, 443, no host name, no SNI", false, nil)
		if err != nil {
			return err
		}
		if fc.Action != steps.Unchanged {
			// Show the script in the plan: the admin runs it as Administrator.
			fc.Diff = wholeFileDiff(filepath.Base(name), s)
		}
		plan.Files = append(plan.Files, fc)
		why := "imports the PFX and binds it without SNI (SPOG sends none)"
		if i > 0 && !several {
			why = "SSL passthrough: imports the same PFX here too and binds it without SNI"
		}
		plan.Commands = append(plan.Commands, steps.Command{Host: w, Shell: "powershell", Why: why,
			Script: fmt.Sprintf("# copy %s and %s to %s, then in an elevated PowerShell there:\npowershell -ExecutionPolicy Bypass -File .\\%s",
				filepath.Base(p.pfx), filepath.Base(name), w, filepath.Base(name))})
	}
	return nil
}

// wholeFileDiff shows a new text file's content as the added side of a diff.
func wholeFileDiff(name, content string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "+++ %s\n", name)
	for _, line := range strings.Split(strings.TrimRight(strings.ReplaceAll(content, "\r\n", "\n"), "\n"), "\n") {
		b.WriteString("+" + line + "\n")
	}
	return b.String()
}

// fileChange compares data with what is on disk: Unchanged, Create, or
// Modify (backed up first, refused if the file changes after planning).
func fileChange(path string, data []byte, why string, sensitive bool, verify func([]byte) error) (steps.FileChange, error) {
	fc := steps.FileChange{Path: path, Why: why, Sensitive: sensitive, Backup: true, Verify: verify, Mode: 0o644}
	if sensitive {
		fc.Mode = 0o600
	}
	old, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		fc.Action, fc.Data = steps.Create, data
	case err != nil:
		return fc, fmt.Errorf("read %s: %w", path, err)
	case bytes.Equal(old, data):
		fc.Action, fc.Why = steps.Unchanged, "already current: "+why
	default:
		fc.Action, fc.Data, fc.BaseSHA256 = steps.Modify, data, steps.SHA256Hex(old)
	}
	return fc, nil
}

func orInt(v, d int) int {
	if v == 0 {
		return d
	}
	return v
}

func (s certificateStep) Apply(ctx context.Context, env *steps.Env, p *steps.Plan) (*steps.Outcome, error) {
	out, err := steps.ApplyFiles(env, p) // creates the out folder too
	if err != nil {
		return out, err
	}
	out.Results = append(out.Results, steps.VerifyStep(ctx, s, env, "certificate.files")...)
	if len(p.Commands) > 0 {
		out.Notes = append(out.Notes, "now run the IIS binding script on every web server (see the plan's commands), then: ccewiz check --only certificate.tls")
	}
	return out, nil
}

func (s certificateStep) Checks() []steps.Check {
	return []steps.Check{
		{ID: "certificate.files", Title: "Certificate files: key matches, FQDN in CN/SAN, in date", Run: checkCertFiles},
		{ID: "certificate.pfx", Title: "PFX opens with its password and holds the certificate", Run: checkCertPFX},
		{ID: "certificate.tls", Title: "Port 443 serves the certificate without SNI (as SPOG connects)", Run: checkCertTLS},
	}
}

// findingsResult turns certificate findings into a check verdict.
func findingsResult(prefix string, fs []certs.Finding) (steps.Status, []string, string) {
	st := steps.Pass
	var msgs []string
	fix := ""
	for _, f := range fs {
		switch f.Severity {
		case certs.SevError:
			st = steps.Fail
			if fix == "" {
				fix = f.Fix
			}
		case certs.SevWarn:
			if st == steps.Pass {
				st = steps.Warn
			}
			if fix == "" {
				fix = f.Fix
			}
		default:
			continue
		}
		msgs = append(msgs, prefix+f.Message)
	}
	return st, msgs, fix
}

func worse(a, b steps.Status) steps.Status {
	rank := map[steps.Status]int{steps.Pass: 0, steps.Skip: 0, steps.Manual: 0, steps.Warn: 1, steps.Fail: 2}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

func checkCertFiles(_ context.Context, env *steps.Env) steps.Result {
	targets, err := certTargets(env.Answers)
	if err != nil {
		return steps.Result{Status: steps.Fail, Detail: err.Error(), Fix: "complete the profile first"}
	}
	dir := CertOutDir(env)
	st := steps.Pass
	var details []string
	fix := ""
	for _, t := range targets {
		p := pathsFor(dir, t)
		key, chain, why := loadPair(p)
		if why != "" {
			_, csrErr := os.Stat(p.csr)
			switch {
			case key != nil && certMode(env.Answers) == "ca" && csrErr == nil && len(CertificateOf(env.Answers).CAResponse) == 0:
				return steps.Result{Status: steps.Fail, Detail: fmt.Sprintf("waiting for the CA: %s has not been completed (%s)", p.csr, why),
					Fix: "send the CSR to your CA, list the files it returns in certificate.ca_response, then run ccewiz apply --step certificate"}
			case key == nil:
				return steps.Result{Status: steps.Fail, Detail: fmt.Sprintf("%s: %s", p.key, why), Fix: "run ccewiz apply --step certificate (or the wizard's certificate step)"}
			}
			return steps.Result{Status: steps.Fail, Detail: fmt.Sprintf("%s: %s", p.crt, why), Fix: "run ccewiz apply --step certificate to write it again from the key"}
		}
		fs := certs.Assess(chain, certs.AssessOptions{Name: t.req.CN, Now: env.Time(), Anchors: certs.OwnRoot(chain)})
		for _, n := range t.req.DNSNames() {
			if chain.Leaf.VerifyHostname(n) != nil && n != t.req.CN {
				fs = append(fs, certs.Finding{Code: certs.CodeNameMismatch, Severity: certs.SevWarn,
					Message: n + " (certificate.sans) is not in the certificate", Fix: "apply again (self-signed) or request a new certificate with it"})
			}
		}
		s, msgs, f := findingsResult(filepath.Base(p.crt)+": ", fs)
		st = worse(st, s)
		if fix == "" {
			fix = f
		}
		info := certs.Describe(chain.Leaf)
		details = append(details, fmt.Sprintf("%s: %s, DNS %s, %s, until %s, SHA-256 %s", p.crt, info.Subject, strings.Join(info.DNSNames, ", "),
			info.Key, info.NotAfter.Format("2006-01-02"), info.SHA256))
		details = append(details, msgs...)
	}
	return steps.Result{Status: st, Detail: strings.Join(details, "\n"), Fix: fix}
}

func checkCertPFX(_ context.Context, env *steps.Env) steps.Result {
	targets, err := certTargets(env.Answers)
	if err != nil {
		return steps.Result{Status: steps.Fail, Detail: err.Error(), Fix: "complete the profile first"}
	}
	dir := CertOutDir(env)
	var details []string
	for _, t := range targets {
		p := pathsFor(dir, t)
		data, err := os.ReadFile(p.pfx)
		if err != nil {
			if certMode(env.Answers) == "ca" && len(CertificateOf(env.Answers).CAResponse) == 0 {
				return steps.Result{Status: steps.Skip, Detail: "no PFX yet: the request is waiting for the CA"}
			}
			return steps.Result{Status: steps.Fail, Detail: fmt.Sprintf("%s: %v", p.pfx, err), Fix: "run ccewiz apply --step certificate"}
		}
		pw, err := env.Secret("certificate.pfx_password", CertificateOf(env.Answers).PFXPassword, "PFX password")
		if err != nil {
			return steps.Result{Status: steps.Skip, Detail: "cannot open the PFX without its password: " + err.Error(),
				Fix: "set certificate.pfx_password to {env: NAME} or {file: PATH}"}
		}
		_, chain, err := certs.DecodePFX(data, pw)
		if err != nil {
			return steps.Result{Status: steps.Fail, Detail: fmt.Sprintf("%s: %v", p.pfx, err),
				Fix: "check certificate.pfx_password, or run ccewiz apply --step certificate to export it again"}
		}
		if b, err := certs.ReadBundleFiles(p.crt); err == nil && !chain.Leaf.Equal(certs.PickLeaf(b.Certs)) {
			return steps.Result{Status: steps.Fail, Detail: fmt.Sprintf("%s holds %q, not the certificate in %s", p.pfx, chain.Leaf.Subject, p.crt),
				Fix: "run ccewiz apply --step certificate to export the PFX again"}
		}
		details = append(details, fmt.Sprintf("%s: key and %d certificate(s), %s", p.pfx, len(chain.Certs()), chain.Leaf.Subject))
	}
	return steps.Result{Status: steps.Pass, Detail: strings.Join(details, "\n")}
}

// checkCertTLS probes the ECE FQDN (and every web server) on 443 without
// SNI, through env.Dial so the answers file's resolve section applies.
func checkCertTLS(ctx context.Context, env *steps.Env) steps.Result {
	a := env.Answers
	targets, err := certTargets(a)
	if err != nil {
		return steps.Result{Status: steps.Fail, Detail: err.Error(), Fix: "complete the profile first"}
	}
	fqdn := normName(ProfileOf(a).ECEFQDN)
	var probes []certs.ProbeTarget
	seen := map[string]bool{}
	add := func(addr, name string) {
		if !seen[addr] {
			seen[addr] = true
			probes = append(probes, certs.ProbeTarget{Addr: addr, Name: name})
		}
	}
	add(net.JoinHostPort(fqdn, "443"), fqdn)
	for _, t := range targets {
		for _, w := range t.web {
			// Offload: each web server presents its own name; otherwise every one presents the ECE FQDN.
			add(net.JoinHostPort(w, "443"), t.req.CN)
		}
	}
	dir := CertOutDir(env)
	expect := map[string]*certs.Chain{}
	for _, t := range targets {
		if _, chain, why := loadPair(pathsFor(dir, t)); why == "" {
			expect[t.req.CN] = chain
		}
	}
	env.Stage("probing %d endpoint(s) on port 443 without and with SNI…", len(probes))
	outs := certs.ProbeAll(ctx, probes, certs.ProbeOptions{Dial: env.Dial, Timeout: env.TimeLimit(), Now: env.Time})
	st := steps.Pass
	var details []string
	fix := ""
	for _, o := range outs {
		if o.Err != nil {
			st = steps.Fail
			details = append(details, o.Err.Error())
			if fix == "" {
				fix = "make " + o.Target.Addr + " reachable from here and serve https; then run the iis-binding script there"
			}
			continue
		}
		r := o.Result
		want := expect[o.Target.Name]
		var fs []certs.Finding
		if want != nil {
			// Judge the served chain against our own root, so an incomplete chain shows.
			h := r.NoSNI
			if h == nil {
				h = r.SNI
			}
			fs = append(fs, certs.Assess(certs.BuildChain(h.Chain[0], h.Chain[1:]), certs.AssessOptions{Name: o.Target.Name, Now: env.Time(), Anchors: certs.OwnRoot(want), Live: true})...)
			fs = append(fs, sniFindings(r)...)
		} else {
			fs = r.Findings
		}
		s, msgs, f := findingsResult(o.Target.Addr+": ", fs)
		if r.NeedsSNI || r.Differ {
			f = fmt.Sprintf("run iis-binding-<host>.ps1 from %s on every web server (or in IIS Manager › Default Web Site › Bindings › https 443: clear the host name, untick \"Require Server Name Indication\")", dir)
		}
		// Another certificate still bound: Java refuses it when it is not
		// from step 1's root; a CA-signed renewal from the same root passes
		// Java but is not the one step 1 made.
		if want != nil && r.Leaf() != nil && !r.Leaf().Equal(want.Leaf) {
			s = worse(s, steps.Warn)
			msgs = append(msgs, fmt.Sprintf("%s presents %s (SHA-256 %s), not the certificate in %s", o.Target.Addr,
				r.Leaf().Subject, certs.Describe(r.Leaf()).SHA256, filepath.Join(dir, certs.FileBase(o.Target.Name)+".crt")))
			f = "bind the new certificate: run the iis-binding script on that web server"
		}
		st = worse(st, s)
		if fix == "" && s != steps.Pass {
			fix = f
		}
		if s == steps.Pass {
			leaf := r.NoSNI.Certs[0]
			details = append(details, fmt.Sprintf("%s without SNI: %s, until %s, SHA-256 %s; same certificate with SNI: %v",
				o.Target.Addr, leaf.Subject, leaf.NotAfter.Format("2006-01-02"), leaf.SHA256, !r.Differ))
		}
		details = append(details, msgs...)
	}
	return steps.Result{Status: st, Detail: strings.Join(details, "\n"), Fix: fix}
}

func sniFindings(r *certs.ProbeResult) []certs.Finding {
	var out []certs.Finding
	for _, f := range r.Findings {
		if f.Code == certs.CodeNeedsSNI || f.Code == certs.CodeSNIDiffers {
			out = append(out, f)
		}
	}
	return out
}
