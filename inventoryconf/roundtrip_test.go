package inventoryconf

import (
	"reflect"
	"testing"

	goccy "github.com/goccy/go-yaml"
)

// TestWriteReadsTheSameInAnotherParser: what Write produces means the same
// to an independent YAML implementation (goccy/go-yaml, not a yaml.v3
// fork) as to Check — Cloud Connect's own parser is neither.
func TestWriteReadsTheSameInAnotherParser(t *testing.T) {
	inv := &Inventory{
		VOS: []Product{{Name: "Finesse", Clusters: []Cluster{{Name: "Finesse-Cluster-1", Hosts: []Host{
			{Name: "fin1.example.com", Side: "A", Type: "Publisher"}, {Name: "fin2.example.com", Side: "B", Type: "Subscriber"}}}}}},
		Windows: []Product{{Name: "ROGGER", Clusters: []Cluster{{Name: "ROGGER", Hosts: []Host{
			{Name: "rgra.example.com", Side: "A", User: `EXAMPLE\cc"admin`}, {Name: "rgrb.example.com", Side: "B", User: "admin@example.local"}}}}}},
		DeploymentName: `Unified CCE "Lab" #1`,
		DeploymentType: "PCCE-4000-Agents",
	}
	out, err := Write(inv)
	if err != nil {
		t.Fatal(err)
	}
	var other struct {
		Inventory struct {
			VOS            map[string]map[string]struct{ Hosts []map[string]string } `yaml:"VOS"`
			Windows        map[string]map[string]struct{ Hosts []map[string]string } `yaml:"Windows"`
			DeploymentName string                                                    `yaml:"deploymentName"`
			DeploymentType string                                                    `yaml:"deploymentType"`
		} `yaml:"inventory"`
	}
	if err := goccy.Unmarshal(out, &other); err != nil {
		t.Fatalf("goccy/go-yaml cannot read what Write wrote: %v\n%s", err, out)
	}
	o := other.Inventory
	if o.DeploymentName != inv.DeploymentName || o.DeploymentType != inv.DeploymentType {
		t.Fatalf("deployment read as %q/%q", o.DeploymentName, o.DeploymentType)
	}
	if len(o.VOS) != len(VOSProducts) || len(o.Windows) != len(WindowsProducts) {
		t.Fatalf("products: %d VOS, %d Windows; want every known one", len(o.VOS), len(o.Windows))
	}
	got := o.Windows["ROGGER"]["ROGGER"].Hosts
	want := []map[string]string{{"name": "rgra.example.com", "side": "A", "user": `EXAMPLE\cc"admin`}, {"name": "rgrb.example.com", "side": "B", "user": "admin@example.local"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("ROGGER hosts read as %v", got)
	}
	if h := o.VOS["Finesse"]["Finesse-Cluster-1"].Hosts; len(h) != 2 || h[1]["type"] != "Subscriber" {
		t.Fatalf("Finesse hosts read as %v", h)
	}
	back, fs := Check(out, nil)
	if len(fs) != 0 || Hosts(back.Windows)[0].User != `EXAMPLE\cc"admin` {
		t.Fatalf("Check of Write's output: %v, %+v", fs, Hosts(back.Windows))
	}
}

// TestWriteRefuses: what Check would refuse, Write does not write.
func TestWriteRefuses(t *testing.T) {
	base := func() *Inventory {
		return &Inventory{Windows: []Product{{Name: "PG", Clusters: []Cluster{{Name: "PG1", Hosts: []Host{{Name: "pg1a.example.com", Side: "A", User: "u@example.local"}}}}}},
			DeploymentName: "X", DeploymentType: "UCCE-2000-Agents"}
	}
	cases := map[string]func(*Inventory){
		"unknown product":   func(i *Inventory) { i.Windows[0].Name = "Pg" },
		"side C":            func(i *Inventory) { i.Windows[0].Clusters[0].Hosts[0].Side = "C" },
		"no user":           func(i *Inventory) { i.Windows[0].Clusters[0].Hosts[0].User = "" },
		"bad type":          func(i *Inventory) { i.DeploymentType = "UCCE-12000-Agents" },
		"no name":           func(i *Inventory) { i.DeploymentName = "" },
		"newline in a host": func(i *Inventory) { i.Windows[0].Clusters[0].Hosts[0].Name = "pg1a\n  evil: x" },
		"cluster name key":  func(i *Inventory) { i.Windows[0].Clusters[0].Name = "PG1: {}" },
		"VOS without type": func(i *Inventory) {
			i.VOS = []Product{{Name: "VVB", Clusters: []Cluster{{Name: "VVB-Cluster-1", Hosts: []Host{{Name: "vvb1.example.com", Side: "A"}}}}}}
		},
	}
	if _, err := Write(base()); err != nil {
		t.Fatalf("the base inventory: %v", err)
	}
	for name, f := range cases {
		inv := base()
		f(inv)
		if out, err := Write(inv); err == nil {
			t.Errorf("%s: written:\n%s", name, out)
		}
	}
}
