package main

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"ccewiz/certs"
	"ccewiz/safefile"
	"ccewiz/secret"
	"ccewiz/steps"
)

// listFlag is a repeatable flag that also takes comma-separated values.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

// Set takes one value, or several separated by commas; nothing else
// separates, so a value with any other character is refused whole.
func (l *listFlag) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*l = append(*l, p)
		}
	}
	return nil
}

// certFlags are the flags of every `ccewiz cert` action; each action uses
// its own subset and refuses none of the others (they are simply unused).
type certFlags struct {
	cn, o, ou, l, st, c         string
	sans, chain, webServers     listFlag
	keySize, days               int
	out, key, cert, name        string
	addr, caFile, format        string
	pfxPassEnv, pfxPassFile     string
	timeout                     time.Duration
	keystore, java              string
	storepassEnv, storepassFile string
}

func (f *certFlags) declare(fs *flag.FlagSet) {
	*f = certFlags{} // a run starts from the defaults: list flags (fs.Var) keep no value of an earlier run
	fs.StringVar(&f.cn, "cn", "", "the ECE `FQDN` users type (the certificate's common name)")
	fs.Var(&f.sans, "san", "an extra DNS `name` (repeat, or comma-separate); the CN is always included")
	fs.IntVar(&f.keySize, "key-size", certs.DefaultKeySize, "RSA key `bits`: 2048, 3072 or 4096")
	fs.IntVar(&f.days, "days", int(certs.DefaultValidity.Hours()/24), "selfsigned: validity in `days` (at most 825)")
	fs.StringVar(&f.o, "o", "", "csr: organization (O)")
	fs.StringVar(&f.ou, "ou", "", "csr: organizational unit (OU)")
	fs.StringVar(&f.l, "l", "", "csr: locality / city (L)")
	fs.StringVar(&f.st, "st", "", "csr: state or province (ST), spelled out")
	fs.StringVar(&f.c, "c", "", "csr: two-letter country code (C), e.g. US")
	fs.StringVar(&f.out, "out", "", "`folder` for the files written (created if missing)")
	fs.StringVar(&f.key, "key", "", "complete: the private key `file` saved beside the CSR")
	fs.StringVar(&f.cert, "cert", "", "complete: the signed certificate `file` the CA returned (PEM, DER or .p7b)")
	fs.Var(&f.chain, "chain", "complete: CA certificate `file`s (repeat; any format and order)")
	fs.StringVar(&f.name, "name", "", "complete/inspect/probe: the `FQDN` that must be in the certificate (default: its CN, or the host of --addr)")
	fs.Var(&f.webServers, "web-server", "selfsigned/complete: web server `FQDN` to write an IIS binding script for (repeat; default: the CN)")
	fs.StringVar(&f.addr, "addr", "", "probe: `host:port` of the ECE web server, e.g. ece.example.com:443")
	fs.StringVar(&f.caFile, "ca-file", "", "inspect/probe: trusted root CA `file` (default: this machine's roots)")
	fs.StringVar(&f.format, "format", "text", "inspect/probe: output `format`, text or json")
	fs.StringVar(&f.keystore, "keystore", "", "probe: the Java trust store (an ADS's cacerts) to judge the server with, as that Java would")
	fs.StringVar(&f.java, "java", "17", "probe: the Java that judges: 17, 8, or a JAVA_HOME `folder` whose java.security is read")
	fs.StringVar(&f.storepassEnv, "storepass-env", "", "probe: the --keystore password from this environment `variable` (default changeit)")
	fs.StringVar(&f.storepassFile, "storepass-file", "", "probe: the --keystore password from the first line of this `file`")
	fs.DurationVar(&f.timeout, "timeout", 5*time.Second, "probe: time limit")
	fs.StringVar(&f.pfxPassEnv, "pfx-pass-env", "", "PFX password from this environment `variable`")
	fs.StringVar(&f.pfxPassFile, "pfx-pass-file", "", "PFX password from the first line of this `file`")
}

