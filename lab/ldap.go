package lab

import (
	"crypto/subtle"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/go-ldap/ldap/v3"
	"github.com/hashicorp/go-hclog"
	"github.com/jimlambrt/gldap"
)

// The lab's "Active Directory": domain example.local, domain controller
// dc1.example.local, which is also a Global Catalog. It answers on three
// loopback ports, the ones an admin may type into ECE:
//
//   - the GC over TLS (3269 in production): a search based at the forest
//     root or the domain finds every user — the setting Cisco recommends;
//   - the DC in plain LDAP (389) and over TLS (636): a subtree search at the
//     domain root also returns continuation references to the
//     DomainDnsZones/ForestDnsZones/Configuration partitions, as AD does.
//     Java's JNDI (ECE) with referrals ignored turns those into
//     "javax.naming.PartialResultException: Unprocessed Continuation
//     Reference(s)" — the failure in Cisco's troubleshooting table.
//
// gldap cannot write SearchResultReference messages, so every port is a
// small relay (relay.go) in front of a plain gldap server: the handler marks
// where references belong (refMarker in the diagnostic message) and the relay
// turns the mark into real LDAP messages. The relays also terminate TLS and
// StartTLS, and own the client connections so Close never waits for them.

const (
	domainDN   = "DC=example,DC=local"
	domainDNS  = "example.local"
	dcHost     = "dc1.example.local"
	serviceDN  = "CN=pcceadmin,CN=Users," + domainDN
	serviceUPN = "pcceadmin@" + domainDNS
	refMarker  = "ccewiz-lab-refs "

	personCategory = "CN=Person,CN=Schema,CN=Configuration," + domainDN
)

// AD's own diagnostic texts, so what ccewiz shows matches what admins find
// when they search the web for an error.
const (
	diagInvalidCreds = "80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 52e, v4563"
	diagNeedBind     = "000004DC: LdapErr: DSID-0C090A5C, comment: In order to perform this operation a successful bind must be completed on the connection., data 0, v4563"
	diagNoObject     = "0000208D: NameErr: DSID-0310021B, problem 2001 (NO_OBJECT), data 0, best match of:\n\t''\n"
)

// ldapEntry is one directory object.
type ldapEntry struct {
	dn    string
	attrs [][2]any // name string, values []string — kept in AD's order
}

func (e *ldapEntry) get(name string) []string {
	for _, a := range e.attrs {
		if strings.EqualFold(a[0].(string), name) {
			return a[1].([]string)
		}
	}
	return nil
}

func entry(dn string, kv ...any) *ldapEntry {
	e := &ldapEntry{dn: dn}
	for i := 0; i+1 < len(kv); i += 2 {
		var vals []string
		switch v := kv[i+1].(type) {
		case string:
			vals = []string{v}
		case []string:
			vals = v
		}
		e.attrs = append(e.attrs, [2]any{kv[i].(string), vals})
	}
	return e
}

// User is one account in the lab's directory.
type User struct {
	SAM, Given, Surname string
}

// UPN is the user's userPrincipalName, what ECE's DN Attribute must name.
func (u User) UPN() string { return strings.ToLower(u.SAM) + "@" + domainDNS }

// DN is the user's distinguished name.
func (u User) DN() string { return "CN=" + u.Given + " " + u.Surname + ",CN=Users," + domainDN }

// Users are the people in the lab's directory besides the service account.
var Users = []User{
	{"jdoe", "John", "Doe"},
	{"asmith", "Alice", "Smith"},
	{"agent01", "Agent", "One"},
}

