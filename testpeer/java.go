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

// The Java test clients: JavaTLSClient makes SPOG's TLS handshake, ECEJNDI
// ECE's JNDI LDAP lookup, JavaProps reads a .properties file as CVP does, JavaLayout
// parses a Finesse desktop layout with the JDK's DOM parser.
var (
	//go:embed JavaTLSClient.java
	javaClientSource []byte
	//go:embed ECEJNDI.java
	jndiClientSource []byte
	//go:embed JavaProps.java
	propsClientSource []byte
	//go:embed JavaLayout.java
	layoutClientSource []byte
)

var (
	javaOnce sync.Once
	javaDir  string
	javaErr  error
)

// javaClasses compiles the Java test clients once per process into a cache
// folder keyed by their sources' hash, so every package's tests share one
// javac run. It returns the class path.
func javaClasses(t testing.TB) string {
	t.Helper()
	sources := map[string][]byte{"JavaTLSClient.java": javaClientSource, "ECEJNDI.java": jndiClientSource, "JavaProps.java": propsClientSource, "JavaLayout.java": layoutClientSource}
	Need(t, "java", "javac")
	javaOnce.Do(func() {
		h := sha256.New()
		for _, src := range [][]byte{javaClientSource, jndiClientSource, propsClientSource, layoutClientSource} {
			h.Write(src)
		}
		sum := h.Sum(nil)
		base, err := os.UserCacheDir()
		if err != nil {
			base = os.TempDir()
		}
		dir := filepath.Join(base, "ccewiz-testpeer", "javaclients-"+hex.EncodeToString(sum[:8]))
		compiled := func(dir string) bool {
			for name := range sources {
				if _, err := os.Stat(filepath.Join(dir, strings.TrimSuffix(name, ".java")+".class")); err != nil {
					return false
				}
			}
			return true
		}
		if compiled(dir) {
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
		args := []string{"-d", tmp}
		for name, src := range sources {
			if err := os.WriteFile(filepath.Join(tmp, name), src, 0o644); err != nil {
				javaErr = err
				return
			}
			args = append(args, filepath.Join(tmp, name))
		}
		out, err := exec.Command("javac", args...).CombinedOutput()
		if err != nil {
			javaErr = fmt.Errorf("javac the Java test clients: %v\n%s", err, out)
			return
		}
		if err := os.Rename(tmp, dir); err != nil {
			if !compiled(dir) {
				javaErr = err
				return
			}
		}
		javaDir = dir
	})
	// The JDK is there, so a failure here is the harness's own.
	if javaErr != nil {
		t.Fatalf("Java test clients: %v", javaErr)
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
// JDK is installed (see Need).
func JavaTLSConnect(t testing.TB, trustStore, storePass, addr, serverName string) (string, error) {
	t.Helper()
	dir := javaClasses(t)
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

// JNDISearch runs ECEJNDI, the lookup ECE's partition administrator login
// makes: a JNDI simple bind to url as bindDN with the password in pwFile,
// then a subtree search from base with JNDI's default referral handling
// (which throws PartialResultException on a continuation reference).
// javaOpts go to the JVM (trust store, hosts file). It returns what Java
// printed: "OK <dn>" of the last entry found, "NOTFOUND", or "ERR <exception>"
// with its "CAUSE" lines. It skips the test when no JDK is installed (see Need).
func JNDISearch(t testing.TB, url, bindDN, pwFile, base, filter string, javaOpts ...string) string {
	t.Helper()
	dir := javaClasses(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	args := append([]string{"-Xshare:auto", "-XX:TieredStopAtLevel=1"}, javaOpts...)
	args = append(args, "-cp", dir, "ECEJNDI", url, bindDN, pwFile, base, filter)
	out, err := exec.CommandContext(ctx, "java", args...).CombinedOutput()
	var ee *exec.ExitError
	if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 1) {
		t.Fatalf("run the JNDI client: %v\n%s", err, out)
	}
	return string(out)
}

// JavaProperties loads path with java.util.Properties.load, as a Java
// server reads its .properties file, and returns what Java read. err is
// Java's own refusal ("Malformed \\uxxxx encoding."). It skips the test
// when no JDK is installed (see Need).
func JavaProperties(t testing.TB, path string) (map[string]string, error) {
	t.Helper()
	dir := javaClasses(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "java", "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", dir, "JavaProps", path).CombinedOutput()
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 1 {
		return nil, errors.New(strings.TrimSpace(string(out)))
	}
	if err != nil {
		t.Fatalf("run JavaProps: %v\n%s", err, out)
	}
	m := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if line == "" {
			continue
		}
		k, v, ok := strings.Cut(line, " ")
		kb, err1 := hex.DecodeString(strings.TrimPrefix(k, "x"))
		vb, err2 := hex.DecodeString(strings.TrimPrefix(v, "x"))
		if !ok || err1 != nil || err2 != nil {
			t.Fatalf("JavaProps printed %q", line)
		}
		m[string(kb)] = string(vb)
	}
	return m, nil
}

// JavaLayoutGadgets parses the Finesse layout at path with the JDK's DOM
// parser and returns every tab ("Role/tab") with its active gadgets in
// order; err is the parser's refusal. It skips the test when no JDK is
// installed (see Need).
func JavaLayoutGadgets(t testing.TB, path string) (map[string][]string, error) {
	t.Helper()
	dir := javaClasses(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "java", "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", dir, "JavaLayout", path).CombinedOutput()
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 1 {
		return nil, errors.New(strings.TrimSpace(string(out)))
	}
	if err != nil {
		t.Fatalf("run JavaLayout: %v\n%s", err, out)
	}
	m := map[string][]string{}
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		k, v, ok := strings.Cut(line, "\t")
		if !ok {
			continue
		}
		if _, seen := m[k]; !seen {
			m[k] = nil
		}
		if v != "" {
			m[k] = append(m[k], v)
		}
	}
	return m, nil
}
