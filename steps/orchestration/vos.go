package orchestration

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"

	"ccewiz/certs"
	"ccewiz/steps"
)

// vosStep puts Cloud Connect's certificates in every VOS node's
// tomcat-trust and onboards each VOS cluster from its publisher. Both are
// VOS CLI or OS Administration work; ccewiz fetches the certificates from
// the nodes themselves (port 8445), writes them as the files to import —
// the node's own certificate when self-signed, else its root and
// intermediates — and prints each cluster's dialogue with its values.
type vosStep struct{}

func (vosStep) ID() string         { return "vos" }
func (vosStep) Title() string      { return "Onboard the VOS nodes (Finesse, CUIC, LiveData, IdS, VVB)" }
func (vosStep) ShortTitle() string { return "VOS onboarding" }
func (vosStep) GuideStep() string  { return "3" }
func (vosStep) Intro() string {
	return "Every VOS node must trust both Cloud Connect nodes' certificates (tomcat-trust) before " +
		"`utils system onboard initiate` runs on each cluster's publisher with the Cloud Connect publisher's FQDN and its " +
		"application user. After a partial failure run `utils system onboard update`; after Cloud Connect is reinstalled, `remove` then `initiate`."
}

func (vosStep) Fields() []steps.Field {
	return []steps.Field{steps.TextField("orchestration.cloud_connect.cert_dir", "Certificate folder", "where the Cloud Connect certificates to import are written (default orchestration/)",
		func(a *steps.Answers) *string { return &Of(a).CloudConnect.CertDir })}
}

func (vosStep) Needed(a *steps.Answers) (steps.Need, string) {
	if len(Of(a).VOS) == 0 {
		return steps.NotNeeded, "no VOS cluster is listed (orchestration.vos)"
	}
	return steps.Required, "Cloud Connect patches only the VOS nodes it onboarded"
}

// served is what a node presents on 8445 and the files to import from it.
type served struct {
	Node   string
	Chain  []*x509.Certificate
	Import []certs.Planned
}

// fetchServed dials node:8445 and takes the chain it presents, unverified
// on purpose: these are the certificates to trust, shown with their
// fingerprints for the admin to compare (trust on first use, as the guide's
// own download from the browser is).
func fetchServed(ctx context.Context, env *steps.Env, node string) (served, error) {
	s := served{Node: node}
	ctx, cancel := context.WithTimeout(ctx, env.Timeout)
	defer cancel()
	conn, err := env.Dial(ctx, "tcp", net.JoinHostPort(node, "8445"))
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &dnsErr):
		return s, fmt.Errorf("connect to %s:8445: the name does not resolve from here (%w): check the FQDN, add it to DNS, or map %s:8445 in the answers file's resolve section", node, err, node)
	case err != nil:
		return s, fmt.Errorf("connect to %s:8445: %w (is Cloud Connect up and the port open from here?)", node, err)
	}
	defer conn.Close()
	tc := tls.Client(conn, &tls.Config{ServerName: node, InsecureSkipVerify: true, MinVersion: tls.VersionTLS12}) //nolint:gosec // fetched to be trusted, shown by fingerprint
	if err := tc.HandshakeContext(ctx); err != nil {
		return s, fmt.Errorf("TLS with %s:8445: %w", node, err)
	}
	s.Chain = tc.ConnectionState().PeerCertificates
	s.Import, err = certs.TrustPlan(s.Chain, certs.ImportOptions{FQDN: node})
	if err != nil {
		return s, fmt.Errorf("%s:8445: %w", node, err)
	}
	return s, nil
}

// CertFile is where a node's certificate(s) to import are written.
func CertFile(env *steps.Env, node string) string {
	return filepath.Join(certDir(env), "cloudconnect-"+node+".pem")
}

func (s vosStep) Plan(ctx context.Context, env *steps.Env) (*steps.Plan, error) {
	o := Of(env.Answers)
	ns := nodes(o)
	if len(ns) != 2 {
		return nil, steps.BadInput(errors.New("answer both Cloud Connect nodes first (orchestration.cloud_connect.publisher and subscriber, step Prerequisites)"))
	}
	p := &steps.Plan{Step: s.ID(), Summary: fmt.Sprintf("import %s's and %s's certificates into every VOS node's tomcat-trust, then onboard %d cluster(s)", ns[0], ns[1], len(o.VOS))}
	var files []string
	for _, n := range ns {
		sv, err := fetchServed(ctx, env, n)
		if err != nil {
			return nil, err
		}
		var subjects []string
		var pemData []byte
		for _, pl := range sv.Import {
			pemData = append(pemData, certs.CertPEM(pl.Cert)...)
			subjects = append(subjects, fmt.Sprintf("%s (SHA-256 %s)", pl.Cert.Subject.CommonName, certs.Fingerprint(pl.Cert.Raw)))
		}
		path := CertFile(env, n)
		fc, err := steps.PlanWrite(path, pemData, 0o644, "import into tomcat-trust on every VOS node: "+strings.Join(subjects, ", "))
		if err != nil {
			return nil, err
		}
		p.Files = append(p.Files, fc)
		files = append(files, filepath.Base(path))
		p.Notes = append(p.Notes, fmt.Sprintf("%s presents %s — trust on first use: compare the SHA-256 with the certificate in Cloud Connect's OS Administration before importing", n, strings.Join(subjects, ", ")))
	}
	for _, c := range o.VOS {
		for _, h := range c.Hosts {
			p.GUI = append(p.GUI, steps.GUIEntry{Where: "https://" + h + "/cmplatform › Security › Certificate Management › Upload Certificate/Certificate chain",
				Field: "Certificate Purpose tomcat-trust", Value: strings.Join(files, " and ") + " (one upload each)"})
		}
		p.Commands = append(p.Commands, onboardCommand(o, c))
	}
	return p, nil
}

