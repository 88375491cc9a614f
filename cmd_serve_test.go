package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestServeUsage(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty_keys")
	os.WriteFile(empty, []byte("# nobody yet\n"), 0o600)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no authorized keys", []string{"serve", "--workdir", dir}, "--authorized-keys is required"},
		{"no workdir", []string{"serve", "--authorized-keys", empty}, "--workdir is required"},
		{"authorized keys without a key", []string{"serve", "--authorized-keys", empty, "--workdir", dir}, "lists no key"},
		{"missing authorized keys", []string{"serve", "--authorized-keys", filepath.Join(dir, "nope"), "--workdir", dir}, "no such file"},
		{"zero sessions", []string{"serve", "--authorized-keys", empty, "--workdir", dir, "--max-sessions", "0"}, "must be positive"},
		{"stray argument", []string{"serve", "extra"}, `unexpected argument "extra"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, errs := runCLI(t, c.args...)
			if code != exitBadUsed || !strings.Contains(errs, c.want) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 2 mentioning %q", code, errs, c.want)
			}
		})
	}
}