func init() {
	var f certFlags
	register(&command{
		name:    "cert",
		summary: "the ECE web server certificate: selfsigned, csr, complete, inspect, probe (step 1)",
		usage: `Usage: ccewiz cert selfsigned --cn FQDN [--san NAME]... [--key-size N] [--days N] --out DIR [--pfx-pass-env VAR]
       ccewiz cert csr --cn FQDN [--san NAME]... --o ORG --ou UNIT --l CITY --st STATE --c CC --out DIR
       ccewiz cert complete --key FILE --cert FILE [--chain FILE]... --out DIR --pfx-pass-env VAR
       ccewiz cert inspect FILE... [--name FQDN] [--format json]
       ccewiz cert probe --addr HOST:PORT [--name FQDN] [--ca-file ROOT] [--format json]

Files written to --out: <fqdn>.key (private key, mode 0600), <fqdn>.csr,
<fqdn>.crt (PEM, with the chain), <fqdn>.cer (Base-64 X.509 for the ADS
import), <fqdn>.pfx (key + chain for IIS) and iis-binding-<host>.ps1 per web
server. An existing file is backed up (<name>.ccewiz-YYYYMMDD-HHMMSS.bak)
and replaced atomically, never overwritten in place.

selfsigned and csr are the wizard's certificate step (the same plan and
checks): a current key is kept — a new self-signed key would have to be
imported into every ADS again, and a request waiting at the CA only works
with its own key — and what they write is recorded in the answers file
(--answers, created when missing) for the report. The flags given become its
answers; what they leave out comes from there. --out defaults to certs/ next
to the answers file.

The PFX is encrypted with 3DES/SHA-1 (go-pkcs12 LegacyDES) because Windows
Server 2016 cannot import AES-256 (PBES2) PFX files; keep its password strong
and delete the PFX from where it is not needed.

probe connects without SNI (as SPOG does) and with SNI and reports both
certificates; exit code 1 when SPOG would fail (name, expiry, chain, SNI).
With --keystore (or --ca-file) it also makes Java's own handshake — only
the protocols and suites that Java (--java 17, 8, or a JAVA_HOME) enables —
and gives Java's TrustManager verdict with that store: the one SPOG gets.
Flags go before or after the action's arguments; each action takes only its own.

Examples:
  ccewiz cert selfsigned --cn ece.example.com --san chat.example.com --out certs --pfx-pass-env ECE_PFX_PASSWORD
  ccewiz cert csr --cn ece.example.com --o "Example Corp" --ou "Contact Center" --l Springfield --st Illinois --c US --out certs
  ccewiz cert complete --key certs/ece.example.com.key --cert certnew.cer --chain certnew.p7b --out certs --pfx-pass-file pfx.txt
  ccewiz cert inspect certnew.p7b --name ece.example.com
  ccewiz cert probe --addr ece.example.com:443 --format json
  ccewiz cert probe --addr ece.example.com:443 --keystore '\\aw1a\c$\Program Files\Java\jre\lib\security\cacerts' --java 8`,
		flags:   f.declare,
		actions: []string{"selfsigned", "csr", "complete", "inspect", "probe"},
		actionFlags: map[string][]string{
			"selfsigned": {"cn", "san", "key-size", "days", "o", "ou", "l", "st", "c", "out", "web-server", "pfx-pass-env", "pfx-pass-file"},
			"csr":        {"cn", "san", "key-size", "o", "ou", "l", "st", "c", "out"},
			"complete":   {"key", "cert", "chain", "name", "web-server", "out", "pfx-pass-env", "pfx-pass-file"},
			"inspect":    {"name", "ca-file", "format", "pfx-pass-env", "pfx-pass-file"},
			"probe":      {"addr", "name", "ca-file", "format", "timeout", "keystore", "java", "storepass-env", "storepass-file"},
		},
		run: func(ctx context.Context, g *globals, args []string) error {
			action, positional := args[0], args[1:]
			if err := oneOf("format", f.format, "text", "json"); err != nil {
				return err
			}
			if action != "inspect" {
				if err := noArgs(positional); err != nil {
					return err
				}
			}
			switch action {
			case "selfsigned", "csr":
				return certByStep(ctx, g, &f, action)
			case "complete":
				return certComplete(g, &f)
			case "inspect":
				if len(positional) == 0 {
					return usagef("say which file: ccewiz cert inspect FILE... (-- before a name that starts with -)")
				}
				// Each file in turn (JSON: one document each); exit 1 when any has an error.
				var failed bool
				for i, file := range positional {
					if len(positional) > 1 && f.format != "json" {
						if i > 0 {
							fmt.Fprintln(g.stdout)
						}
						fmt.Fprintf(g.stdout, "== %s\n", steps.PrintableLine(file))
					}
					err := certInspect(g, &f, file)
					switch {
					case errors.Is(err, errReported):
						failed = true
					case err != nil:
						return err
					}
				}
				if failed {
					return errReported
				}
				return nil
			case "probe":
				return certProbe(ctx, g, &f)
			}
			panic("unreachable: the parser knows the actions")
		},
	})
}

