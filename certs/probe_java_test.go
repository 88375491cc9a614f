package certs

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ccewiz/testpeer"
)

// TestProbeSpeaksAsJava: servers that speak only what Java 17 disables
// (TLS 1.0, TLS 1.1, 3DES) or what it still takes (RSA key exchange): the
// probe's Java handshake — the profile's protocols and suites, no SNI —
// and its verdict agree with the JDK's own client with the same store.
func TestProbeSpeaksAsJava(t *testing.T) {
	root := testpeer.NewCA(t, "Probe Java Root", nil)
	store := testpeer.KeytoolStore(t, filepath.Join(t.TempDir(), "trust.jks"), root)
	const h = "ece.example.com"
	leaf := testpeer.NewLeaf(t, h, root)
	cert := tls.Certificate{Certificate: [][]byte{leaf.DER}, PrivateKey: leaf.Key, Leaf: leaf.Cert}
	cases := []struct {
		name     string
		min, max uint16
		suites   []uint16
	}{
		{"TLS 1.3", tls.VersionTLS13, tls.VersionTLS13, nil},
		{"TLS 1.2 ECDHE", tls.VersionTLS12, tls.VersionTLS12, []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}},
		{"TLS 1.2 RSA key exchange only", tls.VersionTLS12, tls.VersionTLS12, []uint16{tls.TLS_RSA_WITH_AES_128_GCM_SHA256}},
		{"TLS 1.2 3DES only", tls.VersionTLS12, tls.VersionTLS12, []uint16{tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA}},
		{"TLS 1.0 only", tls.VersionTLS10, tls.VersionTLS10, nil},
		{"TLS 1.1 only", tls.VersionTLS11, tls.VersionTLS11, nil},
	}
	p := Java17()
	var table strings.Builder
	for _, c := range cases {
		addr := testpeer.ServeTLSConfig(t, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: c.min, MaxVersion: c.max, CipherSuites: c.suites})
		_, jerr := testpeer.JavaTLSConnect(t, store, "changeit", addr, h)
		if jerr != nil && !errors.Is(jerr, testpeer.ErrJavaRejected) {
			t.Fatal(jerr)
		}
		res, err := Probe(context.Background(), addr, ProbeOptions{Name: h, Timeout: 5 * time.Second, Java: &p, Anchors: []*x509.Certificate{root.Cert}})
		if err != nil || res.Java == nil {
			t.Fatalf("%s: probe %v", c.name, err)
		}
		v := res.Java
		if !v.Judged || v.Accepted != (jerr == nil) {
			t.Errorf("%s: Java %v; ccewiz judged=%v accepted=%v (%s)", c.name, jerr, v.Judged, v.Accepted, v.Reason)
		}
		fmt.Fprintf(&table, "  %-30s java %-6s ccewiz %-6s %s %s\n", c.name, verdict(jerr == nil), verdict(v.Accepted), v.Protocol, v.Cipher)
	}
	t.Logf("the probe as Java 17:\n%s", table.String())
}

// TestProbeCannotJudgeDHE: a server that offers only DHE suites, which Java
// 17 negotiates and crypto/tls does not implement. ccewiz must say "cannot
// judge", not refuse on Java's behalf — the JDK's own client, connecting
// fine, shows why guessing would be wrong.
func TestProbeCannotJudgeDHE(t *testing.T) {
	testpeer.Need(t, "openssl")
	root := testpeer.NewCA(t, "Probe DHE Root", nil)
	dir := t.TempDir()
	store := testpeer.KeytoolStore(t, filepath.Join(dir, "trust.jks"), root)
	const h = "ece.example.com"
	crt, key := testpeer.NewLeaf(t, h, root).WriteFiles(t, dir, "leaf")
	addr := testpeer.OpenSSLServer(t, "-cert", crt, "-key", key, "-cipher", "DHE-RSA-AES128-GCM-SHA256", "-no_tls1_3")
	_, jerr := testpeer.JavaTLSConnect(t, store, "changeit", addr, h)
	if jerr != nil {
		t.Fatalf("the JDK could not connect to the DHE server, so the case proves nothing: %v", jerr)
	}
	p := Java17()
	res, _ := Probe(context.Background(), addr, ProbeOptions{Name: h, Timeout: 5 * time.Second, Java: &p, Anchors: []*x509.Certificate{root.Cert}})
	if res == nil || res.Java == nil {
		t.Fatalf("no Java verdict: %+v", res)
	}
	if res.Java.Judged || res.Java.Accepted || !strings.Contains(res.Java.Reason, "cannot judge") {
		t.Fatalf("DHE only: Java connects; ccewiz judged=%v accepted=%v: %s", res.Java.Judged, res.Java.Accepted, res.Java.Reason)
	}
	t.Logf("DHE only: java accept, ccewiz %q", res.Java.Reason)
}
