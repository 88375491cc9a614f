package ldapcfg

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-ldap/ldap/v3"

	"ccewiz/certs"
	"ccewiz/secret"
)

// Status is the verdict of one stage of the live test.
type Status string

const (
	Pass Status = "pass"
	Warn Status = "warn"
	Fail Status = "fail"
	Skip Status = "skip"
)

// Stages of the live test, in order.
const (
	StageResolve   = "resolve"
	StageConnect   = "connect"
	StageRootDSE   = "rootdse"
	StageBind      = "bind"
	StageSearch    = "search"
	StageReferrals = "referrals"
)

// Options tune Test.
type Options struct {
	Dial DialFunc // nil: a plain net.Dialer
	// Resolve looks a host up for the resolve stage; nil: DNS. The caller
	// reports an answers-file override here, so the stage says what is dialled.
	Resolve func(ctx context.Context, host string) ([]string, error)
	// Roots are the only trust anchors: the certificates of the AD keystore
	// ECE will use, so a pass proves that keystore works.
	Roots []*x509.Certificate
	// Java is the Java whose trust rules judge the DC's certificate (ECE's
	// JNDI); nil: certs.Java17.
	Java *certs.JavaProfile
	// RootsName names them in messages ("keystore mydomain.jks").
	RootsName string
	// Insecure connects even when the certificate is not trusted. The test
	// then never passes: it can show what else is wrong, not that ECE will connect.
	Insecure bool
	// TestUser is a userPrincipalName to search for, as ECE will when a
	// partition administrator opens the ECE gadget. Empty: the search is skipped.
	TestUser string
	Timeout  time.Duration // per stage; 0: 5 s
	Now      func() time.Time
	// Progress is told each stage as it starts ("binding as CN=…").
	Progress func(stage string)
}

// Stage is one step of the live test. Detail never holds the password.
type Stage struct {
	Name     string        `json:"stage"`
	Status   Status        `json:"status"`
	Detail   string        `json:"detail"`
	Fix      string        `json:"fix,omitempty"`
	Duration time.Duration `json:"-"`
	Millis   int64         `json:"ms"`
	Err      error         `json:"-"`
}

// RootDSE is what the server says about itself before any bind.
type RootDSE struct {
	DNSHostName          string   `json:"dns_host_name,omitempty"`
	DefaultNamingContext string   `json:"default_naming_context,omitempty"`
	IsGlobalCatalogReady string   `json:"is_global_catalog_ready,omitempty"` // TRUE, FALSE or "" (not AD)
	SupportedLDAPVersion []string `json:"supported_ldap_version,omitempty"`
	NamingContexts       []string `json:"naming_contexts,omitempty"`
}

// Report is the whole live test.
type Report struct {
	URL       string           `json:"url"`
	Endpoint  Endpoint         `json:"endpoint"`
	Mode      string           `json:"mode,omitempty"` // ldaps or StartTLS
	TLS       string           `json:"tls_version,omitempty"`
	Insecure  bool             `json:"insecure"`
	Stages    []Stage          `json:"stages"`
	Chain     []certs.CertInfo `json:"certificates,omitempty"`
	RootDSE   *RootDSE         `json:"rootdse,omitempty"`
	UserDN    string           `json:"user_dn,omitempty"`
	Referrals []string         `json:"referrals,omitempty"`
}

// Status is the worst stage; an insecure run is never better than Warn.
func (r *Report) Status() Status {
	worst := Pass
	for _, s := range r.Stages {
		switch {
		case s.Status == Fail:
			return Fail
		case s.Status == Warn:
			worst = Warn
		}
	}
	if r.Insecure {
		return Warn
	}
	return worst
}

// Failed returns the first failed stage, or nil.
func (r *Report) Failed() *Stage {
	for i := range r.Stages {
		if r.Stages[i].Status == Fail {
			return &r.Stages[i]
		}
	}
	return nil
}