func (f *certFlags) request() certs.Request {
	return certs.Request{CN: strings.TrimSpace(f.cn), SANs: f.sans, O: f.o, OU: f.ou, L: f.l, ST: f.st, C: f.c,
		KeySize: f.keySize, Validity: time.Duration(f.days) * 24 * time.Hour}
}

// pfxPassword returns the PFX password from --pfx-pass-env/--pfx-pass-file,
// or asks twice on a terminal. required=false returns a zero Secret when
// nobody can be asked (the PFX is then skipped).
func pfxPassword(g *globals, f *certFlags, required bool) (secret.Secret, error) {
	s, ask, err := flagSecret(g, "pfx-pass", f.pfxPassEnv, f.pfxPassFile, "PFX password")
	if err != nil || !s.IsZero() {
		return s, err
	}
	if ask == nil {
		if required {
			return secret.Secret{}, usagef("the PFX needs a password: give --pfx-pass-env VAR or --pfx-pass-file FILE")
		}
		return secret.Secret{}, nil
	}
	s1, err := ask("PFX password (protects the private key on its way to IIS)")
	if err != nil {
		return secret.Secret{}, steps.BadInput(err)
	}
	s2, err := ask("PFX password again")
	if err != nil {
		return secret.Secret{}, steps.BadInput(err)
	}
	if s1.Reveal() != s2.Reveal() {
		return secret.Secret{}, steps.BadInput(errors.New("the two PFX passwords differ; nothing was written"))
	}
	return s1, nil
}

// outFile is one file an action writes.
type outFile struct {
	name      string
	data      []byte
	sensitive bool
	verify    func([]byte) error
	what      string
}

// writeOut writes files into dir through safefile (backup, temp, fsync,
// rename, re-read) and lists what it did. Everything is computed before
// the first write, so bad input writes nothing.
func writeOut(g *globals, dir string, files []outFile) error {
	if dir == "" {
		return usagef("--out FOLDER is required")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create output folder: %w", err)
	}
	for _, o := range files {
		p := filepath.Join(dir, o.name)
		perm := fs.FileMode(0o644)
		if o.sensitive {
			perm = 0o600
		}
		// Private: a key must never stay world-readable because an older
		// file at the same path was.
		res, err := safefile.Replace(p, o.data, safefile.Options{Perm: perm, Private: o.sensitive, Verify: o.verify})
		if err != nil {
			return fmt.Errorf("save %s: %w", o.what, err)
		}
		line := fmt.Sprintf("wrote %s  (%s)", p, o.what)
		if res.Backup != "" {
			line += ", previous version kept as " + res.Backup
		}
		fmt.Fprintln(g.stdout, line)
	}
	return nil
}

