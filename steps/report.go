package steps

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// Report is the output of a validation run; its JSON form is the stable
// schema of `ccewiz check --format json`.
type Report struct {
	Verdict Verdict   `json:"verdict"`
	At      time.Time `json:"timestamp"` // when the run ended
	Checks  []Result  `json:"checks"`
	Summary Summary   `json:"summary"`
}

// NewReport wraps results with their summary and verdict, as of at.
func NewReport(rs []Result, at time.Time) Report {
	if rs == nil {
		rs = []Result{}
	}
	s := Summarize(rs)
	return Report{Verdict: s.Verdict(), At: at.UTC().Truncate(time.Second), Checks: rs, Summary: s}
}

// Failed reports whether any check failed (exit code 1).
func (r Report) Failed() bool { return r.Summary.Fail > 0 }

// Symbols read without colour: a screen reader or a plain log keeps the verdict.
var symbols = map[Status]string{Pass: "✓", Warn: "!", Fail: "✗", Skip: "-", Manual: "?"}

// Symbol returns the one-character marker for s.
func Symbol(s Status) string { return symbols[s] }

const (
	ansiReset = "\x1b[0m"
	ansiDim   = "\x1b[2m"
)

var ansiColor = map[Status]string{Pass: "\x1b[32m", Warn: "\x1b[33m", Fail: "\x1b[31m", Skip: "\x1b[2m", Manual: "\x1b[36m"}

// WriteText writes one line per check with its symbol, the fix under
// failures and warnings, and a summary line.
func (r Report) WriteText(w io.Writer, color bool) error {
	paint := func(s Status, text string) string {
		if !color {
			return text
		}
		return ansiColor[s] + text + ansiReset
	}
	width := 0
	for _, c := range r.Checks {
		width = max(width, len(c.ID))
	}
	for _, c := range r.Checks {
		fmt.Fprintf(w, "%s %-6s %-*s  %s\n", paint(c.Status, Symbol(c.Status)), paint(c.Status, string(c.Status)), width, c.ID, Printable(c.Title))
		if c.Detail != "" {
			fmt.Fprintf(w, "%s\n", indent(c.Detail, "         "))
		}
		if c.Fix != "" && (c.Status == Fail || c.Status == Warn) {
			fix := indent("fix: "+c.Fix, "         ")
			if color {
				fix = ansiDim + fix + ansiReset
			}
			fmt.Fprintf(w, "%s\n", fix)
		}
	}
	s := r.Summary
	_, err := fmt.Fprintf(w, "\n%s\n%s\n", s.VerdictText(), s.Counts())
	return err
}

// Counts is the summary line every report shares.
func (s Summary) Counts() string {
	return fmt.Sprintf("%d checks — %d passed, %d warnings, %d failed, %d skipped, %d manual (%d confirmed)",
		s.Total, s.Pass, s.Warn, s.Fail, s.Skip, s.Manual, s.Confirmed)
}

func indent(s, prefix string) string {
	s = Printable(s)
	return prefix + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+prefix)
}

// Printable makes text from servers, certificates and files inert for a
// terminal: control characters (an ESC sequence in a certificate subject,
// say) become U+FFFD; newlines stay, tabs become spaces.
func Printable(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\t':
			return ' '
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			return '\uFFFD'
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

// WriteJSON writes the report as indented JSON.
func (r Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// PrintableLine makes text that came from a server or a certificate
// (names, headers) safe to print inside one line: a crafted name must not
// drive the admin's terminal, nor break the line it sits in. Unlike
// Printable, a newline or a tab becomes U+FFFD too.
func PrintableLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return '\uFFFD'
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}
