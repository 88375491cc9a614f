package ece

import (
	"ccewiz/secret"
	"ccewiz/steps"
)

// The ECE flow's answers: one section per step, each under its own
// top-level key of the answers file (where version 1 files have them).
// Every key is documented in docs/answers.md; keep the two in step.

// sections are the flow's answers sections, in the order of its steps.
var sections = []struct {
	key string
	new func() any
}{
	{"profile", func() any { return new(Profile) }},
	{"certificate", func() any { return new(CertificateAnswers) }},
	{"sso", func() any { return new(SSOAnswers) }},
	{"spog", func() any { return new(SpogAnswers) }},
	{"trust", func() any { return new(TrustAnswers) }},
	{"inventory", func() any { return new(InventoryAnswers) }},
	{"integration", func() any { return new(IntegrationAnswers) }},
	{"validation", func() any { return new(ValidationAnswers) }},
}

// sectionKeys are the keys of sections, for the flow.
func sectionKeys() []string {
	keys := make([]string, len(sections))
	for i, s := range sections {
		keys[i] = s.key
	}
	return keys
}

func init() {
	for _, s := range sections {
		steps.RegisterSection(s.key, s.new)
	}
	steps.RegisterUpgrade(1, upgradeState)
}

// upgradeState moves the engine's state of this flow from where version 1
// kept it — progress at the top level, the ticks in validation, the Save's
// confirmation in integration — to flows.ece, where every flow keeps its own.
func upgradeState(u steps.Upgrade) {
	if p := u.Take("progress"); p != nil {
		u.Put(p, "flows", FlowID, "progress")
	}
	if t := u.Take("validation", "ticked"); t != nil {
		u.Put(t, "flows", FlowID, "ticked")
	}
	at, inst := u.Take("integration", "confirmed_at"), u.Take("integration", "confirmed_instance")
	if at != nil || inst != nil {
		u.Put(u.Mapping("at", at, "instance", inst), "flows", FlowID, "confirmed", integrationStep{}.ID())
	}
}

// ProfileOf is a's deployment profile, to read or change in place.
func ProfileOf(a *steps.Answers) *Profile { return steps.Section[Profile](a, "profile") }

// CertificateOf is a's certificate section (step 1).
func CertificateOf(a *steps.Answers) *CertificateAnswers {
	return steps.Section[CertificateAnswers](a, "certificate")
}

// SSOOf is a's sso section (step 2).
func SSOOf(a *steps.Answers) *SSOAnswers { return steps.Section[SSOAnswers](a, "sso") }

// SpogOf is a's spog section (step 3).
func SpogOf(a *steps.Answers) *SpogAnswers { return steps.Section[SpogAnswers](a, "spog") }

// TrustOf is a's trust section (step 4.1).
func TrustOf(a *steps.Answers) *TrustAnswers { return steps.Section[TrustAnswers](a, "trust") }

// InventoryOf is a's inventory section (steps 4.2 and 4.3).
func InventoryOf(a *steps.Answers) *InventoryAnswers {
	return steps.Section[InventoryAnswers](a, "inventory")
}

// IntegrationOf is a's integration section (step 5).
func IntegrationOf(a *steps.Answers) *IntegrationAnswers {
	return steps.Section[IntegrationAnswers](a, "integration")
}

// ValidationOf is a's validation section (step 6).
func ValidationOf(a *steps.Answers) *ValidationAnswers {
	return steps.Section[ValidationAnswers](a, "validation")
}

// Profile is the deployment profile (step "profile").
type Profile struct {
	PCCEVersion      string   `yaml:"pcce_version"`     // 12.0(1), 12.5(1), 12.6(1), 12.6(2)
	PCCEES           int      `yaml:"pcce_es"`          // installed Engineering Special number, 0 = none
	ECEVersion       string   `yaml:"ece_version"`      // 12.0(1), 12.5(1), 12.6(1)
	ECEES            int      `yaml:"ece_es"`           // installed ECE ES number, 0 = none
	ECEETs           []string `yaml:"ece_et,omitempty"` // engineering test fixes installed, e.g. ES3_ET1a
	DeploymentModel  int      `yaml:"deployment_model"` // 2000, 4000, 12000 agents
	ECEShape         string   `yaml:"ece_shape"`        // 400-single, 400-ha, 1500, 1500-ha
	LoadBalancer     string   `yaml:"load_balancer"`    // none, passthrough, offload
	LoadBalancerFQDN string   `yaml:"load_balancer_fqdn,omitempty"`
	ECEFQDN          string   `yaml:"ece_fqdn"` // the name users type to reach ECE
	WebServers       []string `yaml:"web_servers"`
	AppServers       []string `yaml:"app_servers"`
	ServicesServers  []string `yaml:"services_servers"`
	AdminDataServers []string `yaml:"admin_data_servers"`
	WXMAnalyzer      bool     `yaml:"wxm_analyzer"`
	// 4000/12000-agent models compose the Application Instance from these.
	Site          string `yaml:"site,omitempty"`
	PeripheralSet string `yaml:"peripheral_set,omitempty"`
	Instance      string `yaml:"instance,omitempty"`
	MRDsConfirmed bool   `yaml:"mrds_confirmed,omitempty"`
}

