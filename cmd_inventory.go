package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"ccewiz/safefile"
	"ccewiz/steps"
	"ccewiz/steps/ece"
)

func init() {
	var (
		format   string
		template string
		timeout  time.Duration
	)
	declare := func(fs *flag.FlagSet) {
		fs.StringVar(&format, "format", "text", "output `format`: text, json or csv")
		fs.StringVar(&template, "template", "", "the inventory CSV template `file` downloaded from CCE Administration (default: inventory.template)")
		fs.DurationVar(&timeout, "timeout", 5*time.Second, "time limit for each network check")
	}
	register(&command{
		name:    "inventory",
		summary: "the ECE entries for the PCCE inventory, checked first (steps 4.2, 4.3)",
		usage: `Usage: ccewiz inventory show [--answers FILE] [--format text|json|csv] [--template FILE]

Works out the ECE data server(s) and web server to add to the PCCE
inventory from the answers file, and checks each value first: the web server
name is fully qualified, in ECE's certificate and resolves; the user is pa;
the Application Instance is exact; the data servers are the services servers.
2000 agents: the values for CCE Administration's pop-up, in order.
4000/12000 agents: --format csv fills the inventory CSV template downloaded
from CCE Administration (--template, or inventory.template), matching its
columns by name; columns ccewiz cannot fill are listed on stderr. Passwords
are never written. Exit code 1 when a check fails.

Examples:
  ccewiz inventory show --answers ccewiz.yaml
  ccewiz inventory show --format json
  ccewiz inventory show --format csv --template inventory-template.csv > ece-inventory.csv`,
		flags:   declare,
		actions: []string{"show"},
		run: func(ctx context.Context, g *globals, args []string) error {
			positional := args[1:]
			if err := noArgs(positional); err != nil {
				return err
			}
			if err := oneOf("format", format, "text", "json", "csv"); err != nil {
				return err
			}
			env, err := loadAnswers(g)
			if err != nil {
				return err
			}
			env.Timeout = timeout
			sheet, err := ece.BuildInventory(env.Answers)
			if err != nil {
				return err
			}
			var filled *ece.InventoryCSV
			var tmpl *ece.InventoryTemplate
			tpath := template
			if tpath == "" && ece.InventoryOf(env.Answers).Template != "" {
				tpath = env.Path(ece.InventoryOf(env.Answers).Template)
			}
			if tpath != "" {
				data, err := safefile.Read(tpath, safefile.MaxSmall)
				if err != nil {
					return steps.BadInput(fmt.Errorf("read inventory template: %w", err))
				}
				if tmpl, err = ece.ParseInventoryTemplate(tpath, data); err != nil {
					return err
				}
				filled = sheet.FillCSV(tmpl, env.Answers)
			} else if format == "csv" {
				return steps.BadInput(fmt.Errorf("--format csv needs the inventory CSV template downloaded from CCE Administration " +
					"(--template FILE or inventory.template): its exact columns are not published, so ccewiz fills the template's own columns instead of inventing a format"))
			}
			flow := []steps.Step{ece.NewInventoryStep()}
			results := steps.RunChecks(ctx, flow, env, steps.RunOptions{Timeout: timeout})
			switch format {
			case "json":
				if err := writeJSON(g.stdout, struct {
					Sheet  *ece.InventorySheet `json:"inventory"`
					CSV    *ece.InventoryCSV   `json:"csv,omitempty"`
					Checks []steps.Result      `json:"checks"`
				}{sheet, filled, results}); err != nil {
					return err
				}
			case "csv":
				if sheet.Method == "gui" {
					fmt.Fprintf(g.stderr, "note: the %d-agent model adds ECE in CCE Administration's pop-up, not with a CSV\n", sheet.Model)
				}
				if err := filled.Write(g.stdout, tmpl); err != nil {
					return err
				}
				writeCSVNotes(g, filled)
				for _, r := range results {
					if r.Status == steps.Fail || r.Status == steps.Warn {
						fmt.Fprintf(g.stderr, "%s %s: %s\n", strings.ToUpper(string(r.Status)), steps.PrintableLine(r.Title), steps.Printable(r.Detail))
					}
				}
			default:
				writeInventoryText(g, sheet, filled, results)
			}
			if steps.Summarize(results).Fail > 0 {
				return errReported
			}
			return nil
		},
	})
}

func writeCSVNotes(g *globals, c *ece.InventoryCSV) {
	if len(c.Unfilled) > 0 {
		fmt.Fprintf(g.stderr, "columns ccewiz could not fill (fill them before uploading): %s\n", strings.Join(c.Unfilled, ", "))
	}
	if len(c.Blank) > 0 {
		fmt.Fprintf(g.stderr, "left blank on purpose (passwords are never written): %s\n", strings.Join(c.Blank, ", "))
	}
	if len(c.Guessed) > 0 {
		fmt.Fprintf(g.stderr, "filled with ccewiz's names (check them against the values the template allows): %s\n", strings.Join(c.Guessed, ", "))
	}
}

func writeInventoryText(g *globals, s *ece.InventorySheet, c *ece.InventoryCSV, results []steps.Result) {
	w := g.stdout
	if s.Method == "gui" {
		fmt.Fprintf(w, "%d-agent model: add these in CCE Administration › Inventory › New, in this order\n", s.Model)
	} else {
		fmt.Fprintf(w, "%d-agent model: these go into the inventory CSV (ccewiz inventory show --format csv --template FILE)\n", s.Model)
	}
	for _, e := range s.Entries {
		fmt.Fprintf(w, "\n  %s\n", e.Kind)
		for _, f := range e.Fields {
			fmt.Fprintf(w, "    %-22s %s\n", f.Name, f.Value)
		}
	}
	if c != nil {
		fmt.Fprintf(w, "\n  CSV template columns: %s\n", strings.Join(c.Header, ", "))
		if len(c.Unfilled) > 0 {
			fmt.Fprintf(w, "  not filled by ccewiz: %s\n", strings.Join(c.Unfilled, ", "))
		}
	}
	fmt.Fprintln(w, "\nChecks:")
	for _, r := range results {
		// Details quote what the web server presented.
		fmt.Fprintf(w, "  %s %s: %s\n", steps.Symbol(r.Status), steps.PrintableLine(r.Title), steps.Printable(r.Detail))
		if r.Fix != "" && (r.Status == steps.Fail || r.Status == steps.Warn) {
			fmt.Fprintf(w, "      fix: %s\n", steps.Printable(r.Fix))
		}
	}
}
