package ece

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ccewiz/steps"
	"ccewiz/testpeer"
)

func inventoryAnswers(model int) *steps.Answers {
	a := steps.NewAnswers()
	*ProfileOf(a) = Profile{PCCEVersion: "12.5(1)", ECEVersion: "12.5(1)", DeploymentModel: model, ECEShape: "1500-ha",
		ECEFQDN: "ece.example.com", WebServers: []string{"web1.example.com", "web2.example.com"}, LoadBalancer: "passthrough",
		ServicesServers: []string{"svc1.example.com", "svc2.example.com"}, AdminDataServers: []string{"aw1a.example.com"},
		Site: "Main", PeripheralSet: "PS1", Instance: "Multichannel"}
	return a
}

func TestWebFQDNRule(t *testing.T) {
	cases := []struct {
		name   string
		status steps.Status
		why    string
	}{
		{"ece.example.com", steps.Pass, "fully qualified"},
		{"ece", steps.Fail, "short host name"},
		{"10.1.2.3", steps.Fail, "IP address"},
		{"fe80::1", steps.Fail, "IP address"},
		{"https://ece.example.com", steps.Fail, "URL"},
		{"", steps.Fail, "required"},
	}
	for _, c := range cases {
		r := WebFQDNRule(c.name)
		if r.Status != c.status || !strings.Contains(r.Detail, c.why) {
			t.Errorf("%q: %s %s", c.name, r.Status, r.Detail)
		}
	}
}

func TestCertNameRule(t *testing.T) {
	withSANs := testpeer.NewLeaf(t, "ece.example.com", nil, testpeer.DNS("ece.example.com", "chat.example.com"))
	wildcard := testpeer.NewLeaf(t, "*.example.com", nil, testpeer.DNS("*.example.com"))
	cnOnly := testpeer.NewLeaf(t, "ece.example.com", nil, testpeer.DNS())
	cnNotSAN := testpeer.NewLeaf(t, "ece.example.com", nil, testpeer.DNS("chat.example.com"))
	cases := []struct {
		name   string
		cert   *testpeer.Cert
		host   string
		status steps.Status
		why    string
	}{
		{"CN and SAN", withSANs, "ece.example.com", steps.Pass, "DNS SAN"},
		{"other SAN", withSANs, "chat.example.com", steps.Pass, "DNS SAN"},
		{"case and trailing dot", withSANs, "ECE.Example.COM.", steps.Pass, "DNS SAN"},
		{"not in certificate", withSANs, "web1.example.com", steps.Fail, "neither the CN"},
		{"wildcard one label", wildcard, "ece.example.com", steps.Pass, "wildcard"},
		{"wildcard two labels", wildcard, "a.ece.example.com", steps.Fail, "neither"},
		{"CN only, no SANs", cnOnly, "ece.example.com", steps.Pass, "no DNS SANs"},
		{"CN only, other name", cnOnly, "chat.example.com", steps.Fail, "no DNS SANs"},
		{"CN but not among SANs", cnNotSAN, "ece.example.com", steps.Fail, "Java ignores the CN"},
	}
	for _, c := range cases {
		r := CertNameRule(c.cert.Cert, c.host)
		if r.Status != c.status || !strings.Contains(r.Detail, c.why) {
			t.Errorf("%s: %s %s", c.name, r.Status, r.Detail)
		}
		if r.Status == steps.Fail && r.Fix == "" {
			t.Errorf("%s: failure without a fix", c.name)
		}
	}
}

func TestUserRule(t *testing.T) {
	cases := []struct {
		user   string
		status steps.Status
	}{
		{"pa", steps.Pass}, {"", steps.Fail}, {"sa", steps.Fail}, {"SA", steps.Fail}, {"partadmin", steps.Warn}, {`EXAMPLE\pa`, steps.Warn}, {"pa@example.com", steps.Warn},
	}
	for _, c := range cases {
		if r := UserRule(c.user); r.Status != c.status {
			t.Errorf("%q: %s %s", c.user, r.Status, r.Detail)
		}
	}
}

