package orchestration

import (
	"strings"
	"testing"
	"time"

	"ccewiz/inventoryconf"
	"ccewiz/steps"
)

func good() *Answers {
	return &Answers{
		Versions: Versions{UCCE: "12.5(1)", UCCEES: 66, UCCEES55: true, CloudConnect: "12.6(1)", CloudConnectES: 3, CVP: "12.5(1)", CVPES: 23,
			VOSRelease: "12.5(1)", OrchestrationCOP: true, KeymanagementCOP: true},
		CloudConnect: CloudConnect{Publisher: "cc1.example.com", Subscriber: "cc2.example.com", AppUser: "ccadmin"},
		Deployment:   Deployment{Name: "UnifiedCCE", Type: "UCCE-2000-Agents"},
		VOS:          []VOSCluster{{Product: "Finesse", Hosts: []string{"fin1a.example.com", "fin1b.example.com"}}},
		Windows:      []WindowsPair{{Product: "ROGGER", SideA: "rgra.example.com", SideB: "rgrb.example.com"}},
		WindowsUser:  "admin@example.local",
	}
}

// TestPrereqChecks: the guide's version table and models, one case per rule.
func TestPrereqChecks(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(*Answers)
		check func(*Answers) steps.Result
		want  steps.Status
		fix   string
	}{
		{"12.5(1) ES66 after ES55", func(*Answers) {}, checkUCCE, steps.Pass, ""},
		{"12.5(1) ES55 only", func(o *Answers) { o.Versions.UCCEES = 55 }, checkUCCE, steps.Fail, "ES66"},
		{"ES66 without ES55 before it", func(o *Answers) { o.Versions.UCCEES55 = false }, checkUCCE, steps.Fail, "ES55 must be installed before ES66"},
		{"12.5(2) needs no ES", func(o *Answers) { o.Versions.UCCE, o.Versions.UCCEES = "12.5(2)", 0 }, checkUCCE, steps.Pass, ""},
		{"12.0", func(o *Answers) { o.Versions.UCCE = "older" }, checkUCCE, steps.Fail, "12.5(2) MR"},
		{"Cloud Connect 12.6(1) ES2", func(o *Answers) { o.Versions.CloudConnectES = 2 }, checkCloudConnect, steps.Fail, "ES3"},
		{"Cloud Connect 12.5(1)", func(o *Answers) { o.Versions.CloudConnect = "12.5(1)" }, checkCloudConnect, steps.Fail, "246 GB"},
		{"VOS 12.5(1) without the orchestration COP", func(o *Answers) { o.Versions.OrchestrationCOP = false }, checkVOSCOP, steps.Fail, "ucos.orchestration.enable-12.5.1.cop.sgn"},
		{"VOS 12.6(1) needs the keymanagement COP only", func(o *Answers) { o.Versions.VOSRelease, o.Versions.OrchestrationCOP = "12.6(1)", false }, checkVOSCOP, steps.Pass, ""},
		{"VOS 12.6(1) without keymanagement", func(o *Answers) { o.Versions.VOSRelease, o.Versions.KeymanagementCOP = "12.6(1)", false }, checkVOSCOP, steps.Fail, "ucos.keymanagement.cop.sgn"},
		{"CVP 12.5(1) ES22", func(o *Answers) { o.Versions.CVPES = 22 }, checkCVP, steps.Fail, "ES23"},
		{"CVP 12.6(1)", func(o *Answers) { o.Versions.CVP, o.Versions.CVPES = "12.6(1)", 0 }, checkCVP, steps.Pass, ""},
		{"publisher by IP", func(o *Answers) { o.CloudConnect.Publisher = "10.0.0.5" }, checkNames, steps.Fail, "wizard"},
		{"no Windows user", func(o *Answers) { o.WindowsUser = "" }, checkNames, steps.Fail, "prerequisites"},
		{"not upgrading", func(*Answers) {}, checkUpgrade, steps.Skip, ""},
		{"upgrading, 146 GB disk", func(o *Answers) {
			o.UpgradingCloudConnect, o.Versions.CloudConnectDiskGB, o.Versions.CloudConnectKeymanagementCOP = true, 146, true
		}, checkUpgrade, steps.Fail, "246 GB"},
		{"upgrading without Cloud Connect's keymanagement COP", func(o *Answers) {
			o.UpgradingCloudConnect, o.Versions.CloudConnectDiskGB = true, 246
		}, checkUpgrade, steps.Fail, "keymanagement"},
		{"upgrading, prepared", func(o *Answers) {
			o.UpgradingCloudConnect, o.Versions.CloudConnectDiskGB, o.Versions.CloudConnectKeymanagementCOP = true, 250, true
		}, checkUpgrade, steps.Pass, ""},
	}
	for _, c := range cases {
		o := good()
		c.edit(o)
		r := c.check(o)
		if r.Status != c.want || !strings.Contains(r.Fix, c.fix) {
			t.Errorf("%s: %s %q, fix %q; want %s with %q", c.name, r.Status, r.Detail, r.Fix, c.want, c.fix)
		}
		if r.Status == steps.Fail && r.Fix == "" {
			t.Errorf("%s: a failure without a fix", c.name)
		}
	}
}

