package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"ccewiz/certs"
	"ccewiz/safefile"
	"ccewiz/secret"
	"ccewiz/steps"
	"ccewiz/steps/ece"
)

// keystoreFlags are the flags of `ccewiz keystore list|import`; each action
// ignores the ones it does not use.
type keystoreFlags struct {
	keystore, cert, alias, storetype string
	passEnv, passFile, format        string
	forStep, server                  string
	ca, create, replace, dryRun      bool
}

func (f *keystoreFlags) declare(fs *flag.FlagSet) {
	*f = keystoreFlags{} // a run starts from the defaults: list flags (fs.Var) keep no value of an earlier run
	fs.StringVar(&f.keystore, "keystore", "", "the Java key store `file` (JKS or PKCS#12), e.g. %JAVA_HOME%\\lib\\security\\cacerts")
	fs.StringVar(&f.cert, "cert", "", "import: the certificate `file` (PEM, DER or .p7b; a chain in any order)")
	fs.StringVar(&f.alias, "alias", "", "import: the `alias` (default: self-signed → its CN, which should be the ECE FQDN; CA-signed → each CA's CN in lower case)")
	fs.BoolVar(&f.ca, "ca", false, "import: every certificate in the file is a CA to trust (a root or intermediate file on its own)")
	fs.BoolVar(&f.create, "create", false, "import: create the key store when the file does not exist")
	fs.StringVar(&f.storetype, "storetype", "", "import --create: `type` of a new store, JKS (the default) or PKCS12")
	fs.BoolVar(&f.replace, "replace", false, "import: overwrite an alias that holds a different certificate")
	fs.BoolVar(&f.dryRun, "dry-run", false, "import: show what would change, write nothing")
	fs.StringVar(&f.passEnv, "storepass-env", "", "the key store password from this environment `variable`")
	fs.StringVar(&f.passFile, "storepass-file", "", "the key store password from the first line of this `file`")
	fs.StringVar(&f.format, "format", "text", "output `format`, text or json")
	fs.StringVar(&f.forStep, "for", "", "import: run the ECE flow's `step` instead — trust (this ADS's cacerts, step 4.1) or sso (the AD keystore, step 2) — recording what it writes")
	fs.StringVar(&f.server, "server", "", "import --for trust: the Admin Data Server whose cacerts --keystore is, e.g. aw1a.example.com")
}

