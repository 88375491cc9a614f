package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

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
	return runStepWith(ctx, g, stepID, func(*steps.Env) map[string]string { return set }, dryRun)
}

// runStepWith is runStep for flags whose value depends on the answers
// loaded (a --file that joins a list): bind reads env and returns the set.
func runStepWith(ctx context.Context, g *globals, stepID string, bind func(env *steps.Env) map[string]string, dryRun bool) error {
	env, err := loadAnswersOrNew(g)
	if err != nil {
		return err
	}
	set := bind(env)
	st := steps.Find(env.Flow, stepID)
	if st == nil {
		return fmt.Errorf("this build's %s flow has no %s step", g.flow, stepID)
	}
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
			return err
		}
	}
	if isTerminalReader(g.stdin) {
		env.Prompt = secret.TerminalPrompter(g.stderr)
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
