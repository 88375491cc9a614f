package main

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const goodProfile = `version: 1
profile:
  pcce_version: 12.5(1)
  pcce_es: 7
  ece_version: 12.5(1)
  ece_es: 1
  deployment_model: 2000
  ece_shape: 400-single
  load_balancer: none
  ece_fqdn: ece.example.com
  web_servers: [ece.example.com]
  app_servers: [ece.example.com]
  services_servers: [ece.example.com]
  admin_data_servers: [aw1a.example.com]
`

func writeAnswers(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "ccewiz.yaml")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCheckExitCodes(t *testing.T) {
	good := writeAnswers(t, goodProfile)
	// 12.0(1) without ES37 fails profile.pcce-patch.
	unpatched := writeAnswers(t, strings.Replace(strings.Replace(goodProfile, "pcce_version: 12.5(1)", "pcce_version: 12.0(1)", 1), "pcce_es: 7", "pcce_es: 0", 1))
	typo := writeAnswers(t, goodProfile+"  ece_fdqn: x\n")
	for _, tc := range []struct {
		name     string
		args     []string
		code     int
		inStdout string
		inStderr string
	}{
		{"all pass", []string{"check", "--answers", good, "--only", "profile"}, 0, "ALMOST — 1 manual item(s) not confirmed yet\n", ""},
		{"a check fails", []string{"check", "--answers", unpatched, "--only", "profile"}, 1, "ES37", ""},
		{"skip the failing check", []string{"check", "--answers", unpatched, "--only", "profile", "--skip", "profile.pcce-patch"}, 0, "ALMOST — 1 manual item(s) not confirmed yet\n", ""},
		{"unknown --only", []string{"check", "--answers", good, "--only", "profle"}, 2, "", "no check or step is called profle"},
		{"unknown --skip", []string{"check", "--answers", good, "--skip", "profile.nope"}, 2, "", "profile.nope"},
		{"bad format", []string{"check", "--answers", good, "--format", "xml"}, 2, "", "choose text, json, junit"},
		{"bad timeout", []string{"check", "--answers", good, "--timeout", "0s"}, 2, "", "--timeout must be positive"},
		{"stray argument", []string{"check", "--answers", good, "extra"}, 2, "", `unexpected argument "extra"`},
		{"no answers file", []string{"check", "--answers", filepath.Join(t.TempDir(), "none.yaml")}, 2, "", "does not exist"},
		{"typo in answers", []string{"check", "--answers", typo}, 2, "", `unknown key "ece_fdqn"`},
		{"unknown flag", []string{"check", "--bogus"}, 2, "", "unknown flag: --"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runCLI(t, tc.args...)
			if code != tc.code {
				t.Errorf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, out, errs)
			}
			if !strings.Contains(out, tc.inStdout) {
				t.Errorf("stdout lacks %q:\n%s", tc.inStdout, out)
			}
			if !strings.Contains(errs, tc.inStderr) {
				t.Errorf("stderr lacks %q:\n%s", tc.inStderr, errs)
			}
		})
	}
}

func TestCheckFormats(t *testing.T) {
	unpatched := writeAnswers(t, strings.Replace(goodProfile, "ece_es: 1", "ece_es: 0", 1)+"  wxm_analyzer: true\n")
	t.Run("json", func(t *testing.T) {
		code, out, _ := runCLI(t, "check", "--answers", unpatched, "--only", "profile", "--format", "json")
		if code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		var r struct {
			Checks  []struct{ ID, Status string }
			Summary struct{ Fail, Manual int }
		}
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, out)
		}
		if r.Summary.Fail != 1 || r.Summary.Manual != 1 {
			t.Errorf("summary %+v, want 1 fail (ece-patch) and 1 manual (mrds)", r.Summary)
		}
	})
	t.Run("junit", func(t *testing.T) {
		code, out, _ := runCLI(t, "check", "--answers", unpatched, "--only", "profile", "--format", "junit")
		if code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		var doc struct {
			Failures int `xml:"failures,attr"`
			Suites   []struct {
				Name  string `xml:"name,attr"`
				Cases []struct {
					Name    string    `xml:"name,attr"`
					Failure *struct{} `xml:"failure"`
				} `xml:"testcase"`
			} `xml:"testsuite"`
		}
		if err := xml.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("not XML: %v\n%s", err, out)
		}
		if doc.Failures != 1 || len(doc.Suites) != 1 || doc.Suites[0].Name != "profile" {
			t.Fatalf("junit: %+v", doc)
		}
		for _, c := range doc.Suites[0].Cases {
			if (c.Failure != nil) != strings.HasPrefix(c.Name, "profile.ece-patch") {
				t.Errorf("case %s: failure=%v", c.Name, c.Failure != nil)
			}
		}
	})
}

// TestCheckJSONVerdict: the JSON report leads with the run's verdict and
// when it ran, so a monitoring job needs no counting of its own.
func TestCheckJSONVerdict(t *testing.T) {
	before := time.Now().UTC().Truncate(time.Second)
	code, out, errs := runCLI(t, "check", "--answers", "examples/ccewiz.yaml", "--only", "profile", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	var r struct {
		Verdict string    `json:"verdict"`
		At      time.Time `json:"timestamp"`
		Summary struct {
			Manual, Confirmed int
		} `json:"summary"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if r.Verdict != "almost" || r.At.Before(before) || r.At.After(time.Now()) || r.Summary.Manual != 1 || r.Summary.Confirmed != 0 {
		t.Errorf("verdict %q at %s, summary %+v\n%s", r.Verdict, r.At, r.Summary, out)
	}
}
