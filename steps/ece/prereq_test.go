package ece

import (
	"context"
	"strings"
	"testing"

	"ccewiz/steps"
)

func TestCheckPatch(t *testing.T) {
	cases := []struct {
		product, version string
		es               int
		ets              []string
		wxm              bool
		want             steps.Status
		mention          string
	}{
		// PCCE 12.0(1): ES37 minimum.
		{"PCCE", "12.0(1)", 36, nil, false, steps.Fail, "ES37"},
		{"PCCE", "12.0(1)", 37, nil, false, steps.Pass, "meets"},
		{"PCCE", "12.0(1)", 0, nil, false, steps.Fail, "no ES"},
		{"PCCE", "12.0(1)", 40, nil, true, steps.Pass, "meets"},
		// PCCE 12.5(1): no minimum; the WXM analyzer needs ES7.
		{"PCCE", "12.5(1)", 0, nil, false, steps.Pass, "no minimum"},
		{"PCCE", "12.5(1)", 6, nil, true, steps.Fail, "WXM analyzer"},
		{"PCCE", "12.5(1)", 7, nil, true, steps.Pass, "meets"},
		// PCCE 12.6: nothing documented.
		{"PCCE", "12.6(1)", 0, nil, true, steps.Pass, "latest ES is recommended"},
		// ECE 12.0(1): ES3 plus ES3_ET1a.
		{"ECE", "12.0(1)", 3, []string{"ES3_ET1a"}, false, steps.Pass, "meets"},
		{"ECE", "12.0(1)", 3, []string{"es3_et1a"}, false, steps.Pass, "meets"},
		{"ECE", "12.0(1)", 3, nil, false, steps.Fail, "ES3_ET1a"},
		{"ECE", "12.0(1)", 2, []string{"ES3_ET1a"}, false, steps.Fail, "ES3 (installed: ES2)"},
		{"ECE", "12.0(1)", 0, nil, false, steps.Fail, "ES3"},
		// ECE 12.5(1): no minimum; the WXM analyzer needs ES1.
		{"ECE", "12.5(1)", 0, nil, false, steps.Pass, "no minimum"},
		{"ECE", "12.5(1)", 0, nil, true, steps.Fail, "ES1"},
		{"ECE", "12.5(1)", 1, nil, true, steps.Pass, "meets"},
	}
	for _, c := range cases {
		st, detail, fix := CheckPatch(c.product, c.version, c.es, c.ets, c.wxm)
		if st != c.want || !strings.Contains(detail, c.mention) {
			t.Errorf("%s %s ES%d %v wxm=%v: %s %q; want %s mentioning %q", c.product, c.version, c.es, c.ets, c.wxm, st, detail, c.want, c.mention)
		}
		if st == steps.Fail && !strings.Contains(fix, "install") {
			t.Errorf("%s %s: a failure without an install fix: %q", c.product, c.version, fix)
		}
	}
}

func TestAppInstance(t *testing.T) {
	cases := []struct {
		p       Profile
		want    string
		wantErr string
	}{
		{Profile{DeploymentModel: 2000}, "MultiChannel", ""},
		{Profile{DeploymentModel: 2000, Site: "Main", PeripheralSet: "PS1", Instance: "X"}, "MultiChannel", ""},
		{Profile{DeploymentModel: 4000, Site: "Main", PeripheralSet: "PS1", Instance: "Multichannel"}, "Main_PS1_Multichannel", ""},
		{Profile{DeploymentModel: 12000, Site: "SiteB", PeripheralSet: "ps2", Instance: "multiChannel"}, "SiteB_ps2_multiChannel", ""},
		{Profile{DeploymentModel: 12000, Site: " Main ", PeripheralSet: "PS1", Instance: "MC"}, "Main_PS1_MC", ""},
		{Profile{DeploymentModel: 4000, Site: "Main"}, "", "profile.peripheral_set, profile.instance are missing"},
		{Profile{DeploymentModel: 4000, PeripheralSet: "PS1", Instance: "X"}, "", "profile.site is missing"},
		{Profile{DeploymentModel: 4000, Site: "UQ", PeripheralSet: "PS1", Instance: "X"}, "", "starts with UQ"},
		{Profile{DeploymentModel: 0}, "", "not set"},
		{Profile{DeploymentModel: 1500}, "", "not a PCCE model"},
	}
	for _, c := range cases {
		got, err := AppInstance(c.p)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%+v: error %v, want %q", c.p, err, c.wantErr)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%+v: %q, %v; want %q", c.p, got, err, c.want)
		}
	}
}