// Stage returns the named stage, or nil when the test stopped before it.
func (r *Report) Stage(name string) *Stage {
	for i := range r.Stages {
		if r.Stages[i].Name == name {
			return &r.Stages[i]
		}
	}
	return nil
}

// InsecureWarning is put in front of every insecure run.
const InsecureWarning = "INSECURE: the server's certificate was not verified, so this run cannot show that ECE will connect; it only shows what else is wrong"

// Test connects to the LDAP server of s the way ECE will and reports each
// stage with its timing: resolve → connect (TLS, trusting only opts.Roots)
// → rootDSE → simple bind as the DN for LDAP search → search the test user
// by the DN attribute from the Base (or the Global Catalog's root) →
// referrals ECE would fail on. It stops at the first stage that makes the
// rest meaningless. It returns an error only for unusable input (an
// unparsable URL); every network or LDAP failure is a failed stage.
func Test(ctx context.Context, s Settings, opts Options) (*Report, error) {
	ep, err := ParseURL(s.URL)
	if err != nil {
		return nil, err
	}
	t := &tester{s: s, o: opts, ep: ep, rep: &Report{URL: strings.TrimSpace(s.URL), Endpoint: ep, Insecure: opts.Insecure}}
	if t.o.Timeout <= 0 {
		t.o.Timeout = 5 * time.Second
	}
	if t.o.Now == nil {
		t.o.Now = time.Now
	}
	if t.o.RootsName == "" {
		t.o.RootsName = "the AD keystore"
	}
	defer t.close()
	for _, st := range []struct {
		name string
		run  func(ctx context.Context) Stage
	}{
		{StageResolve, t.resolve},
		{StageConnect, t.connect},
		{StageRootDSE, t.rootDSE},
		{StageBind, t.bind},
		{StageSearch, t.search},
		{StageReferrals, t.referrals},
	} {
		if err := ctx.Err(); err != nil {
			t.add(Stage{Name: st.name, Status: Fail, Detail: "cancelled before this stage", Err: err})
			break
		}
		if t.o.Progress != nil {
			t.o.Progress(st.name)
		}
		start := time.Now()
		stage := scrubStage(st.run(ctx), t.s.Password.Reveal())
		stage.Name = st.name
		stage.Duration = time.Since(start)
		stage.Millis = stage.Duration.Milliseconds()
		t.add(stage)
		if stage.Status == Fail && st.name != StageSearch {
			break
		}
	}
	scrubReport(t.rep, t.s.Password.Reveal())
	return t.rep, nil
}

// scrubStage masks the password wherever a server's words were copied in:
// a DC, or something posing as one, may echo it in any diagnostic.
func scrubStage(st Stage, password string) Stage {
	if password == "" {
		return st
	}
	st.Detail = strings.ReplaceAll(st.Detail, password, secret.Mask)
	st.Fix = strings.ReplaceAll(st.Fix, password, secret.Mask)
	st.Err = scrub(st.Err, password)
	return st
}

// scrubReport masks the password in what the server answered outside the stages.
func scrubReport(r *Report, password string) {
	if password == "" {
		return
	}
	mask := func(v *string) { *v = strings.ReplaceAll(*v, password, secret.Mask) }
	mask(&r.UserDN)
	for i := range r.Referrals {
		mask(&r.Referrals[i])
	}
	if d := r.RootDSE; d != nil {
		mask(&d.DNSHostName)
		mask(&d.DefaultNamingContext)
		mask(&d.IsGlobalCatalogReady)
		for i := range d.SupportedLDAPVersion {
			mask(&d.SupportedLDAPVersion[i])
		}
		for i := range d.NamingContexts {
			mask(&d.NamingContexts[i])
		}
	}
}

type tester struct {
	s      Settings
	o      Options
	ep     Endpoint
	rep    *Report
	c      *conn
	result *ldap.SearchResult
}

func (t *tester) add(s Stage) { t.rep.Stages = append(t.rep.Stages, s) }

func (t *tester) close() {
	if t.c != nil {
		t.c.Close()
	}
}

