package lab

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"

	"ccewiz/certs"
	"ccewiz/steps"
	"ccewiz/steps/ece"
	"ccewiz/testpeer"
)

func startLab(t *testing.T, opts Options) *Lab {
	t.Helper()
	if opts.Dir == "" {
		opts.Dir = t.TempDir()
	}
	l, err := Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func readSecret(t *testing.T, l *Lab, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(l.Dir, "secrets", name))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func TestLabFolder(t *testing.T) {
	l := startLab(t, Options{})
	a, err := steps.LoadAnswers(l.AnswersPath)
	if err != nil {
		t.Fatal(err)
	}
	if got := a.Resolve["ece.example.com:443"]; got != l.WebAddr {
		t.Errorf("resolve ece.example.com:443 = %q, want %q", got, l.WebAddr)
	}
	raw, _ := os.ReadFile(l.AnswersPath)
	pw := readSecret(t, l, "ldap-password")
	if bytes.Contains(raw, []byte(pw)) {
		t.Fatal("the answers file contains the LDAP password")
	}
	fi, err := os.Stat(filepath.Join(l.Dir, "secrets", "ldap-password"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("ldap-password: %v %v, want mode 0600", fi.Mode(), err)
	}
	js, _ := os.ReadFile(l.SpogConfig)
	if !bytes.Contains(js, []byte("var web_server_protocol = \"http\";\r\n")) || bytes.Count(js, []byte("\n")) != bytes.Count(js, []byte("\r\n")) {
		t.Errorf("spog_config.js is not CRLF with the installer's placeholder:\n%q", js)
	}
	if _, err := os.Stat(l.Cacerts); err != nil {
		t.Fatal(err)
	}
	// A second start in the same folder keeps the passwords and the CA, and moves the ports.
	l.Close()
	l2 := startLab(t, Options{Dir: l.Dir})
	if readSecret(t, l2, "ldap-password") != pw || !l2.CACert.Equal(l.CACert) {
		t.Error("restarting the lab changed its password or CA")
	}
	a2, _ := steps.LoadAnswers(l2.AnswersPath)
	if a2.Resolve["ece.example.com:443"] != l2.WebAddr {
		t.Error("restart did not update resolve")
	}
}

func handshake(addr, sni string) (*x509.Certificate, error) {
	c, err := tls.DialWithDialer(&netDialer, "tcp", addr, &tls.Config{ServerName: sni, InsecureSkipVerify: true})
	if err != nil {
		return nil, err
	}
	defer c.Close()
	return c.ConnectionState().PeerCertificates[0], nil
}

func TestWebServer(t *testing.T) {
	plain := startLab(t, Options{})
	sni := startLab(t, Options{SNIRequired: true})
	cases := []struct {
		name    string
		lab     *Lab
		sni     string
		wantCN  string
		wantErr bool
	}{
		{"placeholder before step 1", plain, "ece.example.com", placeholderName, false},
		{"no SNI, binding without SNI", plain, "", placeholderName, false},
		{"SNI required, right name", sni, "ece.example.com", placeholderName, false},
		{"SNI required, no SNI", sni, "", "", true},
		{"SNI required, other name", sni, "chat.example.com", "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cert, err := handshake(c.lab.WebAddr, c.sni)
			if c.wantErr {
				if err == nil {
					t.Fatalf("handshake succeeded with %s", cert.Subject)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cert.Subject.CommonName != c.wantCN {
				t.Errorf("certificate CN = %q, want %q", cert.Subject.CommonName, c.wantCN)
			}
		})
	}

	// Step 1 writes the certificate: the server picks it up without a restart.
	leaf := testpeer.NewLeaf(t, ECEFQDN, nil)
	os.WriteFile(plain.KeyFile, leaf.KeyPEM(), 0o600)
	os.WriteFile(plain.CertFile, leaf.PEM(), 0o644)
	cert, err := handshake(plain.WebAddr, "ece.example.com")
	if err != nil || !cert.Equal(leaf.Cert) {
		t.Fatalf("after step 1 the server presents %v (err %v), want the new certificate", cert.Subject, err)
	}

	// The admin moves certificate.out_dir in the wizard: the server follows.
	a, err := steps.LoadAnswers(plain.AnswersPath)
	if err != nil {
		t.Fatal(err)
	}
	ece.CertificateOf(a).OutDir = "certs-moved" // relative to the answers file
	if _, err := steps.SaveAnswers(plain.AnswersPath, a, false); err != nil {
		t.Fatal(err)
	}
	moved := filepath.Join(plain.Dir, "certs-moved")
	os.MkdirAll(moved, 0o755)
	leaf2 := testpeer.NewLeaf(t, ECEFQDN, nil)
	leaf2.WriteFiles(t, moved, ECEFQDN)
	if cert, err := handshake(plain.WebAddr, ECEFQDN); err != nil || !cert.Equal(leaf2.Cert) {
		t.Fatalf("after moving out_dir the server presents %v (err %v), want the certificate written there", cert.Subject, err)
	}

	pool := x509.NewCertPool()
	pool.AddCert(leaf2.Cert)
	env := steps.NewEnv(&steps.Answers{Resolve: map[string]string{"ece.example.com:443": plain.WebAddr}}, "")
	for _, path := range []string{"/default", "/system"} {
		resp, err := env.HTTPClient(&tls.Config{RootCAs: pool}).Get("https://ece.example.com" + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), "Enterprise Chat and Email") {
			t.Errorf("GET %s: %d %s", path, resp.StatusCode, body)
		}
	}
}

// TestWebServerOpenSSL checks the SNI behaviour with a real TLS client.
func TestWebServerOpenSSL(t *testing.T) {
	testpeer.Need(t, "openssl")
	sni := startLab(t, Options{SNIRequired: true})
	run := func(args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, "openssl", append([]string{"s_client", "-connect", sni.WebAddr}, args...)...)
		cmd.Stdin = strings.NewReader("")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := run("-servername", ECEFQDN)
	if err != nil || !strings.Contains(out, "CN="+placeholderName) && !strings.Contains(out, "CN = "+placeholderName) {
		t.Errorf("with SNI: %v\n%s", err, out)
	}
	out, err = run("-noservername")
	if err == nil || strings.Contains(out, "BEGIN CERTIFICATE") {
		t.Errorf("without SNI openssl got a certificate:\n%s", out)
	}
}

func ldapConn(t *testing.T, l *Lab, addr string, tlsOn bool) *ldap.Conn {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AddCert(l.CACert)
	var c *ldap.Conn
	var err error
	if tlsOn {
		c, err = ldap.DialURL("ldaps://"+addr, ldap.DialWithTLSConfig(&tls.Config{ServerName: DCHost, RootCAs: pool}))
	} else {
		c, err = ldap.DialURL("ldap://" + addr)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestDirectory(t *testing.T) {
	l := startLab(t, Options{})
	pw := readSecret(t, l, "ldap-password")
	userFilter := "(&(objectCategory=person)(objectClass=user)(userPrincipalName=jdoe@example.local))"
	cases := []struct {
		name      string
		addr      string
		tls       bool
		user, pw  string
		base      string
		filter    string
		wantCode  uint16 // 0 = success
		wantDNs   int
		wantRefs  int
		wantInErr string
	}{
		{"GC, service account, domain base", l.GCAddr, true, ServiceAccount, pw, domainDN, userFilter, 0, 1, 0, ""},
		{"GC, empty base (forest)", l.GCAddr, true, serviceUPN, pw, "", userFilter, 0, 1, 0, ""},
		{"GC, substring", l.GCAddr, true, `EXAMPLE\pcceadmin`, pw, domainDN, "(userPrincipalName=a*@example.local)", 0, 2, 0, ""},
		{"GC, wrong password", l.GCAddr, true, ServiceAccount, "nope", domainDN, userFilter, ldap.LDAPResultInvalidCredentials, 0, 0, "data 52e"},
		{"GC, base outside the forest", l.GCAddr, true, ServiceAccount, pw, "DC=example,DC=com", userFilter, ldap.LDAPResultNoSuchObject, 0, 0, "NO_OBJECT"},
		{"DC 389, domain root: continuation references", l.DCAddr, false, ServiceAccount, pw, domainDN, userFilter, 0, 1, 3, ""},
		{"DC 636, domain root: continuation references", l.DCTLSAddr, true, ServiceAccount, pw, domainDN, userFilter, 0, 1, 3, ""},
		{"DC, below the root: no references", l.DCAddr, false, ServiceAccount, pw, "CN=Users," + domainDN, userFilter, 0, 1, 0, ""},
		{"DC, other domain: referral", l.DCAddr, false, ServiceAccount, pw, "DC=example,DC=com", userFilter, ldap.LDAPResultReferral, 0, 0, "RefErr"},
		{"anonymous search refused", l.GCAddr, true, "", "", domainDN, userFilter, ldap.LDAPResultOperationsError, 0, 0, "successful bind"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			conn := ldapConn(t, l, c.addr, c.tls)
			var err error
			if c.user != "" {
				err = conn.Bind(c.user, c.pw)
			}
			if err == nil {
				var res *ldap.SearchResult
				res, err = conn.Search(ldap.NewSearchRequest(c.base, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
					c.filter, []string{"userPrincipalName", "distinguishedName"}, nil))
				if err == nil {
					if len(res.Entries) != c.wantDNs || len(res.Referrals) != c.wantRefs {
						t.Errorf("got %d entries, %d references; want %d, %d", len(res.Entries), len(res.Referrals), c.wantDNs, c.wantRefs)
					}
				}
			}
			if c.wantCode == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var le *ldap.Error
			if !errors.As(err, &le) || le.ResultCode != c.wantCode || !strings.Contains(err.Error(), c.wantInErr) {
				t.Fatalf("got %v, want result code %d mentioning %q", err, c.wantCode, c.wantInErr)
			}
		})
	}

	// rootDSE, readable without a bind.
	conn := ldapConn(t, l, l.GCAddr, true)
	res, err := conn.Search(ldap.NewSearchRequest("", ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false,
		"(objectClass=*)", []string{"dnsHostName", "defaultNamingContext", "isGlobalCatalogReady", "supportedLDAPVersion"}, nil))
	if err != nil || len(res.Entries) != 1 {
		t.Fatalf("rootDSE: %v", err)
	}
	e := res.Entries[0]
	if e.GetAttributeValue("dnsHostName") != DCHost || e.GetAttributeValue("isGlobalCatalogReady") != "TRUE" ||
		e.GetAttributeValue("defaultNamingContext") != domainDN || len(e.GetAttributeValues("supportedLDAPVersion")) != 2 {
		t.Errorf("rootDSE: %v", e.Attributes)
	}
}

// TestDirectoryLdapsearch asks the GC and the DC with OpenLDAP's client.
func TestDirectoryLdapsearch(t *testing.T) {
	testpeer.Need(t, "ldapsearch")
	l := startLab(t, Options{})
	ca := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(ca, l.CACert.Raw, 0o644)
	caPEM, _ := os.ReadFile(filepath.Join(l.Dir, "lab", "example-DC1-CA.crt"))
	os.WriteFile(ca, caPEM, 0o644)
	for _, c := range []struct {
		name, uri, want string
	}{
		{"GC", "ldaps://127.0.0.1:" + port(l.GCAddr), "userPrincipalName: jdoe@example.local"},
		{"DC", "ldap://127.0.0.1:" + port(l.DCAddr), "ref: ldap://DomainDnsZones.example.local/"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cmd := exec.Command("ldapsearch", "-x", "-H", c.uri, "-D", ServiceAccount, "-y", filepath.Join(l.Dir, "secrets", "ldap-password"),
				"-b", domainDN, "(userPrincipalName=jdoe@example.local)", "userPrincipalName")
			// The secrets file ends with a newline, which -y would send; ldapsearch reads it raw.
			pwFile := filepath.Join(t.TempDir(), "pw")
			os.WriteFile(pwFile, []byte(readSecret(t, l, "ldap-password")), 0o600)
			cmd.Args[7] = pwFile
			cmd.Env = append(os.Environ(), "LDAPTLS_CACERT="+ca, "LDAPTLS_REQCERT=allow") // 127.0.0.1 is not in the certificate; the name check is not the point here
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(out), c.want) {
				t.Errorf("ldapsearch: %v\n%s", err, out)
			}
		})
	}
}

// TestEnrollment: a CSR written where step 1 writes it is answered by the
// lab's CA, as AD CS web enrollment would, and the answer chains to it.
func TestEnrollment(t *testing.T) {
	l := startLab(t, Options{})
	key := testpeer.NewLeaf(t, "x", nil).Key
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: ECEFQDN, Organization: []string{"Example Corp"}}, DNSNames: []string{ECEFQDN, "chat.example.com"}}, key)
	if err != nil {
		t.Fatal(err)
	}
	csr := filepath.Join(filepath.Dir(l.CertFile), ECEFQDN+".csr")
	os.WriteFile(csr, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}), 0o644)
	os.WriteFile(filepath.Join(filepath.Dir(l.CertFile), "garbage.csr"), []byte("not a request"), 0o644)
	issued := filepath.Join(l.CAResponseDir, "issued", ECEFQDN+".cer")
	var b []byte
	// Poll tightly: a reader must never see the answer half-written.
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if b, err = os.ReadFile(issued); err == nil {
			break
		}
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		t.Fatalf("no certificate issued at %s: %v", issued, err)
	}
	c, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	root, _ := os.ReadFile(filepath.Join(l.CAResponseDir, "example-DC1-CA.cer"))
	roots.AppendCertsFromPEM(root)
	if _, err := c.Verify(x509.VerifyOptions{DNSName: "chat.example.com", Roots: roots}); err != nil {
		t.Errorf("issued certificate: %v", err)
	}
	if !c.PublicKey.(*rsa.PublicKey).Equal(&key.PublicKey) {
		t.Error("issued certificate is not for the request's key")
	}
	if _, err := os.Stat(filepath.Join(l.CAResponseDir, "issued", "garbage.cer")); err == nil {
		t.Error("the CA answered an unreadable request")
	}
}

