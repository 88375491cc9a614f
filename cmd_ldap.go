package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"ccewiz/certs"
	"ccewiz/ldapcfg"
	"ccewiz/safefile"
	"ccewiz/secret"
	"ccewiz/steps"
	"ccewiz/steps/ece"
)

// ldapFlags are the flags of every `ccewiz ldap` action; each uses its own
// subset. Names mirror the answers file's sso keys.
type ldapFlags struct {
	addr, out, trust, format          string
	url, bindDN, base, user, dnAttr   string
	passEnv, passFile                 string
	keystore, storeEnv, storeFile, ca string
	insecure, startTLS                bool
	timeout                           time.Duration
}

func (f *ldapFlags) declare(fs *flag.FlagSet) {
	*f = ldapFlags{} // a run starts from the defaults: list flags (fs.Var) keep no value of an earlier run
	fs.StringVar(&f.addr, "addr", "", "fetch-cert: the domain controller's `host:port` (636 or 3269 for LDAPS; 389/3268 use StartTLS)")
	fs.StringVar(&f.out, "out", "", "fetch-cert: write the certificate to trust to this `file` (Base-64 .cer, as keytool -import takes it)")
	fs.StringVar(&f.trust, "trust", ldapcfg.TrustLeaf, "fetch-cert: what to trust, `leaf` (the DC's own certificate, as the guide does) or ca (its issuing CA: survives renewals)")
	fs.BoolVar(&f.startTLS, "starttls", false, "fetch-cert: use StartTLS on a port other than 389/3268")
	fs.StringVar(&f.url, "url", "", "test: the LDAP URL as typed into ECE, e.g. ldaps://gc1.example.local:3269")
	fs.StringVar(&f.bindDN, "bind-dn", "", "test: the DN for LDAP search, e.g. CN=pcceadmin,CN=Users,DC=example,DC=local")
	fs.StringVar(&f.passEnv, "password-env", "", "test: the bind password from this environment `variable`")
	fs.StringVar(&f.passFile, "password-file", "", "test: the bind password from the first line of this `file`")
	fs.StringVar(&f.base, "base", "", "test: the Base DN (not needed with a Global Catalog)")
	fs.StringVar(&f.dnAttr, "dn-attribute", "", "test: the DN Attribute as typed into ECE (default: the answers' sso.dn_attribute, else "+ldapcfg.DNAttribute+")")
	fs.StringVar(&f.user, "user", "", "test: a userPrincipalName to look up, as ECE will (e.g. admin1@example.local)")
	fs.StringVar(&f.keystore, "keystore", "", "the AD keystore `file` (mydomain.jks): test trusts only its certificates; fetch-cert adds the certificate to it (created if missing)")
	fs.StringVar(&f.storeEnv, "storepass-env", "", "the keystore password from this environment `variable`")
	fs.StringVar(&f.storeFile, "storepass-file", "", "the keystore password from the first line of this `file`")
	fs.StringVar(&f.ca, "ca-file", "", "test: trust only the certificates in this `file` (Base-64 .cer) instead of a keystore")
	fs.BoolVar(&f.insecure, "insecure", false, "test: connect even if the certificate is not trusted (never passes: exit code 1)")
	fs.StringVar(&f.format, "format", "text", "output `format`, text or json")
	fs.DurationVar(&f.timeout, "timeout", 5*time.Second, "time limit for each stage")
}

