// Command ccewiz walks a contact-center administrator through the
// integrations of Cisco Contact Center Enterprise — ECE ↔ PCCE, CCE ↔
// Webex Experience Management — and proves they work. This file is CLI
// wiring only: each subcommand lives in cmd_<name>.go and drives the steps
// package and its flows.

// Java reads certificates with a negative serial number (a Samba AD DC
// issues them); crypto/x509 refuses them unless told otherwise, and every
// verdict here must be Java's.
//
//go:debug x509negativeserial=1
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"slices"
	"sort"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"ccewiz/safefile"
	"ccewiz/secret"
	"ccewiz/steps"
	// The flows this build carries; each registers itself (ece is the default).
	_ "ccewiz/steps/ece"
	_ "ccewiz/steps/orchestration"
	_ "ccewiz/steps/wxm"
)

// Exit codes, the same for every subcommand.
const (
	exitOK      = 0
	exitFailed  = 1 // a check or an action failed
	exitBadUsed = 2 // bad usage or bad input
)

// globals are the flags every subcommand accepts.
type globals struct {
	answers    string
	flow       string // --flow: which integration's steps (steps.FlowByID)
	noColor    bool
	accessible bool // --accessible: plain line prompts instead of the full-screen wizard
	stdout     io.Writer
	stderr     io.Writer
	stdin      io.Reader
	// given are the flags set on the command line or from the environment,
	// so a front-end of a step changes only the answers they name.
	given map[string]bool
}

// set reports whether flag name was given.
func (g *globals) set(name string) bool { return g.given[name] }

// command is one subcommand.
type command struct {
	name    string
	summary string // one line for `ccewiz --help`
	usage   string // synopsis and at least one example, shown by --help
	// flags declares the subcommand's flags on fs (for a command with
	// actions, every action's; actionFlags says which each takes).
	flags func(fs *flag.FlagSet)
	// run gets the positional arguments; for a command with actions the
	// action comes first (ccewiz cert selfsigned … → run("selfsigned", …)).
	run     func(ctx context.Context, g *globals, args []string) error
	actions []string
	// actionFlags lists, per action, the flags it takes; a flag given to an
	// action that does not use it is refused. Nil: every action takes every flag.
	actionFlags map[string][]string
}

var commands = map[string]*command{}

// register adds a subcommand; cmd_*.go files call it from init, once each works.
func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("ccewiz: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

// usageError is bad usage: exit code 2, one line.
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// errReported marks an error that means "a check or action failed" (exit 1)
// and has already been reported, so main prints nothing more.
var errReported = errors.New("reported")

// ranError is what a command's own run returned; every other error out of
// the parser (an unknown command, a flag cobra refused) is bad usage.
type ranError struct{ err error }

func (r ranError) Error() string { return r.err.Error() }
func (r ranError) Unwrap() error { return r.err }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run parses args with a command tree made for this call (flag variables
// start from their defaults every time) and runs what they name.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	g := &globals{stdout: stdout, stderr: stderr, stdin: stdin}
	root := newRoot(ctx, g)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteContextC(ctx)
	return exitCode(stderr, cmd, err)
}

// newRoot builds the command tree: the wizard at the top (what `ccewiz`
// alone runs), every registered command below it, each action of a command
// a subcommand of its own with only the flags it takes.
func newRoot(ctx context.Context, g *globals) *cobra.Command {
	root := &cobra.Command{
		Use:           "ccewiz",
		Short:         "integrate Cisco contact-center products, and prove it works",
		Version:       steps.Version(),
		SilenceErrors: true,
		SilenceUsage:  true,
		// The wizard takes no arguments: a word here is a mistyped command.
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("unknown command %q; see ccewiz --help", args[0])
			}
			return nil
		},
	}
	root.SetVersionTemplate("ccewiz {{.Version}}\n")
	gfs := flag.NewFlagSet("ccewiz", flag.ContinueOnError)
	addGlobalFlags(gfs, g)
	root.PersistentFlags().AddGoFlagSet(gfs)
	root.SetFlagErrorFunc(flagError)
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if err := flagsFromEnv(cmd); err != nil {
			return err
		}
		g.given = map[string]bool{}
		cmd.Flags().Visit(func(f *pflag.Flag) { g.given[f.Name] = true })
		if os.Getenv("NO_COLOR") != "" {
			g.noColor = true
		}
		return nil
	}
	root.SetHelpFunc(func(cmd *cobra.Command, _ []string) { printHelp(cmd.OutOrStdout(), cmd) })

	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		c := commands[n]
		cc := &cobra.Command{Use: c.name, Short: c.summary, Annotations: map[string]string{"ccewiz": c.name}}
		if c.actions == nil {
			addFlags(cc, c, "")
			cc.RunE = runE(ctx, g, c, nil)
		} else {
			// ccewiz cert (no action), or a word that is none: say which there are.
			cc.Args = cobra.ArbitraryArgs
			cc.RunE = func(_ *cobra.Command, args []string) error {
				if len(args) == 0 {
					return usagef("say what to do: %s", orList(c.actions))
				}
				return usagef("unknown action %q: use %s", args[0], orList(c.actions))
			}
			for _, a := range c.actions {
				ac := &cobra.Command{Use: a, Short: c.summary, Annotations: map[string]string{"ccewiz": c.name, "action": a}}
				addFlags(ac, c, a)
				ac.RunE = runE(ctx, g, c, []string{a})
				cc.AddCommand(ac)
			}
		}
		if c.name == "wizard" {
			root.RunE = runE(ctx, g, c, nil)
		}
		root.AddCommand(cc)
	}
	return root
}

