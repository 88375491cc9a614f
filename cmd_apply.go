package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"ccewiz/secret"
	"ccewiz/steps"
)

func init() {
	var (
		only    string
		yes     bool
		dryRun  bool
		confirm string
	)
	register(&command{
		name:    "apply",
		summary: "answers file in, changes out: plan and apply every step without a TUI",
		usage: `Usage: ccewiz apply [--answers FILE] [--step ID,...] [--dry-run] [--yes] [--confirm TEXT]

For each step (in the order of Cisco's guide) ccewiz prints the plan — files
with diffs and backups, keystore entries, commands to run on other servers,
values to type into a GUI — and applies it: every file is backed up first and
replaced atomically. It stops at the first step that fails.
Without a terminal, --yes is required to change anything. A step that cannot be
undone (ECE's Unified CCE integration Save) is only recorded when --confirm
gives exactly the value it asks for (the Application Instance name).

Examples:
  ccewiz apply --answers ccewiz.yaml --dry-run
  ccewiz apply --answers ccewiz.yaml --step certificate,trust --yes
  CCEWIZ_PFX_PASSWORD=… ccewiz apply --yes`,
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&only, "step", "", "apply only these step `IDs` (comma-separated)")
			fs.BoolVar(&yes, "yes", false, "apply without asking for each step")
			fs.BoolVar(&dryRun, "dry-run", false, "print the plans, change nothing")
			fs.StringVar(&confirm, "confirm", "", "the `value` an irreversible step asks to type")
		},
		run: func(ctx context.Context, g *globals, args []string) error {
			if err := noArgs(args); err != nil {
				return err
			}
			env, err := loadAnswers(g)
			if err != nil {
				return err
			}
			interactive := isTerminal(g.stdout) && isTerminalReader(g.stdin)
			if interactive {
				env.Prompt = secret.TerminalPrompter(g.stderr)
			}
			if !yes && !dryRun && !interactive {
				return usagef("no terminal to ask for confirmation: add --yes to apply, or --dry-run to only print the plans")
			}
			flow := steps.Flow()
			selected := steps.SplitList(only)
			for _, id := range selected {
				if steps.Find(flow, id) == nil {
					return usagef("no step is called %q (steps: %s)", id, stepIDs(flow))
				}
			}
			a := &applier{g: g, env: env, yes: yes, dryRun: dryRun, confirm: confirm, in: bufio.NewReader(g.stdin)}
			for _, st := range flow {
				if len(selected) > 0 && !contains(selected, st.ID()) {
					continue
				}
				if err := a.step(ctx, st); err != nil {
					return err
				}
			}
			return nil
		},
	})
}

type applier struct {
	g       *globals
	env     *steps.Env
	yes     bool
	dryRun  bool
	confirm string
	in      *bufio.Reader
}

func (a *applier) step(ctx context.Context, st steps.Step) error {
	w := a.g.stdout
	need, why := st.Needed(a.env.Answers)
	fmt.Fprintf(w, "\n== %s (%s) — %s\n", st.Title(), st.ID(), need)
	if need == steps.NotNeeded {
		fmt.Fprintf(w, "  skipped: %s\n", why)
		return nil
	}
	plan, err := st.Plan(ctx, a.env)
	if err != nil {
		return fmt.Errorf("plan %s: %w", st.ID(), err)
	}
	plan.WriteText(w)
	if a.dryRun {
		return nil
	}
	if plan.Irreversible != nil {
		if a.confirm != plan.Irreversible.Confirm {
			if a.confirm != "" {
				return steps.BadInput(fmt.Errorf("%s: --confirm %q does not match %q exactly; nothing was recorded", st.ID(), a.confirm, plan.Irreversible.Confirm))
			}
			fmt.Fprintf(w, "  not applied: this step cannot be undone; re-run with --step %s --confirm %q once you are sure\n", st.ID(), plan.Irreversible.Confirm)
			return nil
		}
	} else if !a.yes {
		ok, err := a.ask(fmt.Sprintf("Apply %s? [y/N] ", st.ID()))
		if err != nil {
			return err
		}
		if !ok {
			fmt.Fprintln(w, "  not applied")
			return nil
		}
	}
	out, err := st.Apply(ctx, a.env, plan)
	if out != nil {
		out.WriteText(w)
	}
	out.Record(a.env.Answers)
	var errs []error
	if err != nil {
		errs = append(errs, fmt.Errorf("apply %s: %w", st.ID(), err))
	} else {
		a.env.Answers.MarkDone(st.ID())
	}
	// Saved after a failure too: the files written before it are recorded,
	// and the report lists them with their backups.
	if _, err := steps.SaveAnswers(a.g.answers, a.env.Answers, false); err != nil {
		errs = append(errs, fmt.Errorf("record progress in %s: %w", a.g.answers, err))
	}
	return errors.Join(errs...)
}

func (a *applier) ask(q string) (bool, error) {
	fmt.Fprint(a.g.stdout, q)
	line, err := a.in.ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return false, err
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func stepIDs(flow []steps.Step) string {
	ids := make([]string, len(flow))
	for i, s := range flow {
		ids[i] = s.ID()
	}
	return strings.Join(ids, ", ")
}