func certFiles(base string, chain *certs.Chain) []outFile {
	all := chain.Certs()
	return []outFile{
		{name: base + ".crt", data: certs.CertPEM(all...), what: "certificate and chain, PEM", verify: certs.VerifyCertPEM(all...)},
		{name: base + ".cer", data: certs.CertPEM(chain.Leaf), what: "Base-64 X.509 certificate for the ADS keytool import", verify: certs.VerifyCertPEM(chain.Leaf)},
	}
}

func pfxFile(base string, key crypto.Signer, chain *certs.Chain, pw secret.Secret) (outFile, error) {
	data, err := certs.EncodePFX(key, chain, pw)
	if err != nil {
		return outFile{}, err
	}
	return outFile{name: base + ".pfx", data: data, sensitive: true, what: "PFX with private key and chain, for IIS", verify: certs.VerifyPFX(pw, chain)}, nil
}

func iisFiles(base string, chain *certs.Chain, webServers []string, withPFX bool) ([]outFile, error) {
	var out []outFile
	pfx := ""
	if withPFX {
		pfx = base + ".pfx"
	}
	for _, ws := range webServers {
		s, err := certs.IISScript(certs.IISBinding{Host: ws, Name: chain.Leaf.Subject.CommonName, Thumbprint: certs.Thumbprint(chain.Leaf),
			Subject: chain.Leaf.Subject.String(), PFXFile: pfx})
		if err != nil {
			return nil, err
		}
		out = append(out, outFile{name: certs.IISScriptName(ws), data: []byte(s), what: "IIS https binding for " + ws + ", run it there"})
	}
	return out, nil
}

// webServersOr is the --web-server list, or name when there is none; a
// name that is not fully qualified is refused by name.
func webServersOr(list []string, name string) ([]string, error) {
	if len(list) == 0 {
		return []string{name}, nil
	}
	for _, w := range list {
		if err := steps.ValidateFQDN(w); err != nil {
			return nil, steps.BadInput(fmt.Errorf("--web-server: %w", err))
		}
	}
	return list, nil
}

func printNext(g *globals, base string, web []string, selfSigned bool) {
	fmt.Fprintln(g.stdout, "\nNext:")
	for _, w := range web {
		fmt.Fprintf(g.stdout, "  - copy %s.pfx and %s to %s and run the script there in an elevated PowerShell\n", base, certs.IISScriptName(w), w)
	}
	if selfSigned {
		fmt.Fprintf(g.stdout, "  - import %s.cer into every ADS's Java cacerts (step 4.1), then restart each ADS\n", base)
	} else {
		fmt.Fprintln(g.stdout, "  - import the root CA (then any intermediate) into every ADS's Java cacerts (step 4.1), then restart each ADS")
	}
	fmt.Fprintln(g.stdout, "  - check what IIS serves without SNI: ccewiz cert probe --addr <ece fqdn>:443")
}

