package steps

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"ccewiz/safefile"
	"ccewiz/secret"
)

// AnswersVersion is the only answers-file version this build reads.
const AnswersVersion = 1

// DefaultAnswersPath is used when --answers is not given.
const DefaultAnswersPath = "ccewiz.yaml"

// Answers is everything the admin enters, so a run can be resumed, reviewed,
// shared and replayed by `check`/`apply` on each server. It never holds a
// password: password fields are secret.Ref (where to get one). Every key is
// documented in docs/answers.md; keep the two in step.
type Answers struct {
	Version     int                `yaml:"version"`
	Profile     Profile            `yaml:"profile"`
	Certificate CertificateAnswers `yaml:"certificate,omitempty"`
	SSO         SSOAnswers         `yaml:"sso,omitempty"`
	Spog        SpogAnswers        `yaml:"spog,omitempty"`
	Trust       TrustAnswers       `yaml:"trust,omitempty"`
	Inventory   InventoryAnswers   `yaml:"inventory,omitempty"`
	Integration IntegrationAnswers `yaml:"integration,omitempty"`
	Validation  ValidationAnswers  `yaml:"validation,omitempty"`
	Report      ReportAnswers      `yaml:"report,omitempty"`
	// Resolve overrides DNS for ccewiz only ("ece.example.com:443": "127.0.0.1:8443"
	// or "dc1.example.local": "127.0.0.1"); the lab uses it. /etc/hosts is never edited.
	Resolve  map[string]string `yaml:"resolve,omitempty"`
	Progress Progress          `yaml:"progress,omitempty"`
	// Flows is the engine's state of every flow but ECE's (whose is above).
	Flows map[string]*FlowState `yaml:"flows,omitempty"`
	// Sections are the other flows' answers, by their registered key
	// (RegisterSection); read them with Section.
	Sections      map[string]yaml.Node `yaml:",inline"`
	sectionValues map[string]any
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
	AWDBServer        string   `yaml:"awdb_server,omitempty"`
	AWDBName          string   `yaml:"awdb_name,omitempty"`
	AWDBAuth          string   `yaml:"awdb_auth,omitempty"` // windows or sql
	AgentPGs          []string `yaml:"agent_pgs,omitempty"`
	ConfirmedAt       string   `yaml:"confirmed_at,omitempty"` // RFC 3339, set when the admin confirmed Save
	ConfirmedInstance string   `yaml:"confirmed_instance,omitempty"`
}

// ValidationAnswers drive step 6.
type ValidationAnswers struct {
	TestAgent string `yaml:"test_agent,omitempty"`
	// Ticked records the manual items the admin confirmed, by check ID,
	// with when and by whom.
	Ticked Ticks `yaml:"ticked,omitempty"`
}

// ReportAnswers name the deployment in the integration report a partner
// hands over.
type ReportAnswers struct {
	Customer string `yaml:"customer,omitempty"`
	Site     string `yaml:"site,omitempty"`
}

// Progress lets a wizard run resume where it stopped.
type Progress struct {
	Current string   `yaml:"current,omitempty"`
	Done    []string `yaml:"done,omitempty"`
	// Written lists every file changed with these answers, in order, and
	// where its previous version went: the report's way back, whichever
	// session (TUI, apply, serve) made the change.
	Written []Written `yaml:"written,omitempty"`
	// Handoff keeps, by step, what its last applied plan left to people:
	// values to type into a GUI and commands to run on other servers. The
	// report lists them, so the hand-over says what is still to do.
	Handoff map[string]Handoff `yaml:"handoff,omitempty"`
}

// Handoff is what a step's applied plan asked of the admin.
type Handoff struct {
	At       string     `yaml:"at"` // RFC 3339, when it was applied
	GUI      []GUIEntry `yaml:"gui,omitempty"`
	Commands []Command  `yaml:"commands,omitempty"`
}

// Record keeps what an Apply did in the answers: the files it wrote (with
// their backups) and a confirmation it took. Call it on the goroutine that
// owns the answers, after Apply returns — also when Apply failed or was
// cancelled, since files written before that are changed all the same.
func (o *Outcome) Record(a *Answers) {
	if o == nil {
		return
	}
	a.RecordWritten(o.Written...)
	if c := o.Confirmed; c != nil {
		a.Integration.ConfirmedAt, a.Integration.ConfirmedInstance = c.At, c.Instance
	}
}

// RecordIn is Record for the flow env runs: the files go to its progress.
func (o *Outcome) RecordIn(env *Env) {
	if o == nil {
		return
	}
	env.FlowProgress().RecordWritten(o.Written...)
	if c := o.Confirmed; c != nil {
		env.Answers.Integration.ConfirmedAt, env.Answers.Integration.ConfirmedInstance = c.At, c.Instance
	}
}

// RecordWritten adds what an Apply wrote to the ECE flow's progress.
func (a *Answers) RecordWritten(ws ...Written) { a.Progress.RecordWritten(ws...) }

// Clone returns a deep copy of a, made through the answers file's own
// encoding so that no slice or map is shared: a background run works on a
// copy while the admin edits the original.
func (a *Answers) Clone() *Answers {
	v := *a
	v.Version = AnswersVersion // a test's zero version must not stop the copy
	data, err := MarshalAnswers(&v)
	if err == nil {
		var c *Answers
		if c, err = ParseAnswers("(copy)", data); err == nil {
			c.Version = a.Version
			return c
		}
	}
	panic("steps: answers do not survive their own encoding: " + err.Error())
}

// NewAnswers returns answers with the defaults an experienced admin would pick.
func NewAnswers() *Answers {
	return &Answers{Version: AnswersVersion}
}

