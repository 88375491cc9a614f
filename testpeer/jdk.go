package testpeer

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// JDKCacerts returns the installed JDK's cacerts, found the way an admin
// would (`readlink -f $(which java)`, then lib/security/cacerts). Without a
// JDK, or with one that has no cacerts, the test skips — or fails under
// CCEWIZ_REQUIRE_PEERS=1.
func JDKCacerts(t testing.TB) string {
	t.Helper()
	Need(t, "java")
	java, _ := exec.LookPath("java")
	real, err := filepath.EvalSymlinks(java)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(filepath.Dir(filepath.Dir(real)), "lib", "security", "cacerts")
	if _, err := os.Stat(p); err != nil {
		missing(t, "no cacerts next to "+real+": "+err.Error())
	}
	return p
}

// JDKHome is the installed JDK's home (the folder above bin/java), found
// as JDKCacerts finds it.
func JDKHome(t testing.TB) string {
	t.Helper()
	Need(t, "java")
	java, _ := exec.LookPath("java")
	real, err := filepath.EvalSymlinks(java)
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(filepath.Dir(real))
}
