package testpeer

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	buildDir  string
	buildBin  string
	buildErr  error
)

// BuildCcewiz builds the ccewiz binary once per test process, for tests
// that drive the real executable (signals, a terminal) as an admin would,
// and returns its path. It builds the module's root package with `go build`
// — testpeer imports no ccewiz package. A TestMain that uses it calls
// RemoveBuilds after m.Run.
func BuildCcewiz(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		// go env GOMOD names the go.mod of the package under test, from
		// whichever folder the test runs in.
		gomod, err := exec.Command("go", "env", "GOMOD").Output()
		if err != nil {
			buildErr = fmt.Errorf("find the module root: go env GOMOD: %w", err)
			return
		}
		mod := strings.TrimSpace(string(gomod))
		if mod == "" || mod == os.DevNull {
			buildErr = errors.New("find the module root: not inside a Go module")
			return
		}
		if buildDir, err = os.MkdirTemp("", "ccewiz-bin-"); err != nil {
			buildErr = err
			return
		}
		buildBin = filepath.Join(buildDir, "ccewiz")
		if runtime.GOOS == "windows" {
			buildBin += ".exe"
		}
		build := exec.Command("go", "build", "-o", buildBin, ".")
		build.Dir = filepath.Dir(mod)
		if out, err := build.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ccewiz in %s: %v\n%s", build.Dir, err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildBin
}

// RemoveBuilds deletes what BuildCcewiz built. Call it from TestMain after m.Run.
func RemoveBuilds() {
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
}

// StartLab runs `ccewiz lab --no-tui --dir dir extra…` with the binary bin
// and returns the answers file its first line announces ("ready <dir>/ccewiz.yaml").
// When the test ends the lab gets SIGTERM (as a service manager stops it)
// and must exit 0 within 10 s.
func StartLab(t testing.TB, bin, dir string, extra ...string) string {
	t.Helper()
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	answers := filepath.Join(abs, "ccewiz.yaml")
	cmd := exec.Command(bin, append([]string{"lab", "--no-tui", "--dir", dir}, extra...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &SyncBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start ccewiz lab: %v", err)
	}
	line := make(chan string, 1)
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			line <- sc.Text()
		}
		close(line)
		// Keep reading, so the lab never blocks on a full pipe.
		for sc.Scan() {
		}
	}()
	t.Cleanup(func() {
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			cmd.Process.Kill() // Windows cannot signal another process
			<-drained
			cmd.Wait()
			return
		}
		done := make(chan error, 1)
		go func() { <-drained; done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("lab exited with %v after SIGTERM\n%s", err, stderr.String())
			}
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			t.Errorf("lab did not stop within 10s of SIGTERM\n%s", stderr.String())
		}
	})
	want := "ready " + answers
	select {
	case got, ok := <-line:
		if !ok {
			t.Fatalf("ccewiz lab ended before it was ready:\n%s", stderr.String())
		}
		if got != want {
			t.Fatalf("first line %q, want %q\n%s", got, want, stderr.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("ccewiz lab not ready after 60s:\n%s", stderr.String())
	}
	return answers
}