func init() {
	var f ldapFlags
	register(&command{
		name:    "ldap",
		summary: "the AD side of Partition Administrator SSO: fetch-cert, test (step 2)",
		usage: `Usage: ccewiz ldap fetch-cert --addr HOST:PORT --out FILE [--trust leaf|ca] [--keystore FILE --storepass-env VAR] [--format json]
       ccewiz ldap test [--url URL] [--bind-dn DN (--password-env VAR | --password-file F)] [--base DN]
                        [--keystore F --storepass-env VAR | --ca-file F] [--user UPN] [--insecure] [--format json]

fetch-cert shows the certificate chain the domain controller presents
(subject, issuer, names, expiry, SHA-256 and SHA-1 thumbprint) and saves the
one to trust. Nothing vouches for a certificate fetched this way (trust on
first use): compare its thumbprint with the DC's own before you rely on it.
With --keystore it is also added to the AD keystore under alias
mydomaincontroller (a new JKS when the file does not exist; an existing one
is backed up first).

test is the SSO step's live check (check --only sso.ldap) on its own. It
connects the way ECE will — TLS verified with ONLY the keystore's
certificates, rootDSE, bind, user lookup by userPrincipalName, referrals —
and reports each stage with its timing and, on failure, the fix. It reads
the sso answers of ./ccewiz.yaml (or --answers) when there is one; each
flag given replaces that answer for this run (nothing is saved). The
password is never printed. --ca-file and --insecure are for diagnosis
only: ECE trusts the keystore and nothing else. Exit code 1 when a stage
fails, and always with --insecure.

Examples:
  ccewiz ldap fetch-cert --addr dc1.example.local:636 --out domainctl.cer
  ccewiz ldap fetch-cert --addr dc1.example.local:636 --out domainctl.cer --trust ca --keystore mydomain.jks --storepass-env AD_STOREPASS
  ccewiz ldap test --url ldaps://gc1.example.local:3269 --bind-dn "CN=pcceadmin,CN=Users,DC=example,DC=local" \
      --password-env LDAP_PASSWORD --keystore mydomain.jks --storepass-env AD_STOREPASS --user admin1@example.local
  ccewiz ldap test --answers ccewiz.yaml --user admin2@example.local`,
		flags:   f.declare,
		actions: []string{"fetch-cert", "test"},
		actionFlags: map[string][]string{
			"fetch-cert": {"addr", "out", "trust", "starttls", "keystore", "storepass-env", "storepass-file", "format", "timeout"},
			"test": {"url", "bind-dn", "password-env", "password-file", "base", "dn-attribute", "user", "keystore", "storepass-env", "storepass-file",
				"ca-file", "insecure", "format", "timeout"},
		},
		run: func(ctx context.Context, g *globals, args []string) error {
			action, positional := args[0], args[1:]
			if err := noArgs(positional); err != nil {
				return err
			}
			if err := oneOf("format", f.format, "text", "json"); err != nil {
				return err
			}
			if f.timeout <= 0 {
				return usagef("--timeout must be positive")
			}
			// The answers file's resolve section applies when there is one;
			// these actions need nothing else from it.
			env, err := loadAnswersOrNew(g)
			if err != nil {
				return err
			}
			env.Timeout = f.timeout
			if action == "fetch-cert" {
				return ldapFetchCert(ctx, g, env, &f)
			}
			return ldapTest(ctx, g, env, &f)
		},
	})
}

// ldapSecret reads a password from its --x-env/--x-file pair, or asks on a
// terminal; label names it.
func ldapSecret(g *globals, prefix, envName, file, label string) (secret.Secret, error) {
	s, ask, err := flagSecret(g, prefix, envName, file, label)
	if err != nil || !s.IsZero() {
		return s, err
	}
	if ask == nil {
		return secret.Secret{}, usagef("%s: give --%s-env VAR or --%s-file FILE", label, prefix, prefix)
	}
	s, err = ask(label)
	return s, steps.BadInput(err)
}

