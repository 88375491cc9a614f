package steps

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"
)

// JUnit XML is what CI systems (Jenkins, GitLab, Azure DevOps) render as a
// test report, so a scheduled `ccewiz check --format junit` shows a broken
// certificate next to the build that broke it. One testsuite per step, one
// testcase per check: fail → <failure>, skip → <skipped>, a manual item →
// a pass once the admin confirmed it, else <skipped> saying it waits for a
// person (CI cannot tick it), warn → a pass whose output says why. Every
// testcase carries how long its check ran.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Stamp    string       `xml:"timestamp,attr,omitempty"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
	elapsed  time.Duration
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// stepOf returns the step part of a check ID ("trust" of "trust.ads1").
func StepOf(id string) string {
	if i := strings.IndexByte(id, '.'); i > 0 {
		return id[:i]
	}
	return id
}

// seconds is JUnit's time attribute: seconds with millisecond precision.
func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

// WriteJUnit writes the report as JUnit XML.
func (r Report) WriteJUnit(w io.Writer) error {
	doc := junitSuites{Name: "ccewiz check: " + r.Summary.VerdictText()}
	if !r.At.IsZero() {
		doc.Stamp = r.At.UTC().Format(time.RFC3339)
	}
	index := map[string]int{}
	for _, c := range r.Checks {
		step := StepOf(c.ID)
		i, ok := index[step]
		if !ok {
			i = len(doc.Suites)
			index[step] = i
			doc.Suites = append(doc.Suites, junitSuite{Name: step})
		}
		s := &doc.Suites[i]
		tc := junitCase{Name: c.ID + ": " + c.Title, Classname: "ccewiz." + step, Time: seconds(c.Elapsed)}
		s.elapsed += c.Elapsed
		switch c.Status {
		case Fail:
			tc.Failure = &junitFailure{Message: c.Detail, Type: string(Fail), Text: c.Fix}
			s.Failures++
		case Skip:
			tc.Skipped = &junitSkipped{Message: c.Detail}
			s.Skipped++
		case Manual:
			if c.Confirmed {
				tc.SystemOut = c.Detail // "confirmed by the admin: …"
				break
			}
			tc.Skipped = &junitSkipped{Message: "manual item, not confirmed yet (a person must look, then tick it in the wizard): " + c.Detail}
			s.Skipped++
		case Warn:
			out := "warning: " + c.Detail
			if c.Fix != "" {
				out += "\nfix: " + c.Fix
			}
			tc.SystemOut = out
		default:
			tc.SystemOut = c.Detail
		}
		s.Tests++
		s.Cases = append(s.Cases, tc)
	}
	var total time.Duration
	for i, s := range doc.Suites {
		doc.Suites[i].Time = seconds(s.elapsed)
		total += s.elapsed
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Skipped += s.Skipped
	}
	doc.Time = seconds(total) // the checks' own times, added up: they run in parallel
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("encode JUnit XML: %w", err)
	}
	if err := enc.Close(); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
