package steps

import (
	"bytes"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// IntegrationReport is the record of a wizard run: where every step stands,
// every check result, every manual item the admin ticked, and every file
// written with its backup. The wizard shows it as its last screen and saves
// it as Markdown next to the answers file; it holds no password (results
// and paths only).
type IntegrationReport struct {
	Generated   time.Time
	Version     string // the ccewiz that judged it (Version)
	AnswersPath string
	Steps       []ReportStep
	Checks      []Result
	Summary     Summary
	Ticked      []TickedItem
	Written     []Written
}

// ReportStep is one step's standing at the time of the report.
type ReportStep struct {
	ID, Title string
	Need      Need
	Why       string
	State     State
}

// TickedItem is a manual check the admin confirmed.
type TickedItem struct {
	ID, Title, What string
}

// BuildIntegrationReport gathers the report from the flow, the answers
// (progress, ticked items and every file written with them) and the
// results of a validation run.
func BuildIntegrationReport(flow []Step, env *Env, checks []Result) IntegrationReport {
	a := env.Answers
	if a == nil {
		a = NewAnswers()
	}
	// The answers are the record of what the admin confirmed, whenever the
	// checks ran: a manual item ticked since counts as confirmed.
	checks = slices.Clone(checks)
	for i, c := range checks {
		if c.Status == Manual {
			checks[i].Confirmed = a.Validation.Ticked[c.ID]
		}
	}
	r := IntegrationReport{Generated: env.now(), Version: Version(), AnswersPath: env.AnswersPath, Checks: checks,
		Summary: Summarize(checks), Written: a.Progress.Written}
	for _, s := range flow {
		need, why := s.Needed(a)
		r.Steps = append(r.Steps, ReportStep{ID: s.ID(), Title: s.Title(), Need: need, Why: why, State: StateOf(s, a, checks)})
		for _, c := range ChecksOf(s, a) {
			if c.Manual && a.Validation.Ticked[c.ID] {
				r.Ticked = append(r.Ticked, TickedItem{ID: c.ID, Title: c.Title, What: c.What})
			}
		}
	}
	// A ticked item of a step no longer in the flow is still the admin's word: keep it.
	known := map[string]bool{}
	for _, t := range r.Ticked {
		known[t.ID] = true
	}
	var extra []string
	for id, ok := range a.Validation.Ticked {
		if ok && !known[id] {
			extra = append(extra, id)
		}
	}
	sort.Strings(extra)
	for _, id := range extra {
		r.Ticked = append(r.Ticked, TickedItem{ID: id, Title: id})
	}
	return r
}

func (r IntegrationReport) verdict() string { return r.Summary.VerdictText() }

func (st ReportStep) state() string { return string(st.State) }

// Markdown renders the report as a Markdown document (ccewiz-report.md).
func (r IntegrationReport) Markdown() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# ECE ↔ PCCE integration report\n\n")
	fmt.Fprintf(&b, "- Generated: %s by ccewiz %s\n", r.Generated.Format(time.RFC3339), r.Version)
	if r.AnswersPath != "" {
		fmt.Fprintf(&b, "- Answers file: `%s`\n", r.AnswersPath)
	}
	s := r.Summary
	fmt.Fprintf(&b, "- Verdict: **%s**\n", r.verdict())
	fmt.Fprintf(&b, "- Checks: %s\n\n", s.Counts())

	b.WriteString("## Steps\n\n| Step | State | Need |\n|---|---|---|\n")
	for _, st := range r.Steps {
		fmt.Fprintf(&b, "| %s (`%s`) | %s | %s: %s |\n", mdCell(st.Title), st.ID, st.state(), st.Need, mdCell(st.Why))
	}

	b.WriteString("\n## Checks\n\n")
	if len(r.Checks) == 0 {
		b.WriteString("No check was run.\n")
	} else {
		b.WriteString("| | Status | Check | Title |\n|---|---|---|---|\n")
		for _, c := range r.Checks {
			fmt.Fprintf(&b, "| %s | %s | `%s` | %s |\n", Symbol(c.Status), c.Status, c.ID, mdCell(c.Title))
		}
		b.WriteString("\n")
		for _, c := range r.Checks {
			fmt.Fprintf(&b, "### %s %s — %s\n\n", Symbol(c.Status), c.ID, c.Title)
			if c.Detail != "" {
				fmt.Fprintf(&b, "%s\n\n", mdBlock(c.Detail))
			}
			if c.Fix != "" && (c.Status == Fail || c.Status == Warn) {
				fmt.Fprintf(&b, "**Fix:** %s\n\n", mdBlock(c.Fix))
			}
		}
	}

	b.WriteString("## Manual items confirmed by the admin\n\n")
	if len(r.Ticked) == 0 {
		b.WriteString("None.\n")
	}
	for _, t := range r.Ticked {
		fmt.Fprintf(&b, "- [x] `%s` %s", t.ID, mdCell(t.Title))
		if t.What != "" {
			fmt.Fprintf(&b, ": %s", mdCell(t.What))
		}
		b.WriteString("\n")
	}

	b.WriteString("\n## Files written\n\n")
	if len(r.Written) == 0 {
		b.WriteString("None yet.\n")
	}
	for _, w := range r.Written {
		if w.Backup != "" {
			fmt.Fprintf(&b, "- `%s` — previous version kept as `%s`\n", w.Path, w.Backup)
		} else {
			fmt.Fprintf(&b, "- `%s` — new file (no previous version)\n", w.Path)
		}
	}
	return b.Bytes()
}

// Text renders the report for a terminal without Markdown markup.
func (r IntegrationReport) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", r.verdict())
	s := r.Summary
	fmt.Fprintf(&b, "%s\n\n", s.Counts())
	b.WriteString("Steps\n")
	for _, st := range r.Steps {
		fmt.Fprintf(&b, "  %-15s %s\n", st.state(), st.Title)
	}
	b.WriteString("\nChecks\n")
	for _, c := range r.Checks {
		fmt.Fprintf(&b, "  %s %-6s %s — %s\n", Symbol(c.Status), c.Status, c.ID, c.Title)
		if c.Detail != "" {
			fmt.Fprintf(&b, "%s\n", indent(c.Detail, "           "))
		}
		if c.Fix != "" && (c.Status == Fail || c.Status == Warn) {
			fmt.Fprintf(&b, "%s\n", indent("fix: "+c.Fix, "           "))
		}
	}
	b.WriteString("\nManual items confirmed\n")
	if len(r.Ticked) == 0 {
		b.WriteString("  none\n")
	}
	for _, t := range r.Ticked {
		fmt.Fprintf(&b, "  [x] %s %s\n", t.ID, t.Title)
	}
	b.WriteString("\nFiles written\n")
	if len(r.Written) == 0 {
		b.WriteString("  none\n")
	}
	for _, w := range r.Written {
		if w.Backup != "" {
			fmt.Fprintf(&b, "  %s (previous version: %s)\n", w.Path, w.Backup)
		} else {
			fmt.Fprintf(&b, "  %s (new file)\n", w.Path)
		}
	}
	return b.String()
}

// mdCell keeps a value on one table row: pipes escaped, line breaks as spaces.
func mdCell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.Join(strings.Fields(s), " ")
}

// mdBlock keeps a multi-line detail as separate Markdown lines.
func mdBlock(s string) string {
	return strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "  \n")
}
