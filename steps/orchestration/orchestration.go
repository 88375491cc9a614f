// Package orchestration is the flow that onboards a CCE deployment to
// Cloud Connect 12.6 orchestration (seeds 000–002, DOMAIN-orchestration.md):
// prerequisites, the Artifactory key and image repository, VOS onboarding,
// Cloud Connect's SSH key on every Windows node, inventory.conf, and the
// validation. Cloud Connect and the VOS nodes are driven by their CLIs,
// which ccewiz cannot reach; it prints the exact dialogues there, and does
// the rest — the certificates, the keys, the inventory file — for real,
// checking each against the server that will use it.
package orchestration

import (
	"fmt"
	"strings"

	"ccewiz/inventoryconf"
	"ccewiz/secret"
	"ccewiz/steps"
)

// FlowID is what --flow takes.
const FlowID = "orchestration"

// Answers is the orchestration section of the answers file; every key is
// in docs/answers.md.
type Answers struct {
	Versions     Versions     `yaml:"versions,omitempty"`
	CloudConnect CloudConnect `yaml:"cloud_connect,omitempty"`
	// UpgradingCloudConnect: Cloud Connect goes from 12.5 to 12.6 first.
	UpgradingCloudConnect bool `yaml:"upgrading_cloud_connect,omitempty"`
	// Repository is the Artifactory side (step 2); its API key is never kept.
	Repository Repository `yaml:"repository,omitempty"`
	Deployment Deployment `yaml:"deployment,omitempty"`
	// VOS are the VOS clusters to onboard (step 3).
	VOS []VOSCluster `yaml:"vos,omitempty"`
	// Windows are the Windows nodes Cloud Connect reaches over SSH (step 4).
	Windows []WindowsPair `yaml:"windows,omitempty"`
	// WindowsUser is the logon user Cloud Connect uses on every Windows node
	// (a domain admin, or a domain user with local admin rights).
	WindowsUser string `yaml:"windows_user,omitempty"`
	// SSHDDebugLog is the guide's troubleshooting change on every Windows
	// node ccewiz reaches: sshd_config's SyslogFacility LOCAL0 and LogLevel
	// DEBUG, so sshd writes C:\ProgramData\ssh\logs\sshd.log.
	SSHDDebugLog bool `yaml:"sshd_debug_log,omitempty"`
	// KeysFile is where the fetched keys are kept (default
	// orchestration/cloudconnect.keys beside the answers).
	KeysFile string `yaml:"keys_file,omitempty"`
	// InventoryFile is inventory.conf as written or as exported and edited
	// (default orchestration/inventory.conf).
	InventoryFile string `yaml:"inventory_file,omitempty"`
	// SFTP is where utils system inventory export/import put the file.
	SFTP SFTP `yaml:"sftp,omitempty"`
	// ProofKey is a private key Cloud Connect's key file holds the public
	// half of, to prove each Windows node accepts it (the lab has Cloud
	// Connect's; on a real deployment there is none, and the check proves
	// that sshd offers public-key authentication for the user).
	ProofKey string `yaml:"proof_key,omitempty"`
}

// Versions are the releases and Engineering Specials of the guide's table.
type Versions struct {
	UCCE           string `yaml:"ucce,omitempty"` // 12.5(1), 12.5(2), 12.6(1)
	UCCEES         int    `yaml:"ucce_es,omitempty"`
	UCCEES55       bool   `yaml:"ucce_es55,omitempty"` // 12.5(1): ES55 installed before ES66
	CloudConnect   string `yaml:"cloud_connect,omitempty"`
	CloudConnectES int    `yaml:"cloud_connect_es,omitempty"`
	CVP            string `yaml:"cvp,omitempty"`
	CVPES          int    `yaml:"cvp_es,omitempty"`
	// VOSRelease is the Finesse/CUIC/VVB release; the COPs they need.
	VOSRelease       string `yaml:"vos,omitempty"`
	OrchestrationCOP bool   `yaml:"orchestration_cop,omitempty"` // ucos.orchestration.enable-12.5.1.cop.sgn
	KeymanagementCOP bool   `yaml:"keymanagement_cop,omitempty"` // ucos.keymanagement.cop.sgn
	// CloudConnectDiskGB is the Cloud Connect VM's disk, and
	// CloudConnectKeymanagementCOP its keymanagement COP, for the 12.5 →
	// 12.6 upgrade.
	CloudConnectDiskGB           int  `yaml:"cloud_connect_disk_gb,omitempty"`
	CloudConnectKeymanagementCOP bool `yaml:"cloud_connect_keymanagement_cop,omitempty"`
}

// CloudConnect is the cluster, by FQDN, and its application user.
type CloudConnect struct {
	Publisher   string     `yaml:"publisher,omitempty"`
	Subscriber  string     `yaml:"subscriber,omitempty"`
	AppUser     string     `yaml:"app_user,omitempty"`
	AppPassword secret.Ref `yaml:"app_password,omitempty"`
	// CertDir is where the nodes' certificates are kept for the VOS
	// tomcat-trust imports (default orchestration/).
	CertDir string `yaml:"cert_dir,omitempty"`
}

// Repository is what the image-repository step records.
type Repository struct {
	// KeyGenerated is the day the Artifactory API key was made (YYYY-MM-DD):
	// it lapses unless someone logs in to devhub at least every 6 months.
	KeyGenerated string `yaml:"key_generated,omitempty"`
}

// Deployment is inventory.conf's deploymentName and deploymentType.
type Deployment struct {
	Name string `yaml:"name,omitempty"`
	Type string `yaml:"type,omitempty"`
}