func (t *tester) resolve(ctx context.Context) Stage {
	if net.ParseIP(t.ep.Host) != nil {
		return Stage{Status: Pass, Detail: t.ep.Host + " is an IP address: nothing to resolve"}
	}
	look := t.o.Resolve
	if look == nil {
		look = net.DefaultResolver.LookupHost
	}
	rctx, cancel := context.WithTimeout(ctx, t.o.Timeout)
	defer cancel()
	addrs, err := look(rctx, t.ep.Host)
	if err != nil {
		return Stage{Status: Fail, Err: err, Detail: fmt.Sprintf("%s does not resolve: %v", t.ep.Host, err),
			Fix: "check the name, and that this machine and ECE's application servers use the domain's DNS servers"}
	}
	return Stage{Status: Pass, Detail: fmt.Sprintf("%s → %s", t.ep.Host, strings.Join(addrs, ", "))}
}

func (t *tester) connect(ctx context.Context) Stage {
	ts := &tlsSetup{host: t.ep.Host, roots: t.o.Roots, java: t.o.Java, rootsName: t.o.RootsName, now: t.o.Now(), insecure: t.o.Insecure}
	c, err := dialLDAP(ctx, t.ep, t.o.Dial, t.o.Timeout, ts)
	for _, cert := range ts.chain {
		t.rep.Chain = append(t.rep.Chain, certs.Describe(cert))
	}
	if ts.version != 0 {
		t.rep.TLS = tls.VersionName(ts.version)
	}
	if err != nil {
		var te *TrustError
		var ce *ConnectError
		switch {
		case errors.As(err, &te):
			return Stage{Status: Fail, Err: err, Detail: te.Error(), Fix: te.Fix}
		case errors.As(err, &ce):
			return Stage{Status: Fail, Err: err, Detail: ce.Error(), Fix: ce.Fix}
		}
		return Stage{Status: Fail, Err: err, Detail: err.Error(), Fix: "check the LDAP URL"}
	}
	t.c = c
	t.rep.Mode = c.mode
	leaf := ""
	if len(ts.chain) > 0 {
		leaf = fmt.Sprintf(", certificate %q", ts.chain[0].Subject.String())
	}
	detail := fmt.Sprintf("%s to %s (%s%s)", c.mode, t.ep.Addr(), t.rep.TLS, leaf)
	if t.o.Insecure {
		verdict := "it would have been trusted by " + t.o.RootsName
		if ts.verifyErr != nil {
			verdict = "and it is NOT trusted: " + ts.verifyErr.Reason
		}
		return Stage{Status: Warn, Err: ts.verifyErr, Detail: InsecureWarning + "; " + detail + "; " + verdict,
			Fix: "run again without --insecure, with the AD keystore (--keystore)"}
	}
	if c.mode == "StartTLS" {
		detail += "; ECE itself does not use StartTLS: with SSL enabled it needs ldaps:// on 636 or 3269"
		return Stage{Status: Warn, Detail: detail + ", verified with " + t.o.RootsName,
			Fix: "use ldaps://" + t.ep.Host + ":3269 (Global Catalog) or :636 in ECE"}
	}
	return Stage{Status: Pass, Detail: detail + ", verified with " + t.o.RootsName + " only"}
}

