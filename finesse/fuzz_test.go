package finesse

import (
	"os"
	"testing"
)

// FuzzEnsure: any layout Parse accepts, once Ensure has put the WxM
// gadgets in, parses again, holds each of them in its tab, still holds
// every gadget it held (but a corrected one), and needs no second edit.
func FuzzEnsure(f *testing.F) {
	if b, err := os.ReadFile("stock1250.xml"); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`<finesseLayout><layout><role>Agent</role><tabs><tab><id>home</id><columns><column><gadgets/></column></columns></tab></tabs></layout><layout><role>Supervisor</role><tabs></tabs></layout></finesseLayout>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := Parse(data)
		if err != nil {
			return
		}
		before := l.Gadgets()
		out, changes, err := l.Ensure(want)
		if err != nil {
			return
		}
		l2, err := Parse(out)
		if err != nil {
			t.Fatalf("the edited layout does not parse: %v\n%q", err, out)
		}
		for _, g := range want {
			if !l2.Has(g) {
				t.Fatalf("%s is not in the edited layout\n%q", g, out)
			}
		}
		corrected := map[string]bool{}
		for _, c := range changes {
			if c.What == "corrected" {
				corrected[c.Gadget.Base] = true
			}
		}
		after := l2.Gadgets()
		for k, urls := range before {
			for _, u := range urls {
				if corrected[u] {
					continue
				}
				found := false
				for _, v := range after[k] {
					found = found || v == u
				}
				if !found {
					t.Fatalf("%s lost %q\n%q", k, u, out)
				}
			}
		}
		if _, again, err := l2.Ensure(want); err != nil || len(again) > 0 {
			t.Fatalf("a second run: %v %+v", err, again)
		}
	})
}