// certByStep is cert selfsigned and cert csr: the certificate step, with
// the flags given as its answers (mode selfsigned, or ca for a CSR).
func certByStep(ctx context.Context, g *globals, f *certFlags, action string) error {
	mode := "selfsigned"
	if action == "csr" {
		mode = "ca"
	}
	for _, w := range f.webServers {
		if err := steps.ValidateFQDN(w); err != nil {
			return steps.BadInput(fmt.Errorf("--web-server: %w", err))
		}
	}
	if g.set("days") && f.days <= 0 {
		return usagef("--days %d: a certificate is valid for 1 to %d days", f.days, int(certs.MaxValidity.Hours()/24))
	}
	if g.set("out") {
		if fi, err := os.Stat(f.out); err == nil && !fi.IsDir() {
			return usagef("--out %s is a file; give the folder the certificate files go into", f.out)
		}
	}
	set := map[string]string{"certificate.mode": mode}
	for _, b := range []struct{ flag, key, value string }{
		{"cn", "profile.ece_fqdn", f.cn},
		{"san", "certificate.sans", joinList(f.sans)},
		{"key-size", "certificate.key_size", fmt.Sprint(f.keySize)},
		{"days", "certificate.validity_days", fmt.Sprint(f.days)},
		{"o", "certificate.o", f.o}, {"ou", "certificate.ou", f.ou}, {"l", "certificate.l", f.l},
		{"st", "certificate.st", f.st}, {"c", "certificate.c", f.c},
		{"out", "certificate.out_dir", absPath(f.out)},
		{"web-server", "profile.web_servers", joinList(f.webServers)},
	} {
		if g.set(b.flag) {
			set[b.key] = b.value
		}
	}
	if err := secretSet(set, "certificate.pfx_password", "pfx-pass", f.pfxPassEnv, f.pfxPassFile); err != nil {
		return err
	}
	err := runStep(ctx, g, "certificate", set, false)
	if errors.Is(err, secret.ErrNotGiven) {
		return usagef("the PFX for IIS needs a password: give --pfx-pass-env VAR or --pfx-pass-file FILE (kept as a source in %s, never the password)", g.answers)
	}
	return err
}

func certComplete(g *globals, f *certFlags) error {
	if f.key == "" || f.cert == "" {
		return usagef("complete needs --key (saved beside the CSR) and --cert (what the CA returned)")
	}
	if f.out == "" {
		return usagef("--out FOLDER is required")
	}
	kb, err := safefile.Read(f.key, safefile.MaxSmall)
	if err != nil {
		return steps.BadInput(fmt.Errorf("read private key: %w", err))
	}
	key, err := certs.ParseKey(kb)
	if err != nil {
		return steps.BadInput(fmt.Errorf("%s: %w", f.key, err))
	}
	bundle, err := certs.ReadBundleFiles(append([]string{f.cert}, f.chain...)...)
	if err != nil {
		return steps.BadInput(err)
	}
	chain, err := certs.Complete(key, bundle.Certs)
	if err != nil {
		return steps.BadInput(err)
	}
	name := strings.TrimSpace(f.name)
	if name == "" {
		name = chain.Leaf.Subject.CommonName
	}
	pw, err := pfxPassword(g, f, true)
	if err != nil {
		return err
	}
	for _, line := range bundle.Found {
		fmt.Fprintln(g.stdout, "found "+steps.PrintableLine(line))
	}
	printChain(g, chain)
	findings := certs.Assess(chain, certs.AssessOptions{Name: name})
	printFindings(g, findings)
	if certs.Worst(findings) == certs.SevError {
		fmt.Fprintln(g.stdout, "\nNothing written: SPOG would reject this certificate (see above).")
		return errReported
	}
	web, err := webServersOr(f.webServers, name)
	if err != nil {
		return err
	}
	base := certs.FileBase(name)
	pf, err := pfxFile(base, key, chain, pw)
	if err != nil {
		return err
	}
	files := append(certFiles(base, chain), pf)
	scripts, err := iisFiles(base, chain, web, true)
	if err != nil {
		return err
	}
	fmt.Fprintln(g.stdout)
	if err := writeOut(g, f.out, append(files, scripts...)); err != nil {
		return err
	}
	printNext(g, base, web, chain.Root == nil && certs.IsSelfSigned(chain.Leaf))
	return nil
}

func printChain(g *globals, c *certs.Chain) {
	fmt.Fprintln(g.stdout, "\nChain (leaf first):")
	var list []certs.CertInfo
	for _, cert := range c.Certs() {
		list = append(list, certs.Describe(cert))
	}
	writeCerts(g.stdout, list, func(i int) string { return map[bool]string{true: "certificate", false: "issuer"}[i == 0] })
}

