package ece

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"strings"
	"time"

	"ccewiz/certs"
	"ccewiz/steps"
)

// validateStep is step 6: prove the integration works. ccewiz reaches both
// ECE partitions over HTTPS itself; what only a person can see in CCE
// Administration and ECE comes as manual checks that say exactly where to
// look. The TLS details (SNI, chain, names), each ADS trust store, LDAP and
// the inventory are proven by their own steps' checks, not repeated here.
type validateStep struct{}

// NewValidateStep returns step 6, the validation.
func NewValidateStep() steps.Step { return validateStep{} }

func (validateStep) ID() string         { return "validate" }
func (validateStep) Title() string      { return "Validate the integration" }
func (validateStep) ShortTitle() string { return "Validation" }
func (validateStep) GuideStep() string  { return "6" }
func (validateStep) Intro() string {
	return "Prove the integration works: ECE's Business (/default) and System (/system) partitions answer over HTTPS " +
		"with a trusted certificate, CCE Administration shows no alerts for the ECE servers, and a test agent enabled " +
		"for Email and Chat in CCE Administration appears in ECE. Run it after the integration, after every certificate " +
		"renewal, and whenever SPOG says \"Error loading the page\"."
}

func (validateStep) Needed(*steps.Answers) (steps.Need, string) {
	return steps.Required, "without it nobody knows whether SPOG can reach ECE until an agent cannot log in"
}

func (validateStep) Fields() []steps.Field {
	agent := steps.TextField("validation.test_agent", "Test agent", "a CCE Administration agent (user name) to enable for Email and Chat",
		func(a *steps.Answers) *string { return &ValidationOf(a).TestAgent })
	customer := steps.TextField("report.customer", "Customer (report)", "who the deployment is for, named in the integration report (optional)",
		func(a *steps.Answers) *string { return &a.Report.Customer })
	site := steps.TextField("report.site", "Site (report)", "which site or data center, named in the integration report (optional)",
		func(a *steps.Answers) *string { return &a.Report.Site })
	return []steps.Field{agent, customer, site}
}

// whereAgent starts the path to an agent in CCE Administration, as its menus name it.
const whereAgent = "CCE Administration › Users › Agents › "

func testAgent(a *steps.Answers) string {
	if a != nil && strings.TrimSpace(ValidationOf(a).TestAgent) != "" {
		return strings.TrimSpace(ValidationOf(a).TestAgent)
	}
	return "<test agent>"
}

func (s validateStep) Plan(_ context.Context, env *steps.Env) (*steps.Plan, error) {
	agent := testAgent(env.Answers)
	return &steps.Plan{Step: s.ID(),
		Summary: "nothing to write: ccewiz checks https://<ece_fqdn>/default and /system itself; enable the test agent in CCE Administration and confirm the manual checks",
		GUI: []steps.GUIEntry{
			{Where: whereAgent + agent + " › General", Field: "Support Email and Chat", Value: "ticked"},
			{Where: whereAgent + agent + " › Enable Email and Chat", Field: "Screen Name", Value: "the name customers see in chats (e.g. the agent's first name)"},
			{Where: whereAgent + agent, Field: "Save", Value: "a success message"},
		},
	}, nil
}

func (validateStep) Apply(_ context.Context, _ *steps.Env, _ *steps.Plan) (*steps.Outcome, error) {
	// Every driver shows the step's checks right after this (RunStep): the
	// note points at them, not at another command.
	return &steps.Outcome{Notes: []string{"validation changes nothing: the checks below are the proof; look at each manual item where it says, then confirm it (in the wizard: select it and press space)"}}, nil
}

