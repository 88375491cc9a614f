package ece

import (
	"fmt"
	"strings"

	"ccewiz/steps"
)

// The supported versions, as CCE Administration and ECE's installer name them.
var (
	PCCEVersions = []string{"12.0(1)", "12.5(1)", "12.6(1)", "12.6(2)"}
	ECEVersions  = []string{"12.0(1)", "12.5(1)", "12.6(1)"}
	Models       = []int{2000, 4000, 12000}
	ECEShapes    = []string{"400-single", "400-ha", "1500", "1500-ha"}
	LoadBalancer = []string{"none", "passthrough", "offload"}
)

// PatchRule is one minimum patch level from Cisco's integration guide.
type PatchRule struct {
	Product string // PCCE or ECE
	Version string
	Feature string // "" = basic integration; "wxm" = the WXM analyzer
	MinES   int
	NeedETs []string // engineering test fixes required on top of the ES
}

// PatchRules are the minimums from the guide (DOMAIN.md, Prerequisites).
// A version without a rule has no documented minimum: the latest ES is still recommended.
var PatchRules = []PatchRule{
	{Product: "PCCE", Version: "12.0(1)", MinES: 37},
	{Product: "PCCE", Version: "12.5(1)", Feature: "wxm", MinES: 7},
	{Product: "ECE", Version: "12.0(1)", MinES: 3, NeedETs: []string{"ES3_ET1a"}},
	{Product: "ECE", Version: "12.5(1)", Feature: "wxm", MinES: 1},
}

// CheckPatch returns Pass, or Fail with what to install, for one product.
func CheckPatch(product, version string, es int, ets []string, wxm bool) (steps.Status, string, string) {
	var missing []string
	var applied []string
	for _, r := range PatchRules {
		if r.Product != product || r.Version != version {
			continue
		}
		if r.Feature == "wxm" && !wxm {
			continue
		}
		what := "the integration"
		if r.Feature == "wxm" {
			what = "the WXM analyzer"
		}
		applied = append(applied, fmt.Sprintf("%s needs ES%d", what, r.MinES))
		if es < r.MinES {
			missing = append(missing, fmt.Sprintf("ES%d (installed: %s) for %s", r.MinES, esName(es), what))
		}
		for _, et := range r.NeedETs {
			if !containsFold(ets, et) {
				missing = append(missing, fmt.Sprintf("%s on top of ES%d for %s", et, r.MinES, what))
			}
		}
	}
	if len(missing) > 0 {
		return steps.Fail, fmt.Sprintf("%s %s is missing %s", product, version, strings.Join(missing, "; ")),
			fmt.Sprintf("install %s on every %s server before integrating (Cisco software download, %s %s)",
				strings.Join(missing, " and "), product, product, version)
	}
	if len(applied) == 0 {
		return steps.Pass, fmt.Sprintf("%s %s %s: no minimum patch level is documented; the latest ES is recommended", product, version, esName(es)), ""
	}
	return steps.Pass, fmt.Sprintf("%s %s %s meets the minimum (%s)", product, version, esName(es), strings.Join(applied, "; ")), ""
}

func esName(es int) string {
	if es <= 0 {
		return "no ES"
	}
	return fmt.Sprintf("ES%d", es)
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(strings.TrimSpace(v), s) {
			return true
		}
	}
	return false
}

// AppInstance is the Application Instance name ECE must be integrated with:
// MultiChannel on the 2000-agent model; {site}_{peripheral_set}_{instance}
// on 4000/12000 agents. Case is kept exactly: the name is case-sensitive.
func AppInstance(p Profile) (string, error) {
	switch p.DeploymentModel {
	case 2000:
		return "MultiChannel", nil
	case 4000, 12000:
		var missing []string
		if strings.TrimSpace(p.Site) == "" {
			missing = append(missing, "profile.site")
		}
		if strings.TrimSpace(p.PeripheralSet) == "" {
			missing = append(missing, "profile.peripheral_set")
		}
		if strings.TrimSpace(p.Instance) == "" {
			missing = append(missing, "profile.instance")
		}
		if len(missing) > 0 {
			return "", fmt.Errorf("the %d-agent model names the Application Instance {site}_{peripheral_set}_{instance}; %s missing",
				p.DeploymentModel, strings.Join(missing, ", ")+pluralIs(len(missing)))
		}
		name := strings.TrimSpace(p.Site) + "_" + strings.TrimSpace(p.PeripheralSet) + "_" + strings.TrimSpace(p.Instance)
		if err := ValidateAppInstance(name); err != nil {
			return "", err
		}
		return name, nil
	case 0:
		return "", fmt.Errorf("profile.deployment_model is not set (2000, 4000 or 12000)")
	}
	return "", fmt.Errorf("profile.deployment_model %d is not a PCCE model; use 2000, 4000 or 12000", p.DeploymentModel)
}

func pluralIs(n int) string {
	if n == 1 {
		return " is"
	}
	return " are"
}

// ValidateAppInstance refuses names ECE must never be integrated with.
func ValidateAppInstance(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("the Application Instance is empty")
	case strings.HasPrefix(strings.ToUpper(name), "UQ"):
		return fmt.Errorf("%q starts with UQ: that is the Unified Queue instance, never the one for ECE; pick the ECE instance (e.g. MultiChannel)", name)
	case strings.ContainsAny(name, " \t"):
		return fmt.Errorf("%q contains spaces; Application Instance names have none", name)
	}
	return nil
}

// CompareAppInstance checks what the admin typed against the expected name,
// pointing out a case-only difference — the classic mistake.
func CompareAppInstance(got, want string) error {
	if err := ValidateAppInstance(got); err != nil {
		return err
	}
	if got == want {
		return nil
	}
	if strings.EqualFold(got, want) {
		return fmt.Errorf("%q differs from %q only in case; Application Instance names are case-sensitive: type %s exactly", got, want, want)
	}
	return fmt.Errorf("%q is not the expected Application Instance %q", got, want)
}