// writeCerts prints certificates for people, one block each; role names
// the one at i. What a certificate says goes through ece.PrintableLine:
// a crafted subject must not drive the admin's terminal (JSON stays raw).
func writeCerts(w io.Writer, list []certs.CertInfo, role func(i int) string) {
	for i, c := range list {
		fmt.Fprintf(w, "  [%d] %s\n      subject  %s\n      issuer   %s\n", i, role(i), steps.PrintableLine(c.Subject), steps.PrintableLine(c.Issuer))
		if names := append(append([]string{}, c.DNSNames...), c.IPs...); len(names) > 0 {
			fmt.Fprintf(w, "      names    %s\n", steps.PrintableLine(strings.Join(names, ", ")))
		}
		fmt.Fprintf(w, "      key      %s\n      valid    %s to %s\n      SHA-256  %s\n      SHA-1    %s (the Thumbprint Windows shows)\n",
			c.Key, c.NotBefore.Format(time.DateOnly), c.NotAfter.Format(time.DateOnly), c.SHA256, c.Thumbprint)
	}
}

var findingSymbol = map[certs.Severity]string{certs.SevError: "✗", certs.SevWarn: "!", certs.SevInfo: "i"}

func printFindings(g *globals, fs []certs.Finding) {
	if len(fs) == 0 {
		fmt.Fprintln(g.stdout, "\n✓ no problem found")
		return
	}
	fmt.Fprintln(g.stdout)
	for _, f := range fs {
		// Messages quote the certificate's names.
		fmt.Fprintf(g.stdout, "%s %-5s %s: %s\n", findingSymbol[f.Severity], f.Severity, f.Code, steps.Printable(f.Message))
		if f.Fix != "" {
			fmt.Fprintf(g.stdout, "        fix: %s\n", steps.Printable(f.Fix))
		}
	}
}

// inspectReport is the JSON of `ccewiz cert inspect --format json`.
type inspectReport struct {
	File          string           `json:"file"`
	Kind          string           `json:"kind"` // certificates, csr, pfx
	Found         []string         `json:"found,omitempty"`
	Chain         []certs.CertInfo `json:"chain,omitempty"`
	Extra         []certs.CertInfo `json:"extra,omitempty"`
	MissingIssuer string           `json:"missing_issuer,omitempty"`
	CSR           *csrInfo         `json:"csr,omitempty"`
	Findings      []certs.Finding  `json:"findings"`
}

type csrInfo struct {
	Subject  string   `json:"subject"`
	DNSNames []string `json:"dns_names"`
	Key      string   `json:"key"`
}

// readAnchors reads the certificates of a --ca-file; nil when none is given.
func readAnchors(file string) ([]*x509.Certificate, error) {
	if file == "" {
		return nil, nil
	}
	b, err := certs.ReadBundleFiles(file)
	if err != nil {
		return nil, steps.BadInput(err)
	}
	return b.Certs, nil
}

