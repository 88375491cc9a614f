package logdoctor

import (
	"bytes"
	"encoding/binary"
)

// matcher finds every pattern in one left-to-right pass over a buffer
// (Wu–Manber). Like grep's Commentz–Walter it skips: it looks at the last
// two bytes of a window as long as the shortest pattern and jumps ahead by
// up to that length when those two bytes cannot end a pattern prefix, so on
// log text it reads only a fraction of the bytes. Aho–Corasick would touch
// every byte. Patterns are literal and case-sensitive, like the Java
// exception texts they come from.
type matcher struct {
	pats  [][]byte
	m     int // length of the shortest pattern: the window
	shift [1 << 16]uint8
	// Patterns whose m-prefix ends with block b are idx[start[b]:start[b+1]].
	start [1<<16 + 1]uint16
	idx   []uint16
	// head holds each pattern's first 8 bytes, so most candidate windows
	// are rejected by one word compare instead of a byte loop.
	head []uint64
}

func block(a, b byte) uint16 { return uint16(a)<<8 | uint16(b) }

// newMatcher builds a matcher; every pattern must be at least 8 bytes and
// at most 255 patterns are supported (the table is a handful).
func newMatcher(pats []string) *matcher {
	mt := &matcher{m: 1 << 30}
	for _, p := range pats {
		mt.pats = append(mt.pats, []byte(p))
		mt.m = min(mt.m, len(p))
	}
	if len(pats) == 0 || len(pats) > 255 {
		panic("logdoctor: between 1 and 255 patterns")
	}
	m := mt.m
	mt.m = min(m, 255) // shifts are bytes
	m = mt.m
	if m < 8 {
		panic("logdoctor: patterns must be at least 8 bytes")
	}
	for _, p := range mt.pats {
		mt.head = append(mt.head, binary.LittleEndian.Uint64(p))
	}
	for i := range mt.shift {
		mt.shift[i] = uint8(m - 1)
	}
	count := make([]int, 1<<16)
	for _, p := range mt.pats {
		for j := 1; j < m; j++ {
			b := block(p[j-1], p[j])
			mt.shift[b] = min(mt.shift[b], uint8(m-1-j))
		}
		count[block(p[m-2], p[m-1])]++
	}
	n := 0
	for b := range 1 << 16 {
		mt.start[b] = uint16(n)
		n += count[b]
	}
	mt.start[1<<16] = uint16(n)
	mt.idx = make([]uint16, n)
	fill := make([]int, 1<<16)
	for i, p := range mt.pats {
		b := block(p[m-2], p[m-1])
		mt.idx[int(mt.start[b])+fill[b]] = uint16(i)
		fill[b]++
	}
	return mt
}

// each calls hit(pos, pattern) for every occurrence, in increasing pos.
func (mt *matcher) each(text []byte, hit func(pos, pat int)) {
	m := mt.m
	for i := m - 1; i < len(text); {
		b := block(text[i-1], text[i])
		if s := mt.shift[b]; s != 0 {
			i += int(s)
			continue
		}
		from := i - m + 1
		w := binary.LittleEndian.Uint64(text[from:])
		for _, p := range mt.idx[mt.start[b]:mt.start[b+1]] {
			if mt.head[p] == w && bytes.HasPrefix(text[from:], mt.pats[p]) {
				hit(from, int(p))
			}
		}
		i++
	}
}
