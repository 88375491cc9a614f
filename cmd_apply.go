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
replaced atomically, then the step's checks run: a step is done only when
none fails. A step whose checks fail is reported and apply goes on with the
next; a step that cannot be applied stops it. Exit 1 when any step is not done.
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
			flow := env.Flow
			selected := steps.SplitList(only)
			for _, id := range selected {
				if steps.Find(flow, id) == nil {
					return usagef("no step is called %q (steps: %s)", id, stepIDs(flow))
				}
			}
			a := &applier{g: g, env: env, yes: yes, dryRun: dryRun, confirm: confirm, in: bufio.NewReader(g.stdin)}
			var notDone []string
			for _, st := range flow {
				if len(selected) > 0 && !contains(selected, st.ID()) {
					continue
				}
				err := a.step(ctx, flow, st)
				var nd *notDoneError
				var ge *steps.GuardError
				if errors.As(err, &nd) || errors.As(err, &ge) {
					// Not done, or waiting for a step that is not: the later
					// steps may still be applied (an irreversible one waits
					// through its guard), and the run ends with exit 1.
					fmt.Fprintf(g.stderr, "ccewiz apply: %v\n", err)
					notDone = append(notDone, st.ID())
					continue
				}
				if err != nil {
					return err
				}
			}
			if len(notDone) > 0 {
				return fmt.Errorf("not done: %s (see above); ccewiz check%s --only %s lists every failing check with its fix",
					strings.Join(notDone, ", "), steps.FlowArg(env.FlowID), strings.Join(notDone, ","))
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

// step runs one step through the engine's loop (steps.PlanStep, RunStep,
// Record) — the same loop as the wizard's — and saves the answers after it.
// A step whose checks fail after Apply is not done: apply stops there, exit 1.
func (a *applier) step(ctx context.Context, flow []steps.Step, st steps.Step) error {
	w := a.g.stdout
	need, why := st.Needed(a.env.Answers)
	fmt.Fprintf(w, "\n== %s (%s) — %s\n", st.Title(), st.ID(), need)
	if need == steps.NotNeeded {
		fmt.Fprintf(w, "  skipped: %s\n", why)
		return nil
	}
	var plan *steps.Plan
	var err error
	if a.dryRun {
		plan, err = steps.PlanStep(ctx, flow, st, a.env)
	} else {
		// Planned under the files' locks: what is written is worked out
		// from what is there, even when another ccewiz wrote it a moment ago.
		var unlock func()
		plan, unlock, err = steps.PlanLocked(ctx, flow, st, a.env, func(m string) { fmt.Fprintln(a.g.stderr, m) })
		defer unlock()
	}
	if err != nil {
		return fmt.Errorf("plan %s: %w", st.ID(), err)
	}
	plan.WriteText(w)
	if a.dryRun {
		return nil
	}
	if irr := plan.Irreversible; irr != nil {
		switch {
		case a.confirm == "" && len(plan.Blocked) == 0:
			fmt.Fprintf(w, "  not applied: this step cannot be undone; re-run with --step %s --confirm %q once you are sure\n", st.ID(), irr.Confirm)
			return nil
		case a.confirm != "" && a.confirm != irr.Confirm:
			return steps.BadInput(fmt.Errorf("%s: --confirm %q does not match %q exactly; nothing was recorded", st.ID(), a.confirm, irr.Confirm))
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
	run := steps.RunStep(ctx, flow, st, a.env, plan, a.confirm)
	if run.Outcome != nil {
		did := *run.Outcome
		did.Results = nil // merged into run.Results, printed once below
		did.WriteText(w)
	}
	for _, r := range run.Results {
		fmt.Fprint(w, steps.Printable(fmt.Sprintf("  %s %-6s %s: %s\n", steps.Symbol(r.Status), r.Status, r.Title, r.Detail)))
		if r.Status == steps.Fail && r.Fix != "" {
			fmt.Fprint(w, steps.Printable(fmt.Sprintf("           fix: %s\n", r.Fix)))
		}
	}
	run.Record(a.env)
	var errs []error
	switch failed := run.Failed(); {
	case run.Err != nil:
		errs = append(errs, fmt.Errorf("apply %s: %w", st.ID(), run.Err))
	case len(failed) > 0:
		errs = append(errs, &notDoneError{step: st.ID(), flow: a.env.FlowID, failed: failed})
	}
	if run.Outcome != nil {
		// Saved after a failure too: the files written before it are
		// recorded, and the report lists them with their backups.
		if _, err := steps.SaveAnswers(a.g.answers, a.env.Answers, false); err != nil {
			errs = append(errs, fmt.Errorf("record progress in %s: %w", a.g.answers, err))
		}
	}
	return errors.Join(errs...)
}

// notDoneError: the step was applied but a check of it fails, so it is not done.
type notDoneError struct {
	step   string
	flow   string
	failed []steps.Result
}

func (e *notDoneError) Error() string {
	ids := make([]string, len(e.failed))
	for i, r := range e.failed {
		ids[i] = r.ID
	}
	return fmt.Sprintf("%s is not done: %s fail(s) after the change; fix what the check says, then run ccewiz apply%s --step %s again",
		e.step, strings.Join(ids, ", "), steps.FlowArg(e.flow), e.step)
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
