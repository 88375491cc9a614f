package ece

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"ccewiz/secret"
	"ccewiz/steps"
)

func fullAnswers() *steps.Answers {
	a := steps.NewAnswers()
	*ProfileOf(a) = Profile{PCCEVersion: "12.5(1)", PCCEES: 7, ECEVersion: "12.5(1)", ECEES: 1, DeploymentModel: 4000,
		ECEShape: "1500-ha", LoadBalancer: "passthrough", ECEFQDN: "chat.example.com",
		WebServers: []string{"web1.example.com", "web2.example.com"}, AppServers: []string{"app1.example.com"},
		ServicesServers: []string{"svc1.example.com", "svc2.example.com"}, AdminDataServers: []string{"aw1a.example.com"},
		Site: "Main", PeripheralSet: "PS1", Instance: "Multichannel"}
	*CertificateOf(a) = CertificateAnswers{Mode: "ca", SANs: []string{"ece.example.com"}, KeySize: 3072, C: "BR",
		PFXPassword: secret.Ref{Env: "CCEWIZ_PFX"}}
	*SSOOf(a) = SSOAnswers{LDAPURL: "ldaps://gc.example.local:3269", BindDN: "CN=pcceadmin,CN=Users,DC=example,DC=local",
		BindPassword: secret.Ref{File: "/run/secrets/ldap"}, SSLEnabled: true}
	*TrustOf(a) = TrustAnswers{Stores: []TrustStore{{Server: "aw1a.example.com", Path: "ads/cacerts", Password: secret.Ref{Env: "STOREPASS"}}}}
	a.Resolve = map[string]string{"chat.example.com:443": "127.0.0.1:8443"}
	a.FlowState(FlowID).Progress = steps.Progress{Current: "sso", Done: []string{"profile", "certificate"}}
	return a
}

func TestAnswersRoundTrip(t *testing.T) {
	a := fullAnswers()
	data, err := steps.MarshalAnswers(a)
	if err != nil {
		t.Fatal(err)
	}
	b, err := steps.ParseAnswers("mem", data)
	if err != nil {
		t.Fatalf("re-read failed: %v\n%s", err, data)
	}
	again, _ := steps.MarshalAnswers(b)
	if !bytes.Equal(data, again) || !reflect.DeepEqual(steps.SectionValues(a), steps.SectionValues(b)) || !reflect.DeepEqual(a.Flows, b.Flows) {
		t.Errorf("round trip changed the answers:\n%s\n---\n%s", data, again)
	}
}

func TestAnswersSaveNeverWritesASecret(t *testing.T) {
	t.Setenv("CCEWIZ_PFX", "Pfx-Passw0rd!")
	dir := t.TempDir()
	path := filepath.Join(dir, "ccewiz.yaml")
	a := fullAnswers()
	env := steps.NewEnv(a, path)
	// The admin typed the LDAP password this session, and the PFX one came from the env.
	env.Secrets["sso.bind_password"] = secret.New("Ldap-Passw0rd!")
	if _, err := env.Secret("certificate.pfx_password", CertificateOf(a).PFXPassword, "PFX password"); err != nil {
		t.Fatal(err)
	}
	if _, err := steps.SaveAnswers(path, a, false); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	for _, pw := range []string{"Ldap-Passw0rd!", "Pfx-Passw0rd!"} {
		if strings.Contains(string(data), pw) {
			t.Errorf("answers file contains a password:\n%s", data)
		}
	}
	if !strings.Contains(string(data), "env: CCEWIZ_PFX") {
		t.Errorf("answers file lost the password reference:\n%s", data)
	}
}