func TestCompareAppInstance(t *testing.T) {
	cases := []struct{ got, want, wantErr string }{
		{"MultiChannel", "MultiChannel", ""},
		{"Multichannel", "MultiChannel", "only in case"},
		{"UQ_MultiChannel", "MultiChannel", "starts with UQ"},
		{"uqMain", "MultiChannel", "starts with UQ"},
		{"Main_PS1_Multichannel", "Main_PS2_Multichannel", "is not the expected"},
		{"", "MultiChannel", "empty"},
		{"Multi Channel", "MultiChannel", "spaces"},
	}
	for _, c := range cases {
		err := CompareAppInstance(c.got, c.want)
		if (c.wantErr == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.wantErr)) {
			t.Errorf("CompareAppInstance(%q, %q) = %v, want %q", c.got, c.want, err, c.wantErr)
		}
	}
}

func TestValidateFQDN(t *testing.T) {
	cases := []struct{ in, wantErr string }{
		{"ece.example.com", ""},
		{"ECE.Example.COM.", ""},
		{"ucsvrece-web01.corp.example.com", ""},
		{"", "required"},
		{"ece", "short host name"},
		{"10.0.0.5", "IP address"},
		{"::1", "IP address"},
		{"https://ece.example.com/default", "URL"},
		{"ece..example.com", "empty label"},
		{"-ece.example.com", "hyphen"},
		{"ece_web.example.com", `"_" is not allowed`},
		{strings.Repeat("a", 64) + ".example.com", "longer than 63"},
	}
	for _, c := range cases {
		err := steps.ValidateFQDN(c.in)
		if (c.wantErr == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.wantErr)) {
			t.Errorf("ValidateFQDN(%q) = %v, want %q", c.in, err, c.wantErr)
		}
	}
}

func TestProfileChecks(t *testing.T) {
	good := func() *steps.Answers {
		a, err := steps.LoadAnswers("../../examples/ccewiz.yaml")
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	cases := []struct {
		name   string
		change func(a *steps.Answers)
		id     string
		want   steps.Status
	}{
		{"example passes", func(*steps.Answers) {}, "profile.complete", steps.Pass},
		{"missing fqdn", func(a *steps.Answers) { ProfileOf(a).ECEFQDN = "" }, "profile.complete", steps.Fail},
		{"short fqdn", func(a *steps.Answers) { ProfileOf(a).ECEFQDN = "ece" }, "profile.complete", steps.Fail},
		{"old pcce", func(a *steps.Answers) { ProfileOf(a).PCCEVersion, ProfileOf(a).PCCEES = "12.0(1)", 30 }, "profile.pcce-patch", steps.Fail},
		{"ece 12.0 without ET", func(a *steps.Answers) { ProfileOf(a).ECEVersion, ProfileOf(a).ECEES = "12.0(1)", 3 }, "profile.ece-patch", steps.Fail},
		{"wxm without ES", func(a *steps.Answers) { ProfileOf(a).WXMAnalyzer, ProfileOf(a).ECEES = true, 0 }, "profile.ece-patch", steps.Fail},
		{"4000 without site", func(a *steps.Answers) { ProfileOf(a).DeploymentModel = 4000 }, "profile.app-instance", steps.Fail},
		{"two web servers, no balancer", func(a *steps.Answers) { ProfileOf(a).WebServers = []string{"w1.example.com", "w2.example.com"} }, "profile.servers", steps.Fail},
		{"1500 HA with one services server", func(a *steps.Answers) { ProfileOf(a).ECEShape = "1500-ha" }, "profile.servers", steps.Fail},
		{"400 HA with one app server", func(a *steps.Answers) { ProfileOf(a).ECEShape = "400-ha" }, "profile.servers", steps.Warn},
		{"no ADS", func(a *steps.Answers) { ProfileOf(a).AdminDataServers = nil }, "profile.servers", steps.Fail},
		{"mrds is manual", func(*steps.Answers) {}, "profile.mrds", steps.Manual},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := good()
			c.change(a)
			rs := steps.RunChecks(context.Background(), []steps.Step{NewProfileStep()}, steps.NewEnv(a, ""), steps.RunOptions{Only: []string{c.id}})
			if len(rs) != 1 {
				t.Fatalf("got %d results", len(rs))
			}
			if rs[0].Status != c.want {
				t.Errorf("%s = %s (%s), want %s", c.id, rs[0].Status, rs[0].Detail, c.want)
			}
			if rs[0].Status == steps.Fail && rs[0].Fix == "" {
				t.Errorf("%s failed without a fix", c.id)
			}
		})
	}
}

