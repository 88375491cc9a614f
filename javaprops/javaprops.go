// Package javaprops reads and edits Java .properties files — CVP's
// sip.properties — the way the Java that reads them does, and changes only
// the values it is asked to: every other byte (comments, order, line
// endings, spacing, escapes, duplicate keys) stays as it was.
//
// The grammar is java.util.Properties.load's (Java 9+ LineReader): natural
// lines end in \n, \r or \r\n; a line ending in an odd number of
// backslashes continues on the next, whose leading white space is dropped;
// a logical line whose first non-blank character is # or ! is a comment; a
// key ends at the first unescaped '=', ':' or white space; escapes are \t
// \n \r \f \uXXXX and \c for any other c. Bytes are ISO-8859-1, as
// Properties.load(InputStream) reads them. When a key appears twice, Java
// keeps the last one: so does Get, and Set edits that one.
package javaprops

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf16"
)

// MaxSize is the largest file Parse reads: sip.properties is a few KiB.
const MaxSize = 4 << 20

// File is a parsed .properties file.
type File struct {
	data    []byte
	entries []entry
	lastOf  map[string]int // key → index of its last entry: the one Java keeps
	eol     string         // the line ending new lines get: the file's first one, else \r\n
}

// entry is one key/value logical line, as byte offsets into data.
type entry struct {
	Key, Value string
	line       int  // 1-based, of the key
	valueStart int  // offset of the value's first raw byte (== end when empty)
	end        int  // offset just past the logical line, before its terminator
	bare       bool // the key alone: no separator, nothing after it
}

// SyntaxError is Java's own refusal of a file, with where.
type SyntaxError struct {
	Line int
	Msg  string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("line %d: %s (Java refuses the whole file: Properties.load throws IllegalArgumentException)", e.Line, e.Msg)
}

// Parse reads data as Java does. Its only error is a malformed \uXXXX
// escape, which makes Java refuse the whole file.
func Parse(data []byte) (*File, error) {
	if len(data) > MaxSize {
		return nil, fmt.Errorf("%d bytes is more than a .properties file holds (limit %d)", len(data), MaxSize)
	}
	f := &File{data: data, eol: "\r\n"}
	if i := bytes.IndexAny(data, "\r\n"); i >= 0 {
		f.eol = "\n"
		if data[i] == '\r' {
			f.eol = "\r"
			if i+1 < len(data) && data[i+1] == '\n' {
				f.eol = "\r\n"
			}
		}
	}
	lineNo := 1
	pos := 0
	for pos < len(data) {
		// Leading white space of a logical line; blank lines are skipped.
		for pos < len(data) && isBlank(data[pos]) {
			pos++
		}
		if pos >= len(data) {
			break
		}
		if c := data[pos]; c == '\n' || c == '\r' {
			pos, lineNo = skipEOL(data, pos), lineNo+1
			continue
		}
		if c := data[pos]; c == '#' || c == '!' {
			// A comment runs to its natural line's end: no continuation.
			for pos < len(data) && data[pos] != '\n' && data[pos] != '\r' {
				pos++
			}
			if pos < len(data) {
				pos, lineNo = skipEOL(data, pos), lineNo+1
			}
			continue
		}
		// The logical line: its characters with their raw offsets, the
		// continuations (backslash, terminator, next line's leading
		// blanks) taken out, as Java's LineReader does.
		keyLine := lineNo
		var chars []byte
		var offs []int
		for pos < len(data) {
			c := data[pos]
			if c == '\n' || c == '\r' {
				if n := trailingBackslashes(chars); n%2 == 1 {
					chars, offs = chars[:len(chars)-1], offs[:len(offs)-1]
					pos, lineNo = skipEOL(data, pos), lineNo+1
					for pos < len(data) && isBlank(data[pos]) {
						pos++
					}
					continue
				}
				break
			}
			chars = append(chars, c)
			offs = append(offs, pos)
			pos++
		}
		end := pos
		if n := trailingBackslashes(chars); n%2 == 1 && pos >= len(data) {
			// A continuation at the end of the file: Java drops the
			// backslash, and an edit goes before it.
			end = offs[len(offs)-1]
			chars, offs = chars[:len(chars)-1], offs[:len(offs)-1]
		}
		if pos < len(data) {
			pos, lineNo = skipEOL(data, pos), lineNo+1
		}
		e, err := split(chars, offs, end, keyLine)
		if err != nil {
			return nil, err
		}
		f.entries = append(f.entries, e)
	}
	f.lastOf = make(map[string]int, len(f.entries))
	for i, e := range f.entries {
		f.lastOf[e.Key] = i
	}
	return f, nil
}

// split cuts a logical line into key and value as Properties.load0 does.
func split(chars []byte, offs []int, end, line int) (entry, error) {
	keyLen, valueStart, hasSep, backslash := 0, len(chars), false, false
	for keyLen < len(chars) {
		c := chars[keyLen]
		if (c == '=' || c == ':') && !backslash {
			valueStart, hasSep = keyLen+1, true
			break
		}
		if isBlank(c) && !backslash {
			valueStart = keyLen + 1
			break
		}
		backslash = c == '\\' && !backslash
		keyLen++
	}
	for valueStart < len(chars) {
		c := chars[valueStart]
		if !isBlank(c) {
			if !hasSep && (c == '=' || c == ':') {
				hasSep = true
			} else {
				break
			}
		}
		valueStart++
	}
	key, err := unescape(chars[:keyLen], line)
	if err != nil {
		return entry{}, err
	}
	value, err := unescape(chars[valueStart:], line)
	if err != nil {
		return entry{}, err
	}
	e := entry{Key: key, Value: value, line: line, valueStart: end, end: end, bare: keyLen == len(chars)}
	if valueStart < len(chars) {
		e.valueStart = offs[valueStart]
	}
	return e, nil
}

