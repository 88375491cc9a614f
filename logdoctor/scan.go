package logdoctor

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"ccewiz/secret"
)

// Options tune a scan.
type Options struct {
	// Since drops hits whose time is known and earlier. Zero: keep all.
	Since time.Time
	// Local is the PCCE servers' time zone, for timestamps without one. Nil: this machine's.
	Local *time.Location
	// Workers is how many files are read at once. 0: one per CPU.
	Workers int
}

func (o Options) local() *time.Location {
	if o.Local != nil {
		return o.Local
	}
	return time.Local
}

// Buffers: a chunk is cut at the last newline; a line longer than maxChunk
// is searched in pieces (a hit straddling the cut is lost — such lines are
// not log lines).
var (
	// Variables so tests can force chunk boundaries into small inputs.
	chunkSize = 1 << 20
	maxChunk  = 16 << 20
)

const (
	sampleMax = 300
	backLimit = 1 << 16 // how far back a hit looks for its line's timestamp
)

// table is built on first use, not at start-up: every ccewiz command
// would otherwise pay for it (about a millisecond) before main runs.
var table = sync.OnceValue(func() *search {
	ps, sigOf := patterns()
	return &search{matcher: newMatcher(ps), sigOf: sigOf}
})

// search finds every signature's patterns at once.
type search struct {
	*matcher
	sigOf []int // pattern index → signature index
}

// patterns lists every signature's literal patterns, in order, and the
// signature each belongs to.
func patterns() (ps []string, sigOf []int) {
	for i, s := range Signatures {
		for _, p := range s.Patterns {
			ps = append(ps, p)
			sigOf = append(sigOf, i)
		}
	}
	return ps, sigOf
}

// Patterns returns every literal pattern, one per signature row, as
// `grep -F -f` takes them.
func Patterns() []string {
	ps, _ := patterns()
	return ps
}

// hit is where one signature was seen first in one file, and how often.
type group struct {
	sig     int
	variant string
	explain string
	count   int
	line    int64
	first   time.Time
	last    time.Time
	sample  string
}

type fileScan struct {
	name  string
	clock Clock
	loc   *time.Location
	since time.Time

	lines  int64 // lines before the current chunk
	bytes  int64
	groups map[string]*group
	order  []string

	// Time of the nearest timestamped line at or before hdrFloor-1 in the
	// current chunk (or carried over from earlier chunks).
	hdrTime  time.Time
	hdrOK    bool
	hdrFloor int
}

// scanReader searches r (a file called name) and returns what it found.
func scanReader(ctx context.Context, name string, r io.Reader, o Options) (*fileScan, error) {
	fs := &fileScan{name: name, clock: clockOf(name), loc: o.local(), since: o.Since, groups: map[string]*group{}}
	if fs.clock == ClockUTC {
		fs.loc = time.UTC
	}
	buf := getBuf()
	defer func() { bufs.Put(&buf) }()
	n := 0
	for {
		if err := ctx.Err(); err != nil {
			return fs, err
		}
		m, err := io.ReadFull(r, buf[n:])
		n += m
		eof := errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
		if err != nil && !eof {
			if n > 0 {
				fs.chunk(buf[:n], true) // what arrived before the error still counts
			}
			return fs, fmt.Errorf("read %s: %w", name, err)
		}
		if eof {
			if n > 0 {
				fs.chunk(buf[:n], true)
			}
			return fs, nil
		}
		cut := bytes.LastIndexByte(buf[:n], '\n') + 1
		if cut == 0 {
			if len(buf) < maxChunk {
				bigger := make([]byte, 2*len(buf))
				copy(bigger, buf[:n])
				buf = bigger
				continue
			}
			cut = n
		}
		fs.chunk(buf[:cut], false)
		n = copy(buf, buf[cut:n])
	}
}

// bufs recycles read buffers between files: a fresh megabyte per file
// costs page faults and zeroing that show up next to the search itself.
var bufs sync.Pool

func getBuf() []byte {
	if b, ok := bufs.Get().(*[]byte); ok && len(*b) >= chunkSize {
		return *b
	}
	return make([]byte, chunkSize)
}

