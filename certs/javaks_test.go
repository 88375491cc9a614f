package certs

import (
	"bytes"
	"crypto/x509"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"ccewiz/testpeer"
)

func jdkCacerts(t testing.TB) string { return testpeer.JDKCacerts(t) }

func needKeytool(t testing.TB) { testpeer.Need(t, "keytool") }

func keytool(t testing.TB, args ...string) string {
	t.Helper()
	// A quick JIT: keytool runs for a fraction of a second.
	args = append([]string{"-J-XX:TieredStopAtLevel=1", "-J-Xshare:auto"}, args...)
	cmd := exec.Command("keytool", args...)
	// A UTF-8 locale, so non-ASCII aliases and passwords reach Java intact.
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("keytool %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

var (
	reKeytoolEntry = regexp.MustCompile(`(?m)^(.+?), [^,]+, [^,]+, (trustedCertEntry|PrivateKeyEntry),\s*\nCertificate fingerprint \(SHA-256\): ([0-9A-F:]+)`)
	reKeytoolCount = regexp.MustCompile(`Your keystore contains (\d+) entr`)
)

// keytoolList returns "alias type sha256" lines as `keytool -list` prints them, sorted.
func keytoolList(t testing.TB, store, pass string) (lines []string, count int) {
	t.Helper()
	out := keytool(t, "-list", "-keystore", store, "-storepass", pass)
	for _, m := range reKeytoolEntry.FindAllStringSubmatch(out, -1) {
		lines = append(lines, m[1]+" "+m[2]+" "+m[3])
	}
	sort.Strings(lines)
	m := reKeytoolCount.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("keytool -list output has no count:\n%s", out)
	}
	count, _ = strconv.Atoi(m[1])
	return lines, count
}

func ourList(t testing.TB, data []byte, pass string) []string {
	t.Helper()
	ks, err := OpenKeystore(data, []byte(pass))
	if err != nil {
		t.Fatalf("OpenKeystore: %v", err)
	}
	var lines []string
	for _, e := range ks.Entries() {
		lines = append(lines, e.Alias+" "+e.Type+" "+e.SHA256)
	}
	sort.Strings(lines)
	return lines
}

func copyFile(t testing.TB, src, dst string, mode os.FileMode) []byte {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dst, mode); err != nil {
		t.Fatal(err)
	}
	return b
}