func TestAppInstanceRule(t *testing.T) {
	cases := []struct {
		model  int
		typed  string
		status steps.Status
		why    string
	}{
		{2000, "", steps.Pass, "MultiChannel"},
		{2000, "MultiChannel", steps.Pass, "MultiChannel"},
		{2000, "Multichannel", steps.Fail, "only in case"},
		{2000, "UQ_MultiChannel", steps.Fail, "UQ"},
		{4000, "Main_PS1_Multichannel", steps.Pass, "Main_PS1_Multichannel"},
		{12000, "main_ps1_multichannel", steps.Fail, "case-sensitive"},
		{4000, "Main_PS2_Multichannel", steps.Fail, "not the expected"},
		{0, "", steps.Fail, "deployment_model"},
	}
	for _, c := range cases {
		a := inventoryAnswers(c.model)
		InventoryOf(a).AppInstance = c.typed
		r := AppInstanceRule(a)
		if r.Status != c.status || !strings.Contains(r.Detail, c.why) {
			t.Errorf("%d %q: %s %s", c.model, c.typed, r.Status, r.Detail)
		}
	}
}

func TestDataServersRule(t *testing.T) {
	cases := []struct {
		name   string
		shape  string
		svc    []string
		ds     []string
		status steps.Status
		why    string
	}{
		{"default = services servers", "1500-ha", []string{"svc1.example.com", "svc2.example.com"}, nil, steps.Pass, "svc1.example.com, svc2.example.com"},
		{"same, other case", "1500-ha", []string{"svc1.example.com", "svc2.example.com"}, []string{"SVC2.example.com", "svc1.example.com"}, steps.Pass, ""},
		{"HA with one", "1500-ha", []string{"svc1.example.com", "svc2.example.com"}, []string{"svc1.example.com"}, steps.Fail, "svc2.example.com is missing"},
		{"HA profile lists one", "400-ha", []string{"ece1.example.com"}, nil, steps.Fail, "both services servers"},
		{"not a services server", "1500", []string{"svc1.example.com"}, []string{"svc1.example.com", "app1.example.com"}, steps.Fail, "app1.example.com is not an ECE services server"},
		{"short name", "1500", []string{"svc1"}, []string{"svc1"}, steps.Fail, "short host name"},
		{"no services servers", "1500", nil, nil, steps.Fail, "services_servers is empty"},
		{"single side", "400-single", []string{"ece.example.com"}, nil, steps.Pass, ""},
	}
	for _, c := range cases {
		a := inventoryAnswers(2000)
		ProfileOf(a).ECEShape, ProfileOf(a).ServicesServers, InventoryOf(a).DataServers = c.shape, c.svc, c.ds
		r := DataServersRule(a)
		if r.Status != c.status || !strings.Contains(r.Detail, c.why) {
			t.Errorf("%s: %s %s", c.name, r.Status, r.Detail)
		}
	}
}

func TestResolveRule(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	a := inventoryAnswers(2000)
	a.Resolve = map[string]string{"ece.example.com:443": "127.0.0.1:44301", "chat.example.com": "127.0.0.1"}
	env := steps.NewEnv(a, "")
	cases := []struct {
		name   string
		status steps.Status
		why    string
	}{
		{"ece.example.com", steps.Pass, "resolve override"},
		{"CHAT.example.com.", steps.Pass, "resolve override"},
		// .invalid never resolves (RFC 6761), with or without a network.
		{"ece.example.invalid", steps.Fail, "does not resolve"},
	}
	for _, c := range cases {
		r := ResolveRule(ctx, env, c.name)
		if r.Status != c.status || !strings.Contains(r.Detail, c.why) {
			t.Errorf("%s: %s %s", c.name, r.Status, r.Detail)
		}
	}
}