func TestDeploymentTypeField(t *testing.T) {
	for v, want := range map[string]string{
		"UCCE-2000-Agents":   "",
		"PCCE-4000-Agents":   "",
		"UCCE-2000-Agent":    "did you mean UCCE-2000-Agents?",
		"UCCE-12000-Agents":  "12000, 24000 and 26000",
		"HCS-SCC-2000-Agent": "Small Contact Center",
	} {
		err := deploymentType(v)
		if (err == nil) != (want == "") || err != nil && !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", v, err, want)
		}
	}
}

func TestParseLists(t *testing.T) {
	vos, err := parseVOS("Finesse:fin1a.example.com+FIN1B.example.com., CUIC_LiveData_IdS/CUIC-Cluster-9:cuic1.example.com")
	if err != nil || len(vos) != 2 || vos[0].Hosts[1] != "fin1b.example.com" || vos[1].clusterName(1) != "CUIC-Cluster-9" || vos[0].clusterName(1) != "Finesse-Cluster-1" {
		t.Fatalf("parseVOS: %+v, %v", vos, err)
	}
	if got := formatVOS(vos); got != "Finesse:fin1a.example.com+fin1b.example.com, CUIC_LiveData_IdS/CUIC-Cluster-9:cuic1.example.com" {
		t.Errorf("formatVOS: %q", got)
	}
	old := []WindowsPair{{Product: "PG", Name: "PG1", SideA: "pg1a.example.com", SSHDirA: `\\pg1a\c$\ProgramData\ssh`}}
	win, err := parseWindows("ROGGER:rgra.example.com+rgrb.example.com, PG/PG1:pg1a.example.com", old)
	if err != nil || len(win) != 2 || win[1].SSHDirA != old[0].SSHDirA || win[0].pairName() != "ROGGER" {
		t.Fatalf("parseWindows: %+v, %v (the SSH folder of a node kept must stay)", win, err)
	}
	for _, bad := range []struct{ list, want string }{
		{"Finesse", "Product:publisher"},
		{"FINESSE:fin1a.example.com", "VOS product"},
		{"Finesse:10.1.1.1", "IP address"},
	} {
		if _, err := parseVOS(bad.list); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("parseVOS(%q): %v, want %q", bad.list, err, bad.want)
		}
	}
	for _, bad := range []struct{ list, want string }{
		{"Rogger:rgra.example.com", "write ROGGER"},
		{"CVP:cvp1.example.com", "not a Windows component"},
		{"PG:a.example.com+b.example.com+c.example.com", "side A and side B only"},
	} {
		if _, err := parseWindows(bad.list, nil); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("parseWindows(%q): %v, want %q", bad.list, err, bad.want)
		}
	}
}

// TestInventoryFromAnswers: what the answers describe, written, is clean,
// and holds every node.
func TestInventoryFromAnswers(t *testing.T) {
	o := good()
	data, err := inventoryconf.Write(Inventory(o))
	if err != nil {
		t.Fatal(err)
	}
	inv, fs := inventoryconf.Check(data, expect(o))
	if len(fs) != 0 {
		t.Fatalf("findings: %v\n%s", fs, data)
	}
	if h := inventoryconf.Hosts(inv.Windows); len(h) != 2 || h[1].Side != "B" || h[1].User != "admin@example.local" {
		t.Fatalf("Windows hosts %+v", h)
	}
	if h := inventoryconf.Hosts(inv.VOS); h[0].Type != "Publisher" || h[1].Type != "Subscriber" {
		t.Fatalf("VOS hosts %+v", h)
	}
}

func TestKeyAge(t *testing.T) {
	now := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	for day, want := range map[string]steps.Status{
		"":           steps.Fail,
		"2026-11-01": steps.Pass,
		"2026-06-20": steps.Warn, // lapses 2026-12-20
		"2026-05-01": steps.Fail,
		"06/01/2026": steps.Fail,
	} {
		if r := keyAge(day, now); r.Status != want || r.Status != steps.Pass && r.Fix == "" {
			t.Errorf("%q: %s %s (fix %q), want %s", day, r.Status, r.Detail, r.Fix, want)
		}
	}
}

func TestProfileName(t *testing.T) {
	for in, want := range map[string]string{"admin@example.local": "admin", `EXAMPLE\ccadmin`: "ccadmin", "root": "root"} {
		if got := profileName(in); got != want {
			t.Errorf("profileName(%q) = %q, want %q", in, got, want)
		}
	}
}