func (t *tester) rootDSE(ctx context.Context) Stage {
	req := ldap.NewSearchRequest("", ldap.ScopeBaseObject, ldap.NeverDerefAliases, 1, int(t.o.Timeout.Seconds())+1, false,
		"(objectClass=*)", []string{"dnsHostName", "defaultNamingContext", "isGlobalCatalogReady", "supportedLDAPVersion", "namingContexts"}, nil)
	var res *ldap.SearchResult
	err := bounded(ctx, t.o.Timeout, t.c.raw.Close, func() (err error) { res, err = t.c.ldap.Search(req); return err })
	if err != nil {
		msg, fix := Explain(err)
		return Stage{Status: Fail, Err: err, Detail: "read the rootDSE: " + msg, Fix: fix}
	}
	if len(res.Entries) == 0 {
		return Stage{Status: Warn, Detail: "the server returned no rootDSE (anonymous reads refused?)", Fix: "check it is an Active Directory domain controller"}
	}
	e := res.Entries[0]
	r := &RootDSE{
		DNSHostName:          e.GetAttributeValue("dnsHostName"),
		DefaultNamingContext: e.GetAttributeValue("defaultNamingContext"),
		IsGlobalCatalogReady: strings.ToUpper(e.GetAttributeValue("isGlobalCatalogReady")),
		SupportedLDAPVersion: e.GetAttributeValues("supportedLDAPVersion"),
		NamingContexts:       e.GetAttributeValues("namingContexts"),
	}
	t.rep.RootDSE = r
	var notes, warns, fixes []string
	if r.DNSHostName != "" {
		notes = append(notes, "dnsHostName "+r.DNSHostName)
	} else {
		notes = append(notes, "no dnsHostName (not Active Directory?)")
	}
	if r.DefaultNamingContext != "" {
		notes = append(notes, "defaultNamingContext "+r.DefaultNamingContext)
	}
	notes = append(notes, "isGlobalCatalogReady "+orNone(r.IsGlobalCatalogReady), "LDAP versions "+orNone(strings.Join(r.SupportedLDAPVersion, ",")))
	if !slices.Contains(r.SupportedLDAPVersion, "3") && len(r.SupportedLDAPVersion) > 0 {
		warns = append(warns, "the server does not list LDAP version 3, which ECE's Java client speaks")
		fixes = append(fixes, "point the LDAP URL at an Active Directory domain controller")
	}
	switch {
	case t.ep.GC && r.IsGlobalCatalogReady != "TRUE":
		warns = append(warns, fmt.Sprintf("port %d is a Global Catalog port, but the server says isGlobalCatalogReady %s; it cannot answer for the whole forest",
			t.ep.Port, orNone(r.IsGlobalCatalogReady)))
		fixes = append(fixes, "point the LDAP URL at a DC that is a Global Catalog (Active Directory Sites and Services › NTDS Settings › Global Catalog)")
	case !t.ep.GC && r.IsGlobalCatalogReady == "TRUE":
		notes = append(notes, fmt.Sprintf("this DC is also a Global Catalog: ldaps://%s:3269 would search the whole forest without referrals", t.ep.Host))
	}
	if base := strings.TrimSpace(t.s.Base); base != "" && !t.ep.GC {
		if w := baseOutside(base, r); w != "" {
			warns = append(warns, w)
			fixes = append(fixes, "correct the Base, or use a Global Catalog (port 3269) or a DC of that domain")
		}
	}
	st := Stage{Status: Pass, Detail: strings.Join(notes, "; ")}
	if len(warns) > 0 {
		st.Status, st.Detail, st.Fix = Warn, strings.Join(warns, "; ")+" ("+st.Detail+")", strings.Join(fixes, "; ")
	}
	return st
}

// baseOutside explains when the Base is not held by this DC (so AD would
// answer the search with a referral), or returns "".
func baseOutside(base string, r *RootDSE) string {
	b, err := ParseDN(base)
	if err != nil {
		return ""
	}
	held := r.NamingContexts
	if r.DefaultNamingContext != "" {
		held = append(held, r.DefaultNamingContext)
	}
	if len(held) == 0 {
		return ""
	}
	for _, nc := range held {
		if d, err := ldap.ParseDN(nc); err == nil && (d.EqualFold(b) || d.AncestorOfFold(b)) {
			return ""
		}
	}
	return fmt.Sprintf("Base %s is not in this DC's naming contexts (%s): the DC will answer with a referral, which ECE does not follow", base, strings.Join(held, "; "))
}

