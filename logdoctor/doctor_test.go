package logdoctor

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

var est = time.FixedZone("EST", -5*3600)

func scanBundle(t *testing.T, o Options, paths ...string) *Report {
	t.Helper()
	if o.Local == nil {
		o.Local = est
	}
	r, err := Scan(context.Background(), paths, o)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func utc(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04:05.000", s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestBundleFindings: every signature in the fixtures, found where and when it was logged.
func TestBundleFindings(t *testing.T) {
	r := scanBundle(t, Options{}, "testdata/bundle")
	want := []struct {
		sig, variant string
		count, files int
		file         string
		line         int64
		first, last  string // UTC
	}{
		{"pkix", "", 7, 2, "ece/eg_log_ECEAPP_ApplicationServer.log", 12, "2026-11-23 10:02:19.404", "2026-11-23 16:40:01.500"},
		{"cert-expired", "", 3, 2, "pcce/Error.2026-11-23T09-58-11.870.startup.log", 1, "2026-11-23 14:58:12.004", "2026-11-23 18:30:00.001"},
		{"name-mismatch", "10.10.20.31", 1, 1, "pcce/catalina.2026-11-23.log", 9, "2026-11-23 17:02:45.880", "2026-11-23 17:02:45.880"},
		{"name-mismatch", "chat.example.com", 1, 1, "pcce/catalina.2026-11-23.log", 11, "2026-11-23 17:11:30.442", "2026-11-23 17:11:30.442"},
		{"name-mismatch", "eceweb", 1, 1, "pcce/catalina.2026-11-23.log", 10, "2026-11-23 17:10:07.015", "2026-11-23 17:10:07.015"},
		{"name-mismatch", "no-san", 1, 1, "pcce/CCBU.2026-11-23T10-15-02.337.startup.log", 2, "2026-11-23 15:16:45.902", "2026-11-23 15:16:45.902"},
		{"ldap-not-gc", "", 1, 1, "ece/eg_log_ECEAPP_ApplicationServer.log", 3, "2026-11-23 09:14:07.611", "2026-11-23 09:14:07.611"},
		{"ldap-bind", "52e", 3, 2, "ece/eg_log_ECEAPP_ApplicationServer.log.1", 1, "2026-11-22 23:59:58.001", "2026-11-23 09:31:12.350"},
		{"ldap-bind", "775", 1, 1, "ece/eg_log_ECEAPP_ApplicationServer.log", 9, "2026-11-23 09:45:00.118", "2026-11-23 09:45:00.118"},
		{"ldap-signing", "", 1, 1, "ece/eg_log_ECEAPP_ApplicationServer.log", 10, "2026-11-23 09:50:31.777", "2026-11-23 09:50:31.777"},
		{"ldap-unreachable", "", 1, 1, "ece/eg_log_ECEAPP_ApplicationServer.log", 12, "2026-11-23 10:02:19.404", "2026-11-23 10:02:19.404"},
		{"conn-refused", "", 4, 2, "ece/egpl_root_ECEAPP.log", 1, "2026-11-23 08:00:03.210", "2026-11-23 15:17:10.015"},
	}
	if len(r.Findings) != len(want) {
		for _, f := range r.Findings {
			t.Logf("found %s %q ×%d", f.Signature, f.Variant, f.Count)
		}
		t.Fatalf("%d findings, want %d", len(r.Findings), len(want))
	}
	for i, w := range want {
		f := r.Findings[i]
		name := w.sig + "/" + w.variant
		if f.Signature != w.sig || f.Variant != w.variant {
			t.Errorf("finding %d is %s/%s, want %s", i, f.Signature, f.Variant, name)
			continue
		}
		if f.Count != w.count || len(f.Files) != w.files {
			t.Errorf("%s: %d lines in %d files, want %d in %d", name, f.Count, len(f.Files), w.count, w.files)
		}
		if filepath.ToSlash(f.File) != "testdata/bundle/"+w.file || f.Line != w.line {
			t.Errorf("%s: first seen %s:%d, want %s:%d", name, f.File, f.Line, w.file, w.line)
		}
		if f.FirstSeen == nil || !f.FirstSeen.Equal(utc(w.first)) || !f.LastSeen.Equal(utc(w.last)) {
			t.Errorf("%s: seen %v – %v, want %s – %s UTC", name, f.FirstSeen, f.LastSeen, w.first, w.last)
		}
		if f.Cause == "" || f.Fix == "" || !strings.Contains(f.Sample, Signatures[sigIndex(w.sig)].Patterns[0][:10]) && w.sig != "cert-expired" && w.sig != "name-mismatch" && w.sig != "conn-refused" {
			t.Errorf("%s: no cause/fix or sample without the signature: %q", name, f.Sample)
		}
	}
	if r.Files != 7 || r.Lines != 45 {
		t.Errorf("read %d files, %d lines; want 7, 45", r.Files, r.Lines)
	}
	if !strings.Contains(r.Findings[8].Explain, "locked out") || !strings.Contains(r.Findings[7].Explain, "wrong password") {
		t.Errorf("AD sub-codes not explained in plain words: %q, %q", r.Findings[7].Explain, r.Findings[8].Explain)
	}
}

func sigIndex(id string) int {
	for i, s := range Signatures {
		if s.ID == id {
			return i
		}
	}
	panic(id)
}

func TestADSubcodes(t *testing.T) {
	for _, c := range adCodes {
		line := "javax.naming.AuthenticationException: [LDAP: error code 49 - 80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data " +
			strings.ToUpper(c.code) + ", v4563]"
		key, explain := adSubcode([]byte(line))
		if key != c.code || !strings.Contains(explain, c.meaning) {
			t.Errorf("data %s: got %q %q", c.code, key, explain)
		}
	}
	if key, _ := adSubcode([]byte("metadata x LDAP: error code 49 - Invalid Credentials")); key != "" {
		t.Errorf("no sub-code should give no variant, got %q", key)
	}
}

func TestSince(t *testing.T) {
	for _, tc := range []struct {
		since string
		want  string
	}{
		{"2026-11-23 10:00:00.000", "pkix cert-expired name-mismatch name-mismatch name-mismatch name-mismatch ldap-unreachable conn-refused"},
		{"2026-11-23 17:05:00.000", "cert-expired name-mismatch name-mismatch"},
		{"2026-11-24 00:00:00.000", ""},
	} {
		r := scanBundle(t, Options{Since: utc(tc.since)}, "testdata/bundle")
		var got []string
		for _, f := range r.Findings {
			got = append(got, f.Signature)
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("since %s: %q, want %q", tc.since, strings.Join(got, " "), tc.want)
		}
	}
}

func TestParseTime(t *testing.T) {
	for _, tc := range []struct {
		line string
		want string // RFC 3339, "" = no timestamp
	}{
		{"2026-11-23 09:14:07.512 GMT+0000 <@> INFO <@> x", "2026-11-23T09:14:07.512Z"},
		{"2026-11-23 09:14:07.512 GMT-05:00 <@> INFO", "2026-11-23T09:14:07.512-05:00"},
		{"2026-11-23 09:14:07 Commons Daemon procrun", "2026-11-23T09:14:07-05:00"},
		{"2026-11-23T09:14:07,5Z something", "2026-11-23T09:14:07.5Z"},
		{"23-Nov-2026 10:15:22.123 SEVERE [main]", "2026-11-23T10:15:22.123-05:00"},
		{"0000003519: 10.10.20.5: Nov 23 2026 10:16:45.902 -0500: %CCBU_x", "2026-11-23T10:16:45.902-05:00"},
		{"0000003519: aw1a: Nov 23 2026 10:16:45.902 +0100: %CCBU_x", "2026-11-23T10:16:45.902+01:00"},
		{"\tat com.sun.jndi.ldap.LdapCtx.processReturnCode(LdapCtx.java:3029)", ""},
		{"Caused by: javax.net.ssl.SSLHandshakeException", ""},
		{"2026-13-23 09:14:07.512 GMT+0000", ""},
		{"2026-11-23 25:14:07.512 GMT+0000", ""},
		{"23-Foo-2026 10:15:22.123 SEVERE", ""},
		{"12345", ""},
	} {
		got, ok := parseTime([]byte(tc.line), est)
		s := ""
		if ok {
			s = got.Format(time.RFC3339Nano)
		}
		if s != tc.want {
			t.Errorf("parseTime(%q) = %q, want %q", tc.line, s, tc.want)
		}
	}
}

func TestClockOf(t *testing.T) {
	for name, want := range map[string]Clock{
		`C:\ECE\eService\logs\eg_log_ECEAPP_ApplicationServer.log.12`: ClockUTC,
		"logs/egpl_root_ECEAPP.log":                                   ClockUTC,
		"b.zip!logs/eg_log_dal_connpool_ECEAPP_EAAS-process.log":      ClockUTC,
		`C:\icm\tomcat\logs\catalina.2026-11-23.log`:                  ClockLocal,
		"CCBU.2026-11-23T10-15-02.337.startup.log":                    ClockLocal,
		"Error.2026-11-23T10-15-02.337.startup.log":                   ClockLocal,
		"tomcat9-stderr.2026-11-23.log":                               ClockLocal,
		"notes.txt":                                                   ClockGuess,
	} {
		if got := clockOf(name); got != want {
			t.Errorf("clockOf(%s) = %s, want %s", name, got, want)
		}
	}
}

// TestZipBundle reads the same fixtures from a .zip and finds the same;
// non-log entries and nested .zips are left out with a note.
func TestZipBundle(t *testing.T) {
	dir := t.TempDir()
	zp := filepath.Join(dir, "bundle.zip")
	f, err := os.Create(zp)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	err = filepath.WalkDir("testdata/bundle", func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		w, err := zw.Create(strings.TrimPrefix(filepath.ToSlash(p), "testdata/"))
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	})
	for _, extra := range []string{"bundle/inner.zip", "bundle/screenshot.png", "bundle/empty/"} {
		if _, err := zw.Create(extra); err != nil {
			t.Fatal(err)
		}
	}
	if err == nil {
		err = zw.Close()
	}
	if err == nil {
		err = f.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	fromDir := scanBundle(t, Options{}, "testdata/bundle")
	fromZip := scanBundle(t, Options{Workers: 1}, zp)
	if fromZip.Files != fromDir.Files || len(fromZip.Findings) != len(fromDir.Findings) || fromZip.Lines != fromDir.Lines {
		t.Fatalf("zip: %d files %d lines %d findings; folder: %d %d %d", fromZip.Files, fromZip.Lines, len(fromZip.Findings), fromDir.Files, fromDir.Lines, len(fromDir.Findings))
	}
	for i := range fromZip.Findings {
		a, b := fromZip.Findings[i], fromDir.Findings[i]
		if a.Count != b.Count || a.Line != b.Line || !strings.HasPrefix(a.File, zp+"!bundle/") {
			t.Errorf("finding %d differs: zip %s:%d ×%d, folder %s:%d ×%d", i, a.File, a.Line, a.Count, b.File, b.Line, b.Count)
		}
	}
	if len(fromZip.Notes) != 1 || !strings.Contains(fromZip.Notes[0], "inner.zip") {
		t.Errorf("notes = %q, want one about the nested zip", fromZip.Notes)
	}
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	notZip := filepath.Join(dir, "logs.zip")
	os.WriteFile(notZip, []byte("this is not a zip"), 0o644)
	empty := filepath.Join(dir, "empty")
	os.MkdirAll(empty, 0o755)
	os.WriteFile(filepath.Join(empty, "screenshot.png"), []byte("png"), 0o644)
	for _, p := range []string{filepath.Join(dir, "missing"), notZip, empty} {
		_, err := Scan(context.Background(), []string{p}, Options{})
		if !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), p) {
			t.Errorf("Scan(%s): %v, want ErrBadInput naming the path", p, err)
		}
	}
}

