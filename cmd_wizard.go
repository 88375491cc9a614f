package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	tea "github.com/charmbracelet/bubbletea"

	"ccewiz/steps"
	"ccewiz/tui"
)

func init() {
	register(&command{
		name:    "wizard",
		summary: "the interactive wizard (what `ccewiz` runs with no command)",
		usage: `Usage: ccewiz [--answers FILE] [--no-color] [--accessible]

Walks through every step of the ECE ↔ PCCE integration: the deployment
profile, then each change (shown as a plan before it is made) and its
checks, and ends with the integration report (ccewiz-report.md next to the
answers file). Progress is saved to the answers file after every step;
run ccewiz again to resume where you stopped. Passwords are never saved.

Keys: enter next field / continue · tab, shift+tab, ↑/↓ move between fields ·
←/→ or typing the start of an option choose · ctrl+o review the plan from any
field · space ticks · ctrl+n next step (nothing recorded) ·
ctrl+p back · ctrl+g jump to a step · ctrl+s save · ctrl+t details (help,
fixes, full diffs) · esc cancel / back · ctrl+c quit (asks if input is unsaved).

Without a terminal, or with --accessible, the same steps are asked as
plain line prompts (screen readers, dumb terminals, pipes).

Examples:
  ccewiz
  ccewiz --answers site-a.yaml
  ccewiz --accessible --no-color
  CCEWIZ_ACCESSIBLE=1 ccewiz`,
		run: func(ctx context.Context, g *globals, args []string) error {
			if len(args) > 0 {
				return usagef("unexpected argument %q (the wizard takes no arguments; did you mean a command? see ccewiz --help)", args[0])
			}
			// A first run has no file yet: the wizard creates it.
			env, err := loadAnswersOrNew(g)
			if err != nil {
				return err
			}
			opts := tui.Options{AnswersPath: g.answers, Env: env, Flow: env.Flow, NoColor: g.noColor}
			if g.accessible || !isTerminal(g.stdout) || !isTerminalReader(g.stdin) || os.Getenv("TERM") == "dumb" {
				err := tui.RunAccessible(ctx, opts, g.stdin, g.stdout)
				if err != nil && ctx.Err() != nil {
					fmt.Fprintf(g.stderr, "ccewiz: interrupted; the answers given so far are saved in %s — run ccewiz again to resume\n", g.answers)
					return errReported
				}
				if errors.Is(err, tui.ErrInputEnded) {
					return steps.BadInput(fmt.Errorf("%w; progress is saved in %s — run ccewiz again to resume", err, g.answers))
				}
				return err
			}
			m := tui.New(opts)
			p := tea.NewProgram(m, tea.WithAltScreen(), tea.WithContext(ctx),
				tea.WithInput(g.stdin), tea.WithOutput(g.stdout))
			final, err := p.Run()
			if fm, ok := final.(interface{ Wait() }); ok {
				fm.Wait() // a save asked for as the program ended is written, not lost
			}
			if err != nil && !errors.Is(err, tea.ErrProgramKilled) {
				return fmt.Errorf("wizard: %w", err)
			}
			if fm, ok := final.(interface{ ExitMessage() string }); ok && fm.ExitMessage() != "" {
				fmt.Fprintln(g.stdout, fm.ExitMessage())
			}
			return nil
		},
	})
}