// addFlags declares c's flags on cmd: all of them, or those action takes.
func addFlags(cmd *cobra.Command, c *command, action string) {
	if c.flags == nil {
		return
	}
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	c.flags(fs)
	allowed := c.actionFlags[action]
	fs.VisitAll(func(f *flag.Flag) {
		if action == "" || c.actionFlags == nil || slices.Contains(allowed, f.Name) {
			cmd.Flags().AddGoFlag(f)
		}
	})
}

func runE(ctx context.Context, g *globals, c *command, pre []string) func(*cobra.Command, []string) error {
	return func(_ *cobra.Command, args []string) error {
		if err := c.run(ctx, g, append(slices.Clone(pre), args...)); err != nil {
			return ranError{err}
		}
		return nil
	}
}

// flagError words a flag the parser refused; a flag that belongs to another
// action of the same command says which.
func flagError(cmd *cobra.Command, err error) error {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "unknown flag: --"); ok {
		if c := commands[cmd.Annotations["ccewiz"]]; c != nil && c.actionFlags != nil {
			var users []string
			for _, a := range c.actions {
				if slices.Contains(c.actionFlags[a], name) {
					users = append(users, a)
				}
			}
			if len(users) > 0 {
				return usagef("--%s is for %s %s, not %s; see %s --help", name, c.name, orList(users), cmd.Name(), cmd.CommandPath())
			}
		}
	}
	// pflag: invalid argument "abc" for "--timeout" flag: parse error
	if strings.HasPrefix(msg, "invalid argument ") {
		if _, rest, ok := strings.Cut(msg, `for "--`); ok {
			name, _, _ := strings.Cut(rest, `"`)
			if f := cmd.Flags().Lookup(name); f != nil {
				val := strings.TrimPrefix(msg, "invalid argument ")
				val, _, _ = strings.Cut(val, " for ")
				return usagef("--%s %s is not %s", name, val, valueKind(f))
			}
		}
	}
	return usagef("%s; see %s --help", msg, cmd.CommandPath())
}

// valueKind says what a flag takes, for the message about a value it refused.
func valueKind(f *pflag.Flag) string {
	switch t := f.Value.Type(); {
	case strings.Contains(t, "Duration") || t == "duration":
		return "a duration (e.g. 5s, 2m, 1h)"
	case strings.Contains(t, "int") || strings.Contains(t, "Int"):
		return "a whole number"
	case strings.Contains(t, "bool") || strings.Contains(t, "Bool"):
		return "true or false (1 or 0)"
	}
	return "a value --" + f.Name + " takes (see --help)"
}

