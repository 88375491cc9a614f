package certs

import (
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ccewiz/testpeer"
)

// judgeCase is one certificate situation: the chain a server sends and
// the anchors of the trust store, judged by the JDK's own TLS client and by
// JudgeServer.
type judgeCase struct {
	rule, name string
	leafOpts   []testpeer.Opt
	// mid, when set, puts an intermediate between the root and the leaf.
	mid     []testpeer.Opt
	withMid bool
	host    string
	// maxTLS caps the server's version (0: TLS 1.3).
	maxTLS uint16
	// twoMids puts a second, unconstrained intermediate below mid.
	twoMids bool
	// rootOpts shape the anchor itself (a store of its own).
	rootOpts []testpeer.Opt
	// selfSigned serves a self-signed leaf; trustLeaf puts it in the store.
	selfSigned, trustLeaf bool
}

func ext(oid asn1.ObjectIdentifier, critical bool, v []byte) testpeer.Opt {
	return func(c *x509.Certificate) {
		c.ExtraExtensions = append(c.ExtraExtensions, pkix.Extension{Id: oid, Critical: critical, Value: v})
	}
}

func netscapeType(bits byte) []byte {
	b, _ := asn1.Marshal(asn1.BitString{Bytes: []byte{bits}, BitLength: 8})
	return b
}

