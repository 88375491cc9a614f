package wxm

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ccewiz/safefile"
	"ccewiz/steps"
	"ccewiz/testpeer"
)

// A Call Server's sip.properties as a CVP 12.5 install has it, without the
// Cloud Connect keys OAMP failed to push, with two traps: a publisher that
// is an old node's name and a key whose spelling an admin "corrected".
const stockSIP = "# CVP Call Server SIP settings\r\n" +
	"SIP.Port = 5060\r\n" +
	"SIP.CloudConnect.publisherAddress = oldcc.example.com\r\n" +
	"! OAMP writes the next key\r\n" +
	"SIP.CloudConnect.password = ENC(s3cr3t-from-oamp)\r\n" +
	"SIP.CloudConnect.StatusApi = /evapoint/status\r\n" +
	"SIP.Trunk.Timeout\t:\t30000\r\n"

func setup(t *testing.T, sip string) (*steps.Env, string) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "sip.properties")
	if err := os.WriteFile(path, []byte(sip), 0o644); err != nil {
		t.Fatal(err)
	}
	a := steps.NewAnswers()
	w := Of(a)
	w.CloudConnect = CloudConnect{Publisher: "cc1.example.com", Subscriber: "cc2.example.com."}
	w.CVP = CVP{SIPProperties: []string{path}, Username: "ccadmin", CustomerEmail: "surveys@example.com"}
	env := steps.NewEnv(a, filepath.Join(dir, "ccewiz.yaml"))
	env.Flow, env.FlowID = Flow().Steps, FlowID
	return env, path
}

func check(t *testing.T, env *steps.Env) steps.Result {
	t.Helper()
	rs := steps.RunChecks(context.Background(), env.Flow, env, steps.RunOptions{Only: []string{"sip.keys"}})
	if len(rs) != 1 {
		t.Fatalf("%d sip results, want 1: %+v", len(rs), rs)
	}
	return rs[0]
}

// TestSIPPatchIsWhatJavaReads: after the step, Java's Properties.load reads
// every key of Cisco's guide with its value, Cisco's spelling kept, every
// other key (the password included) as it was; every line of the original
// is still there byte for byte, CRLF kept; the password never appears in
// the plan; a second run changes nothing and writes no backup.
func TestSIPPatchIsWhatJavaReads(t *testing.T) {
	env, path := setup(t, stockSIP)
	if r := check(t, env); r.Status != steps.Fail || !strings.Contains(r.Detail, "CVP reads Cisco's spelling SIP.ClouConnect.StatusApi") {
		t.Fatalf("before: %+v", r)
	}
	before, err := testpeer.JavaProperties(t, path)
	if err != nil {
		t.Fatal(err)
	}
	st := Flow().Find("sip")
	p, err := steps.PlanStep(context.Background(), env.Flow, st, env)
	if err != nil {
		t.Fatal(err)
	}
	var shownText bytes.Buffer
	p.WriteText(&shownText)
	if strings.Contains(shownText.String(), "s3cr3t") {
		t.Fatalf("the plan shows the password:\n%s", shownText.String())
	}
	run := steps.RunStep(context.Background(), env.Flow, st, env, p, "")
	if run.Err != nil || len(run.Failed()) > 0 {
		t.Fatalf("apply: %v %+v", run.Err, run.Failed())
	}
	got, _ := os.ReadFile(path)
	for _, line := range strings.SplitAfter(stockSIP, "\r\n") {
		if line != "" && !bytes.Contains(got, []byte(line)) && !strings.HasPrefix(line, "SIP.CloudConnect.publisherAddress") {
			t.Errorf("line %q of the original is gone", line)
		}
	}
	if bytes.Count(got, []byte("\n")) != bytes.Count(got, []byte("\r\n")) {
		t.Error("a line lost its CRLF")
	}
	java, err := testpeer.JavaProperties(t, path)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := sipWant(Of(env.Answers))
	for _, kv := range want {
		if java[kv[0]] != kv[1] {
			t.Errorf("Java reads %s = %q, want %q", kv[0], java[kv[0]], kv[1])
		}
	}
	for k, v := range before {
		if k != "SIP.CloudConnect.publisherAddress" && java[k] != v {
			t.Errorf("Java reads %s = %q, was %q", k, java[k], v)
		}
	}
	if java[passwordKey] != "ENC(s3cr3t-from-oamp)" {
		t.Errorf("the password changed: %q", java[passwordKey])
	}
	if r := check(t, env); r.Status != steps.Pass {
		t.Fatalf("after: %+v", r)
	}
	baks := safefile.Backups(path)
	if len(baks) != 1 {
		t.Fatalf("backups %v, want 1", baks)
	}
	testpeer.CheckBackup(t, path, baks[0], []byte(stockSIP))
	// Again: nothing to do, nothing written.
	p2, err := steps.PlanStep(context.Background(), env.Flow, st, env)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range p2.Files {
		if f.Action != steps.Unchanged {
			t.Fatalf("second plan changes %s", f.Path)
		}
	}
	steps.RunStep(context.Background(), env.Flow, st, env, p2, "")
	if n := len(safefile.Backups(path)); n != 1 {
		t.Errorf("the second run wrote a backup (%d)", n)
	}
}

