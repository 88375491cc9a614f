package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // --pcce-tz must work on Windows, which has no zoneinfo files

	"ccewiz/logdoctor"
	"ccewiz/steps"
)

func init() {
	var (
		format   string
		since    string
		pcceTZ   string
		jobs     int
		patterns bool
	)
	register(&command{
		name:    "logs",
		summary: "read ECE/PCCE logs (files, folders, .zip) and explain the known failures found",
		usage: `Usage: ccewiz logs [--since T] [--format text|json] [--pcce-tz ZONE] PATH...

Reads ECE logs ({ECE_HOME}\eService\logs: eg_log_*, egpl_root_*, rotated .log.N
included) and PCCE logs (C:\icm\tomcat\logs: catalina.*, CCBU.*, Error.*,
tomcat9-*) from files, folders or .zip bundles, and reports each known problem
(PKIX path building failed, certificate name mismatch, LDAP not a Global
Catalog, LDAP bind errors with the AD sub-code, connection refused / Cisco
Service stopped) with where and when it was seen, a sample line, the cause
and the fix. ECE writes GMT+0000; PCCE writes the ADS's local time, read in
--pcce-tz. Exit code 1 when a known problem was found.

--since takes a time (2026-11-23, "2026-11-23 14:00", RFC 3339; without a
zone it is UTC, ECE's clock) or a duration back from now (2h, 36h).

Examples:
  ccewiz logs 'C:\icm\tomcat\logs' --since 2h
  ccewiz logs ece-logs.zip --format json > findings.json
  ccewiz logs --patterns > sig.txt && grep -F -f sig.txt -r logs/`,
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&format, "format", "text", "output `format`: text or json")
			fs.StringVar(&since, "since", "", "only hits at or after `T` (a time, or a duration back from now such as 2h)")
			fs.StringVar(&pcceTZ, "pcce-tz", "Local", "time `zone` of the PCCE servers, for their logs' local timestamps (e.g. America/New_York)")
			fs.IntVar(&jobs, "jobs", 0, "files read at once (0: one per CPU)")
			fs.BoolVar(&patterns, "patterns", false, "print the literal signature patterns, one per line, and exit (for grep -F -f)")
		},
		run: func(ctx context.Context, g *globals, args []string) error {
			if patterns {
				for _, p := range logdoctor.Patterns() {
					fmt.Fprintln(g.stdout, p)
				}
				return nil
			}
			if err := oneOf("format", format, "text", "json"); err != nil {
				return err
			}
			if len(args) == 0 {
				return usagef("give at least one log file, folder or .zip")
			}
			if jobs < 0 {
				return usagef("--jobs %d: give the number of files read at once, or 0 for one per CPU", jobs)
			}
			loc, err := time.LoadLocation(pcceTZ)
			if err != nil {
				return usagef("--pcce-tz %q: not a time zone (%v); use an IANA name such as Europe/Lisbon, or UTC", pcceTZ, err)
			}
			o := logdoctor.Options{Local: loc, Workers: jobs}
			if since != "" {
				if o.Since, err = parseSince(since, time.Now()); err != nil {
					return usagef("%v", err)
				}
			}
			rep, err := logdoctor.Scan(ctx, args, o)
			if errors.Is(err, logdoctor.ErrBadInput) {
				return steps.BadInput(err)
			}
			if err != nil {
				return err
			}
			if format == "json" {
				err = rep.WriteJSON(g.stdout)
			} else {
				err = rep.WriteText(g.stdout)
			}
			if err != nil {
				return fmt.Errorf("write report: %w", err)
			}
			if rep.Found() {
				return errReported
			}
			return nil
		},
	})
}

// parseSince reads --since: a duration back from now, or a time (UTC when no zone is given).
func parseSince(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if d, err := time.ParseDuration(s); err == nil {
		if d < 0 {
			return time.Time{}, fmt.Errorf("--since %q: give a positive duration (how far back)", s)
		}
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("--since %q: not a time or a duration; e.g. 2026-11-23, \"2026-11-23 14:00\", 2026-11-23T14:00:00-05:00 or 2h", s)
}
