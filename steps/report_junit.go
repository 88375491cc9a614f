package steps

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// JUnit XML is what CI systems (Jenkins, GitLab, Azure DevOps) render as a
// test report, so a scheduled `ccewiz check --format junit` shows a broken
// certificate next to the build that broke it. One testsuite per step, one
// testcase per check: fail → <failure>, skip and manual → <skipped> (CI
// cannot tick a manual item), warn → a pass whose output says why.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
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
func stepOf(id string) string {
	if i := strings.IndexByte(id, '.'); i > 0 {
		return id[:i]
	}
	return id
}

// WriteJUnit writes the report as JUnit XML.
func (r Report) WriteJUnit(w io.Writer) error {
	doc := junitSuites{Name: "ccewiz check"}
	index := map[string]int{}
	for _, c := range r.Checks {
		step := stepOf(c.ID)
		i, ok := index[step]
		if !ok {
			i = len(doc.Suites)
			index[step] = i
			doc.Suites = append(doc.Suites, junitSuite{Name: step})
		}
		s := &doc.Suites[i]
		tc := junitCase{Name: c.ID + ": " + c.Title, Classname: "ccewiz." + step}
		switch c.Status {
		case Fail:
			tc.Failure = &junitFailure{Message: c.Detail, Type: string(Fail), Text: c.Fix}
			s.Failures++
		case Skip:
			tc.Skipped = &junitSkipped{Message: c.Detail}
			s.Skipped++
		case Manual:
			tc.Skipped = &junitSkipped{Message: "manual: " + c.Detail}
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
	for _, s := range doc.Suites {
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Skipped += s.Skipped
	}
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
