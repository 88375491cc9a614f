package steps

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// -update rewrites the golden files. Other test files of this package may
// declare the same flag; whoever comes first defines it.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite testdata/*.golden from the current output")
	}
}

func updateGolden() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if updateGolden() {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run `go test ./steps -run %s -update` to create it)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (rerun with -update if the change is intended)\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}

// sampleReport has every status, a multi-line detail, characters XML must
// escape and a control character it cannot carry.
func sampleReport() Report {
	return NewReport([]Result{
		{ID: "profile.complete", Title: "Deployment profile is complete", Status: Pass, Detail: "ECE ece.example.com (400-single), PCCE 12.5(1), 2000-agent model"},
		{ID: "profile.servers", Title: "Servers match the ECE deployment shape", Status: Warn,
			Detail: "400-agent HA has two collocated servers", Fix: "correct the server lists in the profile"},
		{ID: "profile.mrds", Title: "ECE media routing domains", Status: Manual, Detail: "CCE Administration › Manage › Media Routing Domains"},
		{ID: "certificate.tls", Title: "ECE answers TLS without SNI", Status: Fail,
			Detail: "ece.example.com:443: certificate expired on 2025-01-01\nserved chain: CN=ece.example.com", Fix: "renew the certificate (step 1) & bind it <without> SNI \x01"},
		{ID: "validate.https-system", Title: "https://ece.example.com/system answers", Status: Skip, Detail: "profile.ece_fqdn is not set"},
		{ID: "validate.agent-login", Title: "A test agent logs in", Status: Manual, Confirmed: true, Detail: "confirmed by the admin: Finesse › Email and Chat", Elapsed: 1500 * time.Microsecond},
	}, time.Date(2026, 11, 23, 5, 0, 0, 0, time.UTC))
}

func TestReportGolden(t *testing.T) {
	r := sampleReport()
	for _, tc := range []struct {
		file  string
		write func(*bytes.Buffer) error
	}{
		{"report.text.golden", func(b *bytes.Buffer) error { return r.WriteText(b, false) }},
		{"report.color.golden", func(b *bytes.Buffer) error { return r.WriteText(b, true) }},
		{"report.json.golden", func(b *bytes.Buffer) error { return r.WriteJSON(b) }},
		{"report.junit.golden", func(b *bytes.Buffer) error { return r.WriteJUnit(b) }},
	} {
		t.Run(tc.file, func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.write(&b); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.file, b.Bytes())
		})
	}
}

func TestReportJSONRoundTrip(t *testing.T) {
	r := sampleReport()
	var b bytes.Buffer
	if err := r.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back.Summary != r.Summary || len(back.Checks) != len(r.Checks) {
		t.Fatalf("round trip: got %+v, want %+v", back.Summary, r.Summary)
	}
}

// TestJUnitParsesBack reads the XML the way a CI system does and checks
// that every verdict lands where JUnit consumers look for it.
func TestJUnitParsesBack(t *testing.T) {
	r := sampleReport()
	var b bytes.Buffer
	if err := r.WriteJUnit(&b); err != nil {
		t.Fatal(err)
	}
	var doc junitSuites
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("JUnit output is not XML: %v\n%s", err, b.String())
	}
	if doc.Tests != 6 || doc.Failures != 1 || doc.Skipped != 2 || doc.Time != "0.002" || doc.Stamp != "2026-11-23T05:00:00Z" {
		t.Errorf("totals: tests=%d failures=%d skipped=%d time=%s at %s, want 6, 1, 2, 0.002 at 2026-11-23T05:00:00Z",
			doc.Tests, doc.Failures, doc.Skipped, doc.Time, doc.Stamp)
	}
	var names []string
	for _, s := range doc.Suites {
		names = append(names, s.Name)
	}
	if got := fmtList(names); got != "profile,certificate,validate" {
		t.Errorf("suites = %s, want one per step in flow order", got)
	}
	want := map[string]func(junitCase) bool{
		"profile.complete": func(c junitCase) bool { return c.Failure == nil && c.Skipped == nil },
		"profile.servers": func(c junitCase) bool {
			return c.Failure == nil && c.Skipped == nil && bytes.Contains([]byte(c.SystemOut), []byte("warning: 400-agent"))
		},
		"profile.mrds": func(c junitCase) bool {
			return c.Skipped != nil && bytes.HasPrefix([]byte(c.Skipped.Message), []byte("manual item, not confirmed yet"))
		},
		"certificate.tls": func(c junitCase) bool {
			return c.Failure != nil && c.Failure.Message == r.Checks[3].Detail && bytes.Contains([]byte(c.Failure.Text), []byte("& bind it <without> SNI"))
		},
		"validate.https-system": func(c junitCase) bool { return c.Skipped != nil && c.Skipped.Message == "profile.ece_fqdn is not set" },
		// A confirmed manual item is a pass, with its time.
		"validate.agent-login": func(c junitCase) bool {
			return c.Skipped == nil && c.Failure == nil && c.Time == "0.002" && bytes.HasPrefix([]byte(c.SystemOut), []byte("confirmed by the admin"))
		},
	}
	seen := 0
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			id := c.Classname[len("ccewiz."):]
			for k, ok := range want {
				if StepOf(k) == id && len(c.Name) > len(k) && c.Name[:len(k)] == k {
					seen++
					if !ok(c) {
						t.Errorf("%s: wrong JUnit shape: %+v", k, c)
					}
				}
			}
		}
	}
	if seen != len(want) {
		t.Errorf("found %d of %d test cases", seen, len(want))
	}
}

func fmtList(s []string) string {
	out := ""
	for i, v := range s {
		if i > 0 {
			out += ","
		}
		out += v
	}
	return out
}
