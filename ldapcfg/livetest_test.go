package ldapcfg

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"ccewiz/certs"
	"ccewiz/secret"
	"ccewiz/testpeer"
)

// keystorePool builds the AD keystore the way the sso step does — a JKS
// with alias mydomaincontroller through certs — and returns the
// certificates it trusts.
func keystorePool(t testing.TB, c *x509.Certificate) []*x509.Certificate {
	t.Helper()
	pw := secret.New("changeit-ad")
	p, err := PlanKeystore(nil, pw, c)
	if err != nil {
		t.Fatal(err)
	}
	ks, err := OpenKeystore("mydomain.jks", p.Data, pw)
	if err != nil {
		t.Fatal(err)
	}
	if e, ok := ks.Lookup(KeystoreAlias); !ok || e.Type != certs.TrustedCertEntry {
		t.Fatalf("keystore lacks %s: %+v", KeystoreAlias, ks.Entries())
	}
	return ks.TrustedCerts()
}

func loopbackResolve(context.Context, string) ([]string, error) { return []string{"127.0.0.1"}, nil }

// silentServer accepts TCP connections and never says a word.
func silentServer(t *testing.T) string { return testpeer.HoldingServer(t, nil) }

// muteTLSServer completes TLS handshakes with cert, then never says a word:
// a DC whose LDAP service hangs behind a working TLS front.
func muteTLSServer(t *testing.T, cert *testpeer.Cert) string {
	return testpeer.HoldingServer(t, &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{cert.DER}, PrivateKey: cert.Key}}})
}

func dialTo(addr string) DialFunc {
	return func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}
}

