// Package lab is a self-contained practice deployment for ccewiz: an "ECE
// web server" (HTTPS), an "Active Directory" (LDAP, LDAPS, a Global Catalog),
// an ECE_HOME tree with spog_config.js, an "ADS" Java cacerts, CCE
// Administration's inventory API, for the WxM flow two Cloud Connect nodes,
// a Finesse and a CVP sip.properties, and a pre-filled answers file, all
// in one folder and on 127.0.0.1 only. The
// answers file's `resolve` section maps ece.example.com and
// dc1.example.local to the lab's ports, so the wizard, `check` and `apply`
// run against it exactly as they would against production.
//
// It must never listen beyond loopback, need root, or edit anything outside
// its folder (no /etc/hosts). Tests and `ccewiz lab` stop what they start
// with Close.
package lab

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"ccewiz/finesse"
	"ccewiz/secret"
	"ccewiz/steps"
	"ccewiz/steps/ece"
	"ccewiz/steps/orchestration"
	"ccewiz/steps/wxm"
)

// Names the lab's answers use.
const (
	ECEFQDN = "ece.example.com"
	ADS     = "aw1a.example.com"
	// AWUser is the CCE administrator the lab's AW takes for its API.
	AWUser = "administrator@example.local"
	DCHost = dcHost
	// ServiceAccount is the account ECE binds with.
	ServiceAccount = serviceDN
	// KeystoreLocation is the Windows path typed into ECE (step 2.2).
	KeystoreLocation = `c:\ece\pcce\mydomain.jks`
)

// Options configure a lab.
type Options struct {
	// Dir holds everything; created when missing. Reusing a folder keeps the
	// lab's CA, passwords and whatever the admin changed; only the ports
	// in ccewiz.yaml's resolve section are updated.
	Dir string
	// SNIRequired reproduces IIS's "Require Server Name Indication" on the
	// https binding: clients that send no SNI (or another name) are reset.
	SNIRequired bool
	// Logf receives one line per notable event (certificate picked up). May be nil.
	Logf func(format string, args ...any)
}

// Lab is a running practice deployment.
type Lab struct {
	Dir         string
	AnswersPath string
	// Loopback addresses of the servers, as written to the resolve section.
	WebAddr     string // ece.example.com:443
	GCAddr      string // dc1.example.local:3269, Global Catalog over TLS
	GCPlainAddr string // dc1.example.local:3268, Global Catalog, plain or StartTLS
	DCAddr      string // dc1.example.local:389, plain LDAP or StartTLS, returns referrals
	DCTLSAddr   string // dc1.example.local:636, LDAPS, returns referrals
	AWAddr      string // aw1a.example.com:443, CCE Administration's inventory API
	// The WxM flow's servers and files.
	CloudConnectAddrs [2]string // cc1/cc2.example.com:8445, cherrypoint's status
	FinesseAddr       string    // fin1a.example.com:8445, the LayoutConfig API
	SIPProperties     string    // cvp/conf/sip.properties
	// The orchestration flow's Windows node: its SSH server, and its
	// C:\ProgramData\ssh as a lab folder.
	WindowsNodeAddr string // rgr1a.example.com:22
	WindowsSSHDir   string
	WindowsSSHKind  string // "OpenSSH sshd" or "embedded"
	// CACert signs the domain controller's certificate (example-DC1-CA).
	CACert *x509.Certificate
	// CertFile and KeyFile are where step 1 writes the certificate the web server picks up.
	CertFile, KeyFile string
	SpogConfig        string // ECE_HOME/…/spog_config.js
	Cacerts           string // ads/aw1a/cacerts
	CacertsSource     string // where the cacerts came from
	SNIRequired       bool
	// CAResponseDir is where the lab's CA leaves what it issues for a CSR
	// step 1 writes (issued/<name>.cer) and its own certificate (example-DC1-CA.cer).
	CAResponseDir string

	web       *webServer
	aw        *aw
	ccNodes   []*cloudConnect
	winNode   *windowsNode
	finesse   *finesseServer
	ca        *enrollment
	gc, dc    *directory
	relays    []*refRelay
	closeOnce bool
}