func directoryEntries() []*ldapEntry {
	es := []*ldapEntry{
		entry(domainDN, "objectClass", []string{"top", "domain", "domainDNS"}, "dc", "example",
			"distinguishedName", domainDN, "name", "example"),
		entry("CN=Users,"+domainDN, "objectClass", []string{"top", "container"}, "cn", "Users",
			"distinguishedName", "CN=Users,"+domainDN, "description", "Default container for upgraded user accounts"),
		entry(serviceDN, "objectClass", []string{"top", "person", "organizationalPerson", "user"},
			"objectCategory", personCategory, "cn", "pcceadmin", "sAMAccountName", "pcceadmin", "userPrincipalName", serviceUPN,
			"displayName", "PCCE administrator (ECE LDAP lookups)", "distinguishedName", serviceDN,
			"memberOf", "CN=Domain Admins,CN=Users,"+domainDN),
		entry("CN=Domain Admins,CN=Users,"+domainDN, "objectClass", []string{"top", "group"},
			"cn", "Domain Admins", "sAMAccountName", "Domain Admins", "member", serviceDN),
	}
	for _, u := range Users {
		es = append(es, entry(u.DN(), "objectClass", []string{"top", "person", "organizationalPerson", "user"},
			"objectCategory", personCategory, "cn", u.Given+" "+u.Surname, "givenName", u.Given, "sn", u.Surname, "sAMAccountName", u.SAM,
			"userPrincipalName", u.UPN(), "displayName", u.Given+" "+u.Surname, "mail", u.UPN(),
			"distinguishedName", u.DN()))
	}
	return es
}

func rootDSE(gc bool) *ldapEntry {
	return entry("",
		"currentTime", time.Now().UTC().Format("20060102150405.0Z"),
		"dsServiceName", "CN=NTDS Settings,CN=DC1,CN=Servers,CN=Default-First-Site-Name,CN=Sites,CN=Configuration,"+domainDN,
		"namingContexts", []string{domainDN, "CN=Configuration," + domainDN, "CN=Schema,CN=Configuration," + domainDN,
			"DC=DomainDnsZones," + domainDN, "DC=ForestDnsZones," + domainDN},
		"defaultNamingContext", domainDN,
		"rootDomainNamingContext", domainDN,
		"configurationNamingContext", "CN=Configuration,"+domainDN,
		"schemaNamingContext", "CN=Schema,CN=Configuration,"+domainDN,
		"supportedLDAPVersion", []string{"3", "2"},
		"supportedSASLMechanisms", []string{"GSSAPI", "GSS-SPNEGO", "EXTERNAL", "DIGEST-MD5"},
		"dnsHostName", dcHost,
		"ldapServiceName", domainDNS+":dc1$@EXAMPLE.LOCAL",
		"serverName", "CN=DC1,CN=Servers,CN=Default-First-Site-Name,CN=Sites,CN=Configuration,"+domainDN,
		"isSynchronized", "TRUE",
		// dc1 is a GC whichever port is asked; the port decides how it searches.
		"isGlobalCatalogReady", "TRUE",
		"domainFunctionality", "7", "forestFunctionality", "7", "domainControllerFunctionality", "7",
	)
}

// continuationRefs are what AD returns beside the entries of a subtree
// search at the domain root on a DC port.
var continuationRefs = []string{
	"ldap://ForestDnsZones.example.local/DC=ForestDnsZones,DC=example,DC=local",
	"ldap://DomainDnsZones.example.local/DC=DomainDnsZones,DC=example,DC=local",
	"ldap://example.local/CN=Configuration,DC=example,DC=local",
}

// directory serves one port's view of the domain.
type directory struct {
	gc       bool
	password string // the service account's
	entries  []*ldapEntry
	userPass map[string]string // lower-case DN → password, for the other users

	mu    sync.Mutex
	bound map[int]string // connection → bound DN ("" = anonymous)
	srv   *gldap.Server
	addr  string
}

func newDirectory(gc bool, password string, userPass map[string]string) *directory {
	return &directory{gc: gc, password: password, entries: directoryEntries(), userPass: userPass, bound: map[int]string{}}
}

