package steps

import (
	"fmt"
	"io"
	"strings"
)

// WriteText renders a plan for a terminal or a log: files (with diffs),
// keystore entries, commands for other machines, values to type into GUIs.
// Sensitive files are described, never shown. Its text comes from servers,
// certificates and files: it is made inert for a terminal (Printable).
func (p *Plan) WriteText(out io.Writer) error {
	var w strings.Builder
	if p.Summary != "" {
		fmt.Fprintf(&w, "%s\n", p.Summary)
	}
	for _, f := range p.Files {
		backup := ""
		if f.Backup && f.Action == Modify {
			backup = " (backed up first)"
		}
		fmt.Fprintf(&w, "  %-9s %s%s\n", f.Action, f.Path, backup)
		if f.Why != "" {
			fmt.Fprintf(&w, "            %s\n", f.Why)
		}
		if f.Diff != "" && !f.Sensitive {
			fmt.Fprintf(&w, "%s\n", indent(f.Diff, "            "))
		}
	}
	for _, r := range p.Remote {
		fmt.Fprintf(&w, "  %-9s %s in %s\n", r.Action, r.What, r.Target)
		if r.Diff != "" {
			fmt.Fprintf(&w, "%s\n", indent(r.Diff, "            "))
		}
	}
	for _, k := range p.Keystore {
		fmt.Fprintf(&w, "  keystore  %s: %s alias %q — %s (SHA-256 %s)\n", k.Keystore, k.Action, k.Alias, k.Subject, k.SHA256)
	}
	for _, c := range p.Commands {
		fmt.Fprintf(&w, "  run on %s (%s):", c.Host, c.Shell)
		if c.Why != "" {
			fmt.Fprintf(&w, "  # %s", c.Why)
		}
		fmt.Fprintf(&w, "\n%s\n", indent(c.Script, "      "))
	}
	where := ""
	for _, g := range p.GUI {
		if g.Where != where {
			fmt.Fprintf(&w, "  in %s:\n", g.Where)
			where = g.Where
		}
		fmt.Fprintf(&w, "      %-28s %s\n", g.Field, g.Value)
	}
	for _, n := range p.Notes {
		fmt.Fprintf(&w, "  note: %s\n", n)
	}
	if p.Irreversible != nil {
		fmt.Fprintf(&w, "  IRREVERSIBLE: %s\n", p.Irreversible.What)
		if len(p.Blocked) > 0 {
			fmt.Fprintf(&w, "  NOT YET: it waits for every earlier step; %d not ready:\n", len(p.Blocked))
			for _, b := range p.Blocked {
				fmt.Fprintf(&w, "    - %s\n", b)
			}
		} else {
			fmt.Fprintf(&w, "  confirm by typing: %s\n", p.Irreversible.Confirm)
		}
	}
	_, err := io.WriteString(out, Printable(w.String()))
	return err
}

// WriteText renders what Apply did, inert for a terminal as Plan.WriteText.
func (o *Outcome) WriteText(out io.Writer) error {
	var w strings.Builder
	for _, f := range o.Written {
		if f.Backup != "" {
			fmt.Fprintf(&w, "  wrote %s (previous version: %s)\n", f.Path, f.Backup)
		} else {
			fmt.Fprintf(&w, "  wrote %s\n", f.Path)
		}
	}
	for _, r := range o.Results {
		fmt.Fprintf(&w, "  %s %s: %s\n", Symbol(r.Status), r.Title, r.Detail)
	}
	for _, n := range o.Notes {
		fmt.Fprintf(&w, "  %s\n", strings.TrimSpace(n))
	}
	_, err := io.WriteString(out, Printable(w.String()))
	return err
}
