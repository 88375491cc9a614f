package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"ccewiz/certs"
	"ccewiz/testpeer"
)

// runPair runs two ccewiz processes at once and returns their exit codes
// and output.
func runPair(t *testing.T, bin string, a, b []string) (codes [2]int, outs [2]string) {
	t.Helper()
	var wg sync.WaitGroup
	dir := t.TempDir() // both record what they wrote in one ccewiz.yaml, as two admins in one folder
	for i, args := range [][]string{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(bin, args...)
			cmd.Dir = dir
			out, err := cmd.CombinedOutput()
			outs[i] = string(out)
			if ee, ok := err.(*exec.ExitError); ok {
				codes[i] = ee.ExitCode()
			} else if err != nil {
				codes[i] = -1
			}
		}()
	}
	wg.Wait()
	return codes, outs
}

// TestConcurrentImportsLoseNothing: pairs of keystore imports into one
// cacerts at the same moment: every certificate ends up in it, both runs
// exit 0, and neither gives advice that would undo the other's import.
func TestConcurrentImportsLoseNothing(t *testing.T) {
	bin := testpeer.BuildCcewiz(t)
	dir := t.TempDir()
	store := filepath.Join(dir, "cacerts")
	data, err := os.ReadFile(testpeer.JDKCacerts(t))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(store, data, 0o644)
	pass := filepath.Join(dir, "storepass")
	os.WriteFile(pass, []byte("changeit\n"), 0o600)
	const pairs = 50
	var fps []string
	for i := 0; i < pairs; i++ {
		var args [2][]string
		for j := range args {
			leaf := testpeer.NewLeaf(t, fmt.Sprintf("ece%d-%d.example.com", i, j), nil)
			f := filepath.Join(dir, fmt.Sprintf("c%d-%d.pem", i, j))
			os.WriteFile(f, leaf.PEM(), 0o644)
			fps = append(fps, certs.Fingerprint(leaf.DER))
			args[j] = []string{"keystore", "import", "--keystore", store, "--cert", f, "--storepass-file", pass}
		}
		codes, outs := runPair(t, bin, args[0], args[1])
		for j := range codes {
			if codes[j] != 0 || strings.Contains(outs[j], "restore the previous version") {
				t.Fatalf("pair %d, run %d: exit %d\n%s", i, j, codes[j], outs[j])
			}
		}
	}
	b, _ := os.ReadFile(store)
	ks, err := certs.OpenKeystore(b, []byte("changeit"))
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, e := range ks.Entries() {
		have[e.SHA256] = true
	}
	lost := 0
	for _, fp := range fps {
		if !have[fp] {
			lost++
		}
	}
	t.Logf("%d pairs of imports into one cacerts: %d of %d certificates lost", pairs, lost, len(fps))
	if lost > 0 {
		t.Errorf("%d imports were lost", lost)
	}
}

// TestConcurrentSpogPatches: pairs of spog patch with two names at once:
// both exit 0, the second plans from the first's result (no "changed since
// the plan", no silent overwrite of an unseen change), and the file ends
// with one of the two names, every other byte kept.
func TestConcurrentSpogPatches(t *testing.T) {
	bin := testpeer.BuildCcewiz(t)
	file := filepath.Join(t.TempDir(), "spog_config.js")
	orig := "var web_server_protocol = \"http\";\r\nvar web_server_name = \"<web server>\";\r\n// keep me\r\n"
	os.WriteFile(file, []byte(orig), 0o644)
	const pairs = 30
	for i := 0; i < pairs; i++ {
		a := []string{"spog", "patch", "--file", file, "--server-name", fmt.Sprintf("a%d.example.com", i)}
		b := []string{"spog", "patch", "--file", file, "--server-name", fmt.Sprintf("b%d.example.com", i)}
		codes, outs := runPair(t, bin, a, b)
		for j := range codes {
			if codes[j] != 0 || strings.Contains(outs[j], "changed since") {
				t.Fatalf("pair %d, run %d: exit %d\n%s", i, j, codes[j], outs[j])
			}
		}
		got, _ := os.ReadFile(file)
		s := string(got)
		if !strings.Contains(s, fmt.Sprintf("\"a%d.example.com\"", i)) && !strings.Contains(s, fmt.Sprintf("\"b%d.example.com\"", i)) ||
			!strings.HasSuffix(s, "// keep me\r\n") || strings.Count(s, "\r\n") != 3 {
			t.Fatalf("pair %d left:\n%q", i, s)
		}
		// Each run's diff starts from what was really there: the second one's
		// "-" line names the first one's value.
		second := outs[1]
		if strings.Contains(s, fmt.Sprintf("a%d.", i)) {
			second = outs[0]
		}
		if i > 0 && !strings.Contains(second, ".example.com\";") {
			t.Fatalf("pair %d: the last writer did not plan from a real value:\n%s", i, second)
		}
	}
	t.Logf("%d pairs of spog patch on one file: both runs succeeded each time, no update planned from a stale file", pairs)
}
