package testpeer

import (
	"os"
	"os/exec"
	"strconv"
	"testing"
)

// KeytoolStore makes a JKS trust store at path (password changeit, like the
// JDK's cacerts) holding certs as trusted entries ca-0, ca-1 …, with the
// JDK's own keytool, so tests judge stores a real admin would have.
func KeytoolStore(t testing.TB, path string, certs ...*Cert) string {
	t.Helper()
	Need(t, "keytool")
	for i, c := range certs {
		f := path + "." + strconv.Itoa(i) + ".crt"
		if err := os.WriteFile(f, c.PEM(), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("keytool", "-importcert", "-noprompt", "-trustcacerts", "-alias", "ca-"+strconv.Itoa(i),
			"-file", f, "-keystore", path, "-storepass", "changeit", "-storetype", "JKS").CombinedOutput()
		if err != nil {
			t.Fatalf("keytool: %v\n%s", err, out)
		}
	}
	return path
}

// Keytool runs the JDK's keytool with args and returns its output,
// failing t when it exits non-zero (a store it cannot read, say).
func Keytool(t testing.TB, args ...string) string {
	t.Helper()
	Need(t, "keytool")
	out, err := exec.Command("keytool", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("keytool %v: %v\n%s", args, err, out)
	}
	return string(out)
}