// Checks lists the two HTTPS checks, then the manual items in the order of the guide's step 6.
func (validateStep) Checks() []steps.Check {
	return []steps.Check{
		{ID: "validate.https-default", Title: "ECE Business partition answers (https://<ece_fqdn>/default)", Run: httpsCheck("default")},
		{ID: "validate.https-system", Title: "ECE System partition answers (https://<ece_fqdn>/system)", Run: httpsCheck("system")},
		{ID: "validate.no-alerts", Title: "No alerts for the ECE servers in CCE Administration", Manual: true,
			What: "CCE Administration: the status bar at the top shows no alerts. If it shows some, click Alerts and read the Inventory page: " +
				"none may be for an ECE server (the ECE data server or web server)."},
		{ID: "validate.agent-checkbox", Title: "Agents have a \"Support Email and Chat\" checkbox", Manual: true,
			What: whereAgent + "<any agent> › General tab: a \"Support Email and Chat\" checkbox is shown. Missing: the ECE web server is not in the inventory (step 4.3) or SPOG cannot reach it."},
		{ID: "validate.agent-tab", Title: "Agents have an \"Enable Email and Chat\" tab", Manual: true,
			What: whereAgent + "<any agent>: an \"Enable Email and Chat\" tab is shown; it becomes selectable once \"Support Email and Chat\" is ticked."},
		{ID: "validate.test-agent", Title: "The test agent is enabled for Email and Chat", Manual: true,
			What: whereAgent + "<validation.test_agent>: tick \"Support Email and Chat\", on the \"Enable Email and Chat\" tab fill in Screen Name, " +
				"then Save: a success message appears."},
		{ID: "validate.agent-in-ece", Title: "The test agent is visible in ECE", Manual: true,
			What: "CCE Administration › Overview › Email and Chat card › its link; in the list next to Chat and Email pick the agent's department " +
				"(the \"Service\" department holds PCCE's Global objects — a reserved name); then User Management › Users lists the test agent."},
	}
}

// ChecksFor names the test agent from the answers in the manual items, so
// the admin reads "Agents › jdoe" instead of a placeholder.
// With an AW named, CCE Administration's alerts are read from its API
// instead of asked of the admin.
func (s validateStep) ChecksFor(a *steps.Answers) []steps.Check {
	cs := s.Checks()
	if a != nil && strings.TrimSpace(InventoryOf(a).AW) != "" {
		for i, c := range cs {
			if c.ID == "validate.no-alerts" {
				cs[i] = steps.Check{ID: c.ID, Title: c.Title, Run: AlertsCheck}
			}
		}
	}
	if a == nil || strings.TrimSpace(ValidationOf(a).TestAgent) == "" {
		return cs
	}
	for i := range cs {
		cs[i].What = strings.ReplaceAll(cs[i].What, "<validation.test_agent>", testAgent(a))
		if cs[i].ID == "validate.agent-in-ece" {
			cs[i].What = strings.Replace(cs[i].What, "lists the test agent", "lists "+testAgent(a), 1)
		}
	}
	return cs
}

// httpsCheck GETs https://<ece_fqdn>/<partition> the way a browser and SPOG
// do (with SNI, the name checked against the certificate). The verdict on
// the certificate is the Java judge's, with the certificate step 1 wrote as
// the anchor, so a self-signed ECE certificate passes here exactly when the
// admin has it; a chain to a public CA, which that file does not hold, is
// taken on this machine's roots and said so.
func httpsCheck(partition string) func(context.Context, *steps.Env) steps.Result {
	return func(ctx context.Context, env *steps.Env) steps.Result {
		fqdn := normName(ProfileOf(env.Answers).ECEFQDN)
		if fqdn == "" {
			return steps.Result{Status: steps.Skip, Detail: "profile.ece_fqdn is not set: nothing to reach", Fix: "set the FQDN users type to reach ECE in the profile"}
		}
		url := "https://" + fqdn + "/" + partition
		anchors, trustNote := validateAnchors(env)
		var via string
		var served *x509.Certificate
		tc := &tls.Config{ServerName: fqdn, InsecureSkipVerify: true, //nolint:gosec // VerifyConnection judges as Java does
			VerifyConnection: func(cs tls.ConnectionState) error {
				if len(cs.PeerCertificates) > 0 {
					served = cs.PeerCertificates[0]
				}
				v, err := judgeServed(cs, anchors, fqdn, env.Time())
				via = v
				return err
			}}
		client := env.HTTPClient(tc)
		client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		defer client.CloseIdleConnections() // one request per run: leave no connection behind
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return steps.Result{Status: steps.Fail, Detail: fmt.Sprintf("%s is not a URL: %v", url, err), Fix: "correct profile.ece_fqdn"}
		}
		env.Stage("GET %s…", url)
		start := env.Time()
		resp, err := client.Do(req)
		if err != nil {
			return httpsFailure(url, fqdn, env.Target(fqdn+":443"), trustNote, served, err)
		}
		defer resp.Body.Close()
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		took := env.Time().Sub(start).Round(time.Millisecond)
		code := resp.StatusCode
		what := fmt.Sprintf("%s: HTTP %s in %s", url, resp.Status, took)
		switch {
		case code >= 200 && code < 300:
			return steps.Result{Status: steps.Pass, Detail: what + via}
		case code >= 300 && code < 400:
			loc := resp.Header.Get("Location")
			if strings.HasPrefix(strings.ToLower(loc), "http://") {
				return steps.Result{Status: steps.Warn, Detail: what + " → " + steps.PrintableLine(loc) + " (plain HTTP)",
					Fix: "ECE does not support non-SSL access: make IIS (or the load balancer) redirect to https://" + fqdn}
			}
			return steps.Result{Status: steps.Pass, Detail: what + " → " + steps.PrintableLine(orDefault(loc, "(no Location)")) + via}
		case code == http.StatusNotFound:
			return steps.Result{Status: steps.Fail, Detail: what,
				Fix: fmt.Sprintf("the web server answers but has no /%s: check that %s is the ECE web server (not another IIS site) and that ECE is installed on it", partition, fqdn)}
		case code >= 500:
			return steps.Result{Status: steps.Fail, Detail: what,
				Fix: "IIS answers but ECE behind it does not (SPOG: \"the web page might be temporarily down\"): start the Windows service \"Cisco Service\" on every ECE server " +
					"except the web server, then read egpl_root_<host>.log on the application server (`ccewiz logs` explains it)"}
		}
		return steps.Result{Status: steps.Fail, Detail: what, Fix: "ECE refused the request; check IIS's Default Web Site and any load balancer rule in front of it"}
	}
}