func ldapFetchCert(ctx context.Context, g *globals, env *steps.Env, f *ldapFlags) error {
	if f.addr == "" {
		return usagef("--addr HOST:PORT is required, e.g. dc1.example.local:636")
	}
	if f.out == "" && f.keystore == "" {
		return usagef("--out FILE (and/or --keystore FILE) is required: say where the certificate goes")
	}
	if err := checkHostPort("--addr", f.addr); err != nil {
		return err
	}
	if fi, err := os.Stat(f.out); f.out != "" && err == nil && fi.IsDir() {
		return usagef("--out %s is a folder; give the file the certificate goes into, e.g. %s", f.out, filepath.Join(f.out, "domainctl.cer"))
	}
	if f.trust != ldapcfg.TrustLeaf && f.trust != ldapcfg.TrustCA {
		return usagef("--trust %q: choose leaf or ca", f.trust)
	}
	var storepass secret.Secret
	var old []byte
	if f.keystore != "" {
		var err error
		if storepass, err = ldapSecret(g, "storepass", f.storeEnv, f.storeFile, "AD keystore password"); err != nil {
			return err
		}
		if old, err = safefile.Read(f.keystore, safefile.MaxKeystore); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return steps.BadInput(fmt.Errorf("keystore %s: %w", f.keystore, err))
		}
	}
	got, err := ldapcfg.FetchCert(ctx, f.addr, ldapcfg.FetchOptions{Dial: env.Dial, Timeout: f.timeout, StartTLS: f.startTLS})
	if err != nil {
		return err
	}
	chosen, err := ldapcfg.Pick(got.Chain, f.trust)
	if err != nil {
		return steps.BadInput(err)
	}
	// Work everything out before the first write, so bad input writes nothing.
	var plan *certs.ImportPlan
	if f.keystore != "" {
		if plan, err = ldapcfg.PlanKeystore(old, storepass, chosen); err != nil {
			return steps.BadInput(fmt.Errorf("keystore %s: %w", f.keystore, err))
		}
	}
	type written struct {
		Path   string `json:"path"`
		Backup string `json:"backup,omitempty"`
		What   string `json:"what"`
	}
	var done []written
	if f.out != "" {
		res, err := safefile.Replace(f.out, certs.CertPEM(chosen), safefile.Options{Perm: 0o644, Verify: certs.VerifyCertPEM(chosen)})
		if err != nil {
			return fmt.Errorf("save the certificate: %w", err)
		}
		done = append(done, written{res.Path, res.Backup, "Base-64 X.509 certificate to trust"})
	}
	if plan != nil && !plan.NothingToDo() {
		res, err := safefile.Replace(f.keystore, plan.Data, safefile.Options{Perm: 0o644, Verify: plan.Verify})
		if err != nil {
			return fmt.Errorf("save the AD keystore: %w", err)
		}
		done = append(done, written{res.Path, res.Backup, "AD keystore (JKS), alias " + ldapcfg.KeystoreAlias})
	}
	if f.format == "json" {
		return writeJSON(g.stdout, struct {
			*ldapcfg.Fetched
			Trust   string         `json:"trust"`
			Trusted certs.CertInfo `json:"trusted"`
			Written []written      `json:"written"`
			Changes []certs.Change `json:"keystore_changes,omitempty"`
		}{got, f.trust, certs.Describe(chosen), done, planChanges(plan)})
	}
	w := g.stdout
	fmt.Fprintf(w, "%s presented %d certificate(s) over %s (%s):\n", got.Addr, len(got.Chain), got.Mode, got.TLS)
	writeCerts(w, got.Certs, func(i int) string { return map[bool]string{true: "DC certificate", false: "issuer"}[i == 0] })
	fmt.Fprintf(w, "\nNOTE: %s.\n\n", got.Notice)
	fmt.Fprintf(w, "trusting the %s: %s (SHA-256 %s)\n", map[string]string{ldapcfg.TrustLeaf: "DC's own certificate", ldapcfg.TrustCA: "issuing CA"}[f.trust],
		steps.PrintableLine(chosen.Subject.String()), certs.Fingerprint(chosen.Raw))
	if plan != nil && plan.NothingToDo() {
		fmt.Fprintf(w, "%s already trusts it; unchanged\n", f.keystore)
	}
	for _, d := range done {
		line := fmt.Sprintf("wrote %s  (%s)", d.Path, d.What)
		if d.Backup != "" {
			line += ", previous version kept as " + d.Backup
		}
		fmt.Fprintln(w, line)
	}
	if f.keystore == "" && f.out != "" {
		fmt.Fprintf(w, "next: build the AD keystore from it (add --keystore FILE, or: keytool -import -trustcacerts -alias %s -file %s -keystore c:\\ece\\pcce\\mydomain.jks),\n      ", ldapcfg.KeystoreAlias, filepath.Base(f.out))
	} else {
		fmt.Fprint(w, "next: ")
	}
	fmt.Fprintf(w, "copy the keystore to the same path on every ECE application server, and prove it with `ccewiz ldap test`\n")
	return nil
}

func planChanges(p *certs.ImportPlan) []certs.Change {
	if p == nil {
		return nil
	}
	return p.Changes
}

