package steps

import (
	"os"
	"path/filepath"
	"testing"

	"ccewiz/secret"
)

// A {file: relative} password source is found next to the answers file,
// whatever folder ccewiz runs in (docs/answers.md).
func TestSecretFileRelativeToAnswers(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "site")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "ldap.pw"), []byte("Ldap-Passw0rd!\n"), 0o600)
	t.Chdir(t.TempDir())
	env := NewEnv(NewAnswers(), filepath.Join(dir, "ccewiz.yaml"))
	s, err := env.Secret("sso.bind_password", secret.Ref{File: "ldap.pw"}, "LDAP bind password")
	if err != nil {
		t.Fatalf("relative password file next to the answers file: %v", err)
	}
	if s.Reveal() != "Ldap-Passw0rd!" {
		t.Errorf("read the wrong password file")
	}
}
