package steps

// Flow is the ECE ↔ PCCE integration in the order of Cisco's guide:
// profile, 1 certificate, 2 SSO, 3 spog_config.js, 4.1 ADS trust,
// 4.2/4.3 inventory, 5 ECE integration, 6 validation.
// Adding a flow is adding steps here, never editing a UI.
func Flow() []Step {
	return []Step{
		NewProfileStep(),
		NewCertificateStep(),
		NewSSOStep(),
		NewSpogStep(),
		NewTrustStep(),
		NewInventoryStep(),
		NewIntegrationStep(),
		NewValidateStep(),
	}
}

// Find returns the step with id, or nil.
func Find(flow []Step, id string) Step {
	for _, s := range flow {
		if s.ID() == id {
			return s
		}
	}
	return nil
}