// Start builds (or reuses) the lab in opts.Dir and starts its servers.
func Start(ctx context.Context, opts Options) (l *Lab, err error) {
	if opts.Dir == "" {
		return nil, errors.New("lab: a folder is required")
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create lab folder: %w", err)
	}
	l = &Lab{Dir: dir, AnswersPath: filepath.Join(dir, "ccewiz.yaml"), SNIRequired: opts.SNIRequired}
	defer func() {
		if err != nil {
			l.Close()
			l = nil
		}
	}()
	p := l.path
	logf := opts.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}

	// Secrets first: the directory and the stores need them.
	ldapPass, err := secretFile(p("secrets", "ldap-password"), "")
	if err != nil {
		return nil, err
	}
	storepass, err := secretFile(p("secrets", "storepass"), "changeit")
	if err != nil {
		return nil, err
	}
	for _, s := range []string{"pfx-password", "keystore-password", "pa-password", "aw-password", "finesse-password", "cloudconnect-password"} {
		if _, err := secretFile(p("secrets", s), ""); err != nil {
			return nil, err
		}
	}
	userPass := map[string]string{}
	for _, u := range Users {
		pw, err := secretFile(p("secrets", "users", u.SAM), "")
		if err != nil {
			return nil, err
		}
		userPass[normDN(u.DN())] = pw
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	// PKI: the enterprise CA, the DC's certificate, IIS's placeholder.
	ca, err := loadOrMake(p("lab", "example-DC1-CA.crt"), p("lab", "example-DC1-CA.key"), newCA)
	if err != nil {
		return nil, err
	}
	l.CACert = ca.Chain[0]
	dcCert, err := loadOrMake(p("lab", DCHost+".crt"), p("lab", DCHost+".key"),
		func() (*keyPair, error) { return newServerCert(ca, DCHost, domainDNS) })
	if err != nil {
		return nil, err
	}
	awCert, err := loadOrMake(p("lab", ADS+".crt"), p("lab", ADS+".key"),
		func() (*keyPair, error) { return newServerCert(ca, ADS) })
	if err != nil {
		return nil, err
	}
	ph, err := loadOrMake(p("lab", "iis-placeholder.crt"), p("lab", "iis-placeholder.key"),
		func() (*keyPair, error) { return newServerCert(nil, placeholderName) })
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	// Files the steps change.
	l.SpogConfig = p("ECE_HOME", SpogConfigRel)
	if err := writeIfMissing(l.SpogConfig, []byte(spogConfig), 0o644); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(p("ECE_HOME", "pcce"), 0o755); err != nil {
		return nil, err
	}
	l.Cacerts = p("ads", "aw1a", "cacerts")
	if _, err := os.Stat(l.Cacerts); errors.Is(err, fs.ErrNotExist) {
		b, src, err := adsCacerts(storepass)
		if err != nil {
			return nil, err
		}
		if err := writeFile(l.Cacerts, b, 0o644); err != nil {
			return nil, err
		}
		l.CacertsSource = src
		if err := writeFile(p("ads", "aw1a", "cacerts.source"), []byte(src+"\n"), 0o644); err != nil {
			return nil, fmt.Errorf("save where the lab's ADS cacerts came from: %w", err)
		}
	} else if b, err := os.ReadFile(p("ads", "aw1a", "cacerts.source")); err == nil {
		// Only informative: an empty or hand-edited file must not stop the lab.
		l.CacertsSource = strings.TrimSpace(string(b))
	}

	l.SIPProperties = p("cvp", SIPPropertiesRel)
	if err := writeIfMissing(l.SIPProperties, []byte(sipProperties), 0o644); err != nil {
		return nil, err
	}

	// Answers: read before the servers start so a bad file fails fast.
	a, err := l.answers()
	if err != nil {
		return nil, err
	}
	outDir := ece.CertOutDir(steps.NewEnv(a, l.AnswersPath))
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return nil, err
	}
	l.CertFile = filepath.Join(outDir, ECEFQDN+".crt")
	l.KeyFile = filepath.Join(outDir, ECEFQDN+".key")

	// The enterprise CA's enrollment, for practising a CA-signed certificate.
	l.CAResponseDir = p("ca")
	l.ca = &enrollment{ca: ca, watch: outDir, outDir: l.CAResponseDir, logf: logf}
	if err := l.ca.start(); err != nil {
		return nil, err
	}

	// Servers.
	l.web = &webServer{fqdn: ECEFQDN, certFile: l.CertFile, keyFile: l.KeyFile, answers: l.AnswersPath,
		sniRequired: opts.SNIRequired, placeholder: ph.tlsCert(), logf: logf}
	if err := l.web.start(); err != nil {
		return nil, err
	}
	l.WebAddr = l.web.addr()
	awPass, err := os.ReadFile(p("secrets", "aw-password"))
	if err != nil {
		return nil, err
	}
	l.aw = newAW(AWUser, strings.TrimSpace(string(awPass)), l.CertFile, awCert.tlsCert(), logf)
	l.aw.store = p("aw", "inventory.json")
	l.aw.load()
	if err := l.aw.start(); err != nil {
		return nil, err
	}
	l.AWAddr = l.aw.addr()
	if inv := ece.InventoryOf(a); inv.AW == "" {
		// A lab made before the AW existed: point it at it.
		d := ece.InventoryOf(l.Defaults())
		inv.AW, inv.APIUser, inv.APIPassword, inv.AWCertFile = d.AW, d.APIUser, d.APIPassword, d.AWCertFile
	}
	if w := wxm.Of(a); w.CloudConnect.Publisher == "" {
		// A lab made before the WxM flow existed: give it the flow's answers.
		*w = *wxm.Of(l.Defaults())
	}
	if err := l.startWxM(ca, logf); err != nil {
		return nil, err
	}
	if o := orchestration.Of(a); o.CloudConnect.Publisher == "" {
		// A lab made before the orchestration flow existed.
		*o = *orchestration.Of(l.Defaults())
	}
	if err := l.startOrchestration(logf); err != nil {
		return nil, err
	}
	dcTLS := &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{dcCert.tlsCert()}}
	// Two directories (the GC's view and the DC's), each a plain gldap
	// server on an unannounced loopback port; every port a client uses is
	// a relay in front of them. The relays own the client connections, so
	// Close ends them at once (gldap's Stop would wait for idle clients),
	// and they terminate TLS and StartTLS so the DC's can rewrite referrals.
	l.gc = newDirectory(true, ldapPass, userPass)
	if err := l.gc.start(); err != nil {
		return nil, err
	}
	l.dc = newDirectory(false, ldapPass, userPass)
	if err := l.dc.start(); err != nil {
		return nil, err
	}
	for _, r := range []struct {
		dir           *directory
		tls, startTLS *tls.Config
		addr          *string
	}{
		{l.gc, dcTLS, nil, &l.GCAddr},      // 3269
		{l.gc, nil, dcTLS, &l.GCPlainAddr}, // 3268
		{l.dc, nil, dcTLS, &l.DCAddr},      // 389
		{l.dc, dcTLS, nil, &l.DCTLSAddr},   // 636
	} {
		rl, err := startRelay(r.dir.addr, r.tls, r.startTLS)
		if err != nil {
			return nil, err
		}
		l.relays = append(l.relays, rl)
		*r.addr = rl.addr()
	}

	// The lab's own names point at this run's ports; entries the admin
	// added stay.
	if a.Resolve == nil {
		a.Resolve = map[string]string{}
	}
	for k, v := range map[string]string{
		ECEFQDN + ":443":          l.WebAddr,
		ADS + ":443":              l.AWAddr,
		DCHost + ":3269":          l.GCAddr,
		DCHost + ":3268":          l.GCPlainAddr,
		DCHost + ":389":           l.DCAddr,
		DCHost + ":636":           l.DCTLSAddr,
		domainDNS + ":389":        l.DCAddr,
		domainDNS + ":636":        l.DCTLSAddr,
		domainDNS + ":3269":       l.GCAddr,
		domainDNS + ":3268":       l.GCPlainAddr,
		CloudConnectPub + ":8445": l.CloudConnectAddrs[0],
		CloudConnectSub + ":8445": l.CloudConnectAddrs[1],
		FinesseFQDN + ":8445":     l.FinesseAddr,
		WindowsNode + ":22":       l.WindowsNodeAddr,
	} {
		a.Resolve[k] = v
	}
	// Backed up when it changes: the admin may have edited it since the last lab.
	if _, err := steps.SaveAnswers(l.AnswersPath, a, true); err != nil {
		return nil, fmt.Errorf("save the lab's answers file: %w", err)
	}
	return l, nil
}