func TestEnvTarget(t *testing.T) {
	a := steps.NewAnswers()
	a.Resolve = map[string]string{"ece.example.com:443": "127.0.0.1:8443", "dc1.example.local": "127.0.0.1", "gc.example.local": "127.0.0.2:3269"}
	env := steps.NewEnv(a, "")
	cases := map[string]string{
		"ece.example.com:443":    "127.0.0.1:8443",
		"ECE.example.com:443":    "127.0.0.1:8443",
		"ece.example.com:80":     "ece.example.com:80",
		"dc1.example.local:3269": "127.0.0.1:3269",
		"gc.example.local:636":   "127.0.0.2:3269",
		"other.example.com:443":  "other.example.com:443",
		"not-an-address":         "not-an-address",
	}
	for in, want := range cases {
		if got := env.Target(in); got != want {
			t.Errorf("Target(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEnvPath(t *testing.T) {
	env := steps.NewEnv(steps.NewAnswers(), "/srv/lab/ccewiz.yaml")
	cases := map[string]string{
		"certs":                    "/srv/lab/certs",
		"/etc/ssl/x":               "/etc/ssl/x",
		`C:\ece\pcce\mydomain.jks`: `C:\ece\pcce\mydomain.jks`,
		`\\web1\c$\Cisco\eService`: `\\web1\c$\Cisco\eService`,
		"":                         "",
	}
	for in, want := range cases {
		if got := env.Path(in); got != want {
			t.Errorf("Path(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFieldsSetAndValidate(t *testing.T) {
	a := steps.NewAnswers()
	fields := NewProfileStep().Fields()
	for key, v := range map[string]string{
		"profile.pcce_version":     "12.5(1)",
		"profile.deployment_model": "4000",
		"profile.web_servers":      "web1.example.com, web2.example.com;web3.example.com",
		"profile.wxm_analyzer":     "yes",
		"profile.load_balancer":    "PASSTHROUGH",
	} {
		if err := steps.SetField(a, fields, key, v); err != nil {
			t.Errorf("SetField(%s, %q): %v", key, v, err)
		}
	}
	if len(ProfileOf(a).WebServers) != 3 || !ProfileOf(a).WXMAnalyzer || ProfileOf(a).LoadBalancer != "passthrough" || ProfileOf(a).DeploymentModel != 4000 {
		t.Errorf("fields not stored: %+v", *ProfileOf(a))
	}
	for key, v := range map[string]string{
		"profile.pcce_version":     "11.6",
		"profile.deployment_model": "1500",
		"profile.ece_fqdn":         "10.1.1.1",
		"profile.wxm_analyzer":     "maybe",
		"profile.pcce_es":          "ES7",
		"profile.nope":             "x",
	} {
		if err := steps.SetField(a, fields, key, v); err == nil || !isBadInput(err) {
			t.Errorf("SetField(%s, %q) = %v, want a bad-input error", key, v, err)
		}
	}
}
