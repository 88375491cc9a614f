package main

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"strings"

	"ccewiz/spogjs"
	"ccewiz/steps"
	"ccewiz/steps/ece"
)

// spogFlags are the flags of `ccewiz spog patch|check`.
type spogFlags struct {
	file, serverName, protocol string
	dryRun                     bool
}

func (f *spogFlags) declare(fs *flag.FlagSet) {
	*f = spogFlags{} // a run starts from the defaults: list flags (fs.Var) keep no value of an earlier run
	fs.StringVar(&f.file, "file", "", "the spog_config.js `path` (local, or UNC from Windows)")
	fs.StringVar(&f.serverName, "server-name", "", "the `FQDN` users type to reach ECE (web_server_name)")
	fs.StringVar(&f.protocol, "protocol", "https", "web_server_protocol (ECE needs https)")
	fs.BoolVar(&f.dryRun, "dry-run", false, "patch: show the diff, write nothing")
}

func init() {
	var f spogFlags
	register(&command{
		name:    "spog",
		summary: "check or patch spog_config.js on an ECE web server (step 3)",
		usage: `Usage: ccewiz spog patch --file F --server-name FQDN [--protocol https] [--dry-run]
       ccewiz spog check --file F --server-name FQDN

spog_config.js ({ECE_HOME}\eService\templates\finesse\gadget\spog\spog_config.js
on every ECE web server) tells the ECE gadget in CCE Administration where ECE
is. patch sets web_server_protocol and web_server_name and changes nothing
else — line endings, BOM, quotes and comments stay as they are. It shows the
diff first, backs the file up to spog_config.js.ccewiz-YYYYMMDD-HHMMSS.bak,
replaces it atomically and reads it back. A second run says "already set"
and writes nothing. patch is step 3 itself (as ccewiz apply --step spog): it
adds --file to spog.files in the answers file (./ccewiz.yaml, or --answers),
patches every file listed there, and records each one with its backup for
the report. check only compares: exit code 1 when a value differs.

Examples:
  ccewiz spog check --file 'C:\Cisco\eService\templates\finesse\gadget\spog\spog_config.js' --server-name ece.example.com
  ccewiz spog patch --file '\\web1\c$\Cisco\eService\templates\finesse\gadget\spog\spog_config.js' --server-name ece.example.com --dry-run
  ccewiz spog patch --file spog_config.js --server-name chat.example.com`,
		flags:   f.declare,
		actions: []string{"patch", "check"},
		actionFlags: map[string][]string{
			"patch": {"file", "server-name", "protocol", "dry-run"},
			"check": {"file", "server-name", "protocol"},
		},
		run: func(ctx context.Context, g *globals, args []string) error {
			action, positional := args[0], args[1:]
			if err := noArgs(positional); err != nil {
				return err
			}
			if f.file == "" {
				return usagef("--file is required")
			}
			if err := steps.ValidateFQDN(f.serverName); err != nil {
				return steps.BadInput(fmt.Errorf("--server-name: %w", err))
			}
			want := spogjs.Want{Protocol: f.protocol, ServerName: strings.TrimSuffix(strings.TrimSpace(f.serverName), ".")}
			if err := want.Validate(); err != nil {
				return steps.BadInput(fmt.Errorf("--protocol: %w", err))
			}
			if action == "patch" && f.protocol != "https" {
				return usagef("--protocol %q: use https (ECE does not support non-SSL access, and SPOG reaches it over https)", f.protocol)
			}
			if action == "patch" {
				// The step itself (spog), its fields bound to the flags: the
				// same plan, lock, backup, verification and record as apply.
				return runStepWith(ctx, g, "spog", spogSet(f), f.dryRun)
			}
			plan, err := spogjs.PlanFile(f.file, want)
			if err != nil {
				// An unreadable, missing-variable or duplicated file is the
				// admin's to fix; nothing was written.
				return steps.BadInput(err)
			}
			return spogCheck(g, plan)
		},
	})
}

// spogSet binds spog patch's flags to the step's fields. --file joins
// spog.files rather than replacing it: an answers file that lists every
// web server keeps them all (and the step patches each one it can reach).
func spogSet(f spogFlags) func(env *steps.Env) (map[string]string, error) {
	return func(env *steps.Env) (map[string]string, error) {
		file := absPath(f.file)
		files := slices.Clone(ece.SpogOf(env.Answers).Files)
		if !slices.ContainsFunc(files, func(p string) bool { return absPath(env.Path(p)) == file }) {
			files = append(files, file)
		}
		return map[string]string{
			"spog.files":       joinList(files),
			"spog.protocol":    f.protocol,
			"profile.ece_fqdn": strings.TrimSuffix(strings.TrimSpace(f.serverName), "."),
		}, nil
	}
}

func describeValues(c spogjs.Config) string {
	return fmt.Sprintf("%s = %q (line %d), %s = %q (line %d)", spogjs.ProtocolVar, c.Protocol.Value, c.Protocol.Line,
		spogjs.NameVar, c.ServerName.Value, c.ServerName.Line)
}

func spogCheck(g *globals, p *spogjs.FilePlan) error {
	if !p.Changed() {
		fmt.Fprintf(g.stdout, "ok   %s: %s\n", p.Path, describeValues(p.Result.Config))
		return nil
	}
	for _, c := range p.Result.Changes {
		fmt.Fprintf(g.stdout, "FAIL %s line %d: %s is %q, should be %q\n", p.Path, c.Line, c.Var, c.From, c.To)
	}
	fmt.Fprintf(g.stdout, "     fix: ccewiz spog patch --file %s --server-name %s\n", quoteArg(p.Path), p.Want.ServerName)
	return errReported
}

// quoteArg quotes a path for a copy-paste command line when it needs it.
func quoteArg(s string) string {
	if strings.ContainsAny(s, " \\$'\"") {
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	return s
}
