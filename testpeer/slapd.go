package testpeer

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// SlapdBinary is where Debian's slapd package puts the server.
const SlapdBinary = "/usr/sbin/slapd"

// The sample directory every instance holds: one domain, a service account
// ECE binds as, and users with a userPrincipalName (what ECE's DN attribute
// names). The child domain is held locally by a Global Catalog instance and
// only as a referral by a domain-controller instance — the same shape that
// makes ECE log "PartialResultException: Unprocessed Continuation Reference(s)"
// against a real DC.
const (
	SlapdBase       = "DC=example,DC=local"
	SlapdChildBase  = "DC=child,DC=example,DC=local"
	SlapdUsersBase  = "CN=Users,DC=example,DC=local"
	SlapdBindDN     = "CN=pcceadmin,CN=Users,DC=example,DC=local"
	SlapdBindUPN    = "pcceadmin@example.local"
	SlapdAgentUPN   = "agent1@example.local"
	SlapdAgentDN    = "CN=agent1,CN=Users,DC=example,DC=local"
	SlapdChildUPN   = "alice@child.example.local"
	SlapdChildDN    = "CN=alice,CN=Users,DC=child,DC=example,DC=local"
	SlapdChildDCRef = "ldap://dc2.child.example.local/DC=child,DC=example,DC=local"
)

// adSchema defines the few Active Directory attributes ccewiz reads, with
// AD's OIDs where AD has them. OpenLDAP ships msuser.schema, but it is
// "for informational purposes only" and far larger than a test needs.
const adSchema = `attributetype ( 1.2.840.113556.1.4.656 NAME 'userPrincipalName'
	EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
	SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.221 NAME 'sAMAccountName'
	EQUALITY caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.619 NAME 'dnsHostName'
	EQUALITY caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( 1.3.6.1.4.1.4203.666.11.77.1 NAME 'defaultNamingContext'
	EQUALITY distinguishedNameMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.12 SINGLE-VALUE )
attributetype ( 1.3.6.1.4.1.4203.666.11.77.2 NAME 'isGlobalCatalogReady'
	EQUALITY booleanMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.7 SINGLE-VALUE )
objectclass ( 1.3.6.1.4.1.4203.666.11.77.3 NAME 'ccewizADUser' AUXILIARY
	MAY ( userPrincipalName $ sAMAccountName ) )
objectclass ( 1.3.6.1.4.1.4203.666.11.77.4 NAME 'ccewizRootDSE' AUXILIARY
	MAY ( dnsHostName $ defaultNamingContext $ isGlobalCatalogReady ) )
`

// SlapdOptions shape one slapd instance.
type SlapdOptions struct {
	// GC makes the instance stand in for a Global Catalog: the rootDSE says
	// isGlobalCatalogReady TRUE, its URLs use ports 3268/3269, a subtree
	// search from the empty base covers the directory (as AD's GC does),
	// and the child domain's users are held locally instead of referred.
	GC bool
	// Name is the server's host name: in its certificate, its rootDSE
	// dnsHostName and its URLs. Default dc1.example.local (gc1.example.local with GC).
	Name string
	// Leaf replaces the server certificate (self-signed, expired, wrong
	// name…). Nil: a leaf for Name (and 127.0.0.1) from a fresh test chain.
	Leaf *Cert
	// CA is the certificate that signed Leaf, to trust instead of Leaf
	// itself (the server still sends Leaf alone).
	CA *Cert
	// RequireTLS refuses simple binds over an unencrypted connection, like
	// a DC that enforces Microsoft's LDAP signing requirements.
	RequireTLS bool
	// ExtraLDIF is added to the sample entries (blank-line separated records).
	ExtraLDIF string
}

// Slapd is a running OpenLDAP server on 127.0.0.1. Its URLs use the well-known
// AD ports and its host name; Dial (or the Resolve map in an answers file)
// takes them to the real loopback ports.
type Slapd struct {
	Name      string // host name in the certificate, e.g. dc1.example.local
	GC        bool
	PlainAddr string // 127.0.0.1:P — LDAP (StartTLS available)
	TLSAddr   string // 127.0.0.1:Q — LDAPS
	LDAPURL   string // ldap://dc1.example.local:389 (3268 for a GC)
	LDAPSURL  string // ldaps://dc1.example.local:636 (3269 for a GC)
	Base      string // DC=example,DC=local
	BindDN    string
	Password  string // the bind user's password (random per instance)
	// Chain is the PKI that signed Leaf (zero when Options.Leaf was given);
	// the server presents Leaf and Chain.Intermediate.
	Chain Chain
	Leaf  *Cert
	// CA is the certificate to trust: the issuing CA of Leaf, Options.CA,
	// or Leaf itself when only Leaf was given in the options.
	CA *Cert
	// Users maps each sample userPrincipalName this instance holds to its DN.
	Users map[string]string
	Dir   string // the private config and database folder

	cmd  *exec.Cmd
	out  *SyncBuffer
	done chan struct{}
	once sync.Once
}

