package lab

import (
	"os/user"
	"path/filepath"
	"time"

	"ccewiz/inventoryconf"
	"ccewiz/secret"
	"ccewiz/steps"
	"ccewiz/steps/orchestration"
)

// orchestrationDefaults are the orchestration flow's answers for the lab:
// the Cloud Connect nodes of the WxM flow (now serving their control-node
// keys), one Finesse cluster, and the lab's Windows node, whose
// ProgramData\ssh ccewiz reaches as a folder. The Artifactory key is
// recorded as made the day the lab was; the lab's Cloud Connect private
// key is the proof key, which a real deployment never hands out.
func (l *Lab) orchestrationDefaults(a *steps.Answers) {
	p := l.path
	o := orchestration.Of(a)
	o.Versions = orchestration.Versions{UCCE: "12.5(1)", UCCEES: 66, UCCEES55: true, CloudConnect: "12.6(1)", CloudConnectES: 3,
		CVP: "12.5(1)", CVPES: 23, VOSRelease: "12.5(1)", OrchestrationCOP: true, KeymanagementCOP: true}
	o.CloudConnect = orchestration.CloudConnect{Publisher: CloudConnectPub, Subscriber: CloudConnectSub, AppUser: "ccadmin",
		AppPassword: secret.Ref{File: p("secrets", "cloudconnect-password")}}
	o.Repository.KeyGenerated = time.Now().Format(time.DateOnly)
	o.Deployment = orchestration.Deployment{Name: "UnifiedCCE", Type: "UCCE-2000-Agents"}
	o.VOS = []orchestration.VOSCluster{{Product: "Finesse", Hosts: []string{FinesseFQDN, "fin1b.example.com"}}}
	o.Windows = []orchestration.WindowsPair{{Product: "ROGGER", SideA: WindowsNode, SSHDirA: l.windowsSSHDir()}}
	o.WindowsUser = labUser()
	o.SFTP = orchestration.SFTP{Server: "sftp.example.com", User: "sftpuser", Dir: "/voice/ipcc/enterprise/orchestration"}
	o.ProofKey = p("lab", CloudConnectPub+".controlnode_rsa")
}

func (l *Lab) windowsSSHDir() string { return l.path("windows", WindowsNode, "ProgramData", "ssh") }

// labUser is the logon user of the lab's Windows node: whoever runs the
// lab, as its SSH server is a process of theirs.
func labUser() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return "administrator"
}

// startOrchestration starts the Windows node and leaves, once, the file
// `utils system inventory export` would give: the VOS nodes Cloud Connect
// onboarded, no Windows node yet — the one a newcomer edits and checks.
func (l *Lab) startOrchestration(logf func(string, ...any)) error {
	n, err := startWindowsNode(l.windowsSSHDir(), logf)
	if err != nil {
		return err
	}
	l.winNode, l.WindowsNodeAddr, l.WindowsSSHDir, l.WindowsSSHKind = n, n.addr, n.sshDir, n.kind
	exported, err := inventoryconf.Write(&inventoryconf.Inventory{
		VOS: []inventoryconf.Product{{Name: "Finesse", Clusters: []inventoryconf.Cluster{{Name: "Finesse-Cluster-1", Hosts: []inventoryconf.Host{
			{Name: FinesseFQDN, Side: "A", Type: "Publisher"}, {Name: "fin1b.example.com", Side: "B", Type: "Subscriber"}}}}}},
		DeploymentName: "UnifiedCCE", DeploymentType: "UCCE-2000-Agents"})
	if err != nil {
		return err
	}
	return writeIfMissing(filepath.Join(l.Dir, "orchestration", "inventory.conf.exported"), exported, 0o644)
}
