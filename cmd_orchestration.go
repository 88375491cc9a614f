package main

import (
	"context"
	"flag"
	"fmt"

	"ccewiz/inventoryconf"
	"ccewiz/safefile"
	"ccewiz/steps"
)

func init() {
	var format string
	register(&command{
		name:    "orchestration",
		summary: "Cloud Connect: inventory.conf checked line by line",
		usage: `Usage: ccewiz orchestration inventory check FILE [--format text|json]

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

Examples:
  ccewiz orchestration inventory check inventory.conf
  ccewiz orchestration inventory check /sftp/inventory.conf --format json`,
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&format, "format", "text", "output `format`: text or json")
		},
		actions:     []string{"inventory"},
		actionFlags: map[string][]string{"inventory": {"format"}},
		run: func(ctx context.Context, g *globals, args []string) error {
			rest := args[1:]
			if len(rest) == 0 || rest[0] != "check" {
				return usagef("ccewiz orchestration inventory needs check FILE (ccewiz orchestration inventory check inventory.conf)")
			}
			if len(rest) != 2 {
				return usagef("inventory check takes one FILE: the inventory.conf to check")
			}
			if err := oneOf("format", format, "text", "json"); err != nil {
				return err
			}
			return inventoryCheck(g, rest[1], format)
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
