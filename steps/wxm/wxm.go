// Package wxm is the CCE ↔ Webex Experience Management flow (seed 003,
// DOMAIN-wxm.md): post-call SMS/e-mail surveys through Cloud Connect's
// cherrypoint service. Cisco's guide has no verification at all; each
// step here does the file work safely and proves its link works.
//
// Its answers are the "wxm" section of the answers file; servers it shares
// with other flows (the Cloud Connect cluster) are asked again here until
// the answers file has a shared servers section.
package wxm

import (
	"ccewiz/secret"
	"ccewiz/steps"
)

// FlowID is what --flow takes.
const FlowID = "wxm"

// Answers is the wxm section of the answers file. Every key is documented
// in docs/answers.md.
type Answers struct {
	// Versions are the installed releases and ES levels.
	Versions Versions `yaml:"versions,omitempty"`
	// CloudConnect is the Cloud Connect cluster cherrypoint runs on.
	CloudConnect CloudConnect `yaml:"cloud_connect,omitempty"`
	// Proxy is how cherrypoint reaches WxM in the cloud.
	Proxy Proxy `yaml:"proxy,omitempty"`
	// CVP is the Call Servers' side: sip.properties.
	CVP CVP `yaml:"cvp,omitempty"`
	// Onboarding holds the values of WxM's onboarding mail (never its API keys).
	Onboarding Onboarding `yaml:"onboarding,omitempty"`
	// AW is the AWs that must trust Cloud Connect.
	AW AWAnswers `yaml:"aw,omitempty"`
	// Finesse is where the gadgets go.
	Finesse Finesse `yaml:"finesse,omitempty"`
	// ICM is what the ICM configuration checklist names.
	ICM ICM `yaml:"icm,omitempty"`
}

// Onboarding is WxM's onboarding mail, but its two API keys: those are
// typed into the Cloud Connect CLI and never reach ccewiz.
type Onboarding struct {
	DesktopUser    string `yaml:"desktop_user,omitempty"`
	SystemUser     string `yaml:"system_user,omitempty"`
	VoicePINPrefix string `yaml:"voice_pin_prefix,omitempty"`
	WebURLPrefix   string `yaml:"web_url_prefix,omitempty"`
	DeploymentID   string `yaml:"deployment_id,omitempty"`
}

// Versions are each component's release and Engineering Special (0: none).
type Versions struct {
	UCCE           string `yaml:"ucce,omitempty"`
	UCCEES         int    `yaml:"ucce_es,omitempty"`
	CVP            string `yaml:"cvp,omitempty"`
	CVPES          int    `yaml:"cvp_es,omitempty"`
	CloudConnect   string `yaml:"cloud_connect,omitempty"`
	CloudConnectES int    `yaml:"cloud_connect_es,omitempty"`
	Finesse        string `yaml:"finesse,omitempty"`
	FinesseES      int    `yaml:"finesse_es,omitempty"`
}

// CloudConnect names both nodes by FQDN: CVP and the AW reach them by the
// names in their certificates.
type CloudConnect struct {
	Publisher  string `yaml:"publisher,omitempty"`
	Subscriber string `yaml:"subscriber,omitempty"`
	// AdminUser and AdminPassword are the Cloud Connect administrator the
	// CCE inventory entry logs in with.
	AdminUser     string     `yaml:"admin_user,omitempty"`
	AdminPassword secret.Ref `yaml:"admin_password,omitempty"`
}

// Proxy is the internet proxy of WxM's onboarding mail, if any.
type Proxy struct {
	// Kind is none, plain (HTTP on 80 or 8080) or secure (443).
	Kind string `yaml:"kind,omitempty"`
	Host string `yaml:"host,omitempty"`
	Port int    `yaml:"port,omitempty"`
	// Authenticated: the proxy asks for a user and password, which
	// cherrypoint cannot give.
	Authenticated bool `yaml:"authenticated,omitempty"`
}

// CVP is what the Call Servers' sip.properties must say.
type CVP struct {
	// SIPProperties are the sip.properties of every Call Server, as this
	// machine reaches them (a local path or a UNC path).
	SIPProperties []string `yaml:"sip_properties,omitempty"`
	// Username is the Cloud Connect application user OAMP pushes.
	Username string `yaml:"username,omitempty"`
	// CustomerEmail is SIP.CloudCherry.CustomerEmailID.
	CustomerEmail string `yaml:"customer_email,omitempty"`
}

// Of is the wxm section of a's answers.
func Of(a *steps.Answers) *Answers { return steps.Section[Answers](a, FlowID) }

// Flow is the WxM flow, in the order of Cisco's guide but for the AWs'
// trust, which comes first.
func Flow() *steps.Flow {
	return &steps.Flow{ID: FlowID, Title: "CCE ↔ Webex Experience Management", Sections: []string{FlowID}, Steps: []steps.Step{
		prereqStep{},
		// The AWs trust Cloud Connect before cherrypoint's check, which
		// asks the status as an AW does, can pass.
		awStep{},
		cherrypointStep{},
		icmStep{},
		sipStep{},
		finesseStep{},
		corsStep{},
	}}
}

func init() {
	steps.RegisterSection(FlowID, func() any { return &Answers{} })
	steps.RegisterFlow(Flow)
}