func certInspect(g *globals, f *certFlags, file string) error {
	data, err := safefile.Read(file, safefile.MaxSmall)
	if err != nil {
		return steps.BadInput(fmt.Errorf("read %s: %w", file, err))
	}
	anchors, err := readAnchors(f.caFile)
	if err != nil {
		return err
	}
	rep := inspectReport{File: file, Kind: "certificates", Findings: []certs.Finding{}}
	var chain *certs.Chain
	if req, cerr := certs.ParseCSR(data); cerr == nil {
		rep.Kind = "csr"
		rep.CSR = &csrInfo{Subject: req.Subject.String(), DNSNames: req.DNSNames, Key: certs.KeyDescription(req.PublicKey)}
		rep.Findings = append(rep.Findings, certs.AssessRequest(req, strings.TrimSpace(f.name))...)
	} else {
		b, err := certs.ReadBundle(file, data)
		if errors.Is(err, certs.ErrIsPFX) && (f.pfxPassEnv != "" || f.pfxPassFile != "") {
			pw, perr := pfxPassword(g, f, true)
			if perr != nil {
				return perr
			}
			_, chain, err = certs.DecodePFX(data, pw)
			if err != nil {
				return steps.BadInput(fmt.Errorf("%s: %w", file, err))
			}
			rep.Kind = "pfx"
			rep.Found = []string{file + ": PFX with private key"}
		} else if err != nil {
			return steps.BadInput(err)
		} else {
			rep.Found = b.Found
			chain = certs.BuildChain(certs.PickLeaf(b.Certs), b.Certs)
		}
		for _, c := range chain.Certs() {
			rep.Chain = append(rep.Chain, certs.Describe(c))
		}
		for _, c := range chain.Extra {
			rep.Extra = append(rep.Extra, certs.Describe(c))
		}
		rep.MissingIssuer = chain.MissingIssuer
		rep.Findings = append(rep.Findings, certs.Assess(chain, certs.AssessOptions{Name: strings.TrimSpace(f.name), Anchors: anchors})...)
	}
	if f.format == "json" {
		if err := writeJSON(g.stdout, rep); err != nil {
			return err
		}
	} else {
		for _, line := range rep.Found {
			fmt.Fprintln(g.stdout, "found "+steps.PrintableLine(line))
		}
		if rep.CSR != nil {
			fmt.Fprintf(g.stdout, "Certificate request\n  subject %s\n  DNS names %s\n  key %s\n", steps.PrintableLine(rep.CSR.Subject),
				steps.PrintableLine(strings.Join(rep.CSR.DNSNames, ", ")), rep.CSR.Key)
		} else {
			printChain(g, chain)
		}
		printFindings(g, rep.Findings)
	}
	if certs.Worst(rep.Findings) == certs.SevError {
		return errReported
	}
	return nil
}

func certProbe(ctx context.Context, g *globals, f *certFlags) error {
	if f.addr == "" {
		return usagef("probe needs --addr HOST:PORT, e.g. ece.example.com:443")
	}
	if err := checkHostPort("--addr", f.addr); err != nil {
		return err
	}
	if f.timeout <= 0 {
		return usagef("--timeout must be positive")
	}
	opts := certs.ProbeOptions{Name: strings.TrimSpace(f.name), Timeout: f.timeout}
	if err := javaOptions(g, f, &opts); err != nil {
		return err
	}
	// The answers file's resolve section (the lab's loopback ports) applies
	// when there is one; an --answers file named on purpose must exist.
	load := loadAnswersOrNew
	if g.answers != steps.DefaultAnswersPath {
		load = loadAnswers
	}
	env, err := load(g)
	if err != nil {
		return err
	}
	env.Timeout = f.timeout
	opts.Dial = env.Dial
	res, perr := certs.Probe(ctx, f.addr, opts)
	if res == nil {
		return steps.BadInput(perr)
	}
	if res.Findings == nil {
		res.Findings = []certs.Finding{}
	}
	if f.format == "json" {
		if err := writeJSON(g.stdout, res); err != nil {
			return err
		}
	} else {
		printProbe(g, res, perr)
	}
	if perr != nil || certs.Worst(res.Findings) == certs.SevError || res.Java != nil && res.Java.Judged && !res.Java.Accepted {
		return errReported
	}
	return nil
}

