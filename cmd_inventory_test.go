package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ccewiz/testpeer"
)

const inventoryAnswersYAML = `version: 1
profile:
  pcce_version: 12.6(1)
  ece_version: 12.6(1)
  deployment_model: MODEL
  site: Main
  peripheral_set: PS1
  instance: Multichannel
  ece_shape: 1500-ha
  load_balancer: passthrough
  ece_fqdn: ece.example.com
  web_servers: [web1.example.com, web2.example.com]
  services_servers: [svc1.example.com, svc2.example.com]
  admin_data_servers: [aw1a.example.com]
resolve:
  ece.example.com: 127.0.0.1
`

func inventoryFixture(t *testing.T, model, extra string) string {
	t.Helper()
	p := writeAnswers(t, strings.Replace(inventoryAnswersYAML, "MODEL", model, 1)+extra)
	dir := filepath.Join(filepath.Dir(p), "certs")
	os.MkdirAll(dir, 0o755)
	testpeer.NewLeaf(t, "ece.example.com", nil).WriteFiles(t, dir, "ece.example.com")
	return p
}

func TestInventoryShow(t *testing.T) {
	gui := inventoryFixture(t, "2000", "")
	code, out, errOut := runCLI(t, "inventory", "show", "--answers", gui)
	if code != 0 || !strings.Contains(out, "Application Instance   MultiChannel") || !strings.Contains(out, "svc2.example.com") {
		t.Errorf("text: code %d\n%s\n%s", code, out, errOut)
	}
	if strings.Index(out, "ECE Data Server") > strings.Index(out, "ECE Web Server") {
		t.Error("data servers must come first (step 4.2 before 4.3)")
	}

	code, out, _ = runCLI(t, "inventory", "show", "--answers", gui, "--format", "json")
	var doc struct {
		Inventory struct {
			Method  string `json:"method"`
			Entries []struct {
				Kind string `json:"kind"`
			} `json:"entries"`
		} `json:"inventory"`
		Checks []struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		} `json:"checks"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || code != 0 {
		t.Fatalf("json: %v (code %d)\n%s", err, code, out)
	}
	if doc.Inventory.Method != "gui" || len(doc.Inventory.Entries) != 3 || len(doc.Checks) != 7 {
		t.Errorf("json doc = %+v", doc)
	}

	// A case slip in the Application Instance fails (exit 1) but still shows.
	bad := inventoryFixture(t, "2000", "inventory:\n  app_instance: Multichannel\n")
	code, out, _ = runCLI(t, "inventory", "show", "--answers", bad)
	if code != 1 || !strings.Contains(out, "only in case") {
		t.Errorf("bad instance: code %d\n%s", code, out)
	}

	// 4000 agents: CSV only from a template; never an invented format.
	csvA := inventoryFixture(t, "4000", "")
	code, _, errOut = runCLI(t, "inventory", "show", "--answers", csvA, "--format", "csv")
	if code != 2 || !strings.Contains(errOut, "template") {
		t.Errorf("csv without template: code %d %s", code, errOut)
	}
	tmpl := filepath.Join(t.TempDir(), "template.csv")
	os.WriteFile(tmpl, []byte("Type,Hostname,Username,Password,Application Instance,Data Center\r\n"), 0o644)
	code, out, errOut = runCLI(t, "inventory", "show", "--answers", csvA, "--format", "csv", "--template", tmpl)
	if code != 0 {
		t.Fatalf("csv: code %d\n%s", code, errOut)
	}
	recs, err := csv.NewReader(bytes.NewReader([]byte(out))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 || recs[3][1] != "ece.example.com" || recs[3][2] != "pa" || recs[3][3] != "" || recs[3][4] != "Main_PS1_Multichannel" {
		t.Errorf("rows = %q", recs)
	}
	if !strings.Contains(errOut, "could not fill (fill them before uploading): Data Center") || !strings.Contains(errOut, "Password") {
		t.Errorf("stderr = %s", errOut)
	}
	code, _, _ = runCLI(t, "inventory", "list", "--answers", csvA)
	if code != 2 {
		t.Errorf("unknown action: code %d", code)
	}
}