// Resolve is the answers file's `resolve` section that maps this instance's
// URLs to its loopback ports.
func (s *Slapd) Resolve() map[string]string {
	plain, tls := "389", "636"
	if s.GC {
		plain, tls = "3268", "3269"
	}
	return map[string]string{
		net.JoinHostPort(s.Name, plain): s.PlainAddr,
		net.JoinHostPort(s.Name, tls):   s.TLSAddr,
	}
}

// Dial connects to addr, taking this instance's URLs to its loopback ports
// (other addresses are dialled as they are).
func (s *Slapd) Dial(ctx context.Context, network, addr string) (net.Conn, error) {
	if to, ok := s.Resolve()[strings.ToLower(addr)]; ok {
		addr = to
	}
	var d net.Dialer
	return d.DialContext(ctx, network, addr)
}

// Output is what slapd printed, for failure messages.
func (s *Slapd) Output() string { return s.out.String() }

// Stop ends the server and waits for it. Tests need not call it: StartSlapd
// registers it with t.Cleanup. It is safe to call more than once (a test
// stops the server to see what a client does when the DC is down).
func (s *Slapd) Stop() {
	s.once.Do(func() {
		if s.cmd.Process != nil {
			s.cmd.Process.Kill()
		}
		<-s.done
	})
}

// StartSlapd starts a real OpenLDAP slapd on two free loopback ports (LDAP
// with StartTLS, and LDAPS) from a private folder in t.TempDir, loaded with
// the sample directory, and stops it when the test ends. It skips the test
// when slapd is not installed (CI installs it: never rely on the skip).
func StartSlapd(t testing.TB, opts SlapdOptions) *Slapd {
	t.Helper()
	Need(t, SlapdBinary, "/usr/sbin/slapadd")
	s := &Slapd{Name: opts.Name, GC: opts.GC, Base: SlapdBase, BindDN: SlapdBindDN, Dir: t.TempDir()}
	if s.Name == "" {
		s.Name = "dc1.example.local"
		if opts.GC {
			s.Name = "gc1.example.local"
		}
	}
	plain, tls := "389", "636"
	if opts.GC {
		plain, tls = "3268", "3269"
	}
	s.LDAPURL = "ldap://" + net.JoinHostPort(s.Name, plain)
	s.LDAPSURL = "ldaps://" + net.JoinHostPort(s.Name, tls)
	s.Password = "pw-" + randomHex(8) + "!"
	if opts.Leaf != nil {
		s.Leaf, s.CA = opts.Leaf, opts.Leaf
		if opts.CA != nil {
			s.CA = opts.CA
		}
	} else {
		s.Chain = NewChain(t, s.Name, DNS(s.Name), IPs("127.0.0.1"))
		s.Leaf, s.CA = s.Chain.Leaf, s.Chain.Intermediate
	}
	s.Users = map[string]string{SlapdBindUPN: SlapdBindDN, SlapdAgentUPN: SlapdAgentDN}
	if opts.GC {
		s.Users[SlapdChildUPN] = SlapdChildDN
	}
	if err := s.writeConfig(t, opts); err != nil {
		t.Fatalf("slapd: %v", err)
	}
	// Free ports are found by listening and closing; another process may take
	// one in between, so a start that fails on a taken port is retried.
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		if err = s.start(t); err == nil {
			t.Cleanup(s.Stop)
			return s
		}
		if !strings.Contains(err.Error(), "in use") {
			break
		}
	}
	t.Fatalf("slapd: %v", err)
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

func (s *Slapd) path(name string) string { return filepath.Join(s.Dir, name) }

func (s *Slapd) writeConfig(t testing.TB, opts SlapdOptions) error {
	crt, key := s.Leaf.WriteFiles(t, s.Dir, "server")
	if s.Chain.Intermediate != nil {
		// Like a DC enrolled by AD CS, send the issuing CA after the leaf (never the root).
		if err := os.WriteFile(crt, append(s.Leaf.PEM(), s.Chain.Intermediate.PEM()...), 0o644); err != nil {
			return err
		}
	}
	gc := "FALSE"
	if opts.GC {
		gc = "TRUE"
	}
	files := map[string]string{
		"ad.schema": adSchema,
		"rootdse.ldif": fmt.Sprintf("dn:\nobjectClass: ccewizRootDSE\ndnsHostName: %s\ndefaultNamingContext: %s\nisGlobalCatalogReady: %s\n",
			s.Name, SlapdBase, gc),
		"data.ldif": s.sampleLDIF(opts),
	}
	var conf strings.Builder
	for _, sch := range []string{"/etc/ldap/schema/core.schema", "/etc/ldap/schema/cosine.schema",
		"/etc/ldap/schema/inetorgperson.schema", s.path("ad.schema")} {
		fmt.Fprintf(&conf, "include %s\n", sch)
	}
	fmt.Fprintf(&conf, "pidfile %s\nargsfile %s\n", s.path("slapd.pid"), s.path("slapd.args"))
	conf.WriteString("modulepath /usr/lib/ldap\nmoduleload back_mdb\n")
	fmt.Fprintf(&conf, "TLSCertificateFile %s\nTLSCertificateKeyFile %s\n", crt, key)
	fmt.Fprintf(&conf, "rootDSE %s\n", s.path("rootdse.ldif"))
	if opts.RequireTLS {
		conf.WriteString("security simple_bind=64\n")
	}
	// AD lets anyone read the rootDSE but nothing else without a bind.
	conf.WriteString("access to dn.base=\"\" by * read\naccess to dn.base=\"cn=Subschema\" by * read\n")
	if opts.GC {
		// A GC answers a subtree search from the empty base over the whole forest.
		fmt.Fprintf(&conf, "defaultsearchbase %q\n", SlapdBase)
	}
	fmt.Fprintf(&conf, "database mdb\nmaxsize 16777216\nsuffix %q\nrootdn %q\nrootpw %s\ndirectory %s\n",
		SlapdBase, "CN=admin,"+SlapdBase, randomHex(12), s.path("db"))
	conf.WriteString("access to attrs=userPassword by anonymous auth by * none\naccess to * by users read by * none\n")
	files["slapd.conf"] = conf.String()
	if err := os.Mkdir(s.path("db"), 0o700); err != nil {
		return err
	}
	for name, data := range files {
		if err := os.WriteFile(s.path(name), []byte(data), 0o600); err != nil {
			return err
		}
	}
	// slapadd loads the sample offline, which is much faster than binding and adding.
	out, err := exec.Command("/usr/sbin/slapadd", "-f", s.path("slapd.conf"), "-l", s.path("data.ldif")).CombinedOutput()
	if err != nil {
		return fmt.Errorf("slapadd the sample directory: %v\n%s\nconfig:\n%s", err, out, files["slapd.conf"])
	}
	return nil
}

