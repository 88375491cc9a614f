package ece

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ccewiz/steps"
)

func TestSpogNeeded(t *testing.T) {
	base := Profile{PCCEVersion: "12.5(1)", ECEVersion: "12.5(1)", ECEShape: "400-single", ECEFQDN: "ece.example.com", WebServers: []string{"ece.example.com"}}
	cases := []struct {
		name   string
		change func(p *Profile)
		need   steps.Need
		why    string
	}{
		{"12.5 single, same name", func(*Profile) {}, steps.Optional, "not 12.0, not HA"},
		{"same name, other case and trailing dot", func(p *Profile) { p.WebServers = []string{"ECE.example.com."} }, steps.Optional, "not 12.0"},
		{"PCCE 12.0", func(p *Profile) { p.PCCEVersion = "12.0(1)" }, steps.Required, "12.0"},
		{"ECE 12.0", func(p *Profile) { p.ECEVersion = "12.0(1)" }, steps.Required, "mandatory"},
		{"ECE HA", func(p *Profile) { p.ECEShape = "1500-ha" }, steps.Required, "high availability"},
		{"host differs from URL", func(p *Profile) {
			p.ECEFQDN = "chat.example.com"
			p.WebServers = []string{"UCSVRECEWEB.example.com"}
		}, steps.Required, "UCSVRECEWEB.example.com is not the name users type (chat.example.com)"},
		{"one of two differs", func(p *Profile) { p.WebServers = []string{"ece.example.com", "web2.example.com"} }, steps.Required, "web2"},
		{"profile incomplete", func(p *Profile) { p.ECEFQDN = "" }, steps.Recommended, "profile.ece_fqdn"},
	}
	for _, c := range cases {
		p := base
		p.WebServers = append([]string(nil), base.WebServers...)
		c.change(&p)
		need, why := NewSpogStep().Needed(answersWith(func(a *steps.Answers) { *ProfileOf(a) = p }))
		if need != c.need || !strings.Contains(why, c.why) {
			t.Errorf("%s: %s (%s), want %s containing %q", c.name, need, why, c.need, c.why)
		}
	}
}

// spogEnv puts two web servers' spog_config.js in a folder: one to patch
// (CRLF, from the spogjs golden inputs), one already right.
func spogEnv(t *testing.T) (*steps.Env, []string) {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	for i, src := range []string{"../../spogjs/testdata/golden/crlf.js", "../../spogjs/testdata/golden/already.js"} {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, "web"+string(rune('1'+i)), "spog_config.js")
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, b, 0o644)
		paths = append(paths, p)
	}
	a := steps.NewAnswers()
	*ProfileOf(a) = Profile{PCCEVersion: "12.5(1)", ECEVersion: "12.5(1)", ECEShape: "400-ha", ECEFQDN: "ece.example.com",
		WebServers: []string{"web1.example.com", "web2.example.com"}}
	// Relative paths resolve against the answers file's folder.
	SpogOf(a).Files = []string{"web1/spog_config.js", "web2/spog_config.js"}
	env := steps.NewEnv(a, filepath.Join(dir, "ccewiz.yaml"))
	env.Now = func() time.Time { return time.Date(2026, 11, 23, 5, 30, 0, 0, time.UTC) }
	return env, paths
}

