package logdoctor

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// Report is what a scan found; its JSON form is the stable schema of
// `ccewiz logs --format json`.
type Report struct {
	Files    int       `json:"files"`
	Bytes    int64     `json:"bytes"`
	Lines    int64     `json:"lines"`
	Findings []Finding `json:"findings"`
	Notes    []string  `json:"notes,omitempty"` // files skipped and why
	// PCCEZone is how timestamps without a zone (PCCE's Tomcat) were read.
	PCCEZone string `json:"pcce_time_zone"`
}

// Finding is one known problem (a signature, or one variant of it such as
// an AD sub-code) across every file it was seen in.
type Finding struct {
	Signature string `json:"signature"`
	Title     string `json:"title"`
	Variant   string `json:"variant,omitempty"`
	Explain   string `json:"explain,omitempty"`
	Cause     string `json:"cause"`
	Fix       string `json:"fix"`
	// File and Line are where it was seen first (earliest time, then file order).
	File   string `json:"file"`
	Line   int64  `json:"line"`
	Sample string `json:"sample"`
	Count  int    `json:"count"` // lines
	// FirstSeen and LastSeen are in UTC; nil when no line near the hits had a timestamp.
	FirstSeen *time.Time `json:"first_seen,omitempty"`
	LastSeen  *time.Time `json:"last_seen,omitempty"`
	Clock     Clock      `json:"clock"` // how the first file's timestamps were read
	Files     []FileHits `json:"files"`
}

// FileHits is one file's share of a finding.
type FileHits struct {
	File  string `json:"file"`
	Line  int64  `json:"line"` // first line
	Count int    `json:"count"`
}

// Found reports whether any known problem was found (exit code 1).
func (r *Report) Found() bool { return len(r.Findings) > 0 }

func (r *Report) merge(scans []*fileScan) {
	type acc struct {
		f     Finding
		first time.Time
		last  time.Time
	}
	byKey := map[string]*acc{}
	var keys []string
	sorted := make([]*fileScan, 0, len(scans))
	for _, s := range scans {
		if s != nil {
			sorted = append(sorted, s)
		}
	}
	sort.SliceStable(sorted, func(i, j int) bool { return fileLess(sorted[i].name, sorted[j].name) })
	for _, s := range sorted {
		r.Files++
		r.Bytes += s.bytes
		r.Lines += s.lines
		for _, k := range s.order {
			g := s.groups[k]
			a := byKey[k]
			if a == nil {
				sig := Signatures[g.sig]
				a = &acc{f: Finding{Signature: sig.ID, Title: sig.Title, Variant: g.variant, Explain: g.explain,
					Cause: sig.Cause, Fix: sig.Fix, File: s.name, Line: g.line, Sample: g.sample, Clock: s.clock}}
				a.first, a.last = g.first, g.last
				byKey[k] = a
				keys = append(keys, k)
			} else {
				if !g.first.IsZero() && (a.first.IsZero() || g.first.Before(a.first)) {
					a.first = g.first
					a.f.File, a.f.Line, a.f.Sample, a.f.Clock = s.name, g.line, g.sample, s.clock
				}
				if g.last.After(a.last) {
					a.last = g.last
				}
			}
			a.f.Count += g.count
			a.f.Files = append(a.f.Files, FileHits{File: s.name, Line: g.line, Count: g.count})
		}
	}
	sigOrder := map[string]int{}
	for i, s := range Signatures {
		sigOrder[s.ID] = i
	}
	sort.SliceStable(keys, func(i, j int) bool {
		a, b := byKey[keys[i]].f, byKey[keys[j]].f
		if a.Signature != b.Signature {
			return sigOrder[a.Signature] < sigOrder[b.Signature]
		}
		return a.Variant < b.Variant
	})
	r.Findings = []Finding{}
	for _, k := range keys {
		a := byKey[k]
		if !a.first.IsZero() {
			f, l := a.first.UTC(), a.last.UTC()
			a.f.FirstSeen, a.f.LastSeen = &f, &l
		}
		r.Findings = append(r.Findings, a.f)
	}
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

const listFiles = 5

// WriteText writes one block per signature: what it is, the cause and the
// fix once, then each variant (an AD sub-code, a host name) with where and
// when it was seen and a sample line; then a summary.
func (r *Report) WriteText(w io.Writer) error {
	for i := 0; i < len(r.Findings); {
		j := i + 1
		for j < len(r.Findings) && r.Findings[j].Signature == r.Findings[i].Signature {
			j++
		}
		group := r.Findings[i:j]
		count, files := 0, map[string]bool{}
		for _, f := range group {
			count += f.Count
			for _, h := range f.Files {
				files[h.File] = true
			}
		}
		fmt.Fprintf(w, "✗ %s  [%s]: %d line(s) in %d file(s)\n", group[0].Title, group[0].Signature, count, len(files))
		for _, f := range group {
			indent := "  "
			if len(group) > 1 || f.Explain != "" {
				fmt.Fprintf(w, "  • %s (%d line(s))\n", orDash(f.Explain, f.Variant), f.Count)
				indent = "    "
			}
			if f.FirstSeen != nil {
				fmt.Fprintf(w, "%sfirst %s, last %s\n", indent, stamp(*f.FirstSeen), stamp(*f.LastSeen))
			}
			fmt.Fprintf(w, "%sfirst seen: %s:%d\n", indent, f.File, f.Line)
			fmt.Fprintf(w, "%s  %s\n", indent, f.Sample)
			if len(f.Files) > 1 {
				var parts []string
				for k, h := range f.Files {
					if k == listFiles {
						parts = append(parts, fmt.Sprintf("and %d more", len(f.Files)-listFiles))
						break
					}
					parts = append(parts, fmt.Sprintf("%s:%d (%d×)", h.File, h.Line, h.Count))
				}
				fmt.Fprintf(w, "%sin: %s\n", indent, strings.Join(parts, ", "))
			}
		}
		fmt.Fprintf(w, "  cause: %s\n", group[0].Cause)
		fmt.Fprintf(w, "  fix: %s\n\n", group[0].Fix)
		i = j
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	verdict := "no known problem found"
	if r.Found() {
		verdict = fmt.Sprintf("%d known problem(s) found", len(r.Findings))
	}
	_, err := fmt.Fprintf(w, "%s in %d file(s), %s, %d lines (times in UTC; PCCE local time read as %s)\n",
		verdict, r.Files, size(r.Bytes), r.Lines, r.PCCEZone)
	return err
}

func orDash(s, alt string) string {
	if s != "" {
		return s
	}
	if alt != "" {
		return alt
	}
	return "other"
}

// stamp shows every time in UTC so ECE (GMT) and PCCE (local) hits compare at a glance.
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05") + " UTC" }

func size(b int64) string {
	switch {
	case b >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(b)/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(b)/(1<<20))
	case b >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(b)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", b)
}
