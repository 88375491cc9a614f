package steps

func init() { RegisterFlow(ECEFlow) }

// ECEFlow is the ECE ↔ PCCE integration in the order of Cisco's guide:
// profile, 1 certificate, 2 SSO, 3 spog_config.js, 4.1 ADS trust,
// 4.2/4.3 inventory, 5 ECE integration, 6 validation.
func ECEFlow() *Flow {
	return &Flow{ID: ECEFlowID, Title: "ECE ↔ PCCE", Steps: []Step{
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

