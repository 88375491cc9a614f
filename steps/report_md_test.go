package steps

import (
	"context"
	"strings"
	"testing"
	"time"
)

type reportStep struct{}

func (reportStep) ID() string                                { return "rs" }
func (reportStep) Title() string                             { return "Report | step" }
func (reportStep) Intro() string                             { return "" }
func (reportStep) Fields() []Field                           { return nil }
func (reportStep) Needed(*Answers) (Need, string)            { return Optional, "for the test" }
func (reportStep) Plan(context.Context, *Env) (*Plan, error) { return &Plan{}, nil }
func (reportStep) Apply(context.Context, *Env, *Plan) (*Outcome, error) {
	return &Outcome{}, nil
}
func (reportStep) Checks() []Check {
	return []Check{{ID: "rs.look", Title: "Look at it", Manual: true, What: "the | GUI shows it"}}
}

func TestIntegrationReportMarkdown(t *testing.T) {
	now := time.Date(2026, 11, 23, 5, 0, 0, 0, time.UTC)
	cases := []struct {
		name    string
		checks  []Result
		ticked  map[string]Tick
		done    []string
		written []Written
		want    []string
		notWant []string
	}{
		{
			name:   "failed check with fix, nothing ticked",
			checks: []Result{{ID: "rs.a", Title: "A", Status: Fail, Detail: "line one\nline two", Fix: "do this"}, {ID: "rs.look", Title: "Look at it", Status: Manual}},
			want: []string{"Verdict: **NOT READY — 1 check(s) failed**", "| ✗ | fail | `rs.a` | A |", "line one  \nline two",
				"**Fix:** do this", "## Manual items confirmed by the admin\n\nNone.", "## Files written\n\nNone yet.", "| Report \\| step (`rs`) | needs attention | optional: for the test |"},
		},
		{
			name:   "manual item not ticked",
			checks: []Result{{ID: "rs.look", Title: "Look at it", Status: Manual}},
			want:   []string{"ALMOST — 1 manual item(s) not confirmed yet"},
		},
		{
			name:    "all confirmed, files with and without backup, an old ticked id kept",
			checks:  []Result{{ID: "rs.b", Title: "B", Status: Pass, Fix: "never shown for a pass"}, {ID: "rs.look", Title: "Look at it", Status: Manual}},
			ticked:  map[string]Tick{"rs.look": {At: "2026-11-23T04:55:00Z", By: "alice"}, "gone.step": {}, "unticked": {off: true}},
			done:    []string{"rs"},
			written: []Written{{Path: "/x/spog_config.js", Backup: "/x/spog_config.js.ccewiz-20261123-050000.bak"}, {Path: "/x/new.pem"}},
			want: []string{"READY — every check passed", "- [x] `rs.look` Look at it: the \\| GUI shows it", "- [x] `gone.step` gone.step",
				"`/x/spog_config.js` — previous version kept as `/x/spog_config.js.ccewiz-20261123-050000.bak`",
				"`/x/new.pem` — new file", "| done |", "Generated: 2026-11-23T05:00:00Z"},
			notWant: []string{"never shown for a pass", "unticked"},
		},
		{
			name:   "warnings only",
			checks: []Result{{ID: "rs.w", Title: "W", Status: Warn, Fix: "consider it"}},
			want:   []string{"READY with 1 warning(s)", "**Fix:** consider it"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := NewAnswers()
			stateOf(a).Ticked = c.ticked
			stateOf(a).Progress.Done = c.done
			stateOf(a).Progress.Written = c.written
			env := NewEnv(a, "site/ccewiz.yaml")
			env.Now = func() time.Time { return now }
			r := BuildIntegrationReport([]Step{reportStep{}}, env, c.checks)
			md := string(r.Markdown())
			for _, w := range c.want {
				if !strings.Contains(md, w) {
					t.Errorf("markdown lacks %q:\n%s", w, md)
				}
			}
			for _, w := range c.notWant {
				if strings.Contains(md, w) {
					t.Errorf("markdown has %q:\n%s", w, md)
				}
			}
			txt := r.Text()
			if !strings.Contains(txt, r.verdict()) || strings.Contains(txt, "**") {
				t.Errorf("text form wrong:\n%s", txt)
			}
		})
	}
}

// TestReportHandOver: the report names the customer and site, who ran it,
// who confirmed each manual item and when, lists those nobody confirmed,
// and what the applied plans left to people — values and commands.
func TestReportHandOver(t *testing.T) {
	ctx := context.Background()
	st := loopStep{id: "a", need: Required, verdict: Pass}
	env := NewEnv(NewAnswers(), "site/ccewiz.yaml")
	env.User = "alice"
	env.Now = func() time.Time { return time.Date(2026, 12, 4, 21, 0, 0, 0, time.UTC) }
	env.Answers.Report = ReportAnswers{Customer: "Example Corp", Site: "Springfield DC"}
	scratchOf(env.Answers).Note = "agent1"
	p := &Plan{Step: "a",
		GUI:      []GUIEntry{{Where: "ECE › Partition › Security", Field: "LDAP URL", Value: "ldaps://gc1.example.local:3269"}},
		Commands: []Command{{Host: "aw1a.example.com", Shell: "cmd", Script: "keytool -importcert -alias ece", Why: "trust ECE"}}}
	RunStep(ctx, []Step{st}, st, env, p, "").Record(env)
	env.TickAs("rs.look", true)
	checks := []Result{{ID: "rs.look", Title: "Look at it", Status: Manual}, {ID: "rs.other", Title: "Other look", Status: Manual, Detail: "Alerts › Inventory"}}
	md := string(BuildIntegrationReport([]Step{st}, env, checks).Markdown())
	for _, want := range []string{
		"- Customer: Example Corp · Site: Springfield DC", "run by alice",
		"- [x] `rs.look` rs.look — confirmed by alice at 2026-12-04T21:00:00Z",
		"## Manual items not confirmed yet", "- [ ] `rs.other` Other look: Alerts › Inventory — **not confirmed**",
		"## Values typed into the administration GUIs", "| ECE › Partition › Security | LDAP URL | ldaps://gc1.example.local:3269 |",
		"## Commands to run on other servers", "- on **aw1a.example.com** (cmd), for step a — trust ECE", "```cmd\n  keytool -importcert -alias ece\n  ```",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	// The answers file keeps the hand-off for a later report, and reads back.
	b, err := MarshalAnswers(env.Answers)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseAnswers("x", b)
	if err != nil || stateOf(back).Progress.Handoff["a"].Commands[0].Host != "aw1a.example.com" {
		t.Errorf("hand-off round trip: %v\n%s", err, b)
	}
}