func init() {
	var f keystoreFlags
	register(&command{
		name:    "keystore",
		summary: "Java key stores: list, and import the ECE or AD certificate like keytool, safely (steps 2.1 and 4.1)",
		usage: `Usage: ccewiz keystore list --keystore FILE [--storepass-env VAR | --storepass-file F] [--format json]
       ccewiz keystore import --keystore FILE --cert FILE [--alias A] [--ca] [--create [--storetype JKS|PKCS12]]
                              [--replace] [--dry-run] [--storepass-env VAR | --storepass-file F] [--format json]
       ccewiz keystore import --for trust --server ADS --keystore FILE [--cert FILE] [--dry-run] [--storepass-env VAR | --storepass-file F]
       ccewiz keystore import --for sso --keystore FILE [--cert FILE] [--dry-run] [--storepass-env VAR | --storepass-file F]

Opens a JKS or PKCS#12 store (the type is read from the file), checks its
integrity with the password before anything else, and lists or imports.
import follows Cisco's guide: a self-signed certificate is trusted itself
(alias = its CN, the ECE FQDN); from a CA-signed chain the root, then each
intermediate (alias = the CA's CN in lower case), never the server's own
certificate. A certificate already in the store (under any alias) changes
nothing. The new version is re-opened to prove every old entry survived
(entries Java wrote are copied byte for byte), the file is backed up
(cacerts.ccewiz-YYYYMMDD-HHMMSS.bak), replaced atomically with its mode
kept, and read back.

Without a password flag, a file named cacerts is opened with the JDK default
changeit (with a warning); otherwise you are asked on a terminal.
A wrong password exits 2 and leaves the file untouched.

--for makes import a step of the ECE flow, with the answers file
(./ccewiz.yaml or --answers; created when missing): the flags become that
step's answers — --for trust: --server=--keystore joins trust.stores, --cert
is trust.cert_files (default: the certificate step's files), the password
source is trust.password; --for sso: --keystore is sso.keystore_file, --cert
sso.dc_cert_file (default: fetched from the DC), the password source
sso.keystore_password — and the step runs as ` + "`ccewiz apply --step`" + ` would: the
same plan, the files written recorded (with their backups) for the report,
then the step's checks. The step names the entries as Cisco's guide does,
so --alias, --ca, --create, --storetype, --replace and --format are the
by-hand import's only.

Examples:
  ccewiz keystore list --keystore "C:\Program Files\Java\jre\lib\security\cacerts"
  ccewiz keystore import --keystore cacerts --cert certs/ece.example.com.cer
  ccewiz keystore import --keystore cacerts --cert certnew.p7b --storepass-env CACERTS_PASS
  ccewiz keystore import --keystore C:\ece\pcce\mydomain.jks --create --alias mydomaincontroller --cert domainctl.crt --storepass-env AD_KEYSTORE_PASS
  ccewiz keystore import --for trust --server aw1a.example.com --keystore "C:\Program Files\Java\jre\lib\security\cacerts"
  ccewiz keystore import --for sso --keystore C:\ece\pcce\mydomain.jks --cert domainctl.cer --storepass-env AD_KEYSTORE_PASS`,
		flags:   f.declare,
		actions: []string{"list", "import"},
		actionFlags: map[string][]string{
			"list":   {"keystore", "storepass-env", "storepass-file", "format"},
			"import": {"keystore", "cert", "alias", "ca", "create", "storetype", "replace", "dry-run", "storepass-env", "storepass-file", "format", "for", "server"},
		},
		run: func(ctx context.Context, g *globals, args []string) error {
			action, positional := args[0], args[1:]
			if err := noArgs(positional); err != nil {
				return err
			}
			if err := oneOf("format", f.format, "text", "json"); err != nil {
				return err
			}
			if f.keystore == "" {
				return usagef("--keystore is required")
			}
			if action == "list" {
				return keystoreList(g, &f)
			}
			if f.forStep != "" {
				return keystoreImportStep(ctx, g, &f)
			}
			if f.server != "" {
				return usagef("--server is for --for trust: say which step the import is (--for trust), or drop --server")
			}
			return keystoreImport(g, &f)
		},
	})
}