// validateAnchors returns the step-1 certificates as Java anchors, and a
// note for messages saying which were used.
func validateAnchors(env *steps.Env) ([]*x509.Certificate, string) {
	p := eceCertFile(env)
	b, err := certs.ReadBundleFiles(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, "trusted here: this machine's roots (no step-1 certificate at " + p + ")"
	case err != nil:
		return nil, fmt.Sprintf("trusted here: this machine's roots (%s unreadable: %v)", p, err)
	}
	return b.Certs, "trusted here: " + p + " and this machine's roots"
}

// judgeServed is the Java judge's verdict on the chain a server presented,
// with anchors as the store. A chain the judge finds no path for is then
// tried against this machine's roots (crypto/x509): a public CA's root is
// in Java's cacerts as in the OS store. It returns the "; certificate …"
// note for a pass.
func judgeServed(cs tls.ConnectionState, anchors []*x509.Certificate, fqdn string, now time.Time) (string, error) {
	chain := cs.PeerCertificates
	if len(chain) == 0 {
		return "", errors.New("the server sent no certificate")
	}
	leaf := chain[0]
	// Browsers refuse an expired certificate even where Java, holding that
	// very certificate in its store, would not look at its dates.
	switch {
	case now.After(leaf.NotAfter):
		return "", &certs.PKIXError{Validation: true, Cert: leaf, Detail: "the certificate expired on " + leaf.NotAfter.UTC().Format("2006-01-02")}
	case now.Before(leaf.NotBefore):
		return "", &certs.PKIXError{Validation: true, Cert: leaf, Detail: "the certificate is not valid before " + leaf.NotBefore.UTC().Format("2006-01-02 15:04 UTC")}
	}
	note := func(via string) string {
		return fmt.Sprintf("; certificate %s, valid until %s, %s", steps.PrintableLine(leaf.Subject.CommonName), leaf.NotAfter.UTC().Format("2006-01-02"), via)
	}
	err := certs.JudgeServer(chain, anchors, fqdn, certs.HTTPSCheck, now, fqdn)
	var pe *certs.PKIXError
	if err == nil {
		return note("accepted as Java would, trusting " + anchorName(chain, anchors)), nil
	}
	if !errors.As(err, &pe) || pe.Validation {
		return "", err
	}
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	vc, gerr := leaf.Verify(x509.VerifyOptions{Intermediates: inter, CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	if gerr != nil {
		return "", err
	}
	root := vc[0][len(vc[0])-1]
	// The rest of Java's rules, now with the public root as the anchor.
	if jerr := certs.JudgeServer(chain, []*x509.Certificate{root}, fqdn, certs.HTTPSCheck, now, fqdn); jerr != nil {
		return "", jerr
	}
	return note(fmt.Sprintf("a public CA (%s) this machine trusts; every ADS's cacerts must hold it too (ccewiz check --only trust)", steps.PrintableLine(root.Subject.CommonName))), nil
}

func anchorName(chain, anchors []*x509.Certificate) string {
	for _, a := range anchors {
		for _, c := range chain {
			if c.Equal(a) || bytes.Equal(c.RawIssuer, a.RawSubject) {
				return steps.PrintableLine(a.Subject.CommonName)
			}
		}
	}
	return "the step-1 certificate"
}

// httpsFailure turns a failed GET into what went wrong and what to do.
func httpsFailure(url, fqdn, dialed, trustNote string, leaf *x509.Certificate, err error) steps.Result {
	served := ""
	if leaf != nil {
		served = fmt.Sprintf(" (served: CN=%s, DNS names %s, issuer %s, valid %s to %s)", steps.PrintableLine(leaf.Subject.CommonName),
			steps.PrintableLine(orDefault(strings.Join(leaf.DNSNames, ", "), "none")), steps.PrintableLine(leaf.Issuer.CommonName),
			leaf.NotBefore.UTC().Format("2006-01-02"), leaf.NotAfter.UTC().Format("2006-01-02"))
	}
	var (
		hostErr  *certs.HostnameError
		pkixErr  *certs.PKIXError
		dnsErr   *net.DNSError
		opErr    *net.OpError
		deadline = errors.Is(err, context.DeadlineExceeded)
	)
	switch {
	case errors.As(err, &hostErr):
		return steps.Result{Status: steps.Fail, Detail: fmt.Sprintf("%s: the certificate does not name %s%s: %v", url, fqdn, served, hostErr),
			Fix: fmt.Sprintf("reissue the certificate with %s as its CN and a DNS SAN (step 1) and bind it in IIS — SPOG fails the same way", fqdn)}
	case errors.As(err, &pkixErr) && pkixErr.Validation:
		return steps.Result{Status: steps.Fail, Detail: fmt.Sprintf("%s: %v%s", url, pkixErr, served),
			Fix: "renew the certificate (step 1), bind it in IIS on every web server, and import it (or its CA) on every ADS (step 4.1); check the server's clock"}
	case errors.As(err, &pkixErr):
		return steps.Result{Status: steps.Fail, Detail: fmt.Sprintf("%s: the certificate is not trusted (%s)%s: %v", url, trustNote, served, pkixErr),
			Fix: "keep step 1's certificate in the answers file's certificate.out_dir as <ece_fqdn>.crt, or install its root CA here; " +
				"every ADS needs it in its Java cacerts too (step 4.1, `ccewiz check --only trust`)"}
	case strings.Contains(err.Error(), "java.security.cert."):
		return steps.Result{Status: steps.Fail, Detail: fmt.Sprintf("%s: Java refuses the certificate%s: %v", url, served, err),
			Fix: "run `ccewiz check --only certificate` for the details, then fix the certificate in step 1"}
	case errors.As(err, &dnsErr):
		return steps.Result{Status: steps.Fail, Detail: fmt.Sprintf("%s: %s does not resolve from here: %v", url, fqdn, dnsErr),
			Fix: "add " + fqdn + " to DNS (users and every ADS must resolve it), or map it in the answers file's resolve section"}
	case deadline || isTimeout(err):
		return steps.Result{Status: steps.Fail, Detail: fmt.Sprintf("%s: no answer (dialled %s): %v", url, dialed, err),
			Fix: "check that the ECE web server is up and that port 443 is open from here"}
	case errors.As(err, &opErr) && opErr.Op == "dial":
		return steps.Result{Status: steps.Fail, Detail: fmt.Sprintf("%s: cannot connect to %s: %v", url, dialed, opErr.Err),
			Fix: "start IIS on the ECE web server and check the Default Web Site's https binding on port 443 (All Unassigned, host name blank, no SNI)"}
	}
	return steps.Result{Status: steps.Fail, Detail: fmt.Sprintf("%s: %v (dialled %s)", url, err, dialed),
		Fix: "run `ccewiz check --only certificate` to see what the web server presents on 443"}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
