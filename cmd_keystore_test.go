package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ccewiz/certs"
	"ccewiz/testpeer"
)

func jdkCacertsCopy(t *testing.T, dir string) (string, []byte) {
	t.Helper()
	b, err := os.ReadFile(testpeer.JDKCacerts(t))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "cacerts")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p, b
}

func TestKeystoreCommand(t *testing.T) {
	dir := t.TempDir()
	cacerts, orig := jdkCacertsCopy(t, dir)
	ss := testpeer.NewLeaf(t, "ece.example.com", nil)
	other := testpeer.NewLeaf(t, "ece.example.com", nil)
	ssFile, _ := ss.WriteFiles(t, dir, "ece")
	otherFile, _ := other.WriteFiles(t, dir, "other")
	ch := testpeer.NewChain(t, "dc1.example.local")
	dcFile, _ := ch.Leaf.WriteFiles(t, dir, "dc1")
	os.WriteFile(filepath.Join(dir, "wrong.txt"), []byte("nope\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "ad.txt"), []byte("MyP@ssword\n"), 0o600)
	mydomain := filepath.Join(dir, "mydomain.jks")
	countBefore := 0
	if ks, err := certs.OpenKeystore(orig, []byte("changeit")); err == nil {
		countBefore = ks.Len()
	}

	steps := []struct {
		name     string
		args     []string
		code     int
		contains string
		changed  bool // cacerts differs from the original afterwards
	}{
		{"wrong password exits 2, file untouched", []string{"keystore", "import", "--keystore", cacerts, "--cert", ssFile, "--storepass-file", filepath.Join(dir, "wrong.txt")}, 2, "wrong password", false},
		{"not a keystore", []string{"keystore", "list", "--keystore", ssFile, "--storepass-file", filepath.Join(dir, "wrong.txt")}, 2, "not a Java key store", false},
		{"missing --cert", []string{"keystore", "import", "--keystore", cacerts}, 2, "--cert", false},
		{"dry run writes nothing", []string{"keystore", "import", "--keystore", cacerts, "--cert", ssFile, "--dry-run"}, 0, "Dry run, nothing written", false},
		{"cacerts defaults to changeit with a warning", []string{"keystore", "import", "--keystore", cacerts, "--cert", ssFile}, 0, `trying the JDK default "changeit"`, true},
		{"second import changes nothing", []string{"keystore", "import", "--keystore", cacerts, "--cert", ssFile}, 0, "already present", true},
		{"alias taken by another certificate", []string{"keystore", "import", "--keystore", cacerts, "--cert", otherFile}, 2, "--replace", true},
		{"CA-signed leaf without its CA", []string{"keystore", "import", "--keystore", cacerts, "--cert", dcFile}, 2, "CA's certificate is needed", true},
		{"AD keystore created with the seed's alias", []string{"keystore", "import", "--keystore", mydomain, "--create", "--alias", "mydomaincontroller", "--cert", dcFile, "--storepass-file", filepath.Join(dir, "ad.txt")}, 0, "Created", true},
		{"no password for a store not named cacerts", []string{"keystore", "list", "--keystore", mydomain}, 2, "--storepass-env", true},
	}
	for _, s := range steps {
		code, out, errs := runCLI(t, s.args...)
		if code != s.code || !strings.Contains(out+errs, s.contains) {
			t.Fatalf("%s: exit %d (want %d), output lacks %q?\nstdout: %s\nstderr: %s", s.name, code, s.code, s.contains, out, errs)
		}
		now, _ := os.ReadFile(cacerts)
		if bytes.Equal(now, orig) == s.changed {
			t.Fatalf("%s: cacerts changed=%v, want %v", s.name, !bytes.Equal(now, orig), s.changed)
		}
	}

	code, out, _ := runCLI(t, "keystore", "list", "--keystore", cacerts, "--format", "json")
	var list struct {
		Kind    string
		Count   int
		Entries []struct{ Alias, SHA256 string }
	}
	if code != 0 || json.Unmarshal([]byte(out), &list) != nil {
		t.Fatalf("list json: exit %d\n%s", code, out)
	}
	if list.Kind != "JKS" || list.Count != countBefore+1 {
		t.Fatalf("list: kind %s, %d entries, want JKS and %d", list.Kind, list.Count, countBefore+1)
	}
	found := false
	for _, e := range list.Entries {
		found = found || e.Alias == "ece.example.com" && e.SHA256 == certs.Fingerprint(ss.DER)
	}
	if !found {
		t.Fatal("the imported alias is not listed")
	}
	code, out, _ = runCLI(t, "keystore", "list", "--keystore", mydomain, "--storepass-file", filepath.Join(dir, "ad.txt"))
	if code != 0 || !strings.Contains(out, "mydomaincontroller  trustedCertEntry") {
		t.Fatalf("mydomain.jks list: exit %d\n%s", code, out)
	}
}

// TestKeystoreDryRunLikeImport: --dry-run plans against the same file the
// import would write (a JDK's cacerts is often a link to the system store)
// and fails the same way on a missing store.
func TestKeystoreDryRunLikeImport(t *testing.T) {
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "pw.txt")
	os.WriteFile(pwFile, []byte("changeit\n"), 0o600)
	store, err := certs.NewKeystore(certs.JKS).Marshal([]byte("changeit"))
	if err != nil {
		t.Fatal(err)
	}
	real := filepath.Join(dir, "system", "java-cacerts")
	os.MkdirAll(filepath.Dir(real), 0o755)
	if err := os.WriteFile(real, store, 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "jdk", "lib", "security", "cacerts")
	os.MkdirAll(filepath.Dir(link), 0o755)
	if err := os.Symlink(real, link); err != nil {
		t.Skipf("no symlinks here: %v", err)
	}
	ssFile, _ := testpeer.NewLeaf(t, "ece.example.com", nil).WriteFiles(t, dir, "ece")

	var plan, done certs.Result
	for _, c := range []struct {
		dryRun bool
		res    *certs.Result
	}{{true, &plan}, {false, &done}} {
		args := []string{"keystore", "import", "--keystore", link, "--cert", ssFile, "--storepass-file", pwFile, "--format", "json"}
		if c.dryRun {
			args = append(args, "--dry-run")
		}
		code, out, errs := runCLI(t, args...)
		if code != 0 || json.Unmarshal([]byte(out), c.res) != nil {
			t.Fatalf("dry run %v: exit %d\nstdout: %s\nstderr: %s", c.dryRun, code, out, errs)
		}
	}
	if plan.Path != real || done.Path != real || plan.Written || !done.Written || plan.After != done.After {
		t.Errorf("dry run %+v and import %+v differ; both should name %s", plan, done, real)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v", err)
	}

	code, _, errs := runCLI(t, "keystore", "import", "--keystore", filepath.Join(dir, "none", "cacerts"), "--cert", ssFile,
		"--storepass-file", pwFile, "--dry-run")
	if code != 2 || !strings.Contains(errs, `%JAVA_HOME%\lib\security`) {
		t.Errorf("dry run on a missing store: exit %d, want 2 and the cacerts hint:\n%s", code, errs)
	}
}
