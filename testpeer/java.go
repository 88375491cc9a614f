package testpeer

import (
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

//go:embed JavaTLSClient.java
var javaClientSource []byte

var (
	javaOnce sync.Once
	javaDir  string
	javaErr  error
)

// javaClient compiles JavaTLSClient once per process into a cache folder
// keyed by the source's hash, so every package's tests share one javac run.
func javaClient(t testing.TB) string {
	t.Helper()
	javaOnce.Do(func() {
		for _, tool := range []string{"java", "javac"} {
			if _, err := exec.LookPath(tool); err != nil {
				javaErr = fmt.Errorf("%s not found (CI installs openjdk-17-jdk-headless)", tool)
				return
			}
		}
		sum := sha256.Sum256(javaClientSource)
		base, err := os.UserCacheDir()
		if err != nil {
			base = os.TempDir()
		}
		dir := filepath.Join(base, "ccewiz-testpeer", "javaclient-"+hex.EncodeToString(sum[:8]))
		if _, err := os.Stat(filepath.Join(dir, "JavaTLSClient.class")); err == nil {
			javaDir = dir
			return
		}
		if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
			javaErr = err
			return
		}
		// Compile into a private folder and rename it in place, so packages
		// testing in parallel never see a half-written class.
		tmp, err := os.MkdirTemp(filepath.Dir(dir), "build-")
		if err != nil {
			javaErr = err
			return
		}
		defer os.RemoveAll(tmp)
		if err := os.WriteFile(filepath.Join(tmp, "JavaTLSClient.java"), javaClientSource, 0o644); err != nil {
			javaErr = err
			return
		}
		out, err := exec.Command("javac", "-d", tmp, filepath.Join(tmp, "JavaTLSClient.java")).CombinedOutput()
		if err != nil {
			javaErr = fmt.Errorf("javac JavaTLSClient.java: %v\n%s", err, out)
			return
		}
		if err := os.Rename(tmp, dir); err != nil {
			if _, serr := os.Stat(filepath.Join(dir, "JavaTLSClient.class")); serr != nil {
				javaErr = err
				return
			}
		}
		javaDir = dir
	})
	if javaErr != nil {
		t.Skipf("Java TLS client unavailable: %v", javaErr)
	}
	return javaDir
}

// ErrJavaRejected means the Java client ran and refused the connection;
// its output holds Java's exception chain.
var ErrJavaRejected = errors.New("java client refused the connection")

// JavaTLSConnect runs the JDK's TLS client against addr (host:port) with
// trustStore (JKS or PKCS#12) as its only trust anchors — the handshake
// SPOG's Tomcat makes to ECE. serverName, when set, is sent as SNI and
// checked against the certificate; "" sends none, as SPOG does. It returns
// Java's output; err wraps ErrJavaRejected when Java refused (the output
// then has e.g. "PKIX path building failed"). It skips the test when no
// JDK is installed.
func JavaTLSConnect(t testing.TB, trustStore, storePass, addr, serverName string) (string, error) {
	t.Helper()
	dir := javaClient(t)
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatalf("JavaTLSConnect: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	args := []string{"-Xshare:auto", "-XX:TieredStopAtLevel=1",
		"-Djavax.net.ssl.trustStore=" + trustStore,
		"-Djavax.net.ssl.trustStorePassword=" + storePass,
		"-cp", dir, "JavaTLSClient", host, port}
	if serverName != "" {
		args = append(args, serverName)
	}
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, "java", args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	s := strings.TrimSpace(out.String())
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 1 {
		return s, fmt.Errorf("%w: %s", ErrJavaRejected, firstLine(s))
	}
	if err != nil {
		t.Fatalf("run java client: %v\n%s", err, s)
	}
	return s, nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
