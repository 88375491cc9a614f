package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"ccewiz/logdoctor"
)

func TestLogsCommand(t *testing.T) {
	clean := filepath.Join(t.TempDir(), "eg_log_ECEAPP_ApplicationServer.log")
	os.WriteFile(clean, []byte("2026-11-23 09:14:07.512 GMT+0000 <@> INFO <@> all good\n"), 0o644)
	bundle := "logdoctor/testdata/bundle"
	// Hits two hours and ten minutes ago, in ECE's GMT clock, for --since DURATION.
	recent := filepath.Join(t.TempDir(), "eg_log_ECEAPP_ApplicationServer.log")
	stamp := func(d time.Duration) string { return time.Now().UTC().Add(-d).Format("2006-01-02 15:04:05.000") }
	os.WriteFile(recent, []byte(stamp(2*time.Hour)+" GMT+0000 <@> ERROR <@> javax.naming.PartialResultException: Unprocessed Continuation Reference(s)\n"+
		stamp(10*time.Minute)+" GMT+0000 <@> ERROR <@> java.net.ConnectException: Connection refused: connect\n"), 0o644)
	for _, tc := range []struct {
		name     string
		args     []string
		code     int
		inStdout string
		inStderr string
	}{
		{"problems found", []string{"logs", "--pcce-tz", "America/New_York", bundle}, 1, "LDAP bind refused", ""},
		{"nothing known", []string{"logs", clean}, 0, "no known problem found in 1 file(s)", ""},
		{"since filters", []string{"logs", "--since", "2026-11-24", bundle}, 0, "no known problem found", ""},
		{"since duration keeps recent", []string{"logs", "--since", "1h", recent}, 1, "1 known problem(s) found", ""},
		{"since duration drops older", []string{"logs", "--since", "1h", "--format", "json", recent}, 1, `"signature": "conn-refused"`, ""},
		{"without since both", []string{"logs", recent}, 1, "2 known problem(s) found", ""},
		{"patterns for grep", []string{"logs", "--patterns"}, 0, "PKIX path building failed\n", ""},
		{"no path", []string{"logs"}, 2, "", "at least one log file"},
		{"missing path", []string{"logs", "no/such/dir"}, 2, "", "no/such/dir"},
		{"bad since", []string{"logs", "--since", "yesterday", bundle}, 2, "", `--since "yesterday"`},
		{"bad zone", []string{"logs", "--pcce-tz", "Mars/Olympus", bundle}, 2, "", "Mars/Olympus"},
		{"bad format", []string{"logs", "--format", "xml", bundle}, 2, "", "choose text or json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runCLI(t, tc.args...)
			if code != tc.code || !strings.Contains(out, tc.inStdout) || !strings.Contains(errs, tc.inStderr) {
				t.Errorf("ccewiz %v: exit %d (want %d)\nstdout (want %q):\n%s\nstderr (want %q):\n%s", tc.args, code, tc.code, tc.inStdout, out, tc.inStderr, errs)
			}
		})
	}
}

func TestLogsJSON(t *testing.T) {
	code, out, _ := runCLI(t, "logs", "--format", "json", "--pcce-tz", "UTC", "logdoctor/testdata/bundle")
	var r logdoctor.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil || code != 1 {
		t.Fatalf("exit %d, %v:\n%s", code, err, out)
	}
	if len(r.Findings) == 0 || r.Findings[0].Signature != "pkix" || r.Findings[0].FirstSeen == nil {
		t.Errorf("first finding: %+v", r.Findings[0])
	}
}

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]string{
		"2h":                        "2026-11-23T10:00:00Z",
		"2026-11-23":                "2026-11-23T00:00:00Z",
		"2026-11-23 14:00":          "2026-11-23T14:00:00Z",
		"2026-11-23T14:00:00-05:00": "2026-11-23T14:00:00-05:00",
	} {
		got, err := parseSince(in, now)
		if err != nil || got.Format(time.RFC3339) != want {
			t.Errorf("parseSince(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"-2h", "23/11/2026", ""} {
		if _, err := parseSince(bad, now); err == nil {
			t.Errorf("parseSince(%q) accepted", bad)
		}
	}
}

// FuzzParseSince: --since takes a time or a duration back from now, or
// says it is neither; never a panic, never a time after now for a duration.
func FuzzParseSince(f *testing.F) {
	for _, s := range []string{"2h", "90m", "2026-11-23", "2026-11-23 14:00", "2026-11-23T14:00:00-05:00", "yesterday", "-5h", "9999999999h", ""} {
		f.Add(s)
	}
	now := time.Date(2026, 12, 4, 21, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		at, err := parseSince(s, now)
		if err == nil && regexp.MustCompile(`^\d+(\.\d+)?[hms]$`).MatchString(strings.TrimSpace(s)) && at.After(now) {
			t.Fatalf("--since %q is %s, after now", s, at)
		}
	})
}
