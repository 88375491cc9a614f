package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"ccewiz/safefile"
	"ccewiz/steps"
)

func init() {
	var (
		format  string
		only    string
		skip    string
		timeout time.Duration
		mdFile  string
	)
	register(&command{
		name:    "check",
		summary: "validation run: every automated check, and the manual items (text, json, junit)",
		usage: `Usage: ccewiz check [--answers FILE] [--format text|json|junit] [--only ID,...]
                    [--skip ID,...] [--timeout 5s] [--report FILE.md]

Runs every automated check of every step from the answers file in parallel,
each under its own timeout, and lists what a person must look at as "manual".
--only and --skip take check IDs (profile.pcce-patch) or whole steps (profile).
--report also writes the integration report to hand over (Markdown: the
verdict, every check, who confirmed which manual item, the values typed into
the GUIs, the commands left to run on other servers, the files written).

Examples:
  ccewiz check --answers ccewiz.yaml
  ccewiz check --answers ccewiz.yaml --format json --only profile
  ccewiz check --format junit > ccewiz-junit.xml
  ccewiz check --flow wxm --report wxm-report.md`,
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&format, "format", "text", "output `format`: text, json or junit")
			fs.StringVar(&only, "only", "", "run only these check or step `IDs` (comma-separated)")
			fs.StringVar(&skip, "skip", "", "skip these check or step `IDs` (comma-separated)")
			fs.DurationVar(&timeout, "timeout", 5*time.Second, "time limit for each check")
			fs.StringVar(&mdFile, "report", "", "also write the integration report (Markdown) to `file`")
		},
		run: func(ctx context.Context, g *globals, args []string) error {
			if err := noArgs(args); err != nil {
				return err
			}
			writer, ok := reportWriters[format]
			if !ok {
				return usagef("--format %q: choose %s", format, strings.Join(reportFormats(), ", "))
			}
			if timeout <= 0 {
				return usagef("--timeout must be positive")
			}
			env, err := loadAnswers(g)
			if err != nil {
				return err
			}
			env.Timeout = timeout
			flow := env.Flow
			opts := steps.RunOptions{Only: steps.SplitList(only), Skip: steps.SplitList(skip), Timeout: timeout}
			if bad := steps.UnknownIDs(flow, env.Answers, opts); len(bad) > 0 {
				return usagef("no check or step is called %s", strings.Join(bad, ", "))
			}
			results := steps.RunChecks(ctx, flow, env, opts)
			report := steps.NewReport(results, time.Now())
			if err := writer(g, report); err != nil {
				return fmt.Errorf("write report: %w", err)
			}
			if mdFile != "" {
				md := steps.BuildIntegrationReport(flow, env, results).Markdown()
				if _, err := safefile.Replace(mdFile, md, safefile.Options{Perm: 0o644}); err != nil {
					return fmt.Errorf("write the integration report: %w", err)
				}
				fmt.Fprintf(g.stderr, "integration report: %s\n", mdFile)
			}
			if report.Failed() {
				return errReported
			}
			return nil
		},
	})
}

// reportWriters render a validation report; the junit writer is added by cmd_check_junit.go.
var reportWriters = map[string]func(g *globals, r steps.Report) error{
	"text": func(g *globals, r steps.Report) error {
		return r.WriteText(g.stdout, !g.noColor && isTerminal(g.stdout))
	},
	"json": func(g *globals, r steps.Report) error { return r.WriteJSON(g.stdout) },
}

func reportFormats() []string {
	var out []string
	for _, f := range []string{"text", "json", "junit"} {
		if _, ok := reportWriters[f]; ok {
			out = append(out, f)
		}
	}
	return out
}
