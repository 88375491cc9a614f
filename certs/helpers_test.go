package certs

import (
	"crypto/x509"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"ccewiz/testpeer"
)

// openssl runs the real openssl with args; tests that need it skip with a
// reason when it is missing (CI installs it).
func openssl(t testing.TB, env []string, args ...string) (string, error) {
	t.Helper()
	testpeer.Need(t, "openssl")
	path, _ := exec.LookPath("openssl")
	cmd := exec.Command(path, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func mustOpenssl(t testing.TB, args ...string) string {
	t.Helper()
	out, err := openssl(t, nil, args...)
	if err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

type x509Cert = x509.Certificate

func readFile(t testing.TB, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