func TestReportGolden(t *testing.T) {
	r := scanBundle(t, Options{Workers: 3}, "testdata/bundle")
	for name, write := range map[string]func(*bytes.Buffer) error{
		"findings.text.golden": func(b *bytes.Buffer) error { return r.WriteText(b) },
		"findings.json.golden": func(b *bytes.Buffer) error { return r.WriteJSON(b) },
	} {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", name)
		if *update {
			os.WriteFile(path, b.Bytes(), 0o644)
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (go test ./logdoctor -run TestReportGolden -update)", err)
		}
		if !bytes.Equal(b.Bytes(), want) {
			t.Errorf("%s differs (rerun with -update if intended):\n%s", name, b.String())
		}
	}
}

func TestSampleIsPrintable(t *testing.T) {
	r, err := ScanReader(context.Background(), "catalina.log", strings.NewReader("No name matching \x1b]0;owned\x07 found\n"), Options{})
	if err != nil || len(r.Findings) != 1 || strings.ContainsAny(r.Findings[0].Explain+r.Findings[0].Variant+r.Findings[0].Sample, "\x1b\x07") {
		t.Errorf("a host name from a log must print inert: %+v %v", r.Findings, err)
	}
	long := strings.Repeat("x", 1000) + "PKIX path building failed" + strings.Repeat("y", 1000)
	for _, tc := range []struct{ line, want string }{
		{"a\x1b[31mred\x1b[0m\tPKIX", "a\uFFFD[31mred\uFFFD[0m PKIX"},
		{"bad \xff utf8", "bad \uFFFD utf8"},
		{"jdbc:sqlserver://db;user=ece;password=S3cret!;x=1 PKIX", "jdbc:sqlserver://db;user=ece;password=••••;x=1 PKIX"},
		{`{"ldapPassword": "hunter2", "pwd":x} java.security.credentials=abc`, `{"ldapPassword": "••••", "pwd":••••} java.security.credentials=••••`},
	} {
		if got := sample([]byte(tc.line), 0); got != tc.want {
			t.Errorf("sample(%q) = %q, want %q", tc.line, got, tc.want)
		}
	}
	s := sample([]byte(long), 1000)
	if !strings.Contains(s, "PKIX path building failed") || len(s) > sampleMax+10 || !strings.HasPrefix(s, "…") || !strings.HasSuffix(s, "…") {
		t.Errorf("long line sample should be cut around the hit: %q", s)
	}
}

