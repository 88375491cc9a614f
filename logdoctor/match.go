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
//
// Speed comes from two details. The jump table folds bytes to 7 bits so it
// is 16 KB and stays in the L1 cache (folding only shortens some jumps).
// Each jump waits for two loads, so the buffer is searched from its start
// and its middle at once: two independent chains keep the CPU busy.
type matcher struct {
	pats  [][]byte
	m     int // length of the shortest pattern: the window
	shift [blocks]uint8
	// Patterns whose m-prefix ends with block b are idx[start[b]:start[b+1]].
	start [blocks + 1]uint16
	idx   []uint16
	// first is a bitset of the (folded) two bytes patterns start with: a
	// window whose end looks right is dropped early when its start does not.
	first [blocks / 64]uint64
	// head holds each pattern's first 8 bytes, so most candidate windows
	// are rejected by one word compare instead of a byte loop.
	head []uint64
}

const blocks = 1 << 14

func block(a, b byte) uint16 { return uint16(a&0x7f)<<7 | uint16(b&0x7f) }

// newMatcher builds a matcher for 1 to 255 patterns of at least 8 bytes.
func newMatcher(pats []string) *matcher {
	mt := &matcher{m: 255} // shifts are bytes
	if len(pats) == 0 || len(pats) > 255 {
		panic("logdoctor: between 1 and 255 patterns")
	}
	for _, p := range pats {
		if len(p) < 8 {
			panic("logdoctor: pattern shorter than 8 bytes: " + p)
		}
		mt.pats = append(mt.pats, []byte(p))
		mt.head = append(mt.head, binary.LittleEndian.Uint64([]byte(p)))
		mt.m = min(mt.m, len(p))
		b := block(p[0], p[1])
		mt.first[b/64] |= 1 << (b % 64)
	}
	m := mt.m
	for i := range mt.shift {
		mt.shift[i] = uint8(m - 1)
	}
	count := make([]int, blocks)
	for _, p := range mt.pats {
		for j := 1; j < m; j++ {
			b := block(p[j-1], p[j])
			mt.shift[b] = min(mt.shift[b], uint8(m-1-j))
		}
		count[block(p[m-2], p[m-1])]++
	}
	n := 0
	for b := range blocks {
		mt.start[b] = uint16(n)
		n += count[b]
	}
	mt.start[blocks] = uint16(n)
	mt.idx = make([]uint16, n)
	fill := make([]int, blocks)
	for i, p := range mt.pats {
		b := block(p[m-2], p[m-1])
		mt.idx[int(mt.start[b])+fill[b]] = uint16(i)
		fill[b]++
	}
	return mt
}

// starts reports whether a pattern may start at from.
func (mt *matcher) starts(text []byte, from int) bool {
	b := block(text[from], text[from+1])
	return mt.first[b/64]&(1<<(b%64)) != 0
}

// verify reports the patterns starting at from whose m-prefix ends in block b.
func (mt *matcher) verify(text []byte, from int, b uint16, hit func(pos, pat int)) {
	if !mt.starts(text, from) {
		return
	}
	w := binary.LittleEndian.Uint64(text[from:])
	for _, p := range mt.idx[mt.start[b]:mt.start[b+1]] {
		if mt.head[p] == w && bytes.HasPrefix(text[from:], mt.pats[p]) {
			hit(from, int(p))
		}
	}
}

// each calls hit(pos, pattern) for every occurrence, in increasing pos.
func (mt *matcher) each(text []byte, hit func(pos, pat int)) {
	m := mt.m
	if len(text) < 2*m+64 {
		mt.run(text, m-1, len(text), hit)
		return
	}
	// Lane 1 takes the windows starting before mid, lane 2 the rest; lane
	// 2's hits wait so the caller still sees them in order.
	mid := len(text) / 2
	i1, end1 := m-1, min(mid+m-1, len(text))
	i2, end2 := mid+m-1, len(text)
	var later [][2]int
	hit2 := func(pos, pat int) { later = append(later, [2]int{pos, pat}) }
	for i1 < end1 && i2 < end2 {
		b1 := block(text[i1-1], text[i1])
		b2 := block(text[i2-1], text[i2])
		s1, s2 := int(mt.shift[b1]), int(mt.shift[b2])
		if s1 == 0 {
			if mt.starts(text, i1-m+1) {
				mt.verify(text, i1-m+1, b1, hit)
			}
			s1 = 1
		}
		if s2 == 0 {
			if mt.starts(text, i2-m+1) {
				mt.verify(text, i2-m+1, b2, hit2)
			}
			s2 = 1
		}
		i1 += s1
		i2 += s2
	}
	mt.run(text, i1, end1, hit)
	mt.run(text, i2, end2, hit2)
	for _, h := range later {
		hit(h[0], h[1])
	}
}

// run searches windows ending at i ..< end.
func (mt *matcher) run(text []byte, i, end int, hit func(pos, pat int)) {
	m := mt.m
	for i < end {
		b := block(text[i-1], text[i])
		if s := mt.shift[b]; s != 0 {
			i += int(s)
			continue
		}
		mt.verify(text, i-m+1, b, hit)
		i++
	}
}