// TestJudgeServerAgreesWithJava is the differential test of issue 14's
// rules that need no special server: every case is served on 127.0.0.1
// and the JDK's TLS client (default TrustManager, HTTPS endpoint
// identification, SNI = the host) says accept or refuse; JudgeServer must
// say the same. The agreement table is printed.
func TestJudgeServerAgreesWithJava(t *testing.T) {
	root := testpeer.NewCA(t, "Judge Test Root", nil)
	store := testpeer.KeytoolStore(t, filepath.Join(t.TempDir(), "trust.jks"), root)
	ku := func(k x509.KeyUsage) testpeer.Opt { return func(c *x509.Certificate) { c.KeyUsage = k } }
	eku := func(e ...x509.ExtKeyUsage) testpeer.Opt { return func(c *x509.Certificate) { c.ExtKeyUsage = e } }
	pathLen := func(n int) testpeer.Opt {
		return func(c *x509.Certificate) { c.MaxPathLen, c.MaxPathLenZero = n, n == 0 }
	}
	permit := func(d ...string) testpeer.Opt { return func(c *x509.Certificate) { c.PermittedDNSDomains = d } }
	exclude := func(d ...string) testpeer.Opt { return func(c *x509.Certificate) { c.ExcludedDNSDomains = d } }
	unknown := asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 1}
	const h = "ece.example.com"
	cases := []judgeCase{
		{rule: "baseline", name: "CA-signed, SAN", host: h},
		{rule: "baseline", name: "through an intermediate", withMid: true, host: h},
		{rule: "EKU", name: "clientAuth only", leafOpts: []testpeer.Opt{eku(x509.ExtKeyUsageClientAuth)}, host: h},
		{rule: "EKU", name: "anyExtendedKeyUsage", leafOpts: []testpeer.Opt{eku(x509.ExtKeyUsageAny)}, host: h},
		{rule: "EKU", name: "no EKU at all", leafOpts: []testpeer.Opt{eku()}, host: h},
		{rule: "keyUsage", name: "keyEncipherment only, TLS 1.3", leafOpts: []testpeer.Opt{ku(x509.KeyUsageKeyEncipherment)}, host: h},
		{rule: "keyUsage", name: "keyEncipherment only, TLS 1.2 ECDHE", leafOpts: []testpeer.Opt{ku(x509.KeyUsageKeyEncipherment)}, host: h, maxTLS: tls.VersionTLS12},
		{rule: "keyUsage", name: "dataEncipherment only, TLS 1.2", leafOpts: []testpeer.Opt{ku(x509.KeyUsageDataEncipherment)}, host: h, maxTLS: tls.VersionTLS12},
		{rule: "keyUsage", name: "digitalSignature only", leafOpts: []testpeer.Opt{ku(x509.KeyUsageDigitalSignature)}, host: h},
		{rule: "Netscape type", name: "SSL client only", leafOpts: []testpeer.Opt{ext(oidNetscapeCertType, false, netscapeType(0x80))}, host: h},
		{rule: "Netscape type", name: "SSL server", leafOpts: []testpeer.Opt{ext(oidNetscapeCertType, false, netscapeType(0x40))}, host: h},
		{rule: "critical ext", name: "unknown critical in the leaf", leafOpts: []testpeer.Opt{ext(unknown, true, []byte{5, 0})}, host: h},
		{rule: "critical ext", name: "unknown, not critical", leafOpts: []testpeer.Opt{ext(unknown, false, []byte{5, 0})}, host: h},
		{rule: "critical ext", name: "unknown critical in the intermediate", withMid: true, mid: []testpeer.Opt{ext(unknown, true, []byte{5, 0})}, host: h},
		{rule: "pathLen", name: "intermediate pathLen 0 over the leaf", withMid: true, mid: []testpeer.Opt{pathLen(0)}, host: h},
		{rule: "pathLen", name: "pathLen 0 over another CA", withMid: true, mid: []testpeer.Opt{pathLen(0)}, host: h, twoMids: true},
		{rule: "pathLen", name: "pathLen 1 over another CA", withMid: true, mid: []testpeer.Opt{pathLen(1)}, host: h, twoMids: true},
		{rule: "name constraints", name: "intermediate permits example.com", withMid: true, mid: []testpeer.Opt{permit("example.com")}, host: h},
		{rule: "name constraints", name: "intermediate permits only other.com", withMid: true, mid: []testpeer.Opt{permit("other.com")}, host: h},
		{rule: "name constraints", name: "intermediate excludes example.com", withMid: true, mid: []testpeer.Opt{exclude("example.com")}, host: h},
		{rule: "validity", name: "expired leaf", leafOpts: []testpeer.Opt{testpeer.Validity(time.Now().AddDate(-2, 0, 0), time.Now().AddDate(-1, 0, 0))}, host: h},
		{rule: "host name", name: "CN only", leafOpts: []testpeer.Opt{testpeer.DNS()}, host: h},
	}
	perRule := map[string][2]int{}
	var order []string
	var table strings.Builder
	noBC := func(c *x509.Certificate) { c.BasicConstraintsValid, c.IsCA = false, false }
	cases = append(cases,
		judgeCase{rule: "anchor", name: "expired anchor", rootOpts: []testpeer.Opt{testpeer.Validity(time.Now().AddDate(-3, 0, 0), time.Now().AddDate(0, 0, -1))}, host: h},
		judgeCase{rule: "anchor", name: "anchor pathLen 0 over an intermediate", rootOpts: []testpeer.Opt{pathLen(0)}, withMid: true, host: h},
		judgeCase{rule: "anchor", name: "anchor permits only other.com", rootOpts: []testpeer.Opt{permit("other.com")}, host: h},
		judgeCase{rule: "anchor", name: "anchor without basicConstraints", rootOpts: []testpeer.Opt{noBC}, host: h},
		judgeCase{rule: "self-signed", name: "self-signed leaf in the store", selfSigned: true, trustLeaf: true, host: h},
		judgeCase{rule: "self-signed", name: "self-signed leaf not in the store", selfSigned: true, host: h},
		judgeCase{rule: "self-signed", name: "trusted self-signed, critical unknown", selfSigned: true, trustLeaf: true, leafOpts: []testpeer.Opt{ext(unknown, true, []byte{5, 0})}, host: h},
	)
	for _, c := range cases {
		root, store := root, store
		if c.rootOpts != nil {
			root = testpeer.NewCA(t, "Judge Test Root "+c.name, nil, c.rootOpts...)
			store = testpeer.KeytoolStore(t, filepath.Join(t.TempDir(), "trust.jks"), root)
		}
		parent := root
		var chain []*testpeer.Cert
		if c.withMid {
			mid := testpeer.NewCA(t, "Judge Test Intermediate", root, c.mid...)
			parent, chain = mid, []*testpeer.Cert{mid}
			if c.twoMids {
				mid2 := testpeer.NewCA(t, "Judge Test Issuing CA", mid)
				parent, chain = mid2, []*testpeer.Cert{mid2, mid}
			}
		}
		if c.selfSigned {
			parent = nil
		}
		leaf := testpeer.NewLeaf(t, h, parent, c.leafOpts...)
		anchors := []*x509.Certificate{root.Cert}
		if c.trustLeaf {
			store = testpeer.KeytoolStore(t, filepath.Join(t.TempDir(), "trust.jks"), leaf)
			anchors = []*x509.Certificate{leaf.Cert}
		}
		tc := tls.Certificate{Certificate: [][]byte{leaf.DER}, PrivateKey: leaf.Key, Leaf: leaf.Cert}
		sent := []*x509.Certificate{leaf.Cert}
		for _, m := range chain {
			tc.Certificate = append(tc.Certificate, m.DER)
			sent = append(sent, m.Cert)
		}
		cfg := &tls.Config{Certificates: []tls.Certificate{tc}}
		if c.maxTLS != 0 {
			cfg.MaxVersion = c.maxTLS
		}
		addr := testpeer.ServeTLSConfig(t, cfg)
		_, jerr := testpeer.JavaTLSConnect(t, store, "changeit", addr, c.host)
		if jerr != nil && !errors.Is(jerr, testpeer.ErrJavaRejected) {
			t.Fatal(jerr)
		}
		ours := JudgeServer(sent, anchors, c.host, HTTPSCheck, time.Now(), h)
		java := jerr == nil
		if _, seen := perRule[c.rule]; !seen {
			order = append(order, c.rule)
		}
		n := perRule[c.rule]
		n[0]++
		if java == (ours == nil) {
			n[1]++
		} else {
			t.Errorf("%s / %s: Java %s (%v), ccewiz %s (%v)", c.rule, c.name, verdict(java), jerr, verdict(ours == nil), ours)
		}
		// SNI off: no server name and so no endpoint identification, as
		// a client that sets none: the path and the leaf's use only.
		_, jerrOff := testpeer.JavaTLSConnect(t, store, "changeit", addr, "")
		if jerrOff != nil && !errors.Is(jerrOff, testpeer.ErrJavaRejected) {
			t.Fatal(jerrOff)
		}
		oursOff := Java17().JudgePath(sent, anchors, time.Now(), h)
		if oursOff == nil {
			oursOff = endEntityTLSServer(leaf.Cert)
		}
		n[0]++
		if (jerrOff == nil) == (oursOff == nil) {
			n[1]++
		} else {
			t.Errorf("%s / %s, no SNI: Java %s (%v), ccewiz %s (%v)", c.rule, c.name, verdict(jerrOff == nil), jerrOff, verdict(oursOff == nil), oursOff)
		}
		perRule[c.rule] = n
		fmt.Fprintf(&table, "  %-17s %-40s java %-6s ccewiz %-6s | no SNI: java %-6s ccewiz %s\n", c.rule, c.name, verdict(java), verdict(ours == nil),
			verdict(jerrOff == nil), verdict(oursOff == nil))
	}
	var sum strings.Builder
	for _, r := range order {
		fmt.Fprintf(&sum, "  %-17s %d cases, %d agree\n", r, perRule[r][0], perRule[r][1])
	}
	t.Logf("JudgeServer against the JDK:\n%s\nper rule:\n%s", table.String(), sum.String())
}