// A keytool-made JKS and PKCS#12 store, and the JDK's own cacerts, list
// exactly as keytool lists them; a store ccewiz writes lists identically in keytool.
func TestListMatchesKeytool(t *testing.T) {
	needKeytool(t)
	dir := t.TempDir()
	ss := testpeer.NewLeaf(t, "ece.example.com", nil)
	ch := testpeer.NewChain(t, "web1.example.com")
	ssFile, _ := ss.WriteFiles(t, dir, "ss")
	rootFile, _ := ch.Root.WriteFiles(t, dir, "root")
	// Java 18+ writes cacerts as PKCS#12 without MAC or encryption; these
	// two properties make JDK 17's keytool write the same.
	noPassword := []string{"-J-Dkeystore.pkcs12.certProtectionAlgorithm=NONE", "-J-Dkeystore.pkcs12.macAlgorithm=NONE"}
	cases := []struct {
		name, store, pass string
		typ               string   // build with keytool; "" = use as is
		extra             []string // extra keytool flags for the build
		key               bool     // also a PrivateKeyEntry (an AD keystore that grew one)
	}{
		{"jdk-cacerts", jdkCacerts(t), "changeit", "", nil, false},
		{"keytool-jks-with-a-private-key", filepath.Join(dir, "k.jks"), "s3cret-pw", "JKS", nil, true},
		{"keytool-pkcs12", filepath.Join(dir, "k.p12"), "s3cret-pw", "PKCS12", nil, false},
		{"keytool-pkcs12-without-password (Java 18+ cacerts)", filepath.Join(dir, "np.p12"), "changeit", "PKCS12", noPassword, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // each case starts JVMs: let them overlap
			if tc.typ != "" {
				for _, imp := range [][2]string{{"ece.example.com", ssFile}, {"ccewiz Test Root CA", rootFile}} {
					keytool(t, append(append([]string{}, tc.extra...), "-importcert", "-noprompt", "-alias", imp[0], "-file", imp[1],
						"-keystore", tc.store, "-storetype", tc.typ, "-storepass", tc.pass)...)
				}
				if tc.key {
					keytool(t, "-genkeypair", "-alias", "server", "-keyalg", "EC", "-dname", "CN=server", "-keystore", tc.store,
						"-storetype", tc.typ, "-storepass", tc.pass, "-keypass", tc.pass)
				}
			}
			data, err := os.ReadFile(tc.store)
			if err != nil {
				t.Fatal(err)
			}
			want, count := keytoolList(t, tc.store, tc.pass)
			got := ourList(t, data, tc.pass)
			if len(got) != count || strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("ccewiz lists %d entries, keytool %d:\nccewiz:\n%s\nkeytool:\n%s", len(got), count, strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			// Round trip: what ccewiz writes, keytool lists the same.
			ks, _ := OpenKeystore(data, []byte(tc.pass))
			if tc.extra != nil {
				if !ks.Passwordless() {
					t.Fatal("a PKCS#12 store without MAC was not seen as password-less")
				}
				if _, err := OpenKeystore(data, []byte("any other")); err != nil {
					t.Fatalf("a password-less store must open with any password, as in keytool: %v", err)
				}
			}
			out, err := ks.Marshal([]byte(tc.pass))
			if err != nil {
				t.Fatal(err)
			}
			rt := filepath.Join(t.TempDir(), "rt")
			os.WriteFile(rt, out, 0o644)
			again, _ := keytoolList(t, rt, tc.pass)
			if strings.Join(again, "\n") != strings.Join(want, "\n") {
				t.Fatalf("after ccewiz rewrote the store keytool lists:\n%s\nwant:\n%s", strings.Join(again, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// A copy of the JDK's real cacerts → ImportFile → keytool -list shows the
// alias and the count + 1; the backup holds the original; the mode is kept;
// a second import changes nothing.
func TestImportIntoJDKCacerts(t *testing.T) {
	needKeytool(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "cacerts")
	orig := copyFile(t, jdkCacerts(t), path, 0o640)
	_, before := keytoolList(t, path, "changeit")
	ss := testpeer.NewLeaf(t, "ece.example.com", nil)
	now := time.Date(2026, 11, 23, 5, 6, 7, 0, time.UTC)
	res, err := ImportFile(path, []byte("changeit"), []*x509.Certificate{ss.Cert}, ImportOptions{FQDN: "ece.example.com", Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Written || len(res.Changes) != 1 || res.Changes[0].Action != Add || res.Changes[0].Alias != "ece.example.com" {
		t.Fatalf("result %+v", res)
	}
	lines, after := keytoolList(t, path, "changeit")
	if after != before+1 {
		t.Fatalf("keytool counts %d entries after the import, want %d", after, before+1)
	}
	want := "ece.example.com trustedCertEntry " + Fingerprint(ss.DER)
	if !slices.Contains(lines, want) {
		t.Fatalf("keytool -list lacks %q", want)
	}
	if res.Backup != filepath.Join(dir, "cacerts.ccewiz-20261123-050607.bak") {
		t.Fatalf("backup %q", res.Backup)
	}
	if b, _ := os.ReadFile(res.Backup); !bytes.Equal(b, orig) {
		t.Fatal("the backup is not the original")
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o640 {
		t.Fatalf("mode %v, want 0640 kept", fi.Mode().Perm())
	}
	written, _ := os.ReadFile(path)
	res2, err := ImportFile(path, []byte("changeit"), []*x509.Certificate{ss.Cert}, ImportOptions{FQDN: "other-alias"})
	if err != nil {
		t.Fatal(err)
	}
	if res2.Written || res2.Changes[0].Action != Present || res2.Changes[0].PresentAs != "ece.example.com" {
		t.Fatalf("second import: %+v", res2)
	}
	if b, _ := os.ReadFile(path); !bytes.Equal(b, written) {
		t.Fatal("a second import of the same certificate rewrote the file")
	}
}

// A wrong password is ErrWrongPassword with keytool's hint, for both
// formats, and the file is not touched (no backup, same bytes).
func TestWrongPasswordChangesNothing(t *testing.T) {
	ss := testpeer.NewLeaf(t, "ece.example.com", nil)
	for _, kind := range []Kind{JKS, PKCS12} {
		t.Run(string(kind), func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "cacerts")
			ks := NewKeystore(kind)
			if _, err := ks.AddTrusted("existing", testpeer.NewCA(t, "Existing CA", nil).Cert, false); err != nil {
				t.Fatal(err)
			}
			data, err := ks.Marshal([]byte("changeit"))
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(path, data, 0o644)
			_, err = ImportFile(path, []byte("not-it"), []*x509.Certificate{ss.Cert}, ImportOptions{FQDN: "ece.example.com"})
			if !errors.Is(err, ErrWrongPassword) {
				t.Fatalf("err = %v, want ErrWrongPassword", err)
			}
			for _, s := range []string{path, "wrong password", "changeit"} {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
			if b, _ := os.ReadFile(path); !bytes.Equal(b, data) {
				t.Fatal("file changed")
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 1 {
				t.Fatalf("the folder has %d files, want only the store", len(ents))
			}
		})
	}
}

func TestTrustPlan(t *testing.T) {
	ss := testpeer.NewLeaf(t, "ece.example.com", nil)
	ch := testpeer.NewChain(t, "web1.example.com")
	root, inter, leaf := ch.Root.Cert, ch.Intermediate.Cert, ch.Leaf.Cert
	cases := []struct {
		name    string
		in      []*x509.Certificate
		opts    ImportOptions
		want    []string // alias=CN
		wantErr error
	}{
		{"self-signed gets the FQDN", []*x509.Certificate{ss.Cert}, ImportOptions{FQDN: "ece.example.com"}, []string{"ece.example.com=ece.example.com"}, nil},
		{"self-signed without FQDN gets its CN", []*x509.Certificate{ss.Cert}, ImportOptions{}, []string{"ece.example.com=ece.example.com"}, nil},
		{"explicit alias wins", []*x509.Certificate{ss.Cert}, ImportOptions{FQDN: "ece.example.com", Alias: "mine"}, []string{"mine=ece.example.com"}, nil},
		{"chain as sent: root then intermediate, never the leaf", []*x509.Certificate{leaf, inter, root}, ImportOptions{FQDN: "web1.example.com"},
			[]string{"ccewiz test root ca=ccewiz Test Root CA", "ccewiz test issuing ca=ccewiz Test Issuing CA"}, nil},
		{"chain in any order", []*x509.Certificate{inter, root, leaf}, ImportOptions{},
			[]string{"ccewiz test root ca=ccewiz Test Root CA", "ccewiz test issuing ca=ccewiz Test Issuing CA"}, nil},
		{"leaf and intermediate only", []*x509.Certificate{leaf, inter}, ImportOptions{}, []string{"ccewiz test issuing ca=ccewiz Test Issuing CA"}, nil},
		{"CA-signed leaf alone is refused", []*x509.Certificate{leaf}, ImportOptions{FQDN: "web1.example.com"}, nil, ErrNeedCA},
		{"CA-signed leaf alone with an alias", []*x509.Certificate{leaf}, ImportOptions{Alias: "web1"}, []string{"web1=web1.example.com"}, nil},
		{"--ca imports a root file as is", []*x509.Certificate{root}, ImportOptions{CA: true, Alias: "corp-root"}, []string{"corp-root=ccewiz Test Root CA"}, nil},
		{"self-signed leaf beside a CA keeps the FQDN", []*x509.Certificate{ss.Cert, root}, ImportOptions{FQDN: "ece.example.com"},
			[]string{"ece.example.com=ece.example.com", "ccewiz test root ca=ccewiz Test Root CA"}, nil},
		{"duplicates count once", []*x509.Certificate{root, root}, ImportOptions{CA: true}, []string{"ccewiz test root ca=ccewiz Test Root CA"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := TrustPlan(tc.in, tc.opts)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			var names []string
			for _, p := range got {
				names = append(names, p.Alias+"="+p.Cert.Subject.CommonName)
			}
			if strings.Join(names, "|") != strings.Join(tc.want, "|") {
				t.Fatalf("got %v, want %v", names, tc.want)
			}
		})
	}
}

func TestAddTrustedAliasRules(t *testing.T) {
	a := testpeer.NewCA(t, "A CA", nil).Cert
	b := testpeer.NewCA(t, "B CA", nil).Cert
	for _, kind := range []Kind{JKS, PKCS12} {
		t.Run(string(kind), func(t *testing.T) {
			ks := NewKeystore(kind)
			if ch, err := ks.AddTrusted("Corp Root", a, false); err != nil || ch.Action != Add || ch.Alias != "corp root" {
				t.Fatalf("first add: %+v %v", ch, err)
			}
			if ch, err := ks.AddTrusted("another", a, false); err != nil || ch.Action != Present || ch.PresentAs != "corp root" {
				t.Fatalf("same cert again: %+v %v", ch, err)
			}
			var taken *AliasTakenError
			if _, err := ks.AddTrusted("corp root", b, false); !errors.As(err, &taken) || !strings.Contains(err.Error(), "--replace") {
				t.Fatalf("alias taken: %v", err)
			}
			if ch, err := ks.AddTrusted("CORP ROOT", b, true); err != nil || ch.Action != Replace {
				t.Fatalf("replace: %+v %v", ch, err)
			}
			if ks.Len() != 1 {
				t.Fatalf("%d entries, want 1", ks.Len())
			}
			data, err := ks.Marshal([]byte("pw"))
			if err != nil {
				t.Fatal(err)
			}
			back, err := OpenKeystore(data, []byte("pw"))
			if err != nil {
				t.Fatal(err)
			}
			if e, ok := back.Lookup("Corp Root"); !ok || e.SHA256 != Fingerprint(b.Raw) {
				t.Fatalf("after replace and round trip: %+v", e)
			}
			if !bytes.Equal(back.TrustedCerts()[0].Raw, b.Raw) {
				t.Fatal("TrustedCerts lost the certificate")
			}
		})
	}
}

// Java 18+ ships cacerts as a PKCS#12 file without a password; it opens
// with any password and stays password-less when written back.
func TestPasswordlessPKCS12(t *testing.T) {
	ks := NewKeystore(PKCS12)
	ks.passwordless = true
	ks.AddTrusted("root", testpeer.NewCA(t, "Root", nil).Cert, false)
	data, err := ks.Marshal(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, pw := range []string{"", "changeit", "anything"} {
		back, err := OpenKeystore(data, []byte(pw))
		if err != nil || !back.Passwordless() || back.Len() != 1 {
			t.Fatalf("password %q: %v", pw, err)
		}
	}
}

func TestDetectKind(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, ErrNotKeystore},
		{"pem", []byte("-----BEGIN CERTIFICATE-----\nMII\n"), ErrNotKeystore},
		{"jceks", []byte{0xCE, 0xCE, 0xCE, 0xCE, 0, 0, 0, 2}, ErrUnsupported},
		{"text", []byte("hello world"), ErrNotKeystore},
		{"truncated jks", []byte{0xFE, 0xED, 0xFE, 0xED, 0, 0, 0, 2, 0, 0, 0, 9}, ErrNotKeystore},
		{"garbage asn1", []byte{0x30, 0x03, 1, 2, 3}, ErrNotKeystore},
		{"DER certificate", testpeer.NewCA(t, "A CA", nil).DER, ErrNotKeystore},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := OpenKeystore(tc.data, []byte("changeit"))
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if tc.name == "DER certificate" && !strings.Contains(err.Error(), "this is a certificate") {
				t.Fatalf("err = %v does not say it is a certificate", err)
			}
		})
	}
}

// The JDK's lib/security/cacerts is often a link to the system store
// (Debian, RHEL): ccewiz writes through it like keytool and keeps the link.
func TestImportThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "etc-java-cacerts")
	ks := NewKeystore(JKS)
	ks.AddTrusted("existing", testpeer.NewCA(t, "Existing", nil).Cert, false)
	data, _ := ks.Marshal([]byte("changeit"))
	os.WriteFile(target, data, 0o644)
	link := filepath.Join(dir, "cacerts")
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("cannot make a symbolic link here: %v", err)
	}
	leaf := testpeer.NewLeaf(t, "ece.example.com", nil)
	res, err := ImportFile(link, []byte("changeit"), []*x509.Certificate{leaf.Cert}, ImportOptions{FQDN: "ece.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced by a file: %v", err)
	}
	b, _ := os.ReadFile(target)
	after, err := OpenKeystore(b, []byte("changeit"))
	if err != nil || after.Len() != 2 {
		t.Fatalf("target not updated: %v", err)
	}
	if filepath.Dir(res.Backup) != dir || !strings.HasPrefix(filepath.Base(res.Backup), "etc-java-cacerts.ccewiz-") {
		t.Fatalf("backup %q, want next to the target", res.Backup)
	}
}