func TestSpogPlanApplyCheck(t *testing.T) {
	ctx := context.Background()
	env, paths := spogEnv(t)
	st := NewSpogStep()
	orig, _ := os.ReadFile(paths[0])
	if r := st.Checks()[0].Run(ctx, env); r.Status != steps.Fail || !strings.Contains(r.Detail, `web_server_name is "localhost"`) {
		t.Errorf("before: %+v", r)
	}
	plan, err := st.Plan(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Files) != 2 || plan.Files[0].Action != steps.Modify || plan.Files[1].Action != steps.Unchanged {
		t.Fatalf("plan files = %+v", plan.Files)
	}
	if !strings.Contains(plan.Files[0].Diff, `+var web_server_name = "ece.example.com";`) || !plan.Files[0].Backup {
		t.Errorf("plan diff = %s", plan.Files[0].Diff)
	}
	out, err := st.Apply(ctx, env, plan)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Written) != 1 || out.Written[0].Backup != paths[0]+".ccewiz-20261123-053000.bak" {
		t.Errorf("written = %+v", out.Written)
	}
	if b, _ := os.ReadFile(out.Written[0].Backup); !bytes.Equal(b, orig) {
		t.Error("backup is not the original")
	}
	golden, _ := os.ReadFile("../../spogjs/testdata/golden/crlf.js.golden")
	if b, _ := os.ReadFile(paths[0]); !bytes.Equal(b, golden) {
		t.Error("patched file is not byte-for-byte the expected CRLF output")
	}
	var ids []string
	for _, r := range out.Results {
		ids = append(ids, r.ID+"="+string(r.Status))
	}
	if strings.Join(ids, ",") != "spog.1=pass,spog.2=pass" {
		t.Errorf("results after apply = %v", ids)
	}
	if r := st.Checks()[0].Run(ctx, env); r.Status != steps.Pass {
		t.Errorf("after: %+v", r)
	}
	again, err := st.Plan(ctx, env)
	if err != nil || !again.Empty() {
		t.Errorf("second plan is not empty: %+v %v", again, err)
	}
}

func TestSpogPlanRefusesAndWritesNothing(t *testing.T) {
	ctx := context.Background()
	env, paths := spogEnv(t)
	os.WriteFile(paths[1], []byte("var web_server_protocol = \"https\";\nvar web_server_name = \"a.example.com\";\nvar web_server_name = \"b.example.com\";\n"), 0o644)
	_, err := NewSpogStep().Plan(ctx, env)
	if err == nil || !isBadInput(err) || !strings.Contains(err.Error(), "declared 2 times") {
		t.Fatalf("err = %v", err)
	}
	ProfileOf(env.Answers).ECEFQDN = "ece"
	if _, err := NewSpogStep().Plan(ctx, env); err == nil || !strings.Contains(err.Error(), "short host name") {
		t.Errorf("short FQDN: %v", err)
	}
	ProfileOf(env.Answers).ECEFQDN = "ece.example.com"
	SpogOf(env.Answers).Files = []string{"web1/other.js"}
	if _, err := NewSpogStep().Plan(ctx, env); err == nil || !strings.Contains(err.Error(), "not a spog_config.js") {
		t.Errorf("wrong file name: %v", err)
	}
}

func TestSpogWithoutFilesPrintsCommands(t *testing.T) {
	env, _ := spogEnv(t)
	SpogOf(env.Answers).Files = nil
	plan, err := NewSpogStep().Plan(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Commands) != 2 || plan.Commands[1].Host != "web2.example.com" || !strings.Contains(plan.Commands[0].Script, "--server-name ece.example.com") {
		t.Errorf("commands = %+v", plan.Commands)
	}
	r := NewSpogStep().Checks()[0].Run(context.Background(), env)
	if r.Status != steps.Manual {
		t.Errorf("check without files = %+v", r)
	}
	*ProfileOf(env.Answers) = Profile{PCCEVersion: "12.5(1)", ECEVersion: "12.5(1)", ECEShape: "400-single", ECEFQDN: "ece.example.com", WebServers: []string{"ece.example.com"}}
	if r := NewSpogStep().Checks()[0].Run(context.Background(), env); r.Status != steps.Skip {
		t.Errorf("optional step without files = %+v", r)
	}
	if got := NewSpogStep().Fields()[0].Default(env.Answers); got != `\\ece.example.com\C$\Cisco\eService\templates\finesse\gadget\spog\spog_config.js` {
		t.Errorf("default path = %s", got)
	}
}