// unescape decodes a key or value. Java holds UTF-16: \uD83D\uDE00 is
// one character; an unpaired surrogate (which no real file has) becomes
// U+FFFD.
func unescape(b []byte, line int) (string, error) {
	var units []uint16
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c != '\\' {
			units = append(units, uint16(c)) // ISO-8859-1: each byte is its code point
			continue
		}
		if i+1 >= len(b) {
			break // a lone trailing backslash is dropped
		}
		i++
		switch c = b[i]; c {
		case 't':
			units = append(units, '\t')
		case 'n':
			units = append(units, '\n')
		case 'r':
			units = append(units, '\r')
		case 'f':
			units = append(units, '\f')
		case 'u':
			var r uint16
			for j := 1; j <= 4; j++ {
				d := -1
				if i+j < len(b) {
					d = hexDigit(b[i+j])
				}
				if d < 0 {
					return "", &SyntaxError{Line: line, Msg: `malformed \uxxxx escape`}
				}
				r = r<<4 | uint16(d)
			}
			i += 4
			units = append(units, r)
		default:
			units = append(units, uint16(c))
		}
	}
	return string(utf16.Decode(units)), nil
}

func hexDigit(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\f' }

func skipEOL(data []byte, pos int) int {
	if data[pos] == '\r' && pos+1 < len(data) && data[pos+1] == '\n' {
		return pos + 2
	}
	return pos + 1
}

func trailingBackslashes(b []byte) int {
	n := 0
	for i := len(b) - 1; i >= 0 && b[i] == '\\'; i-- {
		n++
	}
	return n
}

// Get returns key's value as Java reads it (the last one when the key is
// there twice).
func (f *File) Get(key string) (string, bool) {
	if e := f.last(key); e != nil {
		return e.Value, true
	}
	return "", false
}

// Line is the line number of key's entry Java uses, 0 when absent.
func (f *File) Line(key string) int {
	if e := f.last(key); e != nil {
		return e.line
	}
	return 0
}

// Keys are the keys in file order, each once, as Java would hold them.
func (f *File) Keys() []string {
	seen := map[string]bool{}
	var out []string
	for _, e := range f.entries {
		if !seen[e.Key] {
			seen[e.Key] = true
			out = append(out, e.Key)
		}
	}
	return out
}

func (f *File) last(key string) *entry {
	if i, ok := f.lastOf[key]; ok {
		return &f.entries[i]
	}
	return nil
}

// Bytes is the file as it is now.
func (f *File) Bytes() []byte { return f.data }

// Set makes key's value value and reports whether anything changed. An
// entry that is there keeps its key, separator and place; only its value's
// bytes are replaced (a value continued over several lines becomes one).
// A missing key is appended as "key = value" on a line of its own, with the
// file's line ending.
func (f *File) Set(key, value string) bool {
	if e := f.last(key); e != nil {
		if e.Value == value {
			return false
		}
		var b bytes.Buffer
		b.Write(f.data[:e.valueStart])
		if e.bare {
			b.WriteString(" = ")
		}
		b.WriteString(Escape(value, false))
		b.Write(f.data[e.end:])
		f.reparse(b.Bytes())
		return true
	}
	line := Escape(key, true) + " = " + Escape(value, false) + f.eol
	sep := ""
	if len(f.data) > 0 && !bytes.HasSuffix(f.data, []byte("\n")) && !bytes.HasSuffix(f.data, []byte("\r")) {
		sep = f.eol
	}
	// A file ending in a continuation would swallow the new line into its
	// last value: an empty line ends it first. The parser itself decides.
	for _, s := range []string{sep, sep + f.eol} {
		data := append(append(append([]byte{}, f.data...), s...), line...)
		if g, err := Parse(data); err == nil && g.Len() == f.Len()+1 {
			if v, _ := g.Get(key); v == value {
				f.reparse(data)
				return true
			}
		}
	}
	panic("javaprops: cannot append " + key) // unreachable: an empty line ends any logical line
}

// Len is the number of key/value lines, duplicates included.
func (f *File) Len() int { return len(f.entries) }

func (f *File) reparse(data []byte) {
	g, err := Parse(data)
	if err != nil {
		// Escape writes nothing Parse refuses, and the rest was parsed before.
		panic("javaprops: an edit made the file unreadable: " + err.Error())
	}
	g.eol = f.eol
	*f = *g
}

// Escape writes s as Properties.store would: \\ \t \n \r \f, '=' ':' '#'
// '!' escaped, a leading space (every space in a key) escaped, and
// anything outside printable ASCII as \uXXXX, so the file stays ASCII
// whatever charset reads it.
func Escape(s string, key bool) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == ' ':
			if i == 0 || key {
				b.WriteByte('\\')
			}
			b.WriteByte(' ')
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\f':
			b.WriteString(`\f`)
		case r == '\\' || r == '=' || r == ':' || r == '#' || r == '!':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r > 0x7e:
			for _, u := range utf16.Encode([]rune{r}) {
				fmt.Fprintf(&b, `\u%04X`, u)
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