// envName is the environment variable that sets --name: CCEWIZ_NAME, with
// dashes as underscores (--pfx-pass-env → CCEWIZ_PFX_PASS_ENV).
func envName(flagName string) string {
	return "CCEWIZ_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// flagsFromEnv sets every flag not given on the command line from its
// environment variable, when that is set and not empty. A value the flag
// refuses is bad usage naming the variable.
func flagsFromEnv(cmd *cobra.Command) error {
	var err error
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if err != nil || f.Changed {
			return
		}
		v, ok := os.LookupEnv(envName(f.Name))
		if !ok || v == "" {
			return
		}
		if cmd.Flags().Set(f.Name, v) != nil {
			err = usagef("environment variable %s=%q (it sets --%s) is not %s", envName(f.Name), v, f.Name, valueKind(f))
		}
	})
	return err
}

func exitCode(stderr io.Writer, cmd *cobra.Command, err error) int {
	name := "ccewiz"
	if cmd != nil {
		name = cmd.CommandPath()
	}
	var ue usageError
	var re ranError
	// Errors quote files, certificates and servers: inert for the terminal.
	say := func(format string, args ...any) { fmt.Fprint(stderr, steps.Printable(fmt.Sprintf(format, args...))) }
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errReported):
		return exitFailed
	case errors.As(err, &ue):
		say("%s: %s\n", name, ue.msg)
		return exitBadUsed
	case errors.Is(err, steps.ErrBadInput), errors.Is(err, safefile.ErrNotRegular), errors.Is(err, safefile.ErrTooLarge):
		say("%s: %v\n", name, err)
		return exitBadUsed
	case !errors.As(err, &re):
		// The parser's own (an unknown command, a missing flag value).
		say("%s: %v; see %s --help\n", name, err, name)
		return exitBadUsed
	}
	say("%s: %v\n", name, err)
	return exitFailed
}

// printHelp is --help and `ccewiz help X`: the command's text with its
// examples, then its flags and the global ones.
func printHelp(w io.Writer, cmd *cobra.Command) {
	c := commands[cmd.Annotations["ccewiz"]]
	if !cmd.HasParent() || c == nil {
		topUsage(w)
		return
	}
	fmt.Fprintf(w, "ccewiz %s — %s\n\n%s\n", c.name, c.summary, strings.TrimRight(c.usage, "\n"))
	if a := cmd.Annotations["action"]; a != "" {
		fmt.Fprintf(w, "\nFlags of %s %s:\n%s", c.name, a, cmd.LocalFlags().FlagUsages())
	} else if cmd.HasAvailableLocalFlags() {
		fmt.Fprintf(w, "\nFlags:\n%s", cmd.LocalFlags().FlagUsages())
	}
	fmt.Fprintf(w, "\nGlobal flags:\n%s", cmd.InheritedFlags().FlagUsages())
	fmt.Fprintf(w, "\nEvery flag can also be set with an environment variable: --pfx-pass-env is CCEWIZ_PFX_PASS_ENV.\n")
}

// orList writes choices as "a, b or c".
func orList(choices []string) string {
	if len(choices) < 2 {
		return strings.Join(choices, "")
	}
	return strings.Join(choices[:len(choices)-1], ", ") + " or " + choices[len(choices)-1]
}

// noArgs refuses arguments a command does not take.
func noArgs(args []string) error {
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	return nil
}

// oneOf refuses a flag value outside choices.
func oneOf(flagName, value string, choices ...string) error {
	if slices.Contains(choices, value) {
		return nil
	}
	return usagef("--%s %q: choose %s", flagName, value, orList(choices))
}

func addGlobalFlags(fs *flag.FlagSet, g *globals) {
	fs.StringVar(&g.answers, "answers", steps.DefaultAnswersPath, "the answers `file` (YAML; never holds passwords)")
	fs.BoolVar(&g.noColor, "no-color", g.noColor, "no colour in the output (NO_COLOR is honoured too)")
	fs.StringVar(&g.flow, "flow", g.flow, "the integration whose steps to run: "+strings.Join(flowIDs(), ", ")+" (default "+flowIDs()[0]+")")
	fs.BoolVar(&g.accessible, "accessible", false, "plain line prompts instead of the full-screen wizard (env CCEWIZ_ACCESSIBLE=1)")
}