// TestCertRuleFindsTheCertificate: from step 1's file, else from the
// server itself (a real TLS listener on loopback, reached through resolve).
func TestCertRuleFindsTheCertificate(t *testing.T) {
	ctx := context.Background()
	leaf := testpeer.NewLeaf(t, "ece.example.com", nil, testpeer.DNS("ece.example.com"))
	dir := t.TempDir()
	a := inventoryAnswers(2000)
	env := steps.NewEnv(a, filepath.Join(dir, "ccewiz.yaml"))
	env.Timeout = 2 * time.Second

	// Nothing anywhere: the failure says where it looked.
	a.Resolve = map[string]string{"ece.example.com": "127.0.0.1:1"}
	if r := CertRule(ctx, env, "ece.example.com"); r.Status != steps.Fail || !strings.Contains(r.Detail, filepath.Join("certs", "ece.example.com.crt")) {
		t.Errorf("no certificate: %+v", r)
	}

	// The server presents it.
	a.Resolve = map[string]string{"ece.example.com": testpeer.ServeTLS(t, leaf)}
	if r := CertRule(ctx, env, "ece.example.com"); r.Status != steps.Pass || !strings.Contains(r.Detail, "the server at ece.example.com:443") {
		t.Errorf("probe: %+v", r)
	}
	if r := CertRule(ctx, env, "chat.example.com"); r.Status != steps.Fail {
		t.Errorf("probe, wrong name: %+v", r)
	}

	// Step 1's file wins over the server.
	other := testpeer.NewLeaf(t, "chat.example.com", nil, testpeer.DNS("chat.example.com", "ece.example.com"))
	os.MkdirAll(filepath.Join(dir, "certs"), 0o755)
	other.WriteFiles(t, filepath.Join(dir, "certs"), "ece.example.com")
	if r := CertRule(ctx, env, "ece.example.com"); r.Status != steps.Pass || !strings.Contains(r.Detail, filepath.Join(dir, "certs", "ece.example.com.crt")) {
		t.Errorf("file: %+v", r)
	}
}

func TestBuildInventoryGUIOrder(t *testing.T) {
	a := inventoryAnswers(2000)
	sheet, err := BuildInventory(a)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, g := range sheet.GUI() {
		got = append(got, strings.TrimPrefix(g.Where, inventoryWhere+" › ")+"|"+g.Field+"|"+g.Value)
	}
	want := []string{
		"ECE Data Server|Hostname|svc1.example.com",
		"ECE Data Server|Hostname|svc2.example.com",
		"ECE Web Server|Hostname|ece.example.com",
		"ECE Web Server|User Name|pa",
		"ECE Web Server|Password|" + passwordPlaceholder,
		"ECE Web Server|Application Instance|MultiChannel",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("GUI entries:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if sheet.Method != "gui" {
		t.Errorf("method = %s", sheet.Method)
	}
	ProfileOf(a).DeploymentModel = 0
	if _, err := BuildInventory(a); err == nil || !isBadInput(err) {
		t.Errorf("no model: %v", err)
	}
}

func TestInventoryCSVFromTemplate(t *testing.T) {
	cases := []struct {
		file     string
		comma    rune
		crlf     bool
		unfilled string
		blank    string
	}{
		{"semicolon-bom-template.csv", ';', true, "Data Center", "Password"},
		{"comma-template.csv", ',', false, "Notes", "Password"},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "inventory", c.file))
			if err != nil {
				t.Fatal(err)
			}
			tmpl, err := ParseInventoryTemplate(c.file, data)
			if err != nil {
				t.Fatal(err)
			}
			if tmpl.Comma != c.comma || tmpl.CRLF != c.crlf {
				t.Errorf("template = %+v", tmpl)
			}
			a := inventoryAnswers(4000)
			sheet, err := BuildInventory(a)
			if err != nil {
				t.Fatal(err)
			}
			filled := sheet.FillCSV(tmpl, a)
			if strings.Join(filled.Unfilled, ",") != c.unfilled || strings.Join(filled.Blank, ",") != c.blank {
				t.Errorf("unfilled = %v, blank = %v", filled.Unfilled, filled.Blank)
			}
			var buf bytes.Buffer
			if err := filled.Write(&buf, tmpl); err != nil {
				t.Fatal(err)
			}
			out := buf.Bytes()
			if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) != bytes.HasPrefix(out, []byte("\xef\xbb\xbf")) {
				t.Error("BOM not kept")
			}
			// Read it back as CCE Administration would.
			r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(out, []byte("\xef\xbb\xbf"))))
			r.Comma = c.comma
			recs, err := r.ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != 4 || strings.Join(recs[0], "|") != strings.Join(tmpl.Header, "|") {
				t.Fatalf("records = %q", recs)
			}
			col := func(name string) int {
				for i, h := range recs[0] {
					if h == name {
						return i
					}
				}
				t.Fatalf("no column %s", name)
				return -1
			}
			host, pw := col(map[bool]string{true: "Hostname", false: "Host Name"}[c.comma == ';']), col("Password")
			if recs[1][host] != "svc1.example.com" || recs[2][host] != "svc2.example.com" || recs[3][host] != "ece.example.com" {
				t.Errorf("host names = %q %q %q", recs[1][host], recs[2][host], recs[3][host])
			}
			for _, rec := range recs[1:] {
				if rec[pw] != "" {
					t.Error("a password column was filled")
				}
			}
			inst := col(map[bool]string{true: "Application Instance", false: "Instance"}[c.comma == ';'])
			if recs[3][inst] != "Main_PS1_Multichannel" || recs[1][inst] != "" {
				t.Errorf("instance column = %q / %q", recs[3][inst], recs[1][inst])
			}
			if c.crlf != bytes.Contains(out, []byte("\r\n")) {
				t.Error("line endings not kept")
			}
		})
	}
}