// TestSIPCheckSaysWhatIsWrong: each broken file gets one failing check
// with what to do, and never the password.
func TestSIPCheckSaysWhatIsWrong(t *testing.T) {
	cases := []struct {
		name, sip, detail, fix string
	}{
		{"no password", "SIP.Port=5060\n", passwordKey + " is missing", "NOAMP"},
		{"wrong timeout", "SIP.CloudConnect.RequestTimeout=5000\nSIP.CloudConnect.password=x\n", `RequestTimeout is "5000", not "10000"`, "apply --flow wxm --step sip"},
		{"bad escape", "SIP.Port=\\u12\n", `malformed \uxxxx escape`, "correct line 1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env, _ := setup(t, c.sip)
			r := check(t, env)
			if r.Status != steps.Fail || !strings.Contains(r.Detail, c.detail) || !strings.Contains(r.Fix, c.fix) {
				t.Errorf("got %s %q fix %q; want %q, fix with %q", r.Status, r.Detail, r.Fix, c.detail, c.fix)
			}
		})
	}
	env, path := setup(t, "")
	os.Remove(path)
	if _, err := steps.PlanStep(context.Background(), env.Flow, Flow().Find("sip"), env); err == nil || !strings.Contains(err.Error(), DefaultSIPProperties) {
		t.Errorf("a missing file: %v", err)
	}
}

func TestVersionRules(t *testing.T) {
	ok := Versions{UCCE: "12.5(1)", UCCEES: 7, CVP: "12.5(1)", CVPES: 6, CloudConnect: "12.6(1)", Finesse: "12.5(1)", FinesseES: 2}
	if r := checkVersions(ok); r.Status != steps.Pass {
		t.Errorf("the guide's versions: %+v", r)
	}
	low := ok
	low.CVPES = 2
	if r := checkVersions(low); r.Status != steps.Warn || !strings.Contains(r.Detail, "CVP 12.5(1) ES2 is below the guide's lab (12.5(1) ES6)") {
		t.Errorf("a lower ES: %+v", r)
	}
	old := ok
	old.Finesse = "older"
	if r := checkVersions(old); r.Status != steps.Fail || !strings.Contains(r.Detail, "Finesse older than 12.5(1)") {
		t.Errorf("an older release: %+v", r)
	}
	if r := checkVersions(Versions{}); r.Status != steps.Fail || !strings.Contains(r.Detail, "wxm.versions.ucce is not answered") {
		t.Errorf("none answered: %+v", r)
	}
}

func TestProxyRules(t *testing.T) {
	cases := []struct {
		p    Proxy
		want string // "" accepted
	}{
		{Proxy{}, ""},
		{Proxy{Kind: "none"}, ""},
		{Proxy{Kind: "plain", Host: "proxy.example.com", Port: 80}, ""},
		{Proxy{Kind: "plain", Host: "proxy.example.com", Port: 8080}, ""},
		{Proxy{Kind: "secure", Host: "proxy.example.com", Port: 443}, ""},
		{Proxy{Kind: "plain", Host: "proxy.example.com", Port: 3128}, "80 or 8080"},
		{Proxy{Kind: "secure", Host: "proxy.example.com", Port: 8443}, "on 443"},
		{Proxy{Kind: "plain", Port: 80}, "needs wxm.proxy.host"},
		{Proxy{Kind: "secure", Host: "p.example.com", Port: 443, Authenticated: true}, "does not support"},
		{Proxy{Kind: "socks"}, "choose none, plain or secure"},
	}
	for _, c := range cases {
		err := checkProxy(c.p)
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%+v: %v, want %q", c.p, err, c.want)
		}
	}
}