func TestLive(t *testing.T) {
	dc := testpeer.StartSlapd(t, testpeer.SlapdOptions{})
	gc := testpeer.StartSlapd(t, testpeer.SlapdOptions{GC: true})
	otherCA := testpeer.NewCA(t, "Some Other Root CA", nil)
	dcPool := keystorePool(t, dc.CA.Cert)
	gcPool := keystorePool(t, gc.CA.Cert)
	leafPool := keystorePool(t, dc.Leaf.Cert) // the guide's way: trust the DC's own certificate
	otherPool := keystorePool(t, otherCA.Cert)
	silent := silentServer(t)
	mute := muteTLSServer(t, dc.Leaf)

	settings := func(p *testpeer.Slapd, url, base string) Settings {
		return Settings{URL: url, DNAttribute: DNAttribute, Base: base, BindDN: p.BindDN, Password: secret.New(p.Password),
			SSLEnabled: true, KeystoreLocation: `c:\ece\pcce\mydomain.jks`}
	}
	type want struct {
		status  Status            // overall
		stages  map[string]Status // the stages that must have this status
		last    string            // the last stage run
		frag    string            // in the detail of the first failed (or last) stage
		errKind func(error) bool
	}
	tests := []struct {
		name   string
		s      Settings
		o      Options
		want   want
		before func()
	}{
		{name: "GC over ldaps finds a user of another domain from the root",
			s: settings(gc, gc.LDAPSURL, ""), o: Options{Roots: gcPool, TestUser: testpeer.SlapdChildUPN},
			want: want{status: Pass, last: StageReferrals, frag: "no referrals",
				stages: map[string]Status{StageResolve: Pass, StageConnect: Pass, StageRootDSE: Pass, StageBind: Pass, StageSearch: Pass}}},
		{name: "DC over ldaps from the users container, trusting the DC's own certificate",
			s: settings(dc, dc.LDAPSURL, testpeer.SlapdUsersBase), o: Options{Roots: leafPool, TestUser: testpeer.SlapdAgentUPN},
			want: want{status: Pass, last: StageReferrals, stages: map[string]Status{StageConnect: Pass, StageSearch: Pass}}},
		{name: "DC from the domain root meets a continuation reference",
			s: settings(dc, dc.LDAPSURL, testpeer.SlapdBase), o: Options{Roots: dcPool, TestUser: testpeer.SlapdAgentUPN},
			want: want{status: Fail, last: StageReferrals, frag: "PartialResultException",
				stages: map[string]Status{StageSearch: Pass, StageReferrals: Fail}}},
		{name: "DC cannot find a user of another domain",
			s: settings(dc, dc.LDAPSURL, testpeer.SlapdBase), o: Options{Roots: dcPool, TestUser: testpeer.SlapdChildUPN},
			want: want{status: Fail, last: StageReferrals, frag: "ECE does not follow referrals",
				stages: map[string]Status{StageSearch: Fail, StageReferrals: Fail}}},
		{name: "Base inside another domain is answered with result code 10",
			s: settings(dc, dc.LDAPSURL, "CN=Users,"+testpeer.SlapdChildBase), o: Options{Roots: dcPool, TestUser: testpeer.SlapdChildUPN},
			want: want{status: Fail, last: StageReferrals, frag: "answered with a referral",
				stages: map[string]Status{StageSearch: Fail, StageReferrals: Fail}}},
		{name: "Base of a domain this DC does not hold",
			s: settings(dc, dc.LDAPSURL, "DC=example,DC=com"), o: Options{Roots: dcPool, TestUser: testpeer.SlapdAgentUPN},
			want: want{status: Fail, last: StageReferrals, frag: "result code 32",
				stages: map[string]Status{StageRootDSE: Warn, StageSearch: Fail, StageReferrals: Skip}}},
		{name: "wrong Base",
			s: settings(dc, dc.LDAPSURL, "OU=Nowhere,"+testpeer.SlapdBase), o: Options{Roots: dcPool, TestUser: testpeer.SlapdAgentUPN},
			want: want{status: Fail, last: StageReferrals, frag: "result code 32", stages: map[string]Status{StageSearch: Fail}}},
		{name: "user not found",
			s: settings(gc, gc.LDAPSURL, ""), o: Options{Roots: gcPool, TestUser: "nobody@example.local"},
			want: want{status: Fail, last: StageReferrals, frag: "no entry matches (userPrincipalName=nobody@example.local)", stages: map[string]Status{StageSearch: Fail}}},
		{name: "filter characters in the user are escaped",
			s: settings(gc, gc.LDAPSURL, ""), o: Options{Roots: gcPool, TestUser: "*)(objectClass=*"},
			want: want{status: Fail, last: StageReferrals, frag: `\2a\29\28objectClass=\2a`, stages: map[string]Status{StageSearch: Fail}}},
		{name: "no test user skips the search",
			s: settings(gc, gc.LDAPSURL, ""), o: Options{Roots: gcPool},
			want: want{status: Pass, last: StageReferrals, stages: map[string]Status{StageBind: Pass, StageSearch: Skip, StageReferrals: Skip}}},
		{name: "wrong password",
			s: func() Settings {
				s := settings(gc, gc.LDAPSURL, "")
				s.Password = secret.New("Wr0ng-" + gc.Password)
				return s
			}(),
			o:    Options{Roots: gcPool, TestUser: testpeer.SlapdAgentUPN},
			want: want{status: Fail, last: StageBind, frag: "invalid credentials", stages: map[string]Status{StageBind: Fail}}},
		{name: "unknown bind DN",
			s: func() Settings {
				s := settings(gc, gc.LDAPSURL, "")
				s.BindDN = "CN=ghost,CN=Users," + testpeer.SlapdBase
				return s
			}(),
			o:    Options{Roots: gcPool},
			want: want{status: Fail, last: StageBind, frag: "invalid credentials", stages: map[string]Status{StageBind: Fail}}},
		{name: "server certificate not in the keystore",
			s: settings(dc, dc.LDAPSURL, testpeer.SlapdUsersBase), o: Options{Roots: otherPool, RootsName: "keystore mydomain.jks", TestUser: testpeer.SlapdAgentUPN},
			want: want{status: Fail, last: StageConnect, frag: "is not trusted by keystore mydomain.jks",
				errKind: func(err error) bool {
					var te *TrustError
					var pe *certs.PKIXError
					return errors.As(err, &te) && errors.As(err, &pe)
				}}},
		{name: "server certificate not in the keystore, over StartTLS",
			s: settings(dc, dc.LDAPURL, testpeer.SlapdUsersBase), o: Options{Roots: otherPool},
			want: want{status: Fail, last: StageConnect, frag: "not trusted",
				errKind: func(err error) bool { var te *TrustError; return errors.As(err, &te) }}},
		{name: "name in the URL is not in the certificate",
			s: settings(dc, "ldaps://dc9.example.local:636", testpeer.SlapdUsersBase),
			o: Options{Roots: dcPool, Dial: dialTo(dc.TLSAddr)},
			want: want{status: Fail, last: StageConnect, frag: "not for dc9.example.local",
				errKind: func(err error) bool { var he *certs.HostnameError; return errors.As(err, &he) }}},
		{name: "StartTLS works but is not what ECE does",
			s: settings(dc, dc.LDAPURL, testpeer.SlapdUsersBase), o: Options{Roots: dcPool, TestUser: testpeer.SlapdAgentUPN},
			want: want{status: Warn, last: StageReferrals, stages: map[string]Status{StageConnect: Warn, StageBind: Pass, StageSearch: Pass}}},
		{name: "insecure never passes",
			s: settings(gc, gc.LDAPSURL, ""), o: Options{Roots: otherPool, Insecure: true, TestUser: testpeer.SlapdAgentUPN},
			want: want{status: Warn, last: StageReferrals, frag: "no referrals",
				stages: map[string]Status{StageConnect: Warn, StageBind: Pass, StageSearch: Pass}}},
		{name: "ldaps to the plain port",
			s: settings(dc, "ldaps://dc1.example.local:636", ""), o: Options{Roots: dcPool, Dial: dialTo(dc.PlainAddr), Timeout: 2 * time.Second},
			want: want{status: Fail, last: StageConnect, errKind: func(err error) bool { return errors.Is(err, ErrNotTLS) || errors.Is(err, ErrClosed) }}},
		{name: "server accepts TCP but never answers (ldaps)",
			s: settings(dc, dc.LDAPSURL, ""), o: Options{Roots: dcPool, Dial: dialTo(silent), Timeout: 300 * time.Millisecond},
			want: want{status: Fail, last: StageConnect, frag: "never completed the TLS handshake", errKind: func(err error) bool { return errors.Is(err, ErrTimeout) }}},
		{name: "server accepts TCP but never answers (StartTLS)",
			s: settings(dc, dc.LDAPURL, ""), o: Options{Roots: dcPool, Dial: dialTo(silent), Timeout: 300 * time.Millisecond},
			want: want{status: Fail, last: StageConnect, frag: "did not answer the StartTLS request", errKind: func(err error) bool { return errors.Is(err, ErrTimeout) }}},
		{name: "TLS completes but LDAP never answers",
			s: settings(dc, dc.LDAPSURL, ""), o: Options{Roots: dcPool, Dial: dialTo(mute), Timeout: time.Second},
			want: want{status: Fail, last: StageRootDSE, frag: "no answer in time", errKind: func(err error) bool { return errors.Is(err, ErrTimeout) }}},
		{name: "name does not resolve",
			s: settings(dc, "ldaps://dc1.example.invalid:636", ""), o: Options{Roots: dcPool, Timeout: 2 * time.Second,
				Resolve: func(ctx context.Context, host string) ([]string, error) {
					return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
				}},
			want: want{status: Fail, last: StageResolve, frag: "does not resolve"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.o
			if o.Dial == nil {
				o.Dial = dc.Dial
				if strings.Contains(tt.s.URL, "gc1") {
					o.Dial = gc.Dial
				}
			}
			if o.Resolve == nil {
				o.Resolve = loopbackResolve
			}
			var progress []string
			o.Progress = func(s string) { progress = append(progress, s) }
			start := time.Now()
			rep, err := Test(context.Background(), tt.s, o)
			if err != nil {
				t.Fatal(err)
			}
			if time.Since(start) > 10*time.Second {
				t.Errorf("took %s", time.Since(start))
			}
			out := render(t, rep)
			sum := summary(rep)
			if rep.Status() != tt.want.status {
				t.Errorf("status %s, want %s\n%s", rep.Status(), tt.want.status, sum)
			}
			last := rep.Stages[len(rep.Stages)-1]
			if last.Name != tt.want.last {
				t.Errorf("last stage %s, want %s\n%s", last.Name, tt.want.last, sum)
			}
			for name, st := range tt.want.stages {
				if s := rep.Stage(name); s == nil || s.Status != st {
					t.Errorf("stage %s: want %s\n%s", name, st, sum)
				}
			}
			focus := last
			if f := rep.Failed(); f != nil {
				focus = *f
			}
			if tt.want.frag != "" && !strings.Contains(focus.Detail+" "+focus.Fix, tt.want.frag) && !strings.Contains(last.Detail, tt.want.frag) {
				t.Errorf("stage %s detail %q lacks %q", focus.Name, focus.Detail, tt.want.frag)
			}
			if tt.want.errKind != nil && !tt.want.errKind(focus.Err) {
				t.Errorf("stage %s error %T %v is not of the expected kind", focus.Name, focus.Err, focus.Err)
			}
			if focus.Status == Fail && focus.Fix == "" {
				t.Errorf("failed stage %s has no fix", focus.Name)
			}
			if len(progress) != len(rep.Stages) {
				t.Errorf("progress %v for %d stages", progress, len(rep.Stages))
			}
			if o.Insecure && !strings.Contains(out, "INSECURE") {
				t.Errorf("insecure run does not say so loudly:\n%s", out)
			}
			// The password must never reach a report, in any form.
			for _, pw := range []string{tt.s.Password.Reveal(), dc.Password, gc.Password} {
				if strings.Contains(out, pw) {
					t.Fatalf("the password leaked into the report:\n%s", out)
				}
			}
		})
	}
}

