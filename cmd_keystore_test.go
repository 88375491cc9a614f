package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"ccewiz/certs"
	"ccewiz/steps"
	"ccewiz/steps/ece"
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

// TestKeystoreImportIsTheStep: import --for trust is step 4.1 and --for sso
// is step 2, each with the flags as its answers: the store is in the
// answers, the file written is recorded with its backup, the step is done
// when its checks pass, a second run writes nothing, and what keytool
// lists afterwards is what the step said it would add.
func TestKeystoreImportIsTheStep(t *testing.T) {
	dir := t.TempDir()
	answers := filepath.Join(dir, "ccewiz.yaml")
	os.WriteFile(answers, []byte("version: 1\nprofile:\n  ece_fqdn: ece.example.com\n  admin_data_servers: [aw1a.example.com, aw1b.example.com]\n"), 0o644)
	cacerts, _ := jdkCacertsCopy(t, dir)
	ss := testpeer.NewLeaf(t, "ece.example.com", nil)
	ssFile, _ := ss.WriteFiles(t, dir, "ece")
	trust := []string{"keystore", "import", "--for", "trust", "--answers", answers, "--keystore", cacerts}

	code, out, errOut := runCLI(t, append(trust, "--server", "aw1a.example.com", "--cert", ssFile)...)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	// The plan, the write and the checks are the step's: aw1b (no store
	// reachable here) gets keytool commands.
	for _, want := range []string{"(trust)", `add alias "ece.example.com"`, "wrote " + cacerts, "Java on aw1a.example.com trusts ECE", "aw1b.example.com"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if list := testpeer.Keytool(t, "-list", "-keystore", cacerts, "-storepass", "changeit", "-alias", "ece.example.com"); !strings.Contains(list, "trustedCertEntry") {
		t.Errorf("keytool does not list the ECE certificate as trusted:\n%s", list)
	}
	a, err := steps.LoadAnswers(answers)
	if err != nil {
		t.Fatal(err)
	}
	st := ece.State(a)
	stores := ece.TrustOf(a).Stores
	if len(stores) != 1 || stores[0].Server != "aw1a.example.com" || stores[0].Path != cacerts || !slices.Equal(ece.TrustOf(a).CertFiles, []string{ssFile}) {
		t.Errorf("trust answers: %+v", ece.TrustOf(a))
	}
	if !slices.ContainsFunc(st.Progress.Written, func(w steps.Written) bool { return w.Path == cacerts && w.Backup != "" }) || !st.Progress.IsDone("trust") {
		t.Errorf("recorded: written %+v, done %v", st.Progress.Written, st.Progress.Done)
	}
	// Again, naming the store by its path alone: the answers know its server.
	backups, _ := filepath.Glob(cacerts + ".ccewiz-*.bak")
	before, _ := os.ReadFile(cacerts)
	if code, out, errOut = runCLI(t, trust...); code != 0 || !strings.Contains(out, "unchanged "+cacerts) {
		t.Fatalf("second run: exit %d\n%s%s", code, out, errOut)
	}
	if after, _ := os.ReadFile(cacerts); !bytes.Equal(before, after) {
		t.Error("the second run changed cacerts")
	}
	if again, _ := filepath.Glob(cacerts + ".ccewiz-*.bak"); len(again) != len(backups) {
		t.Errorf("the second run made a backup: %v", again)
	}

	// The AD keystore: --for sso builds mydomain.jks from the certificate of
	// a real directory (slapd as a Global Catalog), and the step's live
	// check then logs on through it.
	gc := testpeer.StartSlapd(t, testpeer.SlapdOptions{GC: true})
	dcFile, _ := gc.Leaf.WriteFiles(t, dir, "gc1")
	os.WriteFile(filepath.Join(dir, "ad.txt"), []byte("MyP@ssword\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "bind.txt"), []byte(gc.Password+"\n"), 0o600)
	var sso strings.Builder
	fmt.Fprintf(&sso, "sso:\n  ldap_url: %s\n  bind_dn: %q\n  bind_password: {file: bind.txt}\n  ssl_enabled: true\n  keystore_location: 'c:\\ece\\pcce\\mydomain.jks'\n  test_user: %s\nresolve:\n",
		gc.LDAPSURL, gc.BindDN, testpeer.SlapdChildUPN)
	for k, v := range gc.Resolve() {
		fmt.Fprintf(&sso, "  %s: %s\n", k, v)
	}
	b, _ := os.ReadFile(answers)
	os.WriteFile(answers, append(b, sso.String()...), 0o644)
	jks := filepath.Join(dir, "mydomain.jks")
	code, out, errOut = runCLI(t, "keystore", "import", "--for", "sso", "--answers", answers, "--keystore", jks, "--cert", dcFile,
		"--storepass-file", filepath.Join(dir, "ad.txt"))
	if code != 0 || !strings.Contains(out, "(sso)") || !strings.Contains(out, "found ") || strings.Contains(errOut, "not done") {
		t.Fatalf("--for sso: exit %d\n%s%s", code, out, errOut)
	}
	if list := testpeer.Keytool(t, "-list", "-keystore", jks, "-storepass", "MyP@ssword", "-alias", "mydomaincontroller"); !strings.Contains(list, "trustedCertEntry") {
		t.Errorf("keytool does not list mydomaincontroller:\n%s", list)
	}
	if a, err = steps.LoadAnswers(answers); err != nil {
		t.Fatal(err)
	}
	if sso := ece.SSOOf(a); sso.KeystoreFile != jks || sso.DCCertFile != dcFile || sso.KeystorePassword.File != filepath.Join(dir, "ad.txt") {
		t.Errorf("sso answers: %+v", sso)
	}
	if !slices.ContainsFunc(ece.State(a).Progress.Written, func(w steps.Written) bool { return w.Path == jks }) || !ece.State(a).Progress.IsDone("sso") {
		t.Errorf("the AD keystore is not recorded as written: %+v", ece.State(a).Progress.Written)
	}
	if b, _ := os.ReadFile(answers); bytes.Contains(b, []byte("MyP@ssword")) || bytes.Contains(b, []byte(gc.Password)) {
		t.Error("the answers file holds the keystore password")
	}

	// What the step decides is refused as a flag, each with its way out.
	for _, c := range []struct {
		args []string
		want string
	}{
		{append(trust, "--server", "aw1a.example.com", "--alias", "mine"), "--alias cannot be used with --for trust"},
		{append(trust, "--server", "aw1a.example.com", "--format", "json"), "--format cannot be used with --for trust"},
		{[]string{"keystore", "import", "--for", "trust", "--answers", answers, "--keystore", filepath.Join(dir, "other-cacerts")}, "needs --server ADS"},
		{[]string{"keystore", "import", "--for", "cacerts", "--answers", answers, "--keystore", cacerts}, "choose trust"},
		{[]string{"keystore", "import", "--server", "aw1a.example.com", "--keystore", cacerts, "--cert", ssFile}, "--server is for --for trust"},
	} {
		if code, out, errOut := runCLI(t, c.args...); code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, want 2 and %q\n%s%s", c.args, code, c.want, out, errOut)
		}
	}
}