// chunk searches complete lines (the last may lack its newline at EOF).
func (fs *fileScan) chunk(c []byte, last bool) {
	fs.bytes += int64(len(c))
	fs.hdrFloor = 0
	counted, lines := 0, fs.lines
	lineStart := -1 // the line the previous hit was on
	var seen [64]bool
	t := table()
	t.each(c, func(pos, pat int) {
		ls := bytes.LastIndexByte(c[:pos], '\n') + 1
		if ls != lineStart {
			lineStart = ls
			seen = [64]bool{}
		}
		sig := t.sigOf[pat]
		if sig < len(seen) {
			if seen[sig] {
				return
			}
			seen[sig] = true
		}
		lines += int64(bytes.Count(c[counted:ls], []byte{'\n'}))
		counted = ls
		le := bytes.IndexByte(c[pos:], '\n')
		if le < 0 {
			le = len(c)
		} else {
			le += pos
		}
		fs.add(sig, c[ls:le], pos-ls, lines+1, c, ls)
	})
	fs.lines = lines + int64(bytes.Count(c[counted:], []byte{'\n'}))
	if last && len(c) > 0 && c[len(c)-1] != '\n' {
		fs.lines++
	}
	// Carry the time of the chunk's last timestamped line to the next chunk.
	if end := len(c); end > 0 {
		ls := bytes.LastIndexByte(c[:end-1], '\n') + 1
		fs.hdrTime, fs.hdrOK = fs.timeAt(c, ls)
	}
}

// timeAt returns the time of the line at ls, or of the nearest earlier line
// that has one. Each byte of a chunk is looked at once: hits come in order.
func (fs *fileScan) timeAt(c []byte, ls int) (time.Time, bool) {
	floor := max(fs.hdrFloor, ls-backLimit)
	t, ok := time.Time{}, false
	for p := ls; p >= floor; {
		if t, ok = parseTime(c[p:min(len(c), p+160)], fs.loc); ok {
			break
		}
		if p == 0 {
			break
		}
		p = bytes.LastIndexByte(c[:p-1], '\n') + 1
	}
	if !ok {
		// Nothing nearer (or too far back to look): the last time known.
		t, ok = fs.hdrTime, fs.hdrOK
	}
	fs.hdrTime, fs.hdrOK, fs.hdrFloor = t, ok, ls+1
	return t, ok
}

func (fs *fileScan) add(sig int, line []byte, at int, lineNo int64, c []byte, ls int) {
	t, known := fs.timeAt(c, ls)
	if known && !fs.since.IsZero() && t.Before(fs.since) {
		return
	}
	line = bytes.TrimSuffix(line, []byte{'\r'})
	key, explain := "", ""
	if v := Signatures[sig].Variant; v != nil {
		key, explain = v(line)
		key, explain = inert(key), inert(explain)
	}
	k := fmt.Sprintf("%d\x00%s", sig, key)
	g := fs.groups[k]
	if g == nil {
		g = &group{sig: sig, variant: key, explain: explain, line: lineNo, sample: sample(line, at)}
		fs.groups[k] = g
		fs.order = append(fs.order, k)
	}
	g.count++
	if known {
		if g.first.IsZero() || t.Before(g.first) {
			g.first = t
		}
		if t.After(g.last) {
			g.last = t
		}
	}
}

// inert returns s as printable UTF-8, tabs as spaces.
func inert(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' {
			return ' '
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return '\uFFFD'
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

// rePassword finds password-like values a log line may carry (a JDBC URL,
// a debug dump of settings): samples are shown and shared, passwords never.
var rePassword = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)(pass(?:word|wd)?|pwd|secret|credentials)(\s*["']?\s*[:=]\s*["']?)[^\s,;"'&\]}]+`)
})

// sample returns the line, cut around the hit at byte at when it is long,
// as printable UTF-8: a log must not be able to drive the terminal.
func sample(line []byte, at int) string {
	// Redact before cutting: a cut inside "password=" would leave a value
	// the pattern no longer recognises.
	line, at = redact(line, at)
	from, to := 0, len(line)
	if to > sampleMax {
		from = max(0, at-sampleMax/3)
		to = min(len(line), from+sampleMax)
	}
	for from > 0 && !utf8.RuneStart(line[from]) {
		from++
	}
	s := inert(string(line[from:to]))
	if from > 0 {
		s = "…" + s
	}
	if to < len(line) {
		s += "…"
	}
	return s
}

// redact returns line with every password value masked, and where the byte
// at has moved to, so that the sample still lands on the hit.
func redact(line []byte, at int) ([]byte, int) {
	ms := rePassword().FindAllSubmatchIndex(line, -1)
	if ms == nil {
		return line, at
	}
	out := make([]byte, 0, len(line))
	newAt, last := at, 0
	for _, m := range ms {
		value, end := m[5], m[1] // the value runs from the end of group 2 to the end of the match
		if at >= end {
			newAt += len(secret.Mask) - (end - value)
		} else if at > value {
			newAt = len(out) + value - last // a hit inside a value: its start
		}
		out = append(out, line[last:value]...)
		out = append(out, secret.Mask...)
		last = end
	}
	return append(out, line[last:]...), newAt
}