// TestSampleRedactsBeforeCutting: a long line is cut to a window around the
// hit; a cut inside "password=" must not leave the value readable, and a
// masked value before the hit must not push the hit out of the window.
func TestSampleRedactsBeforeCutting(t *testing.T) {
	hit := "PKIX path building failed"
	for _, tc := range []struct {
		name, line string
		at         int
	}{
		// The window starts sampleMax/3 before the hit: here, inside "password=".
		{"cut in key", strings.Repeat("x", 895) + "password=Sup3rSecretValue " + strings.Repeat("y", 79) + hit + strings.Repeat("z", 1000), 1000},
		{"long value", strings.Repeat("x", 500) + "pwd=Sup3rSecretValue" + strings.Repeat("v", 400) + " " + hit + strings.Repeat("z", 1000), 500 + 20 + 400 + 1},
	} {
		if !strings.HasPrefix(tc.line[tc.at:], hit) {
			t.Fatalf("%s: bad case, hit not at %d", tc.name, tc.at)
		}
		s := sample([]byte(tc.line), tc.at)
		if strings.Contains(s, "Sup3r") || strings.Contains(s, "ecretValue") || strings.Contains(s, "vvv") {
			t.Errorf("%s: a password value leaked into the sample: %q", tc.name, s)
		}
		if !strings.Contains(s, hit) || !strings.HasPrefix(s, "…") || !strings.HasSuffix(s, "…") {
			t.Errorf("%s: sample should be cut around the hit: %q", tc.name, s)
		}
	}
}

