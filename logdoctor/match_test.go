package logdoctor

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestMatcherFindsEveryOccurrence plants patterns at random places — on
// the lane boundaries too, and overlapping — and compares every reported
// (position, pattern) with a plain bytes.Index search.
func TestMatcherFindsEveryOccurrence(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	pats := Patterns()
	alphabet := []byte("abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ:.-_0123456789\t<@>\xc3\xa9\xff")
	for round := range 300 {
		n := rng.IntN(5000)
		if round%50 == 0 {
			n = 200_000
		}
		text := make([]byte, n)
		for i := range text {
			text[i] = alphabet[rng.IntN(len(alphabet))]
		}
		q := n / 4
		for range rng.IntN(12) {
			p := pats[rng.IntN(len(pats))]
			at := rng.IntN(n + 1)
			if rng.IntN(3) == 0 && q > 0 { // right at or across a lane boundary
				at = max(0, q*(1+rng.IntN(3))-rng.IntN(len(p)+1))
			}
			if at+len(p) <= n {
				copy(text[at:], p)
			}
		}
		var want [][2]int
		for pi, p := range pats {
			for from := 0; ; {
				i := bytes.Index(text[from:], []byte(p))
				if i < 0 {
					break
				}
				want = append(want, [2]int{from + i, pi})
				from += i + 1
			}
		}
		var got [][2]int
		table().each(text, func(pos, pat int) {
			if len(got) > 0 && pos < got[len(got)-1][0] {
				t.Fatalf("round %d: hit at %d reported after %d", round, pos, got[len(got)-1][0])
			}
			got = append(got, [2]int{pos, pat})
		})
		cmp := func(a, b [2]int) int {
			if a[0] != b[0] {
				return a[0] - b[0]
			}
			return a[1] - b[1]
		}
		slices.SortFunc(want, cmp)
		slices.SortFunc(got, cmp)
		if !slices.Equal(got, want) {
			t.Fatalf("round %d (len %d): got %v, want %v", round, n, got, want)
		}
	}
}
