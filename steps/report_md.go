package steps

import (
	"bytes"
	"cmp"
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
	Flow        string // the flow's title
	Generated   time.Time
	Version     string // the ccewiz that judged it (Version)
	Customer    string // report.customer, report.site
	Site        string
	By          string // who ran it (Env.User)
	AnswersPath string
	Steps       []ReportStep
	Checks      []Result
	Summary     Summary
	Ticked      []TickedItem // confirmed manual items, with who and when
	Unconfirmed []TickedItem // manual items of this run nobody confirmed yet
	Written     []Written
	Handoff     []StepHandoff // what applied plans left to people, in flow order
}

// StepHandoff is one step's values to type and commands to run elsewhere.
type StepHandoff struct {
	Step, Title string
	Handoff
}

// ReportStep is one step's standing at the time of the report.
type ReportStep struct {
	ID, Title string
	Need      Need
	Why       string
	State     State
}

// TickedItem is a manual check, confirmed (At, By) or not.
type TickedItem struct {
	ID, Title, What string
	At, By          string
}

// BuildIntegrationReport gathers the report from the flow, the answers
// (progress, ticked items and every file written with them) and the
// results of a validation run.
func BuildIntegrationReport(flow []Step, env *Env, checks []Result) IntegrationReport {
	a := env.Answers
	if a == nil {
		a = NewAnswers()
	}
	prog, ticks := a.State(env.FlowID)
	// The answers are the record of what the admin confirmed, whenever the
	// checks ran: a manual item ticked since counts as confirmed.
	checks = slices.Clone(checks)
	for i, c := range checks {
		if c.Status == Manual {
			checks[i].Confirmed = ticks.IsTicked(c.ID)
		}
	}
	r := IntegrationReport{Flow: FlowTitle(env.FlowID), Generated: env.Time(), Version: Version(), AnswersPath: env.AnswersPath, Checks: checks,
		Summary: Summarize(checks), Written: prog.Written,
		Customer: a.Report.Customer, Site: a.Report.Site, By: env.User}
	for _, c := range checks {
		if c.Status == Manual && !c.Confirmed {
			r.Unconfirmed = append(r.Unconfirmed, TickedItem{ID: c.ID, Title: c.Title, What: c.Detail})
		}
	}
	for _, s := range flow {
		need, why := s.Needed(a)
		r.Steps = append(r.Steps, ReportStep{ID: s.ID(), Title: s.Title(), Need: need, Why: why, State: StateOf(s, a, prog, checks)})
		for _, c := range ChecksOf(s, a) {
			if c.Manual && ticks.IsTicked(c.ID) {
				tk := (*ticks)[c.ID]
				r.Ticked = append(r.Ticked, TickedItem{ID: c.ID, Title: c.Title, What: c.What, At: tk.At, By: tk.By})
			}
		}
		if h, ok := prog.Handoff[s.ID()]; ok {
			r.Handoff = append(r.Handoff, StepHandoff{Step: s.ID(), Title: s.Title(), Handoff: h})
		}
	}
	// A ticked item of a step no longer in the flow is still the admin's word: keep it.
	known := map[string]bool{}
	for _, t := range r.Ticked {
		known[t.ID] = true
	}
	var extra []string
	for id := range *ticks {
		if ticks.IsTicked(id) && !known[id] {
			extra = append(extra, id)
		}
	}
	sort.Strings(extra)
	for _, id := range extra {
		tk := (*ticks)[id]
		r.Ticked = append(r.Ticked, TickedItem{ID: id, Title: id, At: tk.At, By: tk.By})
	}
	return r
}

func (r IntegrationReport) verdict() string { return r.Summary.VerdictText() }

func (st ReportStep) state() string { return string(st.State) }

// Markdown renders the report as a Markdown document (ccewiz-report.md).
func (r IntegrationReport) Markdown() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s integration report\n\n", r.Flow)
	if r.Customer != "" || r.Site != "" {
		fmt.Fprintf(&b, "- Customer: %s · Site: %s\n", mdCell(cmp.Or(r.Customer, "(not given)")), mdCell(cmp.Or(r.Site, "(not given)")))
	}
	fmt.Fprintf(&b, "- Generated: %s by ccewiz %s", r.Generated.Format(time.RFC3339), r.Version)
	if r.By != "" {
		fmt.Fprintf(&b, ", run by %s", mdCell(r.By))
	}
	b.WriteString("\n")
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
		b.WriteString(" — " + confirmedBy(t) + "\n")
	}
	if len(r.Unconfirmed) > 0 {
		b.WriteString("\n## Manual items not confirmed yet\n\n")
		for _, t := range r.Unconfirmed {
			fmt.Fprintf(&b, "- [ ] `%s` %s: %s — **not confirmed**\n", t.ID, mdCell(t.Title), mdCell(t.What))
		}
	}

	if len(r.Handoff) > 0 {
		b.WriteString("\n## Values typed into the administration GUIs\n\n")
		for _, h := range r.Handoff {
			if len(h.GUI) == 0 {
				continue
			}
			fmt.Fprintf(&b, "### %s (`%s`), applied %s\n\n| Where | Field | Value |\n|---|---|---|\n", h.Title, h.Step, h.At)
			for _, g := range h.GUI {
				fmt.Fprintf(&b, "| %s | %s | %s |\n", mdCell(g.Where), mdCell(g.Field), mdCell(g.Value))
			}
			b.WriteString("\n")
		}
		b.WriteString("## Commands to run on other servers\n\n")
		n := 0
		for _, h := range r.Handoff {
			for _, c := range h.Commands {
				n++
				fmt.Fprintf(&b, "- on **%s** (%s), for %s", mdCell(c.Host), c.Shell, h.Title)
				if c.Why != "" {
					fmt.Fprintf(&b, " — %s", mdCell(c.Why))
				}
				fmt.Fprintf(&b, "\n\n  ```%s\n%s\n  ```\n\n", fence(c.Shell), indent(strings.TrimRight(c.Script, "\n"), "  "))
			}
		}
		if n == 0 {
			b.WriteString("None.\n")
		}
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
		fmt.Fprintf(&b, "  [x] %s %s — %s\n", t.ID, t.Title, confirmedBy(t))
	}
	if len(r.Unconfirmed) > 0 {
		b.WriteString("\nManual items not confirmed yet\n")
		for _, t := range r.Unconfirmed {
			fmt.Fprintf(&b, "  [ ] %s %s\n", t.ID, t.Title)
		}
	}
	gui, cmds := 0, 0
	for _, h := range r.Handoff {
		gui, cmds = gui+len(h.GUI), cmds+len(h.Commands)
	}
	if gui+cmds > 0 {
		fmt.Fprintf(&b, "\nLeft to people: %d value(s) to type into administration GUIs, %d command(s) to run on other servers — listed in the Markdown report\n", gui, cmds)
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

// confirmedBy says who confirmed a manual item and when, as far as known.
func confirmedBy(t TickedItem) string {
	switch {
	case t.By != "" && t.At != "":
		return "confirmed by " + mdCell(t.By) + " at " + t.At
	case t.At != "":
		return "confirmed at " + t.At
	}
	return "confirmed (before ccewiz kept who and when)"
}

// fence names a code block's language for a shell.
func fence(shell string) string {
	switch shell {
	case "powershell", "cmd", "sh":
		return shell
	}
	return ""
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
