// Command ccewiz walks a contact-center administrator through integrating
// Cisco Enterprise Chat and Email (ECE) 12.x with Packaged CCE 12.x, and
// proves the integration works. This file is CLI wiring only: each
// subcommand lives in cmd_<name>.go and drives the steps package.
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

	"ccewiz/secret"
	"ccewiz/steps"
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
}

// command is one subcommand.
type command struct {
	name    string
	summary string // one line for `ccewiz --help`
	usage   string // synopsis and at least one example, shown by --help
	// flags declares the subcommand's flags on fs; run gets what remains.
	flags func(fs *flag.FlagSet)
	run   func(ctx context.Context, g *globals, args []string) error
	// actions, when set, means the command takes an action first
	// (ccewiz cert selfsigned …) whose flags follow it; see parseAction.
	actions []string
}

var commands = map[string]*command{}

// register adds a subcommand; cmd_*.go files call it from init, once each works.
func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("ccewiz: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

// usageError is bad usage: exit code 2 and the subcommand's usage.
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// errReported marks an error that means "a check or action failed" (exit 1)
// and has already been reported, so main prints nothing more.
var errReported = errors.New("reported")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	g := &globals{stdout: stdout, stderr: stderr, stdin: stdin}
	top := flag.NewFlagSet("ccewiz", flag.ContinueOnError)
	top.SetOutput(io.Discard)
	showVersion := top.Bool("version", false, "print the version and exit")
	addGlobalFlags(top, g)
	top.Usage = func() {} // run prints the usage itself, once, to the right stream
	if err := top.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			topUsage(stdout)
			return exitOK
		}
		fmt.Fprintf(stderr, "ccewiz: %v\n\n", err)
		topUsage(stderr)
		return exitBadUsed
	}
	if *showVersion {
		fmt.Fprintln(stdout, "ccewiz", steps.Version())
		return exitOK
	}
	rest := top.Args()
	name := ""
	if len(rest) > 0 {
		name, rest = rest[0], rest[1:]
	}
	if name == "help" {
		if len(rest) > 0 {
			if c, ok := commands[rest[0]]; ok {
				fmt.Fprint(stdout, commandUsage(c))
				return exitOK
			}
		}
		topUsage(stdout)
		return exitOK
	}
	if name == "" {
		name = "wizard"
	}
	c, ok := commands[name]
	if !ok {
		if name == "wizard" {
			fmt.Fprintln(stderr, "ccewiz: the interactive wizard is not part of this build yet; use `ccewiz check` and `ccewiz apply` with an answers file (see `ccewiz --help`)")
			return exitBadUsed
		}
		fmt.Fprintf(stderr, "ccewiz: unknown command %q\n\n", name)
		topUsage(stderr)
		return exitBadUsed
	}
	fs := flag.NewFlagSet("ccewiz "+c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	addGlobalFlags(fs, g)
	if c.flags != nil {
		c.flags(fs)
	}
	if err := fs.Parse(rest); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, commandUsage(c, fs))
			return exitOK
		}
		fmt.Fprintf(stderr, "ccewiz %s: %v\n\n%s", c.name, err, commandUsage(c, fs))
		return exitBadUsed
	}
	if g.noColor || os.Getenv("NO_COLOR") != "" {
		g.noColor = true
	}
	runArgs := fs.Args()
	if c.actions != nil {
		// parseAction parses the action's flags itself, wherever they stand.
		runArgs = rest
	}
	err := c.run(ctx, g, runArgs)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, commandUsage(c, fs))
		return exitOK
	}
	return exitCode(stderr, c, fs, err)
}

func exitCode(stderr io.Writer, c *command, fs *flag.FlagSet, err error) int {
	var ue usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errReported):
		return exitFailed
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "ccewiz %s: %s\n\n%s", c.name, ue.msg, commandUsage(c, fs))
		return exitBadUsed
	case errors.Is(err, steps.ErrBadInput):
		fmt.Fprintf(stderr, "ccewiz %s: %v\n", c.name, err)
		return exitBadUsed
	}
	fmt.Fprintf(stderr, "ccewiz %s: %v\n", c.name, err)
	return exitFailed
}

// parseAction reads "ACTION [flags and arguments in any order]" for a
// command with actions (ccewiz cert selfsigned --cn X, or ccewiz cert --cn X
// selfsigned: both work). declare adds the action's flags; the global flags
// (--answers, --no-color) are accepted anywhere too.
func parseAction(g *globals, c string, args []string, declare func(*flag.FlagSet)) (action string, positional []string, err error) {
	actions := commands[c].actions
	list := orList(actions)
	fs := flag.NewFlagSet("ccewiz "+c, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	addGlobalFlags(fs, g)
	declare(fs)
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return "", nil, err
			}
			return "", nil, usagef("%v", err)
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(positional) == 0 {
		return "", nil, usagef("say what to do: %s", list)
	}
	action, positional = positional[0], positional[1:]
	if !contains(actions, action) {
		return "", nil, usagef("unknown action %q: use %s", action, list)
	}
	return action, positional, nil
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
	// A value given before the subcommand (ccewiz --answers X check) is the
	// default after it, so both places work.
	def := g.answers
	if def == "" {
		def = steps.DefaultAnswersPath
	}
	fs.StringVar(&g.answers, "answers", def, "the answers `file` (YAML; never holds passwords)")
	fs.BoolVar(&g.noColor, "no-color", g.noColor, "no colour in the output (NO_COLOR is honoured too)")
	fs.StringVar(&g.flow, "flow", g.flow, "the integration whose steps to run: "+strings.Join(flowIDs(), ", ")+" (default "+flowIDs()[0]+")")
	acc := g.accessible || os.Getenv("CCEWIZ_ACCESSIBLE") != ""
	fs.BoolVar(&g.accessible, "accessible", acc, "plain line prompts instead of the full-screen wizard (env CCEWIZ_ACCESSIBLE=1)")
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
	fmt.Fprint(w, `
Global flags:
  --answers FILE   answers file (default ./ccewiz.yaml)
  --no-color       no colour (NO_COLOR is honoured too)
  --flow ID        the integration: `+strings.Join(flowIDs(), ", ")+` (default `+flowIDs()[0]+`)
  --accessible     plain line prompts instead of the full-screen wizard (CCEWIZ_ACCESSIBLE=1)
  --version        print the version

Exit codes: 0 success, 1 a check or an action failed, 2 bad usage or bad input.
`)
}

func commandUsage(c *command, fss ...*flag.FlagSet) string {
	var b strings.Builder
	fmt.Fprintf(&b, "ccewiz %s — %s\n\n%s\n", c.name, c.summary, strings.TrimRight(c.usage, "\n"))
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	if len(fss) > 0 && fss[0] != nil {
		fs = fss[0]
	} else {
		addGlobalFlags(fs, &globals{})
		if c.flags != nil {
			c.flags(fs)
		}
	}
	b.WriteString("\nFlags:\n")
	fs.SetOutput(&b)
	fs.PrintDefaults()
	return b.String()
}

// loadAnswers reads the answers file named by --answers and returns an Env for it.
func loadAnswers(g *globals) (*steps.Env, error) {
	a, err := steps.LoadAnswers(g.answers)
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
	env.Flow = f.Steps
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