func TestParseAnswersErrors(t *testing.T) {
	cases := []struct {
		name, yaml string
		want       []string
	}{
		{"unknown top key", "version: 1\nprofle:\n  ece_fqdn: x\n", []string{"line 2", `unknown key "profle"`, "top level"}},
		{"unknown nested key", "version: 1\nprofile:\n  ece_fqdn: a.b.c\n  pcce_versoin: 12.5(1)\n", []string{"line 4", `"pcce_versoin"`, "profile"}},
		{"bad int", "version: 1\nprofile:\n  pcce_es: seven\n", []string{"line 3", "seven", "whole number"}},
		{"list expected", "version: 1\nprofile:\n  web_servers: web1.example.com\n", []string{"line 3", "a list"}},
		{"password in clear", "version: 1\nsso:\n  bind_password: Hunter2\n", []string{"line 3", "a password is never stored"}},
		{"unknown password source", "version: 1\nsso:\n  bind_password: {vault: x}\n", []string{"line 3", `"vault"`}},
		{"no version", "profile:\n  ece_fqdn: a.b.c\n", []string{"version: 0 is not supported"}},
		{"future version", "version: 3\n", []string{"version: 3 is not supported"}},
		{"empty", "", []string{"is empty"}},
		{"not yaml", "version: [1\n", []string{"answers file mem"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := steps.ParseAnswers("mem", []byte(c.yaml))
			if err == nil {
				t.Fatal("no error")
			}
			if !isBadInput(err) {
				t.Errorf("error is not marked bad input (exit 2): %v", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "Hunter2") {
				t.Errorf("error echoes what looks like a password: %v", err)
			}
		})
	}
}

func TestExampleAnswersFileParses(t *testing.T) {
	a, err := steps.LoadAnswers("../../examples/ccewiz.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if ProfileOf(a).ECEFQDN == "" {
		t.Error("example has no ece_fqdn")
	}
}

func TestLoadAnswersMissingFile(t *testing.T) {
	_, err := steps.LoadAnswers(filepath.Join(t.TempDir(), "nope.yaml"))
	if err == nil || !strings.Contains(err.Error(), "does not exist") || !strings.Contains(err.Error(), "examples/ccewiz.yaml") {
		t.Errorf("error = %v", err)
	}
}

// A password typed where a password source goes is never repeated, not
// even its first characters (yaml's own message quotes the value, cut
// short after an escaped newline).
func TestParseAnswersNeverEchoesAPassword(t *testing.T) {
	for _, v := range []string{
		`"Pa\nssw0rd"`, `Passw0rd`, `'Pa ssw0rd'`, `[Pa, ssw0rd]`, `{Passw0rd}`, `{Pa: ssw0rd}`,
		`{env: [Pa, ssw0rd]}`, `!!binary UGFzc3cwcmQ=`, `|` + "\n    Pa\n    ssw0rd",
	} {
		_, err := steps.ParseAnswers("mem", []byte("version: 1\nsso:\n  bind_password: "+v+"\n"))
		if err == nil {
			t.Errorf("bind_password: %s was accepted", v)
			continue
		}
		if !isBadInput(err) || !strings.Contains(err.Error(), "line 3") {
			t.Errorf("bind_password: %s: error does not say where: %v", v, err)
		}
		for _, leak := range []string{"Pa", "ssw0rd", "UGFz"} {
			if strings.Contains(err.Error(), leak) {
				t.Errorf("bind_password: %s: error repeats %q: %v", v, leak, err)
			}
		}
	}
}

// TestTicksKeepWhoAndWhen: a tick is written with when and by whom, in
// the flow's state, and read back so; a version 1 file's ticks (under
// validation.ticked, the older `true` among them) still count, `false`
// does not, anything else is an error naming the line.
func TestTicksKeepWhoAndWhen(t *testing.T) {
	a := steps.NewAnswers()
	_, ticks := a.State(FlowID)
	ticks.Set("validate.no-alerts", true, "alice", time.Date(2026, 12, 4, 20, 50, 0, 0, time.FixedZone("BRT", -3*3600)).UTC().Format(time.RFC3339))
	b, err := steps.MarshalAnswers(a)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "flows:\n  ece:\n    ticked:\n      validate.no-alerts:\n        at: \"2026-12-04T23:50:00Z\"\n        by: alice") {
		t.Fatalf("written as:\n%s", b)
	}
	back, err := steps.ParseAnswers("x", b)
	if _, bt := back.State(FlowID); err != nil || (*bt)["validate.no-alerts"].By != "alice" || !bt.IsTicked("validate.no-alerts") {
		t.Fatalf("read back: %v %+v", err, bt)
	}
	old, err := steps.ParseAnswers("old", []byte("version: 1\nvalidation:\n  ticked:\n    profile.mrds: true\n    validate.agent-tab: false\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ot := old.State(FlowID); !ot.IsTicked("profile.mrds") || ot.IsTicked("validate.agent-tab") {
		t.Fatalf("old form: %+v", ot)
	}
	if _, err := steps.ParseAnswers("bad", []byte("version: 1\nvalidation:\n  ticked:\n    profile.mrds: maybe\n")); err == nil || !strings.Contains(err.Error(), "line 4") {
		t.Errorf("a tick that is neither: %v", err)
	}
}

// TestSaveKeepsTheAdminsLayout: a save keeps the comments and the key
// order of the file on disk, adds new keys after, and writes nothing (no
// backup, same bytes) when the answers did not change.
func TestSaveKeepsTheAdminsLayout(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ccewiz.yaml")
	orig := `# Site A — owned by the CC team, ask Ana before changing
version: 1
profile:
  ece_fqdn: ece.example.com # the name in the certificate
  pcce_version: 12.5(1)
  pcce_es: 7
resolve:
  # the lab's ports
  ece.example.com:443: 127.0.0.1:8443
`
	os.WriteFile(path, []byte(orig), 0o644)
	a, err := steps.LoadAnswers(path)
	if err != nil {
		t.Fatal(err)
	}
	if res, err := steps.SaveAnswers(path, a, true); err != nil || res.Backup != "" {
		t.Fatalf("an unchanged save: %+v %v", res, err)
	}
	if b, _ := os.ReadFile(path); string(b) != orig {
		t.Fatalf("an unchanged save rewrote the file:\n%s", b)
	}
	ProfileOf(a).PCCEES = 8
	SSOOf(a).LDAPURL = "ldaps://gc1.example.local:3269"
	res, err := steps.SaveAnswers(path, a, true)
	if err != nil || res.Backup == "" {
		t.Fatalf("a save with changes: %+v %v", res, err)
	}
	b, _ := os.ReadFile(path)
	s := string(b)
	for _, want := range []string{"# Site A — owned by the CC team, ask Ana before changing", "ece_fqdn: ece.example.com # the name in the certificate",
		"# the lab's ports", "pcce_es: 8", "ldap_url: ldaps://gc1.example.local:3269"} {
		if !strings.Contains(s, want) {
			t.Errorf("the saved file lacks %q:\n%s", want, s)
		}
	}
	if i, j := strings.Index(s, "ece_fqdn:"), strings.Index(s, "pcce_version:"); i < 0 || j < 0 || i > j {
		t.Errorf("the admin's key order is lost:\n%s", s)
	}
	if back, err := steps.LoadAnswers(path); err != nil || ProfileOf(back).PCCEES != 8 {
		t.Errorf("read back: %v", err)
	}
}

// TestVersion1FileUpgrades: a file written before flows kept their state
// under flows.<id> loads with the ECE flow's progress, ticks and the
// Save's confirmation where the engine reads them; the integration step
// still sees its confirmation; and the first save writes version 2 with
// the admin's comments on the moved keys.
func TestVersion1FileUpgrades(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ccewiz.yaml")
	v1 := `# Site A
version: 1
profile:
  pcce_version: 12.5(1)
  deployment_model: 2000
  ece_fqdn: ece.example.com
integration:
  awdb_name: pcce_awdb
  confirmed_at: "2026-11-23T09:15:00Z" # Ana, change CHG-1234
  confirmed_instance: MultiChannel
validation:
  test_agent: jdoe
  ticked:
    validate.no-alerts: {at: "2026-11-23T09:20:00Z", by: ana}
    profile.mrds: true
progress:
  current: validate # where we stopped
  done: [profile, certificate]
  written:
    - path: certs/ece.example.com.pfx
flows:
  wxm:
    progress: {done: [prereq]}
`
	if err := os.WriteFile(path, []byte(v1), 0o644); err != nil {
		t.Fatal(err)
	}
	a, err := steps.LoadAnswers(path)
	if err != nil {
		t.Fatal(err)
	}
	st := State(a)
	if st.Progress.Current != "validate" || !st.Progress.IsDone("certificate") || len(st.Progress.Written) != 1 ||
		!st.Ticked.IsTicked("validate.no-alerts") || st.Ticked["validate.no-alerts"].By != "ana" || !st.Ticked.IsTicked("profile.mrds") ||
		st.Confirmed["integration"] != (steps.Confirmation{At: "2026-11-23T09:15:00Z", Instance: "MultiChannel"}) {
		t.Fatalf("upgraded state: %+v", st)
	}
	if w, _ := a.State("wxm"); !w.IsDone("prereq") || ValidationOf(a).TestAgent != "jdoe" || IntegrationOf(a).AWDBName != "pcce_awdb" {
		t.Fatalf("the rest of the file: wxm %+v, validation %+v, integration %+v", w, ValidationOf(a), IntegrationOf(a))
	}
	env := steps.NewEnv(a, path)
	env.FlowID = FlowID
	if r := NewIntegrationStep().Checks()[1].Run(context.Background(), env); r.Status != steps.Pass || !strings.Contains(r.Detail, "2026-11-23T09:15:00Z") {
		t.Errorf("integration.confirmed on the upgraded file: %+v", r)
	}
	ProfileOf(a).PCCEES = 7
	if _, err := steps.SaveAnswers(path, a, true); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	s := string(b)
	t.Logf("saved:\n%s", s)
	for _, want := range []string{"# Site A\nversion: 2\n", "confirmed:\n      integration:\n        at: \"2026-11-23T09:15:00Z\" # Ana, change CHG-1234\n        instance: MultiChannel",
		"current: validate # where we stopped", "test_agent: jdoe", "pcce_es: 7"} {
		if !strings.Contains(s, want) {
			t.Errorf("saved file lacks %q:\n%s", want, s)
		}
	}
	for _, gone := range []string{"confirmed_at", "confirmed_instance", "\nprogress:", "\n  ticked:"} {
		if strings.Contains(s, gone) {
			t.Errorf("saved file still has %q:\n%s", gone, s)
		}
	}
	back, err := steps.LoadAnswers(path)
	if err != nil || !reflect.DeepEqual(State(back), st) {
		t.Fatalf("read back: %v\n%+v\nwant %+v", err, State(back), st)
	}
}
