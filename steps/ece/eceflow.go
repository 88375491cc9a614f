// Package ece is the ECE ↔ PCCE flow, the default: the steps of Cisco's
// guide (the deployment profile, the ECE web certificate, Partition
// Administrator SSO, spog_config.js, the ECE certificate in every ADS's
// cacerts, the inventory entries, the permanent ECE → UCCE integration,
// validation) with their fields, plans and checks, run by the engine in
// package steps.
package ece

import "ccewiz/steps"

func init() { steps.RegisterFlow(Flow) }

// FlowID is this flow's ID (what --flow takes), the default.
const FlowID = "ece"

// Flow is the ECE ↔ PCCE integration in the order of Cisco's guide:
// profile, 1 certificate, 2 SSO, 3 spog_config.js, 4.1 ADS trust,
// 4.2/4.3 inventory, 5 ECE integration, 6 validation.
func Flow() *steps.Flow {
	return &steps.Flow{ID: FlowID, Title: "ECE ↔ PCCE", Default: true, Sections: sectionKeys(), Steps: []steps.Step{
		NewProfileStep(),
		NewCertificateStep(),
		NewSSOStep(),
		NewSpogStep(),
		NewTrustStep(),
		NewInventoryStep(),
		NewIntegrationStep(),
		NewValidateStep(),
	}}
}