func (s *Slapd) sampleLDIF(opts SlapdOptions) string {
	user := func(dn, cn, upn, pw string) string {
		r := fmt.Sprintf("dn: %s\nobjectClass: inetOrgPerson\nobjectClass: ccewizADUser\ncn: %s\nsn: %s\nuserPrincipalName: %s\nsAMAccountName: %s\n",
			dn, cn, cn, upn, cn)
		if pw != "" {
			r += "userPassword: " + pw + "\n"
		}
		return r
	}
	recs := []string{
		"dn: " + SlapdBase + "\nobjectClass: domain\ndc: example\n",
		"dn: " + SlapdUsersBase + "\nobjectClass: organizationalRole\ncn: Users\n",
		user(SlapdBindDN, "pcceadmin", SlapdBindUPN, s.Password),
		user(SlapdAgentDN, "agent1", SlapdAgentUPN, ""),
	}
	if opts.GC {
		recs = append(recs,
			"dn: "+SlapdChildBase+"\nobjectClass: domain\ndc: child\n",
			"dn: CN=Users,"+SlapdChildBase+"\nobjectClass: organizationalRole\ncn: Users\n",
			user(SlapdChildDN, "alice", SlapdChildUPN, ""))
	} else {
		// A DC holds another domain only as a referral: a subtree search from
		// the domain root returns a continuation reference, a search based
		// inside it returns result code 10. (Only for clients that do not send
		// ManageDsaIT: JNDI's default "ignore" mode sends it, and slapd then
		// returns the referral object as an entry, where AD would still refer.)
		recs = append(recs, "dn: "+SlapdChildBase+"\nobjectClass: referral\nobjectClass: extensibleObject\ndc: child\nref: "+SlapdChildDCRef+"\n")
	}
	if opts.ExtraLDIF != "" {
		recs = append(recs, strings.TrimSpace(opts.ExtraLDIF)+"\n")
	}
	return strings.Join(recs, "\n")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (s *Slapd) start(t testing.TB) error {
	p1, err := freePort()
	if err != nil {
		return err
	}
	p2, err := freePort()
	if err != nil {
		return err
	}
	s.PlainAddr = net.JoinHostPort("127.0.0.1", strconv.Itoa(p1))
	s.TLSAddr = net.JoinHostPort("127.0.0.1", strconv.Itoa(p2))
	s.out = &SyncBuffer{}
	// -d 0 keeps slapd in the foreground (so the test owns the process)
	// without debug noise; errors still reach stderr.
	s.cmd = exec.Command(SlapdBinary, "-d", "0", "-f", s.path("slapd.conf"),
		"-h", fmt.Sprintf("ldap://%s/ ldaps://%s/", s.PlainAddr, s.TLSAddr))
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", SlapdBinary, err)
	}
	s.done = make(chan struct{})
	go func() { s.cmd.Wait(); close(s.done) }()
	deadline := time.Now().Add(15 * time.Second)
	for _, addr := range []string{s.PlainAddr, s.TLSAddr} {
		for {
			c, err := net.DialTimeout("tcp", addr, time.Second)
			if err == nil {
				c.Close()
				break
			}
			select {
			case <-s.done:
				out := s.out.String()
				if strings.Contains(out, "Address already in use") {
					return errors.New("port in use: " + out)
				}
				return fmt.Errorf("slapd exited at start: %s", out)
			default:
			}
			if time.Now().After(deadline) {
				s.cmd.Process.Kill()
				<-s.done
				return fmt.Errorf("slapd did not listen on %s within 15s: %s", addr, s.out.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return nil
}