var (
	reUnknownField = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`line (\d+): field (\S+) not found in type \w+\.(\w+)`)
	})
	reBadType = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`line (\d+): cannot unmarshal !!(\w+) (.*) into (\S+)`)
	})
)

// ParseAnswers reads an answers file. Unknown keys and wrong types are
// errors naming the key and the line; name is used in messages.
func ParseAnswers(name string, data []byte) (*Answers, error) {
	a := NewAnswers()
	a.Version = 0
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(a); err != nil {
		if errors.Is(err, io.EOF) || strings.TrimSpace(string(data)) == "" {
			return nil, BadInput(fmt.Errorf("answers file %s is empty; start from examples/ccewiz.yaml or run the wizard", name))
		}
		return nil, BadInput(fmt.Errorf("answers file %s: %s; see docs/answers.md for every key", name, explainYAML(err)))
	}
	if a.Version != AnswersVersion {
		return nil, BadInput(fmt.Errorf("answers file %s: version: %d is not supported; this ccewiz reads version: %d", name, a.Version, AnswersVersion))
	}
	if err := a.decodeSections(name, data); err != nil {
		return nil, err
	}
	return a, nil
}

func explainYAML(err error) string {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return err.Error()
	}
	var msgs []string
	for _, e := range te.Errors {
		if m := reUnknownField().FindStringSubmatch(e); m != nil {
			msgs = append(msgs, fmt.Sprintf("line %s: unknown key %q in %s (a typo? keys are lower_case)", m[1], m[2], sectionName(m[3])))
			continue
		}
		if m := reBadType().FindStringSubmatch(e); m != nil {
			msgs = append(msgs, fmt.Sprintf("line %s: %s is a %s, but %s is expected", m[1], m[3], yamlKind(m[2]), goKind(m[4])))
			continue
		}
		msgs = append(msgs, e)
	}
	return strings.Join(msgs, "; ")
}

func sectionName(goType string) string {
	switch goType {
	case "Answers":
		return "the top level"
	case "CertificateAnswers":
		return "certificate"
	case "SSOAnswers":
		return "sso"
	case "SpogAnswers":
		return "spog"
	case "TrustAnswers":
		return "trust"
	case "TrustStore":
		return "trust.stores[]"
	case "InventoryAnswers":
		return "inventory"
	case "IntegrationAnswers":
		return "integration"
	case "ValidationAnswers":
		return "validation"
	}
	return strings.ToLower(goType)
}

func yamlKind(tag string) string {
	switch tag {
	case "str":
		return "text"
	case "seq":
		return "list"
	case "map":
		return "mapping"
	case "int", "float":
		return "number"
	}
	return tag
}

func goKind(t string) string {
	switch {
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case t == "int":
		return "a whole number"
	case t == "bool":
		return "true or false"
	case t == "string":
		return "text"
	case strings.HasPrefix(t, "map"):
		return "a mapping"
	}
	return "a mapping (" + t + ")"
}

// ErrNoAnswers is matched (errors.Is) when the answers file is not there,
// so a command can say how its own flow creates one.
var ErrNoAnswers = errors.New("no answers file")

type noAnswers struct{ path string }

func (e noAnswers) Error() string {
	return fmt.Sprintf("answers file %s does not exist; run `ccewiz` to create it, or copy examples/ccewiz.yaml", e.path)
}
func (noAnswers) Is(target error) bool { return target == ErrNoAnswers }

// LoadAnswers reads the answers file at path.
func LoadAnswers(path string) (*Answers, error) {
	data, err := safefile.Read(path, safefile.MaxAnswers)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, BadInput(noAnswers{path})
	}
	if err != nil {
		return nil, BadInput(fmt.Errorf("read answers file: %w", err))
	}
	return ParseAnswers(path, data)
}

// MarshalAnswers renders a as YAML. It cannot contain a password: Refs only.
func MarshalAnswers(a *Answers) ([]byte, error) {
	if err := a.encodeSections(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.WriteString("# ccewiz answers file — no passwords here, only where to get them (env: / file:).\n# Every key: docs/answers.md\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(a); err != nil {
		return nil, fmt.Errorf("render answers: %w", err)
	}
	enc.Close()
	return buf.Bytes(), nil
}

// SaveAnswers writes a to path atomically. backup makes a timestamped copy
// of the previous version first (the TUI does so on its first save of a session).
func SaveAnswers(path string, a *Answers, backup bool) (safefile.Result, error) {
	data, err := MarshalAnswers(a)
	if err != nil {
		return safefile.Result{}, err
	}
	return WriteAnswers(path, data, backup)
}

// WriteAnswers writes answers already rendered by MarshalAnswers: a UI
// renders them where it owns them and writes the bytes in the background.
// Under the file's lock, the file on disk lends them its comments and key
// order (keepLayout); answers it already holds are not written at all.
// They are parsed back before the file is replaced.
func WriteAnswers(path string, data []byte, backup bool) (safefile.Result, error) {
	unlock, err := safefile.Lock(path, safefile.LockOptions{})
	if err != nil {
		return safefile.Result{Path: path}, err
	}
	defer unlock()
	if old, err := safefile.Read(path, safefile.MaxAnswers); err == nil {
		out, same, err := keepLayout(old, data)
		if err != nil {
			return safefile.Result{Path: path}, err
		}
		if same {
			return safefile.Result{Path: path}, nil
		}
		data = out
	}
	return safefile.Replace(path, data, safefile.Options{
		Perm:     0o644,
		NoBackup: !backup,
		Locked:   true,
		Verify: func(b []byte) error {
			_, err := ParseAnswers(path, b)
			return err
		},
	})
}
