package main

import (
	"context"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"ccewiz/authkeys"
	"ccewiz/certs"
	"ccewiz/inventoryconf"
	"ccewiz/safefile"
	"ccewiz/steps"
	"ccewiz/steps/orchestration"
)

// orchFlags are the flags of `ccewiz orchestration`.
type orchFlags struct {
	format, cloudConnect, subscriber, user, passEnv, passFile, caFile, out string
	keys, sshdConfig, profile                                              string
	admin                                                                  bool
}

func init() {
	var f orchFlags
	format := &f.format
	register(&command{
		name:    "orchestration",
		summary: "Cloud Connect: inventory.conf checked line by line",
		usage: `Usage: ccewiz orchestration inventory check FILE [--format text|json]
       ccewiz orchestration inventory write [--out FILE]
       ccewiz orchestration keys fetch --cloud-connect HOST[:8445]
                  [--subscriber HOST] --user U (--password-env V |
                  --password-file F) [--ca-file F] [--out FILE]
       ccewiz orchestration keys install --keys FILE [--sshd-config F]
                  [--profile DIR] [--admin=false]

inventory check reads an inventory.conf — the one exported with
utils system inventory export and edited — and reports every problem Cloud
Connect would meet importing it, each with its line and the fix: CRLF line
endings, a byte-order mark, tabs, indentation, YAML syntax (a lost colon),
keys in the wrong case, product names (Windows components in upper case),
a deploymentType orchestration does not support ("did you mean …"), VOS
hosts without type, Windows hosts without user, sides other than A/B,
duplicate hosts. Exit 0: clean; 1: findings; 2: the file cannot be read.
Then import it: utils system inventory import on the Cloud Connect
publisher, answering yes to replace the inventory.

inventory write is the flow's inventory step: inventory.conf from the
answers file's orchestration section, in the export's layout (an existing
file that passes every check and lists every node is kept; another is
backed up first). The file is recorded in the answers.

keys fetch asks each Cloud Connect node for its control-node SSH key
(https://HOST:8445/inventory/controlnode/key, the application user), its
certificate judged as Java would against --ca-file (Cloud Connect's
certificate or CA; by default the files the flow's vos step wrote), and
keeps only the "ssh-rsa … root@localhost" part, one key per line: what the
Windows nodes' key file must hold.

keys install, run on a Windows node as the logon user Cloud Connect will
use, reads sshd_config to decide the file: for an administrator with the
"Match Group administrators" block active, administrators_authorized_keys
(ACL set to Administrators and SYSTEM with icacls), else the profile's
.ssh\authorized_keys. Keys already there are not added twice, other lines
are kept, the old file is backed up. Restart "OpenSSH SSH Server" after.

Examples:
  ccewiz orchestration inventory check inventory.conf
  ccewiz orchestration inventory check /sftp/inventory.conf --format json
  ccewiz orchestration inventory write --out inventory.conf
  ccewiz orchestration keys fetch --cloud-connect cc1.example.com --subscriber cc2.example.com --user ccadmin --password-env CC_PASS --ca-file cc1.example.com.pem --out cloudconnect.keys
  ccewiz orchestration keys install --keys cloudconnect.keys`,
		flags: func(fs *flag.FlagSet) {
			f = orchFlags{}
			fs.StringVar(format, "format", "text", "output `format`: text or json")
			fs.StringVar(&f.cloudConnect, "cloud-connect", "", "the Cloud Connect publisher, `HOST[:8445]` (its FQDN)")
			fs.StringVar(&f.subscriber, "subscriber", "", "the Cloud Connect subscriber, `HOST[:8445]`")
			fs.StringVar(&f.user, "user", "", "the Cloud Connect application `user`")
			fs.StringVar(&f.passEnv, "password-env", "", "the environment `variable` holding its password")
			fs.StringVar(&f.passFile, "password-file", "", "a `file` whose first line is its password")
			fs.StringVar(&f.caFile, "ca-file", "", "Cloud Connect's certificate(s) or CA: the trust for its API")
			fs.StringVar(&f.out, "out", "", "keys fetch: the keys `file` (default: standard output); inventory write: inventory.conf")
			fs.StringVar(&f.keys, "keys", "", "install: the keys `file` that fetch wrote")
			fs.StringVar(&f.sshdConfig, "sshd-config", defaultSSHDConfig(), "install: the `sshd_config` to read")
			fs.StringVar(&f.profile, "profile", os.Getenv("USERPROFILE"), "install: the logon user's profile `folder`")
			fs.BoolVar(&f.admin, "admin", true, "install: the logon user is an administrator (Cloud Connect needs one)")
		},
		actions: []string{"inventory", "keys"},
		actionFlags: map[string][]string{
			"inventory": {"format", "out"},
			"keys":      {"cloud-connect", "subscriber", "user", "password-env", "password-file", "ca-file", "out", "keys", "sshd-config", "profile", "admin"},
		},
		run: func(ctx context.Context, g *globals, args []string) error {
			rest := args[1:]
			if args[0] == "keys" {
				switch {
				case len(rest) == 1 && rest[0] == "fetch":
					return keysFetch(ctx, g, &f)
				case len(rest) == 1 && rest[0] == "install":
					return keysInstall(ctx, g, &f)
				}
				return usagef("ccewiz orchestration keys needs fetch or install (ccewiz orchestration keys fetch --cloud-connect cc1.example.com …)")
			}
			if len(rest) == 1 && rest[0] == "write" {
				set := map[string]string{}
				if f.out != "" {
					set["orchestration.inventory_file"] = absPath(f.out)
				}
				og := *g
				og.flow = orchestration.FlowID
				return runStep(ctx, &og, "inventory", set, false)
			}
			if len(rest) == 0 || rest[0] != "check" {
				return usagef("ccewiz orchestration inventory needs check FILE or write (ccewiz orchestration inventory check inventory.conf)")
			}
			if len(rest) != 2 {
				return usagef("inventory check takes one FILE: the inventory.conf to check")
			}
			if err := oneOf("format", *format, "text", "json"); err != nil {
				return err
			}
			return inventoryCheck(g, rest[1], *format)
		},
	})
}