// javaOptions sets the probe's Java handshake from --java, and its anchors
// from --keystore (else the --ca-file certificates).
func javaOptions(g *globals, f *certFlags, o *certs.ProbeOptions) error {
	if !g.set("keystore") && !g.set("java") && f.caFile == "" {
		return nil
	}
	var p certs.JavaProfile
	switch f.java {
	case "17", "":
		p = certs.Java17()
	case "8":
		p = certs.Java8()
	default:
		fi, err := os.Stat(f.java)
		if err != nil || !fi.IsDir() {
			return usagef("--java %q: give 17, 8, or the JAVA_HOME folder of the Java in question", f.java)
		}
		if p, err = certs.ProfileFromJavaHome(f.java); err != nil {
			return steps.BadInput(err)
		}
	}
	o.Java, o.Check = &p, certs.HTTPSCheck
	switch {
	case f.keystore != "":
		data, err := safefile.Read(f.keystore, safefile.MaxKeystore)
		if err != nil {
			return steps.BadInput(fmt.Errorf("--keystore: %w", err))
		}
		pw, _, err := flagSecret(g, "storepass", f.storepassEnv, f.storepassFile, "password of "+f.keystore)
		if err != nil {
			return err
		}
		if pw.IsZero() {
			pw = secret.New("changeit") // the JDK's public default
		}
		ks, err := certs.OpenKeystore(data, pw.Bytes())
		if err != nil {
			return steps.BadInput(fmt.Errorf("--keystore %s: %w", f.keystore, err))
		}
		o.Anchors = ks.TrustedCerts()
	case f.caFile != "":
		b, err := certs.ReadBundleFiles(f.caFile)
		if err != nil {
			return steps.BadInput(fmt.Errorf("--ca-file: %w", err))
		}
		o.Anchors = b.Certs
	}
	return nil
}

func printProbe(g *globals, r *certs.ProbeResult, perr error) {
	// What the server sent (names, alerts) is printed through steps.Printable*.
	fmt.Fprintf(g.stdout, "Probe of %s (name %s)\n", r.Addr, orDash(r.Name))
	if perr != nil {
		fmt.Fprintf(g.stdout, "\n✗ %s\n", steps.Printable(perr.Error()))
		return
	}
	show := func(label string, h *certs.Handshake, errText string) {
		if h == nil {
			fmt.Fprintf(g.stdout, "  %-12s failed: %s\n", label, steps.PrintableLine(errText))
			return
		}
		leaf := h.Certs[0]
		fmt.Fprintf(g.stdout, "  %-12s %s, %s: %s (DNS %s), until %s, name match %v\n  %-12s SHA-256 %s, %d certificate(s) sent\n",
			label, h.Version, h.Cipher, steps.PrintableLine(leaf.Subject), steps.PrintableLine(strings.Join(leaf.DNSNames, ", ")), leaf.NotAfter.Format("2006-01-02"), h.NameMatch,
			"", leaf.SHA256, len(h.Certs))
	}
	show("without SNI", r.NoSNI, r.NoSNIError)
	if r.Name != "" {
		show("with SNI", r.SNI, r.SNIError)
	}
	fmt.Fprintf(g.stdout, "  differ: %v, needs SNI: %v\n", r.Differ, r.NeedsSNI)
	if v := r.Java; v != nil {
		mark := "?"
		switch {
		case v.Judged && v.Accepted:
			mark = "✓"
		case v.Judged:
			mark = "✗"
		}
		verdict := "accepts"
		if !v.Accepted {
			verdict = "refuses"
		}
		if !v.Judged {
			verdict = "cannot be judged"
		}
		fmt.Fprintf(g.stdout, "  %s %s %s the server", mark, v.Profile, verdict)
		if v.Protocol != "" {
			fmt.Fprintf(g.stdout, " (%s, %s, no SNI)", v.Protocol, v.Cipher)
		}
		fmt.Fprintln(g.stdout)
		if v.Reason != "" {
			fmt.Fprintf(g.stdout, "    %s\n", steps.PrintableLine(v.Reason))
		}
	}
	printFindings(g, r.Findings)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// checkHostPort refuses an address that cannot be dialled before trying:
// HOST:PORT with a port from 1 to 65535.
func checkHostPort(flag, addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host == "" {
		return usagef("%s %q: give HOST:PORT, e.g. ece.example.com:443", flag, addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return usagef("%s %q: %q is not a port (1 to 65535)", flag, addr, port)
	}
	return nil
}
