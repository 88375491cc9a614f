package main

import (
	"bytes"
	"context"
	"errors"
	"log"
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

// stoppedServer is a server that stopped serving on its own.
type stoppedServer struct{ err error }

func (s stoppedServer) Done() <-chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}
func (s stoppedServer) Err() error                     { return s.err }
func (s stoppedServer) Shutdown(context.Context) error { return nil }

// A server that stops by itself is a failure: `ccewiz serve` must not exit 0.
func TestServeUntilReportsServerFailure(t *testing.T) {
	var logb bytes.Buffer
	l := log.New(&logb, "", 0)
	failure := errors.New("accept tcp 127.0.0.1:2222: too many open files")
	if err := serveUntil(context.Background(), stoppedServer{failure}, l); !errors.Is(err, failure) {
		t.Errorf("serveUntil = %v, want the server's failure", err)
	}
	if !strings.Contains(logb.String(), "too many open files") {
		t.Errorf("the failure is not logged:\n%s", logb.String())
	}
	if err := serveUntil(context.Background(), stoppedServer{}, l); err != nil {
		t.Errorf("serveUntil after a clean stop = %v, want nil", err)
	}
}
