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
		ticked  map[string]bool
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
			ticked:  map[string]bool{"rs.look": true, "gone.step": true, "unticked": false},
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
			a.Validation.Ticked = c.ticked
			a.Progress.Done = c.done
			a.Progress.Written = c.written
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