func (l *Lab) path(elem ...string) string {
	return filepath.Join(append([]string{l.Dir}, elem...)...)
}

// answers loads the folder's answers file, or returns the lab's defaults
// when there is none yet.
func (l *Lab) answers() (*steps.Answers, error) {
	if _, err := os.Stat(l.AnswersPath); err == nil {
		return steps.LoadAnswers(l.AnswersPath)
	}
	return l.Defaults(), nil
}

// Defaults are the lab's answers: right for this deployment, so that after
// the wizard (or `ccewiz apply`) every automated check passes. Passwords are
// {file: …} references into <dir>/secrets; paths are absolute so `check`
// works from any folder.
func (l *Lab) Defaults() *steps.Answers {
	p := l.path
	ref := func(name string) secret.Ref { return secret.Ref{File: p("secrets", name)} }
	a := steps.NewAnswers()
	*ece.ProfileOf(a) = ece.Profile{
		PCCEVersion: "12.5(1)", PCCEES: 7, ECEVersion: "12.5(1)", ECEES: 1,
		DeploymentModel: 2000, ECEShape: "400-single", LoadBalancer: "none",
		ECEFQDN:          ECEFQDN,
		WebServers:       []string{ECEFQDN},
		AppServers:       []string{ECEFQDN},
		ServicesServers:  []string{ECEFQDN},
		AdminDataServers: []string{ADS},
		MRDsConfirmed:    true,
	}
	*ece.CertificateOf(a) = ece.CertificateAnswers{
		Mode: "selfsigned", KeySize: 2048, ValidityDays: 730,
		O: "Example Corp", OU: "Contact Center", L: "Springfield", ST: "Illinois", C: "US",
		OutDir:      p("certs"),
		PFXPassword: ref("pfx-password"),
	}
	*ece.SSOOf(a) = ece.SSOAnswers{
		DCAddr:           DCHost + ":3269",
		Trust:            "ca",
		LDAPURL:          "ldaps://" + DCHost + ":3269",
		DNAttribute:      "userPrincipalName",
		BindDN:           ServiceAccount,
		BindPassword:     ref("ldap-password"),
		SSLEnabled:       true,
		KeystoreLocation: KeystoreLocation,
		KeystoreFile:     p("ECE_HOME", "pcce", "mydomain.jks"),
		KeystorePassword: ref("keystore-password"),
		TestUser:         Users[0].UPN(),
	}
	*ece.SpogOf(a) = ece.SpogAnswers{Files: []string{p("ECE_HOME", SpogConfigRel)}, Protocol: "https"}
	*ece.TrustOf(a) = ece.TrustAnswers{Stores: []ece.TrustStore{{Server: ADS, Path: p("ads", "aw1a", "cacerts"), Password: ref("storepass")}}}
	*ece.InventoryOf(a) = ece.InventoryAnswers{
		WebServerName: ECEFQDN, DataServers: []string{ECEFQDN},
		User: "pa", Password: ref("pa-password"), AppInstance: "MultiChannel",
		AW: ADS, APIUser: AWUser, APIPassword: ref("aw-password"), AWCertFile: p("lab", "example-DC1-CA.crt"),
	}
	*ece.IntegrationOf(a) = ece.IntegrationAnswers{
		AWDBServer: ADS, AWDBName: "pcce_awdb", AWDBAuth: "windows", AgentPGs: []string{"PG1A"},
	}
	*ece.ValidationOf(a) = ece.ValidationAnswers{TestAgent: Users[2].SAM}
	// The WxM flow (ccewiz --flow wxm): the onboarding values are the
	// lab's inventions; the AW is the ADS above.
	w := wxm.Of(a)
	w.Versions = wxm.Versions{UCCE: "12.5(1)", UCCEES: 7, CVP: "12.5(1)", CVPES: 6, CloudConnect: "12.5(1)", CloudConnectES: 1, Finesse: "12.5(1)", FinesseES: 2}
	w.CloudConnect = wxm.CloudConnect{Publisher: CloudConnectPub, Subscriber: CloudConnectSub, AdminUser: "ccadmin", AdminPassword: ref("cloudconnect-password")}
	w.Proxy = wxm.Proxy{Kind: "none"}
	w.Onboarding = wxm.Onboarding{DesktopUser: "desktop.user@example.com", SystemUser: "system.user@example.com",
		VoicePINPrefix: "8", WebURLPrefix: "https://nps.bz/", DeploymentID: "1000"}
	w.AW = wxm.AWAnswers{Servers: []string{ADS}, Cacerts: []string{p("ads", "aw1a", "cacerts")}, CacertsPassword: ref("storepass"),
		API: ADS, APIUser: AWUser, APIPassword: ref("aw-password"), AWCertFile: p("lab", "example-DC1-CA.crt")}
	w.ICM = wxm.ICM{CallTypes: []string{"CT_Sales"}}
	w.CVP = wxm.CVP{SIPProperties: []string{p("cvp", SIPPropertiesRel)}, Username: "ccadmin", CustomerEmail: "surveys@example.com"}
	w.Finesse = wxm.Finesse{Servers: []string{FinesseFQDN}, AdminUser: "admin", AdminPassword: ref("finesse-password"),
		CertFile:    p("lab", "example-DC1-CA.crt"),
		CEJURL:      "https://cx.cloudcherry.com/gadget/journey.xml?lab=1",
		CEAAgentURL: "https://cx.cloudcherry.com/gadget/analytics.xml?dashboard=agents", CEASupervisorURL: "https://cx.cloudcherry.com/gadget/analytics.xml?dashboard=teams"}
	l.orchestrationDefaults(a)
	return a
}

