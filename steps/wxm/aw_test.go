package wxm_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ccewiz/lab"
	"ccewiz/safefile"
	"ccewiz/steps"
	"ccewiz/steps/wxm"
	"ccewiz/testpeer"
)

// ccEnv starts both lab Cloud Connect nodes and an AW cacerts (a copy of
// the JDK's), and points the flow at them.
func ccEnv(t *testing.T) (*steps.Env, string, [2]*lab.CloudConnectNode) {
	t.Helper()
	dir := t.TempDir()
	var nodes [2]*lab.CloudConnectNode
	for i, n := range []string{lab.CloudConnectPub, lab.CloudConnectSub} {
		node, err := lab.StartCloudConnect(n, filepath.Join(dir, n+".down"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { node.Close() })
		nodes[i] = node
	}
	cacerts := filepath.Join(dir, "cacerts")
	data, err := os.ReadFile(testpeer.JDKCacerts(t))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(cacerts, data, 0o644)
	a := steps.NewAnswers()
	a.Resolve = map[string]string{lab.CloudConnectPub + ":8445": nodes[0].Addr, lab.CloudConnectSub + ":8445": nodes[1].Addr}
	w := wxm.Of(a)
	w.CloudConnect = wxm.CloudConnect{Publisher: lab.CloudConnectPub, Subscriber: lab.CloudConnectSub}
	w.AW = wxm.AWAnswers{Servers: []string{"aw1a.example.com"}, Cacerts: []string{cacerts}}
	env := steps.NewEnv(a, filepath.Join(dir, "ccewiz.yaml"))
	env.Flow, env.FlowID = wxm.Flow().Steps, wxm.FlowID
	return env, cacerts, nodes
}

func results(t *testing.T, env *steps.Env, only ...string) map[string]steps.Result {
	t.Helper()
	m := map[string]steps.Result{}
	for _, r := range steps.RunChecks(context.Background(), env.Flow, env, steps.RunOptions{Only: only}) {
		m[r.ID] = r
	}
	return m
}

// javaAccepts is the JDK's own TLS client's verdict on a node with
// cacerts as its trust store: the oracle the checks must agree with.
func javaAccepts(t *testing.T, cacerts string, n *lab.CloudConnectNode, name string) bool {
	t.Helper()
	_, err := testpeer.JavaTLSConnect(t, cacerts, "changeit", n.Addr, name)
	if err != nil && !errors.Is(err, testpeer.ErrJavaRejected) {
		t.Fatal(err)
	}
	return err == nil
}

// TestAWTrustsCloudConnect: before the step, the AW's Java (the JDK's own
// client with that cacerts) refuses both nodes and so do ccewiz's checks;
// the step imports both self-signed certificates, with a backup and every
// JDK entry kept; then Java accepts them and the checks pass; a second run
// writes nothing.
func TestAWTrustsCloudConnect(t *testing.T) {
	env, cacerts, nodes := ccEnv(t)
	orig, _ := os.ReadFile(cacerts)
	r := results(t, env, "aw.aw1a.example.com", "cherrypoint.status")
	if javaAccepts(t, cacerts, nodes[0], lab.CloudConnectPub) {
		t.Fatal("the JDK's cacerts already trusts the lab's Cloud Connect; the test is wrong")
	}
	if got := r["aw.aw1a.example.com"]; got.Status != steps.Fail || !strings.Contains(got.Detail, "PKIX path building failed") {
		t.Fatalf("before, aw: %+v", got)
	}
	if got := r["cherrypoint.status.publisher"]; got.Status != steps.Fail || !strings.Contains(got.Detail, "cherrypoint is up, but") || !strings.Contains(got.Fix, "--step aw") {
		t.Fatalf("before, status: %+v", got)
	}
	st := wxm.Flow().Find("aw")
	p, err := steps.PlanStep(context.Background(), env.Flow, st, env)
	if err != nil {
		t.Fatal(err)
	}
	run := steps.RunStep(context.Background(), env.Flow, st, env, p, "")
	if run.Err != nil || len(run.Failed()) > 0 {
		t.Fatalf("apply: %v %+v", run.Err, run.Failed())
	}
	for i, n := range []string{lab.CloudConnectPub, lab.CloudConnectSub} {
		if !javaAccepts(t, cacerts, nodes[i], n) {
			t.Errorf("after the import, Java still refuses %s", n)
		}
	}
	list := testpeer.Keytool(t, "-list", "-keystore", cacerts, "-storepass", "changeit")
	for _, alias := range []string{lab.CloudConnectPub, lab.CloudConnectSub} {
		if !strings.Contains(list, alias+",") {
			t.Errorf("keytool does not list alias %s", alias)
		}
	}
	baks := safefile.Backups(cacerts)
	if len(baks) != 1 {
		t.Fatalf("backups %v", baks)
	}
	testpeer.CheckBackup(t, cacerts, baks[0], orig)
	r = results(t, env, "aw.aw1a.example.com", "cherrypoint.status")
	for _, id := range []string{"aw.aw1a.example.com", "cherrypoint.status.publisher", "cherrypoint.status.subscriber"} {
		if r[id].Status != steps.Pass {
			t.Errorf("after, %s: %+v", id, r[id])
		}
	}
	p2, err := steps.PlanStep(context.Background(), env.Flow, st, env)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range p2.Files {
		if f.Action != steps.Unchanged {
			t.Errorf("the second plan changes %s", f.Path)
		}
	}
}

// A node whose cherrypoint is down fails its check with the command that
// starts it.
func TestCherrypointDown(t *testing.T) {
	env, _, nodes := ccEnv(t)
	os.WriteFile(nodes[1].DownFile, nil, 0o644)
	r := results(t, env, "cherrypoint.status")
	if got := r["cherrypoint.status.subscriber"]; got.Status != steps.Fail || !strings.Contains(got.Detail, `says "DOWN"`) || !strings.Contains(got.Fix, "utils cloudconnect start cherrypoint") {
		t.Errorf("down: %+v", got)
	}
	// Without any AW cacerts, ccewiz says it cannot judge the TLS.
	wxm.Of(env.Answers).AW = wxm.AWAnswers{}
	if got := results(t, env, "cherrypoint.status")["cherrypoint.status.publisher"]; got.Status != steps.Warn || !strings.Contains(got.Detail, "cannot judge") {
		t.Errorf("no AW: %+v", got)
	}
}