// summary is a short view of the stages for failure messages.
func summary(rep *Report) string {
	var b strings.Builder
	for _, s := range rep.Stages {
		fmt.Fprintf(&b, "  %-9s %-4s %s | fix: %s | err: %v\n", s.Name, s.Status, s.Detail, s.Fix, s.Err)
	}
	return b.String()
}

// render is every way a report can be shown: JSON, %+v, and each error.
func render(t *testing.T, rep *Report) string {
	t.Helper()
	j, err := json.MarshalIndent(rep, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.Write(j)
	fmt.Fprintf(&b, "\n%+v\n%#v\n", rep, rep)
	for _, s := range rep.Stages {
		if s.Err != nil {
			fmt.Fprintf(&b, "%s: %v\n", s.Name, s.Err)
		}
	}
	return b.String()
}

func TestLiveServerDown(t *testing.T) {
	p := testpeer.StartSlapd(t, testpeer.SlapdOptions{})
	pool := keystorePool(t, p.CA.Cert)
	s := Settings{URL: p.LDAPSURL, DNAttribute: DNAttribute, Base: testpeer.SlapdUsersBase, BindDN: p.BindDN, Password: secret.New(p.Password), SSLEnabled: true}
	o := Options{Roots: pool, Dial: p.Dial, Resolve: loopbackResolve, TestUser: testpeer.SlapdAgentUPN}
	rep, err := Test(context.Background(), s, o)
	if err != nil || rep.Status() != Pass {
		t.Fatalf("before stopping: %v\n%s", err, summary(rep))
	}
	p.Stop()
	rep, err = Test(context.Background(), s, o)
	if err != nil {
		t.Fatal(err)
	}
	st := rep.Stage(StageConnect)
	if st == nil || st.Status != Fail || !errors.Is(st.Err, ErrRefused) || !strings.Contains(st.Fix, "nothing listens") {
		t.Fatalf("after stopping: %s", summary(rep))
	}
}

func TestLiveCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rep, err := Test(ctx, Settings{URL: "ldaps://dc1.example.local:636"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Status() != Fail || len(rep.Stages) != 1 || !errors.Is(rep.Stages[0].Err, context.Canceled) {
		t.Fatalf("%+v", rep.Stages)
	}
}

func TestLiveBadURL(t *testing.T) {
	var ue *URLError
	if _, err := Test(context.Background(), Settings{URL: "dc1:636"}, Options{}); !errors.As(err, &ue) {
		t.Fatalf("got %v, want a *URLError", err)
	}
}