// onboardCommand is the dialogue on a cluster's publisher.
func onboardCommand(o *Answers, c VOSCluster) steps.Command {
	pub := norm(o.CloudConnect.Publisher)
	return steps.Command{Host: c.Hosts[0], Shell: "VOS CLI over SSH (the cluster's publisher)",
		Script: "# once both certificates are in tomcat-trust on every node of the cluster:\n" +
			"utils system onboard initiate\n#  Cloud Connect publisher: " + pub + " (the FQDN, never an IP)\n" +
			"#  application user: " + orDefault(o.CloudConnect.AppUser, "<Cloud Connect application user>") + "\n#  password: type it (masked)\n" +
			"# a partial failure, once its cause is fixed:  utils system onboard update\n" +
			"# Cloud Connect reinstalled:  utils system onboard remove, then initiate",
		Why: c.Product + " is onboarded from its publisher; both Cloud Connect nodes must be reachable, the publisher online"}
}

func (vosStep) Apply(_ context.Context, env *steps.Env, p *steps.Plan) (*steps.Outcome, error) {
	return steps.ApplyFiles(env, p)
}

func (s vosStep) Checks() []steps.Check { return s.ChecksFor(nil) }

// ChecksFor: the files hold what the nodes present now, and per cluster
// the imports and the onboarding the admin confirms.
func (vosStep) ChecksFor(a *steps.Answers) []steps.Check {
	out := []steps.Check{{ID: "vos.certs", Title: "The certificate files hold what both Cloud Connect nodes present", Run: checkCertFiles}}
	if a == nil {
		return out
	}
	for i, c := range Of(a).VOS {
		name := c.clusterName(i + 1)
		out = append(out,
			steps.Check{ID: "vos." + name + ".trust", Title: "Every node of " + name + " trusts Cloud Connect (tomcat-trust)", Manual: true,
				What: "OS Administration › Certificate Management on " + strings.Join(c.Hosts, ", ") + " lists both Cloud Connect certificates as tomcat-trust"},
			steps.Check{ID: "vos." + name + ".onboarded", Title: name + " is onboarded", Manual: true,
				What: "`utils system onboard initiate` on " + c.Hosts[0] + " ended with success (else `utils system onboard update` after fixing the cause)"})
	}
	return out
}

func checkCertFiles(ctx context.Context, env *steps.Env) steps.Result {
	o := Of(env.Answers)
	var ok []string
	for _, n := range nodes(o) {
		path := CertFile(env, n)
		data, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			return steps.Result{Status: steps.Fail, Detail: path + " does not exist", Fix: "ccewiz apply --flow orchestration --step vos fetches it from " + n}
		} else if err != nil {
			return steps.Result{Status: steps.Fail, Detail: err.Error(), Fix: "make " + path + " readable"}
		}
		sv, err := fetchServed(ctx, env, n)
		if err != nil {
			return steps.Result{Status: steps.Fail, Detail: err.Error(), Fix: "is " + n + " up, and port 8445 open from here?"}
		}
		var want []byte
		for _, pl := range sv.Import {
			want = append(want, certs.CertPEM(pl.Cert)...)
		}
		if !bytes.Equal(data, want) {
			return steps.Result{Status: steps.Fail, Detail: fmt.Sprintf("%s now presents another certificate than %s holds (renewed or reinstalled?)", n, path),
				Fix: "ccewiz apply --flow orchestration --step vos, import the new file into every VOS node's tomcat-trust, then utils system onboard update"}
		}
		ok = append(ok, filepath.Base(path))
	}
	if len(ok) == 0 {
		return steps.Result{Status: steps.Fail, Detail: "no Cloud Connect node is answered", Fix: "answer the prerequisites"}
	}
	return steps.Result{Status: steps.Pass, Detail: strings.Join(ok, ", ") + " match what the nodes present"}
}