func TestParseInventoryTemplateErrors(t *testing.T) {
	for _, in := range []string{"", "\n\n", "\xef\xbb\xbf , ,\n"} {
		if _, err := ParseInventoryTemplate("t.csv", []byte(in)); err == nil || !isBadInput(err) {
			t.Errorf("%q: err = %v", in, err)
		}
	}
}

func FuzzInventoryTemplate(f *testing.F) {
	for _, n := range []string{"semicolon-bom-template.csv", "comma-template.csv"} {
		if b, err := os.ReadFile(filepath.Join("testdata", "inventory", n)); err == nil {
			f.Add(b)
		}
	}
	a := inventoryAnswers(12000)
	sheet, err := BuildInventory(a)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tmpl, err := ParseInventoryTemplate("fuzz.csv", data)
		if err != nil {
			return
		}
		c := sheet.FillCSV(tmpl, a)
		var buf bytes.Buffer
		if err := c.Write(&buf, tmpl); err != nil {
			return
		}
		r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(buf.Bytes(), []byte("\xef\xbb\xbf"))))
		r.Comma = tmpl.Comma
		r.FieldsPerRecord = -1
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatalf("our own CSV does not read back: %v", err)
		}
		if len(recs) != 1+len(sheet.Entries) {
			t.Fatalf("%d records, want %d", len(recs), 1+len(sheet.Entries))
		}
	})
}

func TestInventoryPlan(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	leaf := testpeer.NewLeaf(t, "ece.example.com", nil, testpeer.DNS("ece.example.com"))
	os.MkdirAll(filepath.Join(dir, "certs"), 0o755)
	leaf.WriteFiles(t, filepath.Join(dir, "certs"), "ece.example.com")
	a := inventoryAnswers(2000)
	a.Resolve = map[string]string{"ece.example.com": "127.0.0.1"}
	env := steps.NewEnv(a, filepath.Join(dir, "ccewiz.yaml"))
	plan, err := NewInventoryStep().Plan(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.GUI) != 6 || plan.GUI[2].Value != "ece.example.com" || plan.Empty() {
		t.Errorf("plan GUI = %+v", plan.GUI)
	}
	// Each wrong value stops the plan, with every problem named.
	*InventoryOf(a) = InventoryAnswers{WebServerName: "web1.example.com", User: "sa", AppInstance: "multichannel"}
	_, err = NewInventoryStep().Plan(ctx, env)
	if err == nil || !isBadInput(err) {
		t.Fatalf("err = %v", err)
	}
	for _, want := range []string{"System partition", "only in case", "neither the CN"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	// 4000 agents without a template: say so, never invent a CSV.
	*InventoryOf(a) = InventoryAnswers{}
	ProfileOf(a).DeploymentModel = 4000
	plan, err = NewInventoryStep().Plan(ctx, env)
	if err != nil || !strings.Contains(strings.Join(plan.Notes, " "), "inventory.template") {
		t.Errorf("4000 plan: %+v %v", plan, err)
	}
}