// startWxM starts the WxM flow's servers: both Cloud Connect nodes (with
// their own self-signed certificates, kept in the lab folder) and Finesse
// (signed by the lab's CA, its layout kept across runs).
func (l *Lab) startWxM(ca *keyPair, logf func(string, ...any)) error {
	p := l.path
	for i, node := range []string{CloudConnectPub, CloudConnectSub} {
		kp, err := loadOrMake(p("lab", node+".crt"), p("lab", node+".key"), func() (*keyPair, error) { return newServerCert(nil, node) })
		if err != nil {
			return err
		}
		ccPass, err := os.ReadFile(p("secrets", "cloudconnect-password"))
		if err != nil {
			return err
		}
		c, err := startCloudConnect(node, kp, p("cloudconnect", node+".cherrypoint-down"), strings.TrimSpace(string(ccPass)), p("lab", node+".controlnode_rsa"))
		if err != nil {
			return err
		}
		l.ccNodes = append(l.ccNodes, c)
		l.CloudConnectAddrs[i] = c.addr()
	}
	fin, err := loadOrMake(p("lab", FinesseFQDN+".crt"), p("lab", FinesseFQDN+".key"), func() (*keyPair, error) { return newServerCert(ca, FinesseFQDN) })
	if err != nil {
		return err
	}
	pass, err := os.ReadFile(p("secrets", "finesse-password"))
	if err != nil {
		return err
	}
	layoutFile := p("finesse", "layout.xml")
	if err := writeIfMissing(layoutFile, finesse.StockLayout, 0o644); err != nil {
		return err
	}
	layout, err := os.ReadFile(layoutFile)
	if err != nil {
		return err
	}
	l.finesse = &finesseServer{user: "admin", pass: strings.TrimSpace(string(pass)), cert: fin.tlsCert(), layout: layout, logf: logf,
		save: func(b []byte) error { return writeFile(layoutFile, b, 0o644) }}
	if err := l.finesse.start(); err != nil {
		return err
	}
	l.FinesseAddr = l.finesse.addr()
	return nil
}

// Close stops every server. The folder stays.
func (l *Lab) Close() error {
	if l == nil || l.closeOnce {
		return nil
	}
	l.closeOnce = true
	var errs []error
	if l.web != nil {
		errs = append(errs, l.web.close())
	}
	if l.aw != nil {
		errs = append(errs, l.aw.close())
	}
	for _, c := range l.ccNodes {
		errs = append(errs, c.close())
	}
	errs = append(errs, l.winNode.close())
	if l.finesse != nil {
		errs = append(errs, l.finesse.close())
	}
	if l.ca != nil {
		l.ca.close()
	}
	for _, r := range l.relays {
		errs = append(errs, r.close())
	}
	for _, d := range []*directory{l.gc, l.dc} {
		if d != nil {
			errs = append(errs, d.close())
		}
	}
	return errors.Join(errs...)
}