// ldapTest is the SSO step's live check (sso.ldap) run on its own: the
// flags are the sso answers for this run (saved nowhere: a test writes
// nothing), so it gives the verdict `ccewiz check --only sso.ldap` gives,
// with every stage shown. --ca-file and --insecure are the diagnostic's
// own: they trust something else than the keystore ECE will use.
func ldapTest(ctx context.Context, g *globals, env *steps.Env, f *ldapFlags) error {
	if f.keystore != "" && f.ca != "" {
		return usagef("--keystore and --ca-file both given: choose one")
	}
	flagOf := map[string]string{"sso.ldap_url": "--url", "sso.bind_dn": "--bind-dn", "sso.base": "--base", "sso.dn_attribute": "--dn-attribute",
		"sso.test_user": "--user", "sso.keystore_file": "--keystore"}
	set := map[string]string{}
	for key, v := range map[string]string{"sso.ldap_url": f.url, "sso.bind_dn": f.bindDN, "sso.base": f.base,
		"sso.dn_attribute": f.dnAttr, "sso.test_user": f.user, "sso.keystore_file": absPath(f.keystore)} {
		if v != "" {
			set[key] = v
		}
	}
	if err := secretSet(set, "sso.bind_password", "password", f.passEnv, f.passFile); err != nil {
		return err
	}
	if err := secretSet(set, "sso.keystore_password", "storepass", f.storeEnv, f.storeFile); err != nil {
		return err
	}
	if err := bindFields(g, env, set, flagOf); err != nil {
		return err
	}
	sso := ece.SSOOf(env.Answers)
	if strings.TrimSpace(sso.LDAPURL) == "" {
		return usagef("no LDAP URL: give --url (e.g. ldaps://gc1.example.local:3269), or --answers FILE whose sso.ldap_url is set")
	}
	if f.url != "" {
		// The URL typed here is what ECE gets; its scheme says whether SSL is on.
		if ep, err := ldapcfg.ParseURL(f.url); err == nil {
			sso.SSLEnabled = ep.TLS
		}
	}
	var o ece.LiveOptions
	o.Insecure = f.insecure
	if f.ca != "" {
		anchors, err := readAnchors(f.ca)
		if err != nil {
			return err
		}
		o.Roots, o.RootsName = anchors, filepath.Base(f.ca)
	}
	if f.insecure {
		fmt.Fprintf(g.stderr, "WARNING: --insecure: %s.\n", ldapcfg.InsecureWarning)
	}
	live, bad := ece.TestLDAP(ctx, env, o)
	if bad != nil {
		msg := bad.Detail
		if !strings.Contains(msg, bad.Fix) {
			msg += "; " + bad.Fix
		}
		// The answers' keys, said as this command's flags.
		for _, kf := range [][2]string{{"sso.bind_password", "--password-env VAR or --password-file FILE"},
			{"sso.keystore_password", "--storepass-env VAR or --storepass-file FILE"}} {
			if strings.Contains(msg, kf[0]) {
				msg += " (here: " + kf[1] + ")"
			}
		}
		return steps.BadInput(errors.New(msg))
	}
	rep := live.Report
	// Only what a live test can see is judged here; the keystore location
	// and the SSL tick live in ECE (`ccewiz check --only sso` judges them).
	var problems ldapcfg.Problems
	for _, p := range live.Settings.Validate() {
		if p.Field != ldapcfg.FieldKeystore && p.Field != ldapcfg.FieldSSL && p.Field != ldapcfg.FieldPassword {
			problems = append(problems, p)
		}
	}
	if f.format == "json" {
		if err := writeJSON(g.stdout, struct {
			Status   ldapcfg.Status   `json:"status"`
			Settings ldapcfg.Settings `json:"settings"`
			Problems ldapcfg.Problems `json:"problems"`
			Report   *ldapcfg.Report  `json:"report"`
		}{rep.Status(), live.Settings, problems, rep}); err != nil {
			return err
		}
	} else {
		writeLDAPReport(g.stdout, rep, problems)
	}
	if rep.Status() == ldapcfg.Fail || f.insecure {
		return errReported
	}
	return nil
}

func writeLDAPReport(w io.Writer, rep *ldapcfg.Report, problems ldapcfg.Problems) {
	fmt.Fprintf(w, "LDAP test of %s\n", rep.URL)
	if rep.Insecure {
		fmt.Fprintf(w, "  !! %s\n", ldapcfg.InsecureWarning)
	}
	for _, s := range rep.Stages {
		// Details quote the directory server's own messages.
		fmt.Fprintf(w, "  %-4s  %-9s %6s  %s\n", s.Status, s.Name, fmt.Sprintf("%dms", s.Millis), steps.Printable(s.Detail))
		if s.Fix != "" && s.Status != ldapcfg.Pass {
			fmt.Fprintf(w, "                          fix: %s\n", steps.Printable(s.Fix))
		}
	}
	for _, p := range problems {
		fmt.Fprintf(w, "  %-7s %s\n", p.Severity, p.Error())
	}
	fmt.Fprintf(w, "result: %s\n", rep.Status())
}