func inventoryCheck(g *globals, file, format string) error {
	data, err := safefile.Read(file, inventoryconf.MaxSize)
	if err != nil {
		return steps.BadInput(fmt.Errorf("read %s: %w (give the inventory.conf that utils system inventory export wrote to the SFTP server)", file, err))
	}
	inv, fs := inventoryconf.Check(data, nil)
	if format == "json" {
		rep := struct {
			File     string                   `json:"file"`
			Findings []inventoryconf.Finding  `json:"findings"`
			Read     *inventoryconf.Inventory `json:"inventory,omitempty"`
		}{file, append([]inventoryconf.Finding{}, fs...), inv}
		if err := writeJSON(g.stdout, rep); err != nil {
			return err
		}
	} else {
		for _, f := range fs {
			fmt.Fprintln(g.stdout, steps.PrintableLine(file+": "+f.String()))
		}
		if len(fs) == 0 && inv != nil {
			fmt.Fprintf(g.stdout, "%s: clean — %d VOS and %d Windows host(s), deploymentType %s; import it with utils system inventory import\n",
				file, len(inventoryconf.Hosts(inv.VOS)), len(inventoryconf.Hosts(inv.Windows)), steps.PrintableLine(inv.DeploymentType))
		}
	}
	if len(fs) > 0 {
		return errReported
	}
	return nil
}

func defaultSSHDConfig() string {
	if runtime.GOOS == "windows" {
		return `C:\ProgramData\ssh\sshd_config`
	}
	return ""
}

func keysFetch(ctx context.Context, g *globals, f *orchFlags) error {
	if f.cloudConnect == "" {
		return usagef("--cloud-connect is required: the Cloud Connect publisher's FQDN")
	}
	if f.user == "" {
		return usagef("--user is required: the Cloud Connect application user (run sql select * from applicationuser on its CLI)")
	}
	var given []*x509.Certificate
	if f.caFile != "" {
		var err error
		if given, err = readAnchors(f.caFile); err != nil {
			return err
		}
	}
	pass, _, err := flagSecret(g, "password", f.passEnv, f.passFile, "password of "+f.user)
	if err != nil {
		return err
	}
	if pass.IsZero() {
		return usagef("give the application user's password with --password-env VAR or --password-file F")
	}
	env, err := loadAnswersOrNew(g)
	if err != nil {
		return err
	}
	// The trust: --ca-file, else the certificate the flow's VOS step wrote.
	anchorsFor := func(host string) ([]*x509.Certificate, error) {
		if given != nil {
			return given, nil
		}
		b, err := certs.ReadBundleFiles(orchestration.CertFile(env, host))
		if err != nil {
			return nil, usagef("--ca-file is required: Cloud Connect's certificate or CA — a key from an unverified server would let anyone onto the Windows nodes (ccewiz apply --flow orchestration --step vos writes %s; ccewiz cert probe --addr %s:8445 shows it)",
				orchestration.CertFile(env, host), host)
		}
		return b.Certs, nil
	}
	var keys []authkeys.Key
	for _, node := range []string{f.cloudConnect, f.subscriber} {
		if node == "" {
			continue
		}
		host := node
		if h, _, err := net.SplitHostPort(node); err == nil {
			host = h
		}
		if err := steps.ValidateFQDN(host); err != nil {
			return usagef("%s: %v (VOS and Windows nodes reach Cloud Connect by its FQDN)", node, err)
		}
		anchors, err := anchorsFor(host)
		if err != nil {
			return err
		}
		k, err := orchestration.FetchKey(ctx, env, node, f.user, pass, anchors)
		if errors.Is(err, steps.ErrBadInput) {
			return err
		} else if err != nil {
			fmt.Fprintf(g.stderr, "%s\n", steps.PrintableLine(err.Error()))
			return errReported
		}
		keys = append(keys, k)
		fmt.Fprintf(g.stderr, "%s: %s key %s (%s)\n", steps.PrintableLine(k.Source), k.Type, k.SHA256, steps.PrintableLine(orDash(k.Category)))
	}
	if f.out == "" {
		g.stdout.Write(authkeys.Lines(keys))
		return nil
	}
	res, err := safefile.Replace(f.out, authkeys.Lines(keys), safefile.Options{Perm: 0o644})
	if err != nil {
		return err
	}
	fmt.Fprintf(g.stderr, "wrote %d key(s) to %s%s; next, on every Windows node: ccewiz orchestration keys install --keys %s\n",
		len(keys), f.out, backupNote(res), filepath.Base(f.out))
	return nil
}