// start runs the gldap server on a free loopback port, for the relays.
func (d *directory) start() error {
	mux, err := gldap.NewMux()
	if err != nil {
		return err
	}
	mux.Bind(d.handleBind)
	mux.Search(d.handleSearch)
	mux.DefaultRoute(func(w *gldap.ResponseWriter, r *gldap.Request) {
		resp := r.NewResponse(gldap.WithResponseCode(gldap.ResultUnwillingToPerform))
		resp.SetDiagnosticMessage("00002035: LdapErr: DSID-0C090E09, comment: the ccewiz lab directory is read-only")
		w.Write(resp)
	})
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		addr, err := freePort()
		if err != nil {
			return err
		}
		srv, err := gldap.NewServer(gldap.WithLogger(hclog.NewNullLogger()),
			gldap.WithReadTimeout(10*time.Minute),
			gldap.WithOnClose(func(id int) { d.mu.Lock(); delete(d.bound, id); d.mu.Unlock() }))
		if err != nil {
			return err
		}
		srv.Router(mux)
		errc := make(chan error, 1)
		go func() { errc <- srv.Run(addr) }()
		if lastErr = waitListening(addr, errc); lastErr == nil {
			d.srv, d.addr = srv, addr
			return nil
		}
		srv.Stop()
	}
	return fmt.Errorf("Active Directory: start LDAP server on 127.0.0.1: %w", lastErr)
}

func (d *directory) close() error {
	if d.srv == nil {
		return nil
	}
	return d.srv.Stop()
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port on 127.0.0.1: %w", err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr, nil
}

// waitListening waits until addr accepts connections or the server failed.
func waitListening(addr string, errc <-chan error) error {
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-errc:
			if err == nil {
				err = fmt.Errorf("server stopped")
			}
			return err
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	return fmt.Errorf("%s did not start listening within 5s", addr)
}

// normDN lower-cases a DN and drops the spaces after commas, enough to
// compare the DNs people type with the directory's.
func normDN(dn string) string {
	parts := strings.Split(dn, ",")
	for i, p := range parts {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if ok {
			p = strings.TrimSpace(k) + "=" + strings.TrimSpace(v)
		}
		parts[i] = strings.ToLower(p)
	}
	return strings.Join(parts, ",")
}

