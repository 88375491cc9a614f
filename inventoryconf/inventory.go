// Package inventoryconf reads, checks and writes Cloud Connect 12.6's
// inventory.conf: the YAML file that tells orchestration which VOS and
// Windows nodes make up the deployment (seeds 000–002, step 5;
// DOMAIN-orchestration.md). Cloud Connect imports it as it is, and a
// mistake shows only later, as a failed patch: so Check reports each
// problem with its line and its fix, and Write produces the file in the
// export's own layout (LF, two spaces per level, quoted values) that Check
// accepts.
package inventoryconf

import (
	"fmt"
	"strings"
)

// VOSProducts are the VOS product keys, spelled as Cloud Connect's export
// writes them (mixed case, unlike the Windows ones).
var VOSProducts = []string{"CUIC", "CUIC_LiveData_IdS", "Finesse", "IdS", "LiveData", "VVB"}

// WindowsProducts are the Windows component keys; the guide requires them
// in upper case.
var WindowsProducts = []string{"CVPSERVER", "CVPOAMP", "CVPREPORTING", "DISTRIBUTOR", "LOGGER", "PG", "ROGGER", "ROUTER"}

// DeploymentTypes are the deploymentType values orchestration supports,
// case-sensitive, as Cisco's published sample files spell them.
var DeploymentTypes = []string{"UCCE-2000-Agents", "UCCE-4000-Agents", "PCCE-2000-Agents", "PCCE-4000-Agents",
	"HCS-CC-2000-Agents", "HCS-CC-4000-Agents"}

// Sides and VOS node types, as the export writes them.
var (
	Sides    = []string{"A", "B"}
	VOSTypes = []string{"Publisher", "Subscriber"}
)

// Host is one node of a cluster. Type is for VOS nodes, User for Windows
// nodes (the logon user Cloud Connect's SSH key is installed for).
type Host struct {
	Name string `json:"name"`
	Side string `json:"side,omitempty"`
	Type string `json:"type,omitempty"`
	User string `json:"user,omitempty"`
	Line int    `json:"line,omitempty"`
}

// Cluster is a named group of hosts: a VOS cluster (Finesse-Cluster-1) or
// a Windows pair (ROGGER, PG1, AW-HDS-DDS1).
type Cluster struct {
	Name  string `json:"name"`
	Hosts []Host `json:"hosts"`
	Line  int    `json:"line,omitempty"`
}

// Product is a VOS product or Windows component with its clusters; none
// is written as {}.
type Product struct {
	Name     string    `json:"name"`
	Clusters []Cluster `json:"clusters,omitempty"`
	Line     int       `json:"line,omitempty"`
}

// Inventory is what inventory.conf holds.
type Inventory struct {
	VOS            []Product `json:"vos"`
	Windows        []Product `json:"windows"`
	DeploymentName string    `json:"deployment_name"`
	DeploymentType string    `json:"deployment_type"`
}

// Hosts lists every host of products, in file order.
func Hosts(products []Product) []Host {
	var hs []Host
	for _, p := range products {
		for _, c := range p.Clusters {
			hs = append(hs, c.Hosts...)
		}
	}
	return hs
}

// Finding is one problem of a file: where, which rule, what, and the fix.
type Finding struct {
	Line    int    `json:"line"` // 1-based; 0: the file as a whole
	Rule    string `json:"rule"`
	Message string `json:"message"`
	Fix     string `json:"fix"`
}

func (f Finding) String() string {
	where := "inventory.conf"
	if f.Line > 0 {
		where = fmt.Sprintf("line %d", f.Line)
	}
	return fmt.Sprintf("%s: %s (%s); fix: %s", where, f.Message, f.Rule, f.Fix)
}

// The rules a Finding names.
const (
	RuleEncoding       = "encoding"
	RuleLineEndings    = "line-endings"
	RuleTab            = "tab"
	RuleIndent         = "indentation"
	RuleSyntax         = "syntax"
	RuleStructure      = "structure"
	RuleProductCase    = "product-case"
	RuleProductUnknown = "product-unknown"
	RuleHost           = "host"
	RuleSide           = "side"
	RuleVOSType        = "vos-type"
	RuleUser           = "windows-user"
	RuleDuplicate      = "duplicate-host"
	RuleDeployment     = "deployment-type"
	RuleName           = "deployment-name"
	RuleMissingHost    = "missing-host"
)

// Expect is what the deployment holds (from the answers): each host must
// be in the file, VOS or Windows.
type Expect struct {
	VOS, Windows []string
}

// didYouMean is the candidate closest to s (case first, then at most a
// few edits), or "".
func didYouMean(s string, candidates []string) string {
	for _, c := range candidates {
		if strings.EqualFold(s, c) {
			return c
		}
	}
	// A few edits for long names, one for short ones: CVP is not VVB.
	best, bestD := "", min(4, len(s)/4+2)
	for _, c := range candidates {
		if d := distance(strings.ToLower(s), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// distance is the Levenshtein distance of a and b (bytes; the names are ASCII).
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