// TestADSCacerts: the ADS trust store is the JDK's own when there is one,
// else a JKS made here; either opens with changeit and holds CA entries.
func TestADSCacerts(t *testing.T) {
	type tc struct{ name, javaHome, path, wantSource string }
	cases := []tc{{"no JDK", "", t.TempDir(), "generated"}}
	if jdk := jdkCacerts(); jdk != "" {
		cases = append(cases, tc{"JDK found", os.Getenv("JAVA_HOME"), os.Getenv("PATH"), "a copy of " + jdk})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("JAVA_HOME", c.javaHome)
			t.Setenv("PATH", c.path)
			b, src, err := adsCacerts("changeit")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(src, c.wantSource) {
				t.Errorf("source %q, want %q", src, c.wantSource)
			}
			ks, err := certs.OpenKeystore(b, []byte("changeit"))
			if err != nil {
				t.Fatal(err)
			}
			if len(ks.TrustedCerts()) == 0 {
				t.Error("the ADS trust store holds no CA")
			}
			if _, err := certs.OpenKeystore(b, []byte("wrong")); ks.Kind() == certs.JKS && err == nil {
				t.Error("a JKS opened with the wrong password")
			}
		})
	}
}

// TestCloseStopsEverything: after Close no lab port accepts a connection.
func TestCloseStopsEverything(t *testing.T) {
	l, err := Start(context.Background(), Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	addrs := []string{l.WebAddr, l.GCAddr, l.GCPlainAddr, l.DCAddr, l.DCTLSAddr}
	// Open client connections must not keep a server alive, nor make Close wait.
	for _, a := range addrs {
		c, err := netDialer.Dial("tcp", a)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	start := time.Now()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Close took %s with idle clients connected", d)
	}
	for _, a := range addrs {
		if c, err := netDialer.Dial("tcp", a); err == nil {
			c.Close()
			t.Errorf("%s still accepts connections after Close", a)
		}
	}
}

// TestRestartWithEmptyCacertsSource: a cacerts.source left empty (a kill
// while it was written, an admin's edit) must not crash the next start.
func TestRestartWithEmptyCacertsSource(t *testing.T) {
	l := startLab(t, Options{})
	src := l.CacertsSource
	l.Close()
	for _, content := range []string{"", "\n", src + "\r\n"} {
		if err := os.WriteFile(filepath.Join(l.Dir, "ads", "aw1a", "cacerts.source"), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		l2 := startLab(t, Options{Dir: l.Dir})
		if want := strings.TrimSpace(content); l2.CacertsSource != want {
			t.Errorf("cacerts.source %q: CacertsSource = %q, want %q", content, l2.CacertsSource, want)
		}
		l2.Close()
	}
}

// TestWebServerKeepsCertificateDuringRewrite: step 1 writes the .key before
// the .crt; a handshake in between (new key, old certificate) must still get
// the certificate already served, not the placeholder.
func TestWebServerKeepsCertificateDuringRewrite(t *testing.T) {
	l := startLab(t, Options{})
	old := testpeer.NewLeaf(t, ECEFQDN, nil)
	os.WriteFile(l.KeyFile, old.KeyPEM(), 0o600)
	os.WriteFile(l.CertFile, old.PEM(), 0o644)
	if cert, err := handshake(l.WebAddr, ECEFQDN); err != nil || !cert.Equal(old.Cert) {
		t.Fatalf("after step 1 the server presents %v (err %v), want its certificate", cert.Subject, err)
	}
	renewed := testpeer.NewLeaf(t, ECEFQDN, nil)
	os.WriteFile(l.KeyFile, renewed.KeyPEM(), 0o600)
	if cert, err := handshake(l.WebAddr, ECEFQDN); err != nil || !cert.Equal(old.Cert) {
		t.Fatalf("between the new key and the new certificate the server presents %v (err %v), want the previous certificate", cert.Subject, err)
	}
	os.WriteFile(l.CertFile, renewed.PEM(), 0o644)
	if cert, err := handshake(l.WebAddr, ECEFQDN); err != nil || !cert.Equal(renewed.Cert) {
		t.Fatalf("after the rewrite the server presents %v (err %v), want the new certificate", cert.Subject, err)
	}
}