func keysInstall(ctx context.Context, g *globals, f *orchFlags) error {
	if f.keys == "" {
		return usagef("--keys is required: the file ccewiz orchestration keys fetch wrote")
	}
	data, err := safefile.Read(f.keys, authkeys.MaxResponse)
	if err != nil {
		return steps.BadInput(fmt.Errorf("read %s: %w", f.keys, err))
	}
	keys, err := authkeys.ParseKeys(data, f.keys)
	if err != nil {
		return steps.BadInput(err)
	}
	if len(keys) == 0 {
		return steps.BadInput(fmt.Errorf("%s holds no key: run ccewiz orchestration keys fetch first", f.keys))
	}
	if f.sshdConfig == "" {
		return usagef("--sshd-config is required here: the sshd_config of the Windows node (C:\\ProgramData\\ssh\\sshd_config)")
	}
	cfg, err := safefile.Read(f.sshdConfig, safefile.MaxSmall)
	if err != nil {
		return steps.BadInput(fmt.Errorf("read %s: %w (is OpenSSH Server installed? Settings › Apps › Optional features)", f.sshdConfig, err))
	}
	if f.profile == "" {
		return usagef("--profile is required here: the logon user's profile folder (C:\\Users\\NAME)")
	}
	programData := filepath.Dir(filepath.Dir(f.sshdConfig))
	where := authkeys.Decide(cfg, f.admin, programData, f.profile)
	fmt.Fprintf(g.stdout, "%s: %s\n", where.Path, where.Reason)
	old, err := os.ReadFile(where.Path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return steps.BadInput(fmt.Errorf("read %s: %w", where.Path, err))
	}
	m := authkeys.Merge(old, keys)
	for _, k := range m.Present {
		fmt.Fprintf(g.stdout, "  already there: %s %s\n", k.Type, k.SHA256)
	}
	if m.Changed() {
		if err := os.MkdirAll(filepath.Dir(where.Path), 0o700); err != nil {
			return err
		}
		res, err := safefile.Replace(where.Path, m.Data, safefile.Options{Perm: 0o600})
		if err != nil {
			return err
		}
		for _, k := range m.Added {
			fmt.Fprintf(g.stdout, "  added: %s %s\n", k.Type, k.SHA256)
		}
		fmt.Fprintf(g.stdout, "wrote %s (%d other line(s) kept)%s\n", where.Path, m.Kept, backupNote(res))
	}
	if where.AdminFile {
		acl := strings.Join(authkeys.ACLCommand(where.Path), " ")
		if runtime.GOOS == "windows" {
			if err := authkeys.SetACL(ctx, where.Path); err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "ACL: Administrators and SYSTEM only (%s)\n", acl)
		} else {
			fmt.Fprintf(g.stdout, "on the Windows node, run: %s\n", acl)
		}
	}
	fmt.Fprintln(g.stdout, `then restart the services: Restart-Service sshd, ssh-agent (PowerShell as administrator)`)
	return nil
}

func backupNote(r safefile.Result) string {
	if r.Backup == "" {
		return ""
	}
	return " (the old one is " + r.Backup + ")"
}
