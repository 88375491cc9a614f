package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"ccewiz/ccerest"
	"ccewiz/secret"
	"ccewiz/steps"
	"ccewiz/steps/ece"
)

func init() {
	var (
		aw, user, passEnv, passFile, caFile, format, types string
		timeout                                            time.Duration
	)
	register(&command{
		name:    "cce",
		summary: "CCE Administration's machine inventory through its REST API: list, show, status",
		usage: `Usage: ccewiz cce inventory list [--type T,...] [--aw HOST] [--user U --password-env VAR] [--ca-file F] [--format json]
       ccewiz cce inventory show NAME [...]
       ccewiz cce inventory status [...]

Reads https://<AW>/unifiedconfig/config/machineinventory: list the machines
(all, or of the --type given, e.g. ECE_WEB_SERVER), show one by name, or the
inventory's status — the alerts CCE Administration's status bar shows, each
with its machine and, for ECE's, the step to revisit. status exits 1 while
there is an alert. The AW, the administrator and the password default to
the answers file's inventory.aw, inventory.api_user, inventory.api_password;
its certificate is trusted from --ca-file (or inventory.aw_cert_file), never
skipped. The password is never shown or logged.

Examples:
  ccewiz cce inventory list --aw aw1a.example.com --user administrator@example.local --password-env CCE_PASS --ca-file aw-ca.cer
  ccewiz cce inventory list --type ECE_WEB_SERVER,ECE --format json
  ccewiz cce inventory show ece.example.com
  ccewiz cce inventory status --answers ccewiz.yaml`,
		actions: []string{"inventory"},
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&aw, "aw", "", "the AW's `host[:port]` (default inventory.aw)")
			fs.StringVar(&user, "user", "", "a CCE administrator (default inventory.api_user)")
			fs.StringVar(&passEnv, "password-env", "", "the password from this environment `variable`")
			fs.StringVar(&passFile, "password-file", "", "the password from the first line of this `file`")
			fs.StringVar(&caFile, "ca-file", "", "the AW's certificate or its CA `file`, trusted (default inventory.aw_cert_file, else this machine's roots)")
			fs.StringVar(&types, "type", "", "list: only these machine `types` (comma-separated)")
			fs.StringVar(&format, "format", "text", "output `format`: text or json")
			fs.DurationVar(&timeout, "timeout", 10*time.Second, "time limit for the API")
		},
		run: func(ctx context.Context, g *globals, args []string) error {
			if len(args) < 2 {
				return usagef("say what to read: ccewiz cce inventory list, show NAME or status")
			}
			verb, rest := args[1], args[2:]
			if err := oneOf("format", format, "text", "json"); err != nil {
				return err
			}
			if timeout <= 0 {
				return usagef("--timeout must be positive")
			}
			env, err := loadAnswersOrNew(g)
			if err != nil {
				return err
			}
			env.Timeout = timeout
			inv := ece.InventoryOf(env.Answers)
			if aw != "" {
				inv.AW = aw
			}
			if user != "" {
				inv.APIUser = user
			}
			if caFile != "" {
				inv.AWCertFile = absPath(caFile)
			}
			// Flags override the answers for this run only; nothing is saved.
			set := map[string]string{}
			if err := secretSet(set, "pw", "password", passEnv, passFile); err != nil {
				return err
			}
			if v, ok := set["pw"]; ok {
				ref, err := secret.ParseRef(v)
				if err != nil {
					return usagef("%v", err)
				}
				inv.APIPassword = ref
			}
			if strings.TrimSpace(inv.AW) == "" {
				return usagef("name the AW: --aw HOST (or inventory.aw in the answers file)")
			}
			if isTerminalReader(g.stdin) {
				env.Prompt = secret.TerminalPrompter(g.stderr)
			}
			c, err := ece.AWClient(env)
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			switch verb {
			case "list":
				if err := noArgs(rest); err != nil {
					return err
				}
				ms, err := c.List(ctx, steps.SplitList(types)...)
				if err != nil {
					return err
				}
				return printMachines(g, format, ms)
			case "show":
				if len(rest) != 1 {
					return usagef("say which machine: ccewiz cce inventory show NAME")
				}
				ms, err := c.List(ctx)
				if err != nil {
					return err
				}
				for _, m := range ms {
					if strings.EqualFold(m.Name, rest[0]) || strings.EqualFold(m.HostName, rest[0]) {
						return printMachines(g, format, []ccerest.Machine{m})
					}
				}
				return fmt.Errorf("no machine called %s in CCE Administration's inventory on %s (ccewiz cce inventory list shows them all)", rest[0], inv.AW)
			case "status":
				if err := noArgs(rest); err != nil {
					return err
				}
				r := ece.AlertsCheck(ctx, env)
				if format == "json" {
					if err := writeJSON(g.stdout, r); err != nil {
						return err
					}
				} else {
					fmt.Fprintf(g.stdout, "%s %s\n", steps.Symbol(r.Status), steps.Printable(r.Detail))
					if r.Fix != "" && r.Status != steps.Pass {
						fmt.Fprintf(g.stdout, "  fix: %s\n", steps.Printable(r.Fix))
					}
				}
				if r.Status != steps.Pass {
					return errReported
				}
				return nil
			}
			return usagef("unknown request %q: use list, show NAME or status", verb)
		},
	})
}

func printMachines(g *globals, format string, ms []ccerest.Machine) error {
	if format == "json" {
		if ms == nil {
			ms = []ccerest.Machine{}
		}
		return writeJSON(g.stdout, ms)
	}
	tw := tabwriter.NewWriter(g.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TYPE\tNAME\tHOST\tUSER\tAPPLICATION INSTANCE")
	for _, m := range ms {
		u, d := "", ""
		if s := m.Service(ccerest.ServiceMachineInfo); s != nil {
			u, d = s.UserName, s.Description
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", steps.PrintableLine(m.Type), steps.PrintableLine(m.Name), steps.PrintableLine(m.HostName),
			steps.PrintableLine(u), steps.PrintableLine(d))
	}
	return tw.Flush()
}
