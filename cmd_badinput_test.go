package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ccewiz/testpeer"
)

// TestBadInputIsExitTwo: bad input to any command is exit 2 with one line
// that says what is wrong, and changes nothing on disk.
func TestBadInputIsExitTwo(t *testing.T) {
	dir := t.TempDir()
	w := func(name, data string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(data), 0o600)
		return p
	}
	pw, pw3 := w("pw", "changeit\n"), w("pw3", "abc\n")
	cert := w("ece.pem", string(testpeerLeafPEM(t)))
	afile := w("afile", "x")
	os.Mkdir(filepath.Join(dir, "dir"), 0o755)
	os.Mkdir(filepath.Join(dir, "spog_config.js"), 0o755)
	os.Symlink("loop", filepath.Join(dir, "loop"))
	both := w("both.yaml", "version: 1\ncertificate:\n  pfx_password: {env: A, file: B}\n")
	damaged := w("damaged.jks", "\xfe\xed\xfe\xed\x00\x00\x00\x02garbage")
	in := func(p string) string { return filepath.Join(dir, p) }
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"keystore", "list", "--keystore", in("dir"), "--storepass-file", pw}, "is a folder"},
		{[]string{"keystore", "list", "--keystore", in("loop"), "--storepass-file", pw}, "too many levels of symbolic links"},
		{[]string{"keystore", "import", "--keystore", in("dir"), "--cert", cert, "--create", "--storepass-file", pw}, "is a folder"},
		{[]string{"keystore", "import", "--keystore", in("new.jks"), "--cert", cert, "--create", "--storepass-file", pw3}, "at least 6 characters"},
		{[]string{"keystore", "list", "--keystore", damaged, "--storepass-file", pw}, "damaged"},
		{[]string{"cert", "selfsigned", "--cn", "ece.example.com", "--out", afile, "--pfx-pass-file", pw, "--answers", in("a.yaml")}, "is a file; give the folder"},
		{[]string{"cert", "selfsigned", "--cn", "ece.example.com", "--days", "0", "--pfx-pass-file", pw, "--answers", in("b.yaml")}, "--days 0"},
		{[]string{"cert", "selfsigned", "--cn", "ece.example.com", "--web-server", "a;rm -rf /", "--pfx-pass-file", pw, "--answers", in("c.yaml")}, `"a;rm -rf /" is not a host name: ";" is not allowed`},
		{[]string{"cert", "probe", "--addr", "host:99999"}, `"99999" is not a port`},
		{[]string{"ldap", "fetch-cert", "--addr", "dc1.example.local:636", "--out", in("dir")}, "is a folder; give the file"},
		{[]string{"ldap", "test", "--url", "ldaps://gc1.example.local:3269", "--bind-dn", "CN=x,,DC=y", "--password-file", pw, "--insecure"}, "--bind-dn"},
		{[]string{"ldap", "test", "--answers", in("none.yaml"), "--insecure"}, "no LDAP URL: give --url"},
		{[]string{"keystore", "import", "--for", "ads", "--keystore", in("cacerts"), "--answers", in("d.yaml")}, `--for "ads": choose trust`},
		{[]string{"keystore", "import", "--for", "trust", "--keystore", in("cacerts"), "--answers", in("e.yaml")}, "needs --server ADS"},
		{[]string{"keystore", "import", "--for", "sso", "--keystore", in("my.jks"), "--ca", "--answers", in("f.yaml")}, "--ca cannot be used with --for sso"},
		{[]string{"logs", "--jobs", "-1", in("dir")}, "--jobs -1"},
		{[]string{"logs", "--since", "yesterday", in("dir")}, "not a time or a duration"},
		{[]string{"check", "--timeout", "-1s"}, "--timeout must be positive"},
		{[]string{"check", "--answers", both}, "both"},
		{[]string{"serve", "--authorized-keys", afile, "--workdir", in("dir")}, "line 1 is not a public key"},
		{[]string{"cce", "inventory", "list", "--aw", "aw1a"}, "short host name"},
		{[]string{"spog", "patch", "--file", in("dir"), "--server-name", "ece.example.com", "--answers", in("s.yaml")}, "is not a spog_config.js"},
		{[]string{"spog", "patch", "--file", in("spog_config.js"), "--server-name", "ece.example.com", "--answers", in("s.yaml")}, "is a folder"},
		{[]string{"wxm", "sip", "check", "--file", in("none.properties")}, "no such file"},
		{[]string{"cert", "probe", "--addr", "ece.example.com:443", "--java", "11"}, "give 17, 8, or the JAVA_HOME folder"},
		{[]string{"wxm", "sip", "--file", afile}, "needs check or patch"},
		{[]string{"wxm", "sip", "patch", "--file", afile, "--publisher", "10.0.0.5", "--answers", in("d.yaml")}, "is an IP address"},
		{[]string{"wxm", "layout", "check", "--file", afile, "--finesse", "fin1a.example.com"}, "not both"},
		{[]string{"wxm", "layout", "patch", "--file", afile, "--cej-url", "http://plain.example.com/x.xml", "--answers", in("e.yaml")}, "is not the https URL"},
		{[]string{"wxm", "status", "--cloud-connect", "cc1.example.com:443"}, "port 8445"},
		{[]string{"wxm", "status", "--cloud-connect", "cc1"}, "short host name"},
		{[]string{"wxm", "status", "--file", afile}, "--file is for wxm sip or layout"},
	}
	before := snapshot(t, dir)
	for _, c := range cases {
		code, out, errs := runCLI(t, c.args...)
		if code != 2 || strings.Count(strings.TrimSpace(errs), "\n") > 0 || !strings.Contains(errs, c.want) {
			t.Errorf("ccewiz %v: exit %d (want 2 with %q)\nstdout: %.200s\nstderr: %s", c.args, code, c.want, out, errs)
		}
	}
	if after := snapshot(t, dir); after != before {
		t.Errorf("bad input changed the folder:\nbefore %s\nafter  %s", before, after)
	}
	t.Logf("%d bad inputs: each exit 2, one line, nothing changed", len(cases))
}

// snapshot lists a folder's files with their sizes.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil {
			fmt.Fprintf(&b, "%s:%d ", strings.TrimPrefix(p, dir), fi.Size())
		}
		return nil
	})
	return b.String()
}

func testpeerLeafPEM(t *testing.T) []byte { return testpeer.NewLeaf(t, "ece.example.com", nil).PEM() }