// CertificateAnswers drive step 1, the ECE web server certificate.
type CertificateAnswers struct {
	Mode         string     `yaml:"mode,omitempty"` // selfsigned or ca
	SANs         []string   `yaml:"sans,omitempty"` // extra DNS names; the CN is always added
	KeySize      int        `yaml:"key_size,omitempty"`
	ValidityDays int        `yaml:"validity_days,omitempty"`
	O            string     `yaml:"o,omitempty"`
	OU           string     `yaml:"ou,omitempty"`
	L            string     `yaml:"l,omitempty"`
	ST           string     `yaml:"st,omitempty"`
	C            string     `yaml:"c,omitempty"`
	OutDir       string     `yaml:"out_dir,omitempty"`
	CAResponse   []string   `yaml:"ca_response,omitempty"` // files the CA returned (PEM, DER, .p7b)
	PFXPassword  secret.Ref `yaml:"pfx_password,omitempty"`
}

// SSOAnswers drive step 2, Partition Administrator SSO (ECE's
// Partition Administration Configuration plus the AD keystore).
type SSOAnswers struct {
	DCAddr           string     `yaml:"dc_addr,omitempty"`      // host:port to fetch the DC certificate (636/3269)
	DCCertFile       string     `yaml:"dc_cert_file,omitempty"` // or a Base-64 .cer the admin has
	Trust            string     `yaml:"trust,omitempty"`        // leaf or ca
	LDAPURL          string     `yaml:"ldap_url,omitempty"`
	DNAttribute      string     `yaml:"dn_attribute,omitempty"`
	Base             string     `yaml:"base,omitempty"`
	BindDN           string     `yaml:"bind_dn,omitempty"`
	BindPassword     secret.Ref `yaml:"bind_password,omitempty"`
	SSLEnabled       bool       `yaml:"ssl_enabled,omitempty"`
	KeystoreLocation string     `yaml:"keystore_location,omitempty"` // Windows path typed into ECE
	KeystoreFile     string     `yaml:"keystore_file,omitempty"`     // where ccewiz writes it here
	KeystorePassword secret.Ref `yaml:"keystore_password,omitempty"`
	TestUser         string     `yaml:"test_user,omitempty"` // a userPrincipalName to search for
}

// SpogAnswers drive step 3, spog_config.js on every web server.
type SpogAnswers struct {
	Files    []string `yaml:"files,omitempty"` // one spog_config.js per web server (local or UNC path)
	Protocol string   `yaml:"protocol,omitempty"`
}

// TrustAnswers drive step 4.1, the ECE certificate in every ADS's Java cacerts.
type TrustAnswers struct {
	Stores []TrustStore `yaml:"stores,omitempty"`
	// Password of every store without its own; none = the JDK default changeit.
	Password secret.Ref `yaml:"password,omitempty"`
	// CertFiles are the certificates to trust; none = the certificate step's
	// <out_dir>/<ece_fqdn>.crt plus certificate.ca_response.
	CertFiles []string `yaml:"cert_files,omitempty"`
}

// TrustStore is one Admin Data Server's Java trust store.
type TrustStore struct {
	Server   string     `yaml:"server"`
	Path     string     `yaml:"path,omitempty"` // reachable from here; empty = print the commands instead
	Password secret.Ref `yaml:"password,omitempty"`
}

// InventoryAnswers drive steps 4.2 and 4.3.
type InventoryAnswers struct {
	WebServerName string     `yaml:"web_server_name,omitempty"`
	DataServers   []string   `yaml:"data_servers,omitempty"`
	User          string     `yaml:"user,omitempty"`
	Password      secret.Ref `yaml:"password,omitempty"`
	AppInstance   string     `yaml:"app_instance,omitempty"`
	Template      string     `yaml:"template,omitempty"` // CSV header downloaded from CCE Administration
	// CCE Administration's REST API on an AW, for putting the web server in
	// the inventory and reading its alerts; empty: the values are typed in the GUI.
	AW          string     `yaml:"aw,omitempty"`           // host[:port] of the AW
	APIUser     string     `yaml:"api_user,omitempty"`     // a CCE administrator
	APIPassword secret.Ref `yaml:"api_password,omitempty"` // that administrator's password
	AWCertFile  string     `yaml:"aw_cert_file,omitempty"` // the AW's certificate or its CA, trusted for the API
	RemoteSite  bool       `yaml:"remote_site,omitempty"`  // the web server is at a remote site: DC_ECE_WEB_SERVER
}

// IntegrationAnswers drive step 5, ECE's Unified CCE integration.
type IntegrationAnswers struct {
	AWDBServer string   `yaml:"awdb_server,omitempty"`
	AWDBName   string   `yaml:"awdb_name,omitempty"`
	AWDBAuth   string   `yaml:"awdb_auth,omitempty"` // windows or sql
	AgentPGs   []string `yaml:"agent_pgs,omitempty"`
}

// ValidationAnswers drive step 6.
type ValidationAnswers struct {
	TestAgent string `yaml:"test_agent,omitempty"`
}

// State is the engine's state of this flow in a: progress, files written,
// the admin's ticks and the Save's confirmation.
func State(a *steps.Answers) *steps.FlowState { return a.FlowState(FlowID) }
