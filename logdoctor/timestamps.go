package logdoctor

import (
	"strings"
	"time"
)

// Clock says how a log's timestamps are to be read: ECE always writes
// GMT+0000, PCCE's Tomcat writes the ADS's local time without a zone.
type Clock string

const (
	ClockUTC   Clock = "GMT+0000 (ECE)"
	ClockLocal Clock = "server local time (PCCE)"
	ClockGuess Clock = "local time (unknown log)"
)

// clockOf classifies a log by its file name (DOMAIN.md, Logs).
func clockOf(name string) Clock {
	base := name
	if i := strings.LastIndexAny(base, `/\!`); i >= 0 {
		base = base[i+1:]
	}
	switch {
	case strings.HasPrefix(base, "eg_log_"), strings.HasPrefix(base, "egpl_"):
		return ClockUTC
	case strings.HasPrefix(base, "catalina."), strings.HasPrefix(base, "CCBU."), strings.HasPrefix(base, "Error."),
		strings.HasPrefix(base, "tomcat"), strings.HasPrefix(base, "localhost"):
		return ClockLocal
	}
	return ClockGuess
}

var months = map[string]time.Month{"Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "May": 5, "Jun": 6, "Jul": 7, "Aug": 8, "Sep": 9, "Oct": 10, "Nov": 11, "Dec": 12}

// num parses n digits at s[i:].
func num(s []byte, i, n int) (int, bool) {
	if i+n > len(s) {
		return 0, false
	}
	v := 0
	for _, c := range s[i : i+n] {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// clockAt parses "HH:MM:SS" with optional [.,:]fraction at s[i:] and returns the index after it.
func clockAt(s []byte, i int) (h, m, sec, nsec, end int, ok bool) {
	var ok1, ok2, ok3 bool
	h, ok1 = num(s, i, 2)
	m, ok2 = num(s, i+3, 2)
	sec, ok3 = num(s, i+6, 2)
	if !ok1 || !ok2 || !ok3 || s[i+2] != ':' || s[i+5] != ':' || h > 23 || m > 59 || sec > 60 {
		return 0, 0, 0, 0, 0, false
	}
	end = i + 8
	if end+1 < len(s) && (s[end] == '.' || s[end] == ',' || s[end] == ':') && s[end+1] >= '0' && s[end+1] <= '9' {
		scale := 100_000_000
		end++
		for end < len(s) && s[end] >= '0' && s[end] <= '9' {
			nsec += int(s[end]-'0') * scale
			scale /= 10
			end++
		}
	}
	return h, m, sec, nsec, end, true
}

// zoneAt parses " GMT+0000", " GMT-05:00", " +0000", " -0500" or "Z" at s[i:].
func zoneAt(s []byte, i int) (*time.Location, bool) {
	if i < len(s) && s[i] == 'Z' {
		return time.UTC, true
	}
	if i < len(s) && s[i] == ' ' {
		i++
	}
	if i+3 <= len(s) && (string(s[i:i+3]) == "GMT" || string(s[i:i+3]) == "UTC") {
		i += 3
		if i >= len(s) || (s[i] != '+' && s[i] != '-') {
			return time.UTC, true
		}
	}
	if i >= len(s) || (s[i] != '+' && s[i] != '-') {
		return nil, false
	}
	sign := 1
	if s[i] == '-' {
		sign = -1
	}
	hh, ok := num(s, i+1, 2)
	if !ok {
		return nil, false
	}
	j := i + 3
	if j < len(s) && s[j] == ':' {
		j++
	}
	mm, ok := num(s, j, 2)
	if !ok || hh > 14 || mm > 59 {
		return nil, false
	}
	off := sign * (hh*3600 + mm*60)
	if off == 0 {
		return time.UTC, true
	}
	return time.FixedZone("", off), true
}

// parseTime reads the timestamp a log line starts with:
//   - ECE and Tomcat stdout: 2026-11-23 10:15:22.123 GMT+0000 (the zone may be missing)
//   - catalina: 23-Nov-2026 10:15:22.123
//   - CCBU: 1234: 10.0.0.5: Nov 23 2026 10:15:22.123 -0500: %CCBU_…
//
// A timestamp without a zone is read in loc. Lines without one (stack
// traces, "Caused by:") return false and inherit the previous line's time.
func parseTime(line []byte, loc *time.Location) (time.Time, bool) {
	if len(line) < 19 {
		return time.Time{}, false
	}
	c := line[0]
	if c < '0' || c > '9' {
		return time.Time{}, false
	}
	if line[4] == '-' && line[7] == '-' && (line[10] == ' ' || line[10] == 'T') {
		y, ok1 := num(line, 0, 4)
		mo, ok2 := num(line, 5, 2)
		d, ok3 := num(line, 8, 2)
		if ok1 && ok2 && ok3 {
			return civil(line, y, mo, d, 11, loc)
		}
	}
	if line[2] == '-' && line[6] == '-' && line[11] == ' ' {
		d, ok1 := num(line, 0, 2)
		mo, ok2 := months[string(line[3:6])]
		y, ok3 := num(line, 7, 4)
		if ok1 && ok2 && ok3 {
			return civil(line, y, int(mo), d, 12, loc)
		}
	}
	// CCBU: sequence number, host, then the date.
	i := 0
	for i < len(line) && line[i] >= '0' && line[i] <= '9' {
		i++
	}
	if i+2 > len(line) || line[i] != ':' || line[i+1] != ' ' {
		return time.Time{}, false
	}
	rest := line[i+2:]
	j := 0
	for j < len(rest) && j < 64 && rest[j] != ':' {
		j++
	}
	if j+2+20 > len(rest) || rest[j] != ':' {
		return time.Time{}, false
	}
	s := rest[j+2:]
	mo, ok1 := months[string(s[0:3])]
	d, ok2 := num(s, 4, 2)
	y, ok3 := num(s, 7, 4)
	if !ok1 || !ok2 || !ok3 || s[3] != ' ' || s[6] != ' ' || s[11] != ' ' {
		return time.Time{}, false
	}
	return civil(s, y, int(mo), d, 12, loc)
}

func civil(s []byte, y, mo, d, at int, loc *time.Location) (time.Time, bool) {
	if mo < 1 || mo > 12 || d < 1 || d > 31 || y < 1970 || y > 9999 {
		return time.Time{}, false
	}
	h, mi, sec, nsec, end, ok := clockAt(s, at)
	if !ok {
		return time.Time{}, false
	}
	if z, ok := zoneAt(s, end); ok {
		loc = z
	}
	return time.Date(y, time.Month(mo), d, h, mi, sec, nsec, loc), true
}