func flowIDs() []string {
	var ids []string
	for _, f := range steps.Flows() {
		ids = append(ids, f.ID)
	}
	return ids
}

func topUsage(w io.Writer) {
	fmt.Fprintf(w, `ccewiz — integrate Cisco ECE 12.x with Packaged CCE 12.x, and prove it works.

Usage:
  ccewiz [--answers FILE]            the interactive wizard
  ccewiz COMMAND [flags] [args]      one part of it, without a TUI
  ccewiz help COMMAND                a command's flags and examples

Commands:
`)
	names := make([]string, 0, len(commands))
	for n := range commands {
		if n != "wizard" {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintf(w, "  %-10s %s\n", "completion", "shell completion: ccewiz completion bash|zsh|fish|powershell")
	fmt.Fprint(w, `
Flags go anywhere after the command; -- ends them. Every flag can also be set
with an environment variable: --pfx-pass-env is CCEWIZ_PFX_PASS_ENV.

Global flags:
  --answers FILE   answers file (default ./ccewiz.yaml)
  --no-color       no colour (NO_COLOR is honoured too)
  --flow ID        the integration: `+strings.Join(flowIDs(), ", ")+` (default `+flowIDs()[0]+`)
  --accessible     plain line prompts instead of the full-screen wizard (CCEWIZ_ACCESSIBLE=1)
  --version        print the version

Exit codes: 0 success, 1 a check or an action failed, 2 bad usage or bad input.
`)
}

// loadAnswers reads the answers file named by --answers and returns an Env for it.
func loadAnswers(g *globals) (*steps.Env, error) {
	a, err := steps.LoadAnswers(g.answers)
	if errors.Is(err, steps.ErrNoAnswers) && steps.FlowArg(g.flow) != "" {
		return nil, steps.BadInput(fmt.Errorf("answers file %s does not exist; run `ccewiz wizard%s` to create it", g.answers, steps.FlowArg(g.flow)))
	}
	if err != nil {
		return nil, err
	}
	return newEnv(g, a)
}

// newEnv is the Env of a command that runs the steps of --flow.
func newEnv(g *globals, a *steps.Answers) (*steps.Env, error) {
	f, err := steps.FlowByID(g.flow)
	if err != nil {
		return nil, err
	}
	env := steps.NewEnv(a, g.answers)
	env.Flow, env.FlowID = f.Steps, f.ID
	return env, nil
}

// loadAnswersOrNew is loadAnswers for commands that work without an answers
// file: a missing file gives empty answers (the wizard then creates it), a
// file that exists but does not load is an error to show, not to ignore.
func loadAnswersOrNew(g *globals) (*steps.Env, error) {
	a, err := steps.LoadAnswers(g.answers)
	if err != nil {
		if _, serr := os.Stat(g.answers); !errors.Is(serr, fs.ErrNotExist) {
			return nil, err
		}
		a = steps.NewAnswers()
	}
	return newEnv(g, a)
}

// flagSecret reads a password from its --PREFIX-env / --PREFIX-file pair;
// label names it in errors. Given neither, it returns a zero Secret and ask,
// the terminal prompt, or nil when nobody can be asked: what then is the
// caller's decision (ask twice, skip, a default, or a usage error).
func flagSecret(g *globals, prefix, envName, file, label string) (s secret.Secret, ask secret.Prompter, err error) {
	ref, err := secret.FromFlags(prefix, envName, file)
	if err != nil {
		return secret.Secret{}, nil, usagef("%v", err)
	}
	if !ref.IsZero() {
		s, err := ref.Resolve(label)
		return s, nil, steps.BadInput(err)
	}
	if !isTerminalReader(g.stdin) {
		return secret.Secret{}, nil, nil
	}
	return secret.Secret{}, secret.TerminalPrompter(g.stderr), nil
}

// writeJSON is every command's --format json: indented, one value.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
