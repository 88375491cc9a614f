package testpeer

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// RequirePeersEnv names the variable that, set to 1, turns a missing peer
// from a skip into a failure. CI sets it: without it a machine lacking the
// peers would skip every real-peer test and still report success.
const RequirePeersEnv = "CCEWIZ_REQUIRE_PEERS"

// peerPackages are the Debian packages that provide each peer.
var peerPackages = map[string]string{
	"slapd":      "slapd",
	"slapadd":    "slapd",
	"ldapsearch": "ldap-utils",
	"ldapwhoami": "ldap-utils",
	"java":       "openjdk-17-jdk-headless",
	"javac":      "openjdk-17-jdk-headless",
	"keytool":    "openjdk-17-jdk-headless",
	"openssl":    "openssl",
	"tmux":       "tmux",
	"ssh":        "openssh-client",
	"scp":        "openssh-client",
	"ssh-keygen": "openssh-client",
}

// Need skips the test unless every tool is installed (a name looked up on
// PATH, or an absolute path), and fails it instead when CCEWIZ_REQUIRE_PEERS=1.
func Need(t testing.TB, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if installed(tool) {
			continue
		}
		msg := fmt.Sprintf("%s not installed", tool)
		if pkg, ok := peerPackages[filepath.Base(tool)]; ok {
			msg += ": apt-get install " + pkg
		}
		missing(t, msg)
		return
	}
}

// missing skips the test for want of a real peer, or fails it when
// CCEWIZ_REQUIRE_PEERS=1.
func missing(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv(RequirePeersEnv) == "1" {
		t.Fatalf("%s (%s=1 requires every real peer)", msg, RequirePeersEnv)
	}
	t.Skip(msg)
}

func installed(tool string) bool {
	if filepath.IsAbs(tool) {
		fi, err := os.Stat(tool)
		return err == nil && !fi.IsDir() && fi.Mode().Perm()&0o111 != 0
	}
	_, err := exec.LookPath(tool)
	return err == nil
}
