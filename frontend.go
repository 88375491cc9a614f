package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"ccewiz/secret"
	"ccewiz/steps"
)

// runStep runs one step of the flow through the engine's loop — the
// wizard's and apply's — after setting the answers the admin gave as flags
// (answers key → value). A low-level command such as cert selfsigned or spog
// patch is that step, not a second copy of it: it keeps a current key,
// never replaces the key of a pending request, records what it wrote in
// the answers file (created when missing), and prints the step's plan and
// checks. It fails (exit 1) when the change fails; when only a check fails
// (the web server is not bound yet, the CA has not answered), the step is
// recorded as not done and the command says what is left. dryRun prints
// the plan and changes nothing, the answers file included.
func runStep(ctx context.Context, g *globals, stepID string, set map[string]string, dryRun bool) error {
	return runStepWith(ctx, g, stepID, func(*steps.Env) (map[string]string, error) { return set, nil }, dryRun)
}

// runStepWith is runStep for flags whose value depends on the answers
// loaded (a --file that joins a list): bind reads env and returns the set,
// or the bad input that leaves nothing to run.
func runStepWith(ctx context.Context, g *globals, stepID string, bind func(env *steps.Env) (map[string]string, error), dryRun bool) error {
	env, err := loadAnswersOrNew(g)
	if err != nil {
		return err
	}
	set, err := bind(env)
	if err != nil {
		return err
	}
	st := steps.Find(env.Flow, stepID)
	if st == nil {
		return fmt.Errorf("this build's %s flow has no %s step", g.flow, stepID)
	}
	if err := bindFields(g, env, set, nil); err != nil {
		return err
	}
	a := &applier{g: g, env: env, yes: true, dryRun: dryRun}
	err = a.step(ctx, env.Flow, st)
	var nd *notDoneError
	if errors.As(err, &nd) {
		fmt.Fprintf(g.stderr, "note: %v\n", err)
		return nil
	}
	return err
}

// bindFields sets the answers the admin gave as flags (answers key →
// value) through the flow's own fields — their parsing and validation, as
// in the wizard — and lets a password be asked on a terminal. A value a
// field refuses is reported by its flag when flagOf names one, else by
// its answers key.
func bindFields(g *globals, env *steps.Env, set map[string]string, flagOf map[string]string) error {
	var fields []steps.Field
	for _, s := range env.Flow {
		fields = append(fields, s.Fields()...)
	}
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if err := steps.SetField(env.Answers, fields, k, set[k]); err != nil {
			if f, ok := flagOf[k]; ok {
				return fmt.Errorf("%s: %w", f, err)
			}
			return fmt.Errorf("%s: %w", k, err)
		}
	}
	if isTerminalReader(g.stdin) {
		env.Prompt = secret.TerminalPrompter(g.stderr)
	}
	return nil
}

// secretSet binds a --X-env / --X-file pair to a password answer, as a
// source (never the password): env:NAME or file:ABSOLUTE-PATH.
func secretSet(set map[string]string, key, prefix, envName, file string) error {
	if _, err := secret.FromFlags(prefix, envName, file); err != nil {
		return usagef("%v", err)
	}
	switch {
	case envName != "":
		set[key] = "env:" + envName
	case file != "":
		set[key] = "file:" + absPath(file)
	}
	return nil
}

// absPath makes a path given on the command line absolute: answers-file
// paths are read relative to the answers file, flags to where ccewiz runs.
func absPath(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}

func joinList(l []string) string { return strings.Join(l, ",") }

// checkOnly runs some checks of the flow with the flags' answers on top of
// the answers file's, writing nothing: exit 1 when one fails.
func checkOnly(ctx context.Context, g *globals, set map[string]string, ids []string) error {
	env, err := loadAnswersOrNew(g)
	if err != nil {
		return err
	}
	if err := bindFields(g, env, set, nil); err != nil {
		return err
	}
	r := steps.NewReport(steps.RunChecks(ctx, env.Flow, env, steps.RunOptions{Only: ids}), time.Now())
	if err := r.WriteText(g.stdout, !g.noColor && isTerminal(g.stdout)); err != nil {
		return err
	}
	if r.Failed() {
		return errReported
	}
	return nil
}