// naive is the obviously right answer: split lines, test every pattern.
// A hit's time is the last timestamp at or before its line.
func naive(data []byte) (lines int64, perSig []int, firstLine []int64, first, last []time.Time) {
	perSig = make([]int, len(Signatures))
	firstLine = make([]int64, len(Signatures))
	first, last = make([]time.Time, len(Signatures)), make([]time.Time, len(Signatures))
	if len(data) == 0 {
		return 0, perSig, firstLine, first, last
	}
	var now time.Time
	ls := bytes.Split(bytes.TrimSuffix(data, []byte{'\n'}), []byte{'\n'})
	for i, l := range ls {
		if t, ok := parseTime(l, time.UTC); ok {
			now = t
		}
		for si, s := range Signatures {
			for _, p := range s.Patterns {
				if bytes.Contains(l, []byte(p)) {
					if perSig[si] == 0 {
						firstLine[si] = int64(i + 1)
					}
					perSig[si]++
					if !now.IsZero() {
						if first[si].IsZero() || now.Before(first[si]) {
							first[si] = now
						}
						if now.After(last[si]) {
							last[si] = now
						}
					}
					break
				}
			}
		}
	}
	return int64(len(ls)), perSig, firstLine, first, last
}

// sameAsNaive checks the one-pass search against naive on data, with
// chunks as small as chunk bytes so lines straddle reads.
func sameAsNaive(t *testing.T, data []byte, chunk int) {
	t.Helper()
	defer func(c, m int) { chunkSize, maxChunk = c, m }(chunkSize, maxChunk)
	chunkSize, maxChunk = chunk, 1<<20
	r, err := ScanReader(context.Background(), "eg_log_X_ApplicationServer.log", bytes.NewReader(data), Options{Local: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	lines, perSig, first, firstT, lastT := naive(data)
	if r.Lines != lines {
		t.Fatalf("counted %d lines, naive %d", r.Lines, lines)
	}
	got := make([]int, len(Signatures))
	gotFirst := make([]int64, len(Signatures))
	gotFirstT, gotLastT := make([]time.Time, len(Signatures)), make([]time.Time, len(Signatures))
	for _, f := range r.Findings {
		i := sigIndex(f.Signature)
		got[i] += f.Count
		if gotFirst[i] == 0 || f.Line < gotFirst[i] {
			gotFirst[i] = f.Line
		}
		if f.FirstSeen != nil {
			if gotFirstT[i].IsZero() || f.FirstSeen.Before(gotFirstT[i]) {
				gotFirstT[i] = *f.FirstSeen
			}
			if f.LastSeen.After(gotLastT[i]) {
				gotLastT[i] = *f.LastSeen
			}
		}
	}
	for i := range Signatures {
		if got[i] != perSig[i] || gotFirst[i] != first[i] {
			t.Fatalf("%s: %d hits from line %d, naive %d from line %d (chunk %d)", Signatures[i].ID, got[i], gotFirst[i], perSig[i], first[i], chunk)
		}
		if !gotFirstT[i].Equal(firstT[i]) || !gotLastT[i].Equal(lastT[i]) {
			t.Fatalf("%s: seen %v – %v, naive %v – %v (chunk %d)", Signatures[i].ID, gotFirstT[i], gotLastT[i], firstT[i], lastT[i], chunk)
		}
	}
}

func TestAgainstNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var b bytes.Buffer
	writeLog(&b, rng, 200_000, "ApplicationServer", 0.01)
	for _, chunk := range []int{64, 1000, 1 << 20} {
		sameAsNaive(t, b.Bytes(), chunk)
	}
}

func FuzzLogReader(f *testing.F) {
	for _, p := range Patterns() {
		f.Add([]byte("2026-11-23 09:14:07.512 GMT+0000 <@> ERROR <@> " + p + "\n\tat x\n"))
	}
	f.Add([]byte("PKIX path building failedPKIX path building failed\nNo name matchingNo name matching"))
	f.Add([]byte("LDAP: error code 49 - data 775\r\nLDAP: error code 8 \n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, chunk := range []int{16, 37, 4096} {
			sameAsNaive(t, data, chunk)
		}
	})
}