func (t *tester) bind(ctx context.Context) Stage {
	dn := strings.TrimSpace(t.s.BindDN)
	if dn == "" {
		return Stage{Status: Warn, Detail: "no DN for LDAP search: the search runs anonymously, which Active Directory refuses unless the forest allows it",
			Fix: "give the DN of a service account, e.g. CN=pcceadmin,CN=Users,DC=example,DC=local"}
	}
	if t.s.Password.IsZero() {
		return Stage{Status: Fail, Detail: "no password for " + dn, Fix: "give the password of the DN for LDAP search (an env var or a file)"}
	}
	err := bounded(ctx, t.o.Timeout, t.c.raw.Close, func() error { return t.c.ldap.Bind(dn, t.s.Password.Reveal()) })
	if err != nil {
		// Test masks the password in every stage, this one's error included.
		msg, fix := Explain(err)
		return Stage{Status: Fail, Err: err, Detail: "bind as " + dn + ": " + msg, Fix: fix}
	}
	return Stage{Status: Pass, Detail: "bound as " + dn}
}

func (t *tester) searchBase() (string, bool) {
	base := strings.TrimSpace(t.s.Base)
	if base == "" && t.ep.GC {
		return "", true
	}
	return base, base != ""
}

func (t *tester) search(ctx context.Context) Stage {
	user := strings.TrimSpace(t.o.TestUser)
	if user == "" {
		return Stage{Status: Skip, Detail: "no test user given, so ECE's user lookup was not tried",
			Fix: "give a partition administrator's userPrincipalName (--user, or sso.test_user) to prove ECE can find them"}
	}
	base, ok := t.searchBase()
	if !ok {
		return Stage{Status: Fail, Detail: "no Base, and the LDAP URL is not a Global Catalog: ECE has nowhere to search",
			Fix: "give the Base (e.g. DC=example,DC=local), or use a Global Catalog URL (port 3269)"}
	}
	attr := strings.TrimSpace(t.s.DNAttribute)
	if attr == "" {
		attr = DNAttribute
	}
	filter := fmt.Sprintf("(%s=%s)", ldap.EscapeFilter(attr), ldap.EscapeFilter(user))
	// No ManageDsaIT control: JNDI sends one, but AD ignores it at the naming-context
	// boundaries that cause ECE's PartialResultException, so without it every
	// referral ECE could meet shows up here.
	req := ldap.NewSearchRequest(base, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 2, int(t.o.Timeout.Seconds())+1, false,
		filter, []string{attr}, nil)
	where := "from Base " + base
	if base == "" {
		where = "from the Global Catalog's root (whole forest)"
	}
	var res *ldap.SearchResult
	err := bounded(ctx, t.o.Timeout, t.c.raw.Close, func() (err error) { res, err = t.c.ldap.Search(req); return err })
	if err != nil && !ldap.IsErrorWithCode(err, ldap.LDAPResultSizeLimitExceeded) {
		msg, fix := Explain(err)
		if refs := referralsOf(err); len(refs) > 0 {
			t.rep.Referrals = append(t.rep.Referrals, refs...)
			msg += " → " + strings.Join(refs, ", ")
		}
		return Stage{Status: Fail, Err: err, Detail: fmt.Sprintf("search %s %s: %s", filter, where, msg), Fix: fix}
	}
	t.result, t.rep.Referrals = res, res.Referrals
	switch n := len(res.Entries); {
	case n == 0:
		d := fmt.Sprintf("no entry matches %s %s", filter, where)
		fix := "check the user's logon name in Active Directory Users and Computers (Account tab: User logon name, the part after @ included), and that the Base contains the user"
		if len(res.Referrals) > 0 {
			d += fmt.Sprintf("; part of the tree is only referred to (%s), and ECE does not follow referrals", strings.Join(res.Referrals, ", "))
			fix = "use a Global Catalog (ldaps://" + t.ep.Host + ":3269, Base empty) so users of every domain are found"
		}
		if !strings.EqualFold(attr, DNAttribute) {
			fix = "set DN Attribute to userPrincipalName: SPOG hands ECE the user principal name"
		}
		return Stage{Status: Fail, Detail: d, Fix: fix}
	case n > 1:
		return Stage{Status: Warn, Detail: fmt.Sprintf("%d or more entries match %s %s; a user principal name must be unique in the forest", n, filter, where),
			Fix: "find the duplicates (Get-ADObject -LDAPFilter \"" + filter + "\") and correct them"}
	}
	t.rep.UserDN = res.Entries[0].DN
	return Stage{Status: Pass, Detail: fmt.Sprintf("found %s %s", res.Entries[0].DN, where)}
}