// account finds the entry a bind name refers to: AD accepts a DN, a
// userPrincipalName or DOMAIN\sAMAccountName.
func (d *directory) account(name string) *ldapEntry {
	n := strings.TrimSpace(name)
	for _, e := range d.entries {
		if e.get("sAMAccountName") == nil || e.get("userPrincipalName") == nil {
			continue
		}
		switch {
		case normDN(e.dn) == normDN(n),
			strings.EqualFold(e.get("userPrincipalName")[0], n),
			strings.EqualFold(`EXAMPLE\`+e.get("sAMAccountName")[0], n):
			return e
		}
	}
	return nil
}

func (d *directory) handleBind(w *gldap.ResponseWriter, r *gldap.Request) {
	resp := r.NewBindResponse(gldap.WithResponseCode(gldap.ResultInvalidCredentials))
	resp.SetDiagnosticMessage(diagInvalidCreds)
	defer func() { w.Write(resp) }()
	m, err := r.GetSimpleBindMessage()
	if err != nil {
		resp.SetResultCode(gldap.ResultAuthMethodNotSupported)
		resp.SetDiagnosticMessage("00002028: LdapErr: DSID-0C0901FC, comment: only simple binds are offered by the ccewiz lab, data 0, v4563")
		return
	}
	if m.UserName == "" && m.Password == "" {
		d.setBound(r.ConnectionID(), "")
		resp.SetResultCode(gldap.ResultSuccess)
		resp.SetDiagnosticMessage("")
		return
	}
	e := d.account(m.UserName)
	if e == nil || m.Password == "" {
		return
	}
	want := d.userPass[normDN(e.dn)]
	if normDN(e.dn) == normDN(serviceDN) {
		want = d.password
	}
	if want == "" || subtle.ConstantTimeCompare([]byte(want), []byte(m.Password)) != 1 {
		return
	}
	d.setBound(r.ConnectionID(), e.dn)
	resp.SetResultCode(gldap.ResultSuccess)
	resp.SetDiagnosticMessage("")
}

func (d *directory) setBound(conn int, dn string) {
	d.mu.Lock()
	d.bound[conn] = dn
	d.mu.Unlock()
}

func (d *directory) boundDN(conn int) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.bound[conn]
}

func (d *directory) handleSearch(w *gldap.ResponseWriter, r *gldap.Request) {
	done := r.NewSearchDoneResponse(gldap.WithResponseCode(gldap.ResultSuccess))
	defer func() { w.Write(done) }()
	m, err := r.GetSearchMessage()
	if err != nil {
		done.SetResultCode(gldap.ResultProtocolError)
		return
	}
	filter, err := ldap.CompileFilter(m.Filter)
	if err != nil {
		done.SetResultCode(gldap.ResultFilterError)
		done.SetDiagnosticMessage(err.Error())
		return
	}
	base := normDN(m.BaseDN)
	if base == "" && m.Scope == gldap.BaseObject {
		// The rootDSE is readable without a bind: clients use it to find the naming contexts.
		d.send(w, r, rootDSE(d.gc), m)
		return
	}
	if d.boundDN(r.ConnectionID()) == "" {
		done.SetResultCode(gldap.ResultOperationsError)
		done.SetDiagnosticMessage(diagNeedBind)
		return
	}
	inDomain := base == normDN(domainDN) || strings.HasSuffix(base, ","+normDN(domainDN))
	switch {
	case base == "" && d.gc:
		// A GC searched from the empty base covers the whole forest.
	case !inDomain && d.gc:
		done.SetResultCode(gldap.ResultNoSuchObject)
		done.SetDiagnosticMessage(diagNoObject)
		return
	case !inDomain:
		// A DC refers searches outside its naming contexts to whoever holds them.
		target := dnToDNS(m.BaseDN)
		done.SetResultCode(gldap.ResultReferral)
		done.SetDiagnosticMessage(refMarker + "ldap://" + target + "/" + m.BaseDN + "\n" +
			fmt.Sprintf("0000202B: RefErr: DSID-0310082F, data 0, 1 access points\n\tref 1: '%s'\n", target))
		return
	}
	found := false
	n := int64(0)
	for _, e := range d.entries {
		en := normDN(e.dn)
		if en == base {
			found = true
		}
		if base != "" && !inScope(en, base, m.Scope) {
			continue
		}
		if base == "" && m.Scope == gldap.SingleLevel && en != normDN(domainDN) {
			continue
		}
		if !matches(filter, e) {
			continue
		}
		if m.SizeLimit > 0 && n >= m.SizeLimit {
			done.SetResultCode(gldap.ResultSizeLimitExceeded)
			return
		}
		d.send(w, r, e, m)
		n++
	}
	if base != "" && !found {
		done.SetResultCode(gldap.ResultNoSuchObject)
		done.SetDiagnosticMessage(diagNoObject)
		return
	}
	if !d.gc && base == normDN(domainDN) && m.Scope != gldap.BaseObject {
		done.SetDiagnosticMessage(refMarker + strings.Join(continuationRefs, " ") + "\n")
	}
}

// dnToDNS turns DC=example,DC=com into example.com, the name AD refers to.
func dnToDNS(dn string) string {
	var labels []string
	for _, p := range strings.Split(dn, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "dc") {
			labels = append(labels, strings.TrimSpace(v))
		}
	}
	if len(labels) == 0 {
		return domainDNS
	}
	return strings.Join(labels, ".")
}

func inScope(dn, base string, scope gldap.Scope) bool {
	switch scope {
	case gldap.BaseObject:
		return dn == base
	case gldap.SingleLevel:
		_, parent, ok := strings.Cut(dn, ",")
		return ok && parent == base
	}
	return dn == base || strings.HasSuffix(dn, ","+base)
}

func (d *directory) send(w *gldap.ResponseWriter, r *gldap.Request, e *ldapEntry, m *gldap.SearchMessage) {
	out := r.NewSearchResponseEntry(e.dn)
	want := func(name string) bool {
		if len(m.Attributes) == 0 {
			return true
		}
		for _, a := range m.Attributes {
			if a == "*" || strings.EqualFold(a, name) {
				return true
			}
		}
		return false
	}
	for _, a := range e.attrs {
		if name := a[0].(string); want(name) {
			vals := a[1].([]string)
			if m.TypesOnly {
				vals = nil
			}
			out.AddAttribute(name, vals)
		}
	}
	w.Write(out)
}
