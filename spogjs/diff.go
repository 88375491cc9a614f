package spogjs

import (
	"strings"

	"github.com/aymanbagabas/go-udiff"
)

// Diff renders the change as a unified diff for the admin to review, with
// 3 lines of context; "" when nothing changes. Carriage returns are left out
// of the display only (a CRLF file stays CRLF on disk) so a terminal shows
// the lines cleanly.
func (r *Result) Diff(name string) string {
	if !r.Changed() {
		return ""
	}
	var edits []udiff.Edit
	cfgs := []Setting{r.Config.Protocol, r.Config.ServerName}
	for _, c := range r.Changes {
		for _, s := range cfgs {
			if s.Name == c.Var {
				edits = append(edits, udiff.Edit{Start: s.start, End: s.end, New: c.To})
			}
		}
	}
	d, err := udiff.ToUnified(name, name+" (patched)", string(r.Old), edits, udiff.DefaultContextLines)
	if err != nil {
		// The edits come from our own parse of Old, so they are in bounds
		// and ordered; fall back to a line per change rather than nothing.
		var b strings.Builder
		for _, c := range r.Changes {
			b.WriteString("-" + c.Var + " = " + c.From + "\n+" + c.Var + " = " + c.To + "\n")
		}
		return b.String()
	}
	return strings.ReplaceAll(d, "\r\n", "\n")
}
