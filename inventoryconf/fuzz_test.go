package inventoryconf

import (
	"os"
	"testing"
)

// FuzzCheck: any file gives findings, never a panic; a file Check finds
// nothing wrong with, Write renders again, and Check accepts that too.
func FuzzCheck(f *testing.F) {
	if b, err := os.ReadFile("testdata/good.conf"); err == nil {
		f.Add(b)
	}
	f.Add([]byte("---\ninventory:\n  VOS: {}\n  Windows: {}\n  deploymentName: \"x\"\n  deploymentType: \"UCCE-2000-Agents\"\n"))
	f.Add([]byte("inventory:\r\n\tVOS:\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		inv, fs := Check(data, &Expect{VOS: []string{"a"}, Windows: []string{"b"}})
		for _, x := range fs {
			if x.Message == "" || x.Fix == "" || x.Line < 0 {
				t.Fatalf("a finding without message or fix: %+v", x)
			}
		}
		if inv == nil {
			return
		}
		if _, clean := Check(data, nil); len(clean) > 0 {
			return
		}
		out, err := Write(inv)
		if err != nil {
			return // a value Write will not emit (e.g. a cluster key it cannot write unquoted)
		}
		if _, fs := Check(out, nil); len(fs) > 0 {
			t.Fatalf("Write's output fails Check: %v\n%s", fs, out)
		}
	})
}