// TestEveryPatternHasAFixture keeps the table honest: a new signature
// needs a real-shaped line in testdata/bundle.
func TestEveryPatternHasAFixture(t *testing.T) {
	var all []byte
	filepath.WalkDir("testdata/bundle", func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			all = append(all, b...)
		}
		return err
	})
	for _, s := range Signatures {
		for _, p := range s.Patterns {
			if !bytes.Contains(all, []byte(p)) {
				t.Errorf("signature %s: no fixture line contains %q", s.ID, p)
			}
			if len(p) < 16 {
				t.Errorf("signature %s: pattern %q is shorter than 16 bytes; the search jumps by the shortest pattern", s.ID, p)
			}
		}
		if s.ID == "" || s.Title == "" || s.Cause == "" || s.Fix == "" {
			t.Errorf("signature %+v lacks an ID, title, cause or fix", s.ID)
		}
	}
}

// TestDamagedZipEntry: a checksum error at the end of an entry keeps what
// was read and says the file was read only partly.
func TestDamagedZipEntry(t *testing.T) {
	zp := filepath.Join(t.TempDir(), "logs.zip")
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.CreateHeader(&zip.FileHeader{Name: "egpl_root_ECEAPP.log", Method: zip.Store})
	w.Write([]byte("2026-11-23 08:00:03.210 GMT+0000 <@> ERROR <@> java.net.ConnectException: Connection refused: connect\nlast line\n"))
	zw.Close()
	data := b.Bytes()
	i := bytes.Index(data, []byte("last line"))
	data[i] = 'L' // the stored CRC no longer matches
	os.WriteFile(zp, data, 0o644)
	r := scanBundle(t, Options{}, zp)
	if len(r.Findings) != 1 || r.Findings[0].Signature != "conn-refused" {
		t.Errorf("findings %+v, want the conn-refused read before the damage", r.Findings)
	}
	if len(r.Notes) != 1 || !strings.Contains(r.Notes[0], "not read to the end") || !strings.Contains(r.Notes[0], "checksum") {
		t.Errorf("notes %q, want one saying the entry was read only partly", r.Notes)
	}
}

// TestDocsListEverySignature keeps docs/logs.md in step with the table.
func TestDocsListEverySignature(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "logs.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range Signatures {
		if !bytes.Contains(doc, []byte("| `"+s.ID+"` |")) {
			t.Errorf("docs/logs.md has no row for signature %s", s.ID)
		}
		for _, p := range s.Patterns {
			if !bytes.Contains(doc, []byte("`"+p+"`")) {
				t.Errorf("docs/logs.md does not list pattern %q of %s", p, s.ID)
			}
		}
	}
}
