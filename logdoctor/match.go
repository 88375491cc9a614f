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
// Each jump waits for two loads, so the buffer is cut in four and searched
// at four places at once: independent chains keep the CPU busy.
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
	const lanes = 4
	if len(text) < lanes*(m+64) {
		mt.run(text, m-1, len(text), hit)
		return
	}
	// Lane k takes the windows starting in [k·q, (k+1)·q); the hits of
	// lanes after the first wait, so the caller still sees them in order.
	q := len(text) / lanes
	var i, end [lanes]int
	for k := range lanes {
		i[k] = k*q + m - 1
		end[k] = min((k+1)*q+m-1, len(text))
	}
	end[lanes-1] = len(text)
	var later [lanes][][2]int
	var hits [lanes]func(pos, pat int)
	hits[0] = hit
	for k := 1; k < lanes; k++ {
		hits[k] = func(pos, pat int) { later[k] = append(later[k], [2]int{pos, pat}) }
	}
	for i[0] < end[0] && i[1] < end[1] && i[2] < end[2] && i[3] < end[3] {
		b0 := block(text[i[0]-1], text[i[0]])
		b1 := block(text[i[1]-1], text[i[1]])
		b2 := block(text[i[2]-1], text[i[2]])
		b3 := block(text[i[3]-1], text[i[3]])
		s0, s1, s2, s3 := int(mt.shift[b0]), int(mt.shift[b1]), int(mt.shift[b2]), int(mt.shift[b3])
		if s0 == 0 {
			mt.verify(text, i[0]-m+1, b0, hit)
			s0 = 1
		}
		if s1 == 0 {
			mt.verify(text, i[1]-m+1, b1, hits[1])
			s1 = 1
		}
		if s2 == 0 {
			mt.verify(text, i[2]-m+1, b2, hits[2])
			s2 = 1
		}
		if s3 == 0 {
			mt.verify(text, i[3]-m+1, b3, hits[3])
			s3 = 1
		}
		i[0] += s0
		i[1] += s1
		i[2] += s2
		i[3] += s3
	}
	for k := range lanes {
		mt.run(text, i[k], end[k], hits[k])
	}
	for k := 1; k < lanes; k++ {
		for _, h := range later[k] {
			hit(h[0], h[1])
		}
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