// keystorePassword resolves --storepass-env/--storepass-file; for a file
// named cacerts it falls back to the JDK default, as every ADS has it.
func keystorePassword(g *globals, f *keystoreFlags) (secret.Secret, error) {
	s, ask, err := flagSecret(g, "storepass", f.passEnv, f.passFile, "key store password")
	if err != nil || !s.IsZero() {
		return s, err
	}
	if strings.EqualFold(filepath.Base(strings.ReplaceAll(f.keystore, `\`, "/")), "cacerts") {
		fmt.Fprintf(g.stderr, "ccewiz keystore: warning: no password given; trying the JDK default %q for cacerts (use --storepass-env or --storepass-file if it was changed)\n", ece.DefaultCacertsPassword)
		return secret.New(ece.DefaultCacertsPassword), nil
	}
	if ask != nil {
		return ask("Key store password for " + f.keystore)
	}
	return secret.Secret{}, usagef("no key store password: pass --storepass-env VAR or --storepass-file FILE")
}

// keystoreErr sorts errors into bad input (exit 2: wrong password, not a
// store, alias taken, unusable certificate file) and failures (exit 1).
// err already names the store.
func keystoreErr(err error) error {
	var taken *certs.AliasTakenError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, certs.ErrWrongPassword), errors.Is(err, certs.ErrNotKeystore),
		errors.Is(err, certs.ErrUnsupported), errors.Is(err, certs.ErrNeedCA), errors.As(err, &taken),
		errors.Is(err, os.ErrNotExist):
		return steps.BadInput(fmt.Errorf("%w; the file was not changed", err))
	}
	return err
}

func keystoreList(g *globals, f *keystoreFlags) error {
	data, err := safefile.Read(f.keystore, safefile.MaxKeystore)
	if err != nil {
		return steps.BadInput(fmt.Errorf("read keystore: %w", err))
	}
	pw, err := keystorePassword(g, f)
	if err != nil {
		return err
	}
	ks, err := certs.OpenKeystore(data, pw.Bytes())
	if err != nil {
		return keystoreErr(fmt.Errorf("keystore %s: %w", f.keystore, err))
	}
	entries := ks.Entries()
	if f.format == "json" {
		return writeJSON(g.stdout, struct {
			Keystore     string        `json:"keystore"`
			Kind         certs.Kind    `json:"kind"`
			Passwordless bool          `json:"passwordless,omitempty"`
			Count        int           `json:"count"`
			Entries      []certs.Entry `json:"entries"`
		}{f.keystore, ks.Kind(), ks.Passwordless(), len(entries), entries})
	}
	fmt.Fprintf(g.stdout, "Keystore %s (%s%s), %d entries\n\n", f.keystore, ks.Kind(), map[bool]string{true: ", no password", false: ""}[ks.Passwordless()], len(entries))
	now := time.Now()
	for _, e := range entries {
		exp := "expires " + e.NotAfter.Format(time.DateOnly)
		if !e.NotAfter.IsZero() && now.After(e.NotAfter) {
			exp = "EXPIRED " + e.NotAfter.Format(time.DateOnly)
		}
		// Aliases and names are the store's text, not ours.
		fmt.Fprintf(g.stdout, "%s  %s  %s\n  subject %s\n  issuer  %s\n  SHA-256 %s\n", steps.PrintableLine(e.Alias), e.Type, exp,
			steps.PrintableLine(e.Subject), steps.PrintableLine(e.Issuer), e.SHA256)
	}
	return nil
}

func keystoreImport(g *globals, f *keystoreFlags) error {
	if f.cert == "" {
		return usagef("--cert is required: the certificate file to trust")
	}
	kind := certs.Kind(strings.ToUpper(cmp.Or(f.storetype, string(certs.JKS))))
	if kind != certs.JKS && kind != certs.PKCS12 {
		return usagef("--storetype %q: choose JKS or PKCS12", f.storetype)
	}
	bundle, err := certs.ReadBundleFiles(f.cert)
	if err != nil {
		return steps.BadInput(err)
	}
	pw, err := keystorePassword(g, f)
	if err != nil {
		return err
	}
	if _, serr := os.Stat(f.keystore); f.create && serr != nil && len(pw.Bytes()) < 6 {
		return usagef("a new key store's password must have at least 6 characters: keytool and Java refuse shorter ones")
	}
	opts := certs.ImportOptions{Alias: f.alias, CA: f.ca, Replace: f.replace, Create: f.create, Kind: kind, DryRun: f.dryRun,
		Lock: safefile.LockOptions{Notify: func(m string) { fmt.Fprintln(g.stderr, m) }}}
	res, err := certs.ImportFile(f.keystore, pw.Bytes(), bundle.Certs, opts)
	if err != nil {
		// ImportFile's errors start with "keystore <path>".
		return keystoreErr(err)
	}
	if f.format == "json" {
		return writeJSON(g.stdout, res)
	}
	w := g.stdout
	switch {
	case f.dryRun:
		fmt.Fprintf(w, "Dry run, nothing written: %s (%s) would go from %d to %d entries\n", res.Path, res.Kind, res.Before, res.After)
	case res.Created:
		fmt.Fprintf(w, "Created %s (%s) with %d entries\n", res.Path, res.Kind, res.After)
	case res.Written:
		fmt.Fprintf(w, "Updated %s (%s): %d → %d entries\n", res.Path, res.Kind, res.Before, res.After)
	default:
		fmt.Fprintf(w, "Nothing to do in %s (%s, %d entries): every certificate is already trusted\n", res.Path, res.Kind, res.Before)
	}
	for _, ch := range res.Changes {
		alias, subject := steps.PrintableLine(ch.Alias), steps.PrintableLine(ch.Subject)
		switch ch.Action {
		case certs.Present:
			fmt.Fprintf(w, "  = %s already present as %q\n", subject, ch.PresentAs)
		case certs.Replace:
			fmt.Fprintf(w, "  ~ %s replaced: %s\n    SHA-256 %s\n", alias, subject, ch.SHA256)
		default:
			fmt.Fprintf(w, "  + %s: %s\n    SHA-256 %s\n", alias, subject, ch.SHA256)
		}
	}
	if res.Backup != "" {
		fmt.Fprintf(w, "Backup of the previous version: %s\n", res.Backup)
	}
	if res.Written {
		fmt.Fprintln(w, "Next: restart the Java program that uses it (for cacerts on an Admin Data Server: the Apache Tomcat service), and copy it to every server that needs it.")
	}
	return nil
}

// keystoreImportStep is import --for: the trust or SSO step with the
// flags as its answers, run through the engine like apply --step.
func keystoreImportStep(ctx context.Context, g *globals, f *keystoreFlags) error {
	for _, o := range []struct {
		flag string
		set  bool
	}{{"alias", f.alias != ""}, {"ca", f.ca}, {"create", f.create}, {"storetype", f.storetype != ""}, {"replace", f.replace}, {"format", f.format != "text"}} {
		if o.set {
			return usagef("--%s cannot be used with --for %s: the step names and creates its entries as Cisco's guide does and prints its plan and checks; drop --for to import by hand", o.flag, f.forStep)
		}
	}
	set := map[string]string{}
	switch f.forStep {
	case "trust":
		if err := secretSet(set, "trust.password", "storepass", f.passEnv, f.passFile); err != nil {
			return err
		}
		if f.cert != "" {
			set["trust.cert_files"] = absPath(f.cert)
		}
		store := absPath(f.keystore)
		return runStepWith(ctx, g, "trust", func(env *steps.Env) (map[string]string, error) {
			server := f.server
			stores := ece.TrustOf(env.Answers).Stores
			var items []string
			for _, s := range stores {
				if server == "" && s.Path != "" && absPath(env.Path(s.Path)) == store {
					server = s.Server // the answers know this store already
				}
			}
			for _, s := range stores {
				if !strings.EqualFold(s.Server, server) {
					items = append(items, strings.TrimSuffix(s.Server+"="+s.Path, "="))
				}
			}
			if server == "" {
				return nil, usagef("--for trust needs --server ADS: the Admin Data Server whose cacerts %s is (profile.admin_data_servers lists %s)", f.keystore, cmp.Or(joinList(ece.ProfileOf(env.Answers).AdminDataServers), "none yet"))
			}
			set["trust.stores"] = joinList(append(items, server+"="+store))
			return set, nil
		}, f.dryRun)
	case "sso":
		set["sso.keystore_file"] = absPath(f.keystore)
		if f.cert != "" {
			set["sso.dc_cert_file"] = absPath(f.cert)
		}
		if err := secretSet(set, "sso.keystore_password", "storepass", f.passEnv, f.passFile); err != nil {
			return err
		}
		return runStep(ctx, g, "sso", set, f.dryRun)
	}
	return usagef("--for %q: choose trust (an ADS's cacerts, step 4.1) or sso (the AD keystore, step 2)", f.forStep)
}
