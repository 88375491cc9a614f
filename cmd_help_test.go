package main

import (
	"context"
	"strings"
	"testing"
)

// helpExamples returns every example command line in the commands' help
// (lines that start with "ccewiz " under Examples:, with \ continuations),
// split into words as a shell would, without environment assignments,
// redirections, pipes and comments.
func helpExamples(t *testing.T) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for name, c := range commands {
		_, ex, ok := strings.Cut(c.usage, "Examples:")
		if !ok {
			t.Errorf("ccewiz %s: its help has no Examples:", name)
			continue
		}
		ex = strings.ReplaceAll(ex, "\\\n", " ")
		for _, line := range strings.Split(ex, "\n") {
			words := shellWords(strings.TrimSpace(line))
			for len(words) > 0 && strings.Contains(words[0], "=") && !strings.HasPrefix(words[0], "-") {
				words = words[1:] // CCEWIZ_PFX_PASSWORD=… ccewiz …
			}
			if len(words) == 0 || words[0] != "ccewiz" {
				continue
			}
			var args []string
			for _, w := range words[1:] {
				if w == ">" || w == "|" || w == "#" || strings.HasPrefix(w, ">") {
					break
				}
				args = append(args, w)
			}
			out[line] = args
		}
	}
	return out
}

// shellWords splits a line on blanks, honouring '…' and "…" (a backslash is
// a Windows path's, not an escape).
func shellWords(s string) []string {
	var words []string
	var cur strings.Builder
	quote, started := rune(0), false
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '\'' || r == '"':
			quote, started = r, true
		case r == ' ' || r == '\t':
			if started || cur.Len() > 0 {
				words = append(words, cur.String())
				cur.Reset()
				started = false
			}
		default:
			cur.WriteRune(r)
		}
	}
	if started || cur.Len() > 0 {
		words = append(words, cur.String())
	}
	return words
}

// TestEveryHelpExampleParses runs every example of every command's help
// through the real parser: it finds a command (the action's, for a command
// with actions) and that command takes every flag the example gives.
func TestEveryHelpExampleParses(t *testing.T) {
	examples := helpExamples(t)
	if len(examples) < 30 {
		t.Fatalf("only %d examples found in the help texts", len(examples))
	}
	for line, args := range examples {
		root := newRoot(context.Background(), &globals{})
		cmd, rest, err := root.Find(args)
		if err != nil {
			t.Errorf("%s: no command: %v", line, err)
			continue
		}
		if c := commands[cmd.Annotations["ccewiz"]]; c != nil && c.actions != nil && cmd.Annotations["action"] == "" {
			t.Errorf("%s: names no action of %s", line, c.name)
			continue
		}
		if err := cmd.ParseFlags(rest); err != nil {
			t.Errorf("%s: %v", line, err)
		}
	}
}

// TestCLIParsing: flags anywhere, -- honoured, a flag an action does not
// take refused by name, env values checked, completion for every shell.
func TestCLIParsing(t *testing.T) {
	cases := []struct {
		name   string
		env    map[string]string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{name: "flags after the arguments", args: []string{"logs", "testdata-none", "--format", "json", "--since", "2h"}, code: 2, stderr: "testdata-none"},
		{name: "-- before names that start with -", args: []string{"cert", "inspect", "--", "-a.pem", "-b.pem"}, code: 2, stderr: "read -a.pem"},
		{name: "a flag of another action", args: []string{"cert", "probe", "--days", "5"}, code: 2, stderr: "--days is for cert selfsigned, not probe"},
		{name: "a flag of no action", args: []string{"cert", "probe", "--frob"}, code: 2, stderr: "unknown flag: --frob"},
		{name: "a bad value", args: []string{"check", "--timeout", "soon"}, code: 2, stderr: `--timeout "soon" is not a duration`},
		{name: "a bad env value", env: map[string]string{"CCEWIZ_TIMEOUT": "soon"}, args: []string{"check"}, code: 2,
			stderr: `environment variable CCEWIZ_TIMEOUT="soon" (it sets --timeout) is not a duration`},
		{name: "an env value", env: map[string]string{"CCEWIZ_FORMAT": "xml"}, args: []string{"check", "--answers", "examples/ccewiz.yaml"}, code: 2,
			stderr: `--format "xml": choose text, json, junit`},
		{name: "the command line beats the env", env: map[string]string{"CCEWIZ_FORMAT": "xml"},
			args: []string{"check", "--answers", "examples/ccewiz.yaml", "--only", "profile", "--format", "json"}, code: 0, stdout: `"verdict"`},
		{name: "completion bash", args: []string{"completion", "bash"}, code: 0, stdout: "bash completion"},
		{name: "completion powershell", args: []string{"completion", "powershell"}, code: 0, stdout: "Register-ArgumentCompleter"},
		{name: "completion zsh", args: []string{"completion", "zsh"}, code: 0, stdout: "compdef"},
		{name: "completion fish", args: []string{"completion", "fish"}, code: 0, stdout: "complete -c ccewiz"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			code, out, errs := runCLI(t, c.args...)
			if code != c.code || !strings.Contains(out, c.stdout) || !strings.Contains(errs, c.stderr) || strings.Count(strings.TrimSpace(errs), "\n") > 0 {
				t.Errorf("ccewiz %v: exit %d (want %d)\nstdout: %.300s\nstderr: %s", c.args, code, c.code, out, errs)
			}
		})
	}
}