func (t *tester) referrals(context.Context) Stage {
	if t.result == nil {
		if s := t.rep.Stage(StageSearch); s != nil && s.Status == Fail && len(t.rep.Referrals) > 0 {
			return Stage{Status: Fail, Detail: "the search was answered with a referral (" + strings.Join(t.rep.Referrals, ", ") +
				"): the Base is held by another DC, and ECE does not follow referrals — it logs " + ContinuationError,
				Fix: "use a Global Catalog (ldaps://" + t.ep.Host + ":3269) or the DC of the Base's domain"}
		}
		return Stage{Status: Skip, Detail: "no search was made"}
	}
	if len(t.result.Referrals) == 0 {
		return Stage{Status: Pass, Detail: "the search returned no referrals: ECE will not meet " + ContinuationError}
	}
	d := fmt.Sprintf("the search returned %d continuation reference(s) (%s); ECE does not follow them and fails with %s",
		len(t.result.Referrals), strings.Join(t.result.Referrals, ", "), ContinuationError)
	fix := "use a Global Catalog: ldaps://" + t.ep.Host + ":3269 with an empty Base (the guide's best practice)"
	if t.ep.GC {
		fix = "narrow the Base to the users' container (e.g. CN=Users,DC=example,DC=local)"
	} else if base := strings.TrimSpace(t.s.Base); base != "" {
		fix += ", or narrow the Base below the referral (e.g. CN=Users," + base + ")"
	}
	// JNDI throws at the end of the enumeration, so ECE fails the login even
	// when the user was found.
	return Stage{Status: Fail, Detail: d, Fix: fix}
}

// referralsOf digs the referral URLs out of a result-code-10 answer.
func referralsOf(err error) []string {
	var le *ldap.Error
	if !errors.As(err, &le) || le.ResultCode != ldap.LDAPResultReferral || le.Packet == nil || len(le.Packet.Children) < 2 {
		return nil
	}
	var out []string
	for _, c := range le.Packet.Children[1].Children {
		// LDAPResult's referral is [3] SEQUENCE OF URI.
		if c.Tag == 3 && c.ClassType == 0x80 {
			for _, u := range c.Children {
				if s, ok := u.Value.(string); ok {
					out = append(out, s)
				} else if u.Data != nil {
					out = append(out, u.Data.String())
				}
			}
		}
	}
	return out
}

// scrub removes the password from an error's text, in case a server ever
// echoes it back in a diagnostic message.
func scrub(err error, password string) error {
	if err == nil || password == "" || !strings.Contains(err.Error(), password) {
		return err
	}
	var le *ldap.Error
	if errors.As(err, &le) && le.Err != nil {
		// Keep the result code callers branch on.
		return &ldap.Error{ResultCode: le.ResultCode, MatchedDN: le.MatchedDN, Err: errors.New(strings.ReplaceAll(le.Err.Error(), password, secret.Mask))}
	}
	return errors.New(strings.ReplaceAll(err.Error(), password, secret.Mask))
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// ResolveVia returns an Options.Resolve that reports an override first:
// target maps "host:port" to the address really dialled (steps.Env.Target,
// the answers file's resolve section), and only names it leaves alone are
// looked up in DNS.
func ResolveVia(target func(addr string) string, port int) func(ctx context.Context, host string) ([]string, error) {
	return func(ctx context.Context, host string) ([]string, error) {
		addr := net.JoinHostPort(host, strconv.Itoa(port))
		if target != nil {
			if to := target(addr); to != addr {
				return []string{to + " (the answers file's resolve section)"}, nil
			}
		}
		return net.DefaultResolver.LookupHost(ctx, host)
	}
}