// VOSCluster is one VOS cluster: its publisher first.
type VOSCluster struct {
	Product string   `yaml:"product"`
	Name    string   `yaml:"name,omitempty"` // default <Product>-Cluster-<n>
	Hosts   []string `yaml:"hosts"`
}

// WindowsPair is one Windows pair (side A, side B).
type WindowsPair struct {
	Product string `yaml:"product"`
	Name    string `yaml:"name,omitempty"` // default the product
	SideA   string `yaml:"side_a,omitempty"`
	SideB   string `yaml:"side_b,omitempty"`
	// SSHDir is each node's C:\ProgramData\ssh as this machine reaches it
	// (a local path where ccewiz runs on the node, \\node\c$\ProgramData\ssh
	// through the admin share); empty: ccewiz writes a PowerShell script.
	SSHDirA string `yaml:"ssh_dir_a,omitempty"`
	SSHDirB string `yaml:"ssh_dir_b,omitempty"`
}

// Of is the orchestration section of a's answers.
func Of(a *steps.Answers) *Answers { return steps.Section[Answers](a, FlowID) }

// Flow is the orchestration flow, in the guide's order.
func Flow() *steps.Flow {
	return &steps.Flow{ID: FlowID, Title: "CCE orchestration through Cloud Connect", Sections: []string{FlowID}, Steps: []steps.Step{
		prereqStep{},
		repositoryStep{},
		vosStep{},
		windowsStep{},
		inventoryStep{},
		validateStep{},
	}}
}

func init() {
	steps.RegisterSection(FlowID, func() any { return &Answers{} })
	steps.RegisterFlow(Flow)
}

func norm(s string) string { return strings.ToLower(strings.TrimSuffix(strings.TrimSpace(s), ".")) }

// clusterName is a VOS cluster's name in inventory.conf.
func (c VOSCluster) clusterName(n int) string {
	if c.Name != "" {
		return c.Name
	}
	return fmt.Sprintf("%s-Cluster-%d", c.Product, n)
}

func (w WindowsPair) pairName() string {
	if w.Name != "" {
		return w.Name
	}
	return w.Product
}

// hosts are a pair's nodes with their side and SSH folder.
func (w WindowsPair) hosts() []winHost {
	var out []winHost
	if h := norm(w.SideA); h != "" {
		out = append(out, winHost{Name: h, Side: "A", SSHDir: w.SSHDirA, Pair: w.pairName()})
	}
	if h := norm(w.SideB); h != "" {
		out = append(out, winHost{Name: h, Side: "B", SSHDir: w.SSHDirB, Pair: w.pairName()})
	}
	return out
}

type winHost struct{ Name, Side, SSHDir, Pair string }

func windowsHosts(o *Answers) []winHost {
	var out []winHost
	for _, w := range o.Windows {
		out = append(out, w.hosts()...)
	}
	return out
}

// Inventory is inventory.conf as the answers describe the deployment.
func Inventory(o *Answers) *inventoryconf.Inventory {
	inv := &inventoryconf.Inventory{DeploymentName: o.Deployment.Name, DeploymentType: o.Deployment.Type}
	n := map[string]int{}
	for _, c := range o.VOS {
		n[c.Product]++
		cl := inventoryconf.Cluster{Name: c.clusterName(n[c.Product])}
		for i, h := range c.Hosts {
			typ, side := "Publisher", "A"
			if i > 0 {
				typ, side = "Subscriber", "B"
			}
			cl.Hosts = append(cl.Hosts, inventoryconf.Host{Name: norm(h), Side: side, Type: typ})
		}
		inv.VOS = append(inv.VOS, inventoryconf.Product{Name: c.Product, Clusters: []inventoryconf.Cluster{cl}})
	}
	for _, w := range o.Windows {
		cl := inventoryconf.Cluster{Name: w.pairName()}
		for _, h := range w.hosts() {
			cl.Hosts = append(cl.Hosts, inventoryconf.Host{Name: h.Name, Side: h.Side, User: o.WindowsUser})
		}
		inv.Windows = append(inv.Windows, inventoryconf.Product{Name: w.Product, Clusters: []inventoryconf.Cluster{cl}})
	}
	return inv
}

// expect is the hosts inventory.conf must hold.
func expect(o *Answers) *inventoryconf.Expect {
	e := &inventoryconf.Expect{}
	for _, c := range o.VOS {
		for _, h := range c.Hosts {
			e.VOS = append(e.VOS, norm(h))
		}
	}
	for _, h := range windowsHosts(o) {
		e.Windows = append(e.Windows, h.Name)
	}
	return e
}

func keysFile(env *steps.Env) string {
	return env.Path(orDefault(Of(env.Answers).KeysFile, "orchestration/cloudconnect.keys"))
}

func inventoryFile(env *steps.Env) string {
	return env.Path(orDefault(Of(env.Answers).InventoryFile, "orchestration/inventory.conf"))
}

func certDir(env *steps.Env) string {
	return env.Path(orDefault(Of(env.Answers).CloudConnect.CertDir, "orchestration"))
}

func orDefault(s, d string) string {
	if strings.TrimSpace(s) == "" {
		return d
	}
	return strings.TrimSpace(s)
}

// nodes are the Cloud Connect publisher and subscriber, as given.
func nodes(o *Answers) []string {
	var out []string
	for _, n := range []string{o.CloudConnect.Publisher, o.CloudConnect.Subscriber} {
		if n = norm(n); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// SFTP is the server utils system inventory export and import use.
type SFTP struct {
	Server string `yaml:"server,omitempty"` // IP or FQDN
	User   string `yaml:"user,omitempty"`
	Dir    string `yaml:"dir,omitempty"` // UNIX form: /voice/ipcc/enterprise/orchestration
}
