package certs

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"ccewiz/testpeer"
)

// listen starts a loopback listener that hands every connection to serve,
// and stops both when the test ends.
func listen(t testing.TB, serve func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() { defer wg.Done(); serve(c) }()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().String()
}

// tlsServer serves cfg and records the server names clients sent.
func tlsServer(t testing.TB, cfg *tls.Config) (addr string, snis func() []string) {
	var mu sync.Mutex
	var seen []string
	cfg = cfg.Clone()
	prev := cfg.GetConfigForClient
	cfg.GetConfigForClient = func(h *tls.ClientHelloInfo) (*tls.Config, error) {
		mu.Lock()
		seen = append(seen, h.ServerName)
		mu.Unlock()
		if prev != nil {
			return prev(h)
		}
		return nil, nil
	}
	addr = listen(t, func(c net.Conn) {
		defer c.Close()
		c.SetDeadline(time.Now().Add(5 * time.Second))
		tc := tls.Server(c, cfg)
		if tc.Handshake() == nil {
			io.Copy(io.Discard, tc)
		}
	})
	return addr, func() []string { mu.Lock(); defer mu.Unlock(); return append([]string{}, seen...) }
}

func tlsCert(leaf *testpeer.Cert, chain ...*testpeer.Cert) tls.Certificate {
	tc := tls.Certificate{Certificate: [][]byte{leaf.DER}, PrivateKey: leaf.Key}
	for _, c := range chain {
		tc.Certificate = append(tc.Certificate, c.DER)
	}
	return tc
}

func TestProbeFindings(t *testing.T) {
	const name = "ece.example.com"
	now := time.Now()
	ch := testpeer.NewChain(t, name)
	roots := []*x509.Certificate{ch.Root.Cert}
	good := tlsCert(ch.Leaf, ch.Intermediate)
	iisDefault := tlsCert(testpeer.NewLeaf(t, "iis-default.example.com", nil))
	static := func(c tls.Certificate) *tls.Config { return &tls.Config{Certificates: []tls.Certificate{c}} }
	cases := []struct {
		name     string
		cfg      *tls.Config
		want     []Code // every one must be found; none other of severity error
		differ   bool
		needsSNI bool
	}{
		{"good", static(good), nil, false, false},
		{"different certificate without SNI", &tls.Config{GetCertificate: func(h *tls.ClientHelloInfo) (*tls.Certificate, error) {
			if h.ServerName == "" {
				return &iisDefault, nil
			}
			return &good, nil
		}}, []Code{CodeSNIDiffers, CodeNameMismatch, CodeUntrusted}, true, false},
		{"SNI required", &tls.Config{GetCertificate: func(h *tls.ClientHelloInfo) (*tls.Certificate, error) {
			if h.ServerName == "" {
				return nil, errors.New("no binding for an empty host name")
			}
			return &good, nil
		}}, []Code{CodeNeedsSNI}, false, true},
		{"expired", static(tlsCert(testpeer.NewLeaf(t, name, ch.Intermediate, testpeer.Validity(now.AddDate(-1, 0, 0), now.AddDate(0, 0, -1))), ch.Intermediate)),
			[]Code{CodeExpired}, false, false},
		{"wrong name", static(tlsCert(testpeer.NewLeaf(t, "web1.example.com", ch.Intermediate), ch.Intermediate)), []Code{CodeNameMismatch}, false, false},
		// Java refuses a self-signed certificate its store does not hold.
		{"self-signed, not in the store", static(tlsCert(testpeer.NewLeaf(t, name, nil))), []Code{CodeUntrusted}, false, false},
		{"incomplete chain", static(tlsCert(ch.Leaf)), []Code{CodeIncompleteChain}, false, false},
		{"TLS 1.1 with RSA key exchange only", &tls.Config{Certificates: []tls.Certificate{good}, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11,
			CipherSuites: []uint16{tls.TLS_RSA_WITH_AES_128_CBC_SHA}}, []Code{CodeOldTLS}, false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			addr, snis := tlsServer(t, tc.cfg)
			r, err := Probe(context.Background(), addr, ProbeOptions{Name: name, Anchors: roots, Timeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			if r.Differ != tc.differ || r.NeedsSNI != tc.needsSNI {
				t.Fatalf("differ=%v needsSNI=%v, want %v %v; findings %v", r.Differ, r.NeedsSNI, tc.differ, tc.needsSNI, r.Findings)
			}
			for _, code := range tc.want {
				if !Has(r.Findings, code) {
					t.Errorf("missing finding %s in %v", code, r.Findings)
				}
			}
			for _, f := range r.Findings {
				if f.Severity == SevError && !slices.Contains(tc.want, f.Code) {
					t.Errorf("unexpected error finding %v", f)
				}
			}
			// The server saw one hello without SNI and one with the name.
			got := strings.Join(snis(), ",")
			if got != ","+name && got != name+"," {
				t.Errorf("server saw server names %q, want one empty and one %s", got, name)
			}
			if r.SNI == nil || len(r.SNI.Certs) == 0 || len(strings.Split(r.SNI.Certs[0].SHA256, ":")) != 32 {
				t.Errorf("SNI handshake missing or without SHA-256 fingerprint: %+v", r.SNI)
			}
			if tc.needsSNI {
				var pe *ProbeError
				if r.NoSNI != nil || !errors.As(r.NoSNIErr, &pe) || !errors.Is(r.NoSNIErr, ErrHandshake) || !strings.Contains(pe.Error(), "without SNI") {
					t.Errorf("no-SNI error %v", r.NoSNIErr)
				}
			} else if r.NoSNI == nil || r.NoSNI.NameMatch == Has(r.Findings, CodeNameMismatch) {
				t.Errorf("no-SNI handshake %+v vs findings %v", r.NoSNI, r.Findings)
			}
		})
	}
}

// TestProbeErrors: each way of not getting a handshake is its own typed error.
func TestProbeErrors(t *testing.T) {
	closed := testpeer.ClosedAddr(t)
	plain := listen(t, func(c net.Conn) {
		defer c.Close()
		c.Write([]byte("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"))
		io.Copy(io.Discard, c)
	})
	reset := listen(t, func(c net.Conn) {
		c.Read(make([]byte, 10))
		c.(*net.TCPConn).SetLinger(0) // close with RST, as a firewall or http.sys does
		c.Close()
	})
	silent := listen(t, func(c net.Conn) { io.Copy(io.Discard, c) })
	cases := []struct {
		name string
		addr string
		kind error
	}{
		{"refused", closed, ErrRefused},
		{"not TLS", plain, ErrNotTLS},
		{"reset", reset, ErrReset},
		{"timeout", silent, ErrTimeout},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Probe(context.Background(), tc.addr, ProbeOptions{Name: "ece.example.com", Timeout: 300 * time.Millisecond})
			var pe *ProbeError
			if !errors.Is(err, tc.kind) || !errors.As(err, &pe) || pe.Addr != tc.addr {
				t.Fatalf("want %v from %s, got %v", tc.kind, tc.addr, err)
			}
			for _, other := range []error{ErrRefused, ErrNotTLS, ErrReset, ErrTimeout, ErrHandshake} {
				if other != tc.kind && errors.Is(err, other) {
					t.Fatalf("error matches %v as well as %v", other, tc.kind)
				}
			}
			if !strings.Contains(err.Error(), tc.addr) || !strings.Contains(err.Error(), ";") {
				t.Fatalf("error lacks the address or the fix: %v", err)
			}
			if r == nil || r.NoSNIError == "" {
				t.Fatalf("result should carry the no-SNI error text: %+v", r)
			}
		})
	}
	if _, err := Probe(context.Background(), "ece.example.com", ProbeOptions{}); err == nil || !strings.Contains(err.Error(), "host:port") {
		t.Fatalf("address without port: %v", err)
	}
}

// TestProbeDial: the caller's dial func decides where a name goes (the
// answers file's resolve section), while SNI and the name check keep the name.
func TestProbeDial(t *testing.T) {
	ch := testpeer.NewChain(t, "ece.example.com")
	addr, snis := tlsServer(t, &tls.Config{Certificates: []tls.Certificate{tlsCert(ch.Leaf, ch.Intermediate)}})
	var dialed []string
	var mu sync.Mutex
	dial := func(ctx context.Context, network, a string) (net.Conn, error) {
		mu.Lock()
		dialed = append(dialed, a)
		mu.Unlock()
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}
	r, err := Probe(context.Background(), "ece.example.com:443", ProbeOptions{Dial: dial})
	if err != nil {
		t.Fatal(err)
	}
	if r.Name != "ece.example.com" || !r.NoSNI.NameMatch || len(dialed) != 2 || dialed[0] != "ece.example.com:443" {
		t.Fatalf("name %q match %v dialed %v", r.Name, r.NoSNI.NameMatch, dialed)
	}
	if !slices.Contains(snis(), "ece.example.com") || !slices.Contains(snis(), "") {
		t.Fatalf("server names seen: %q", snis())
	}
}

// TestProbeOpenSSLServer: the real openssl s_server serves one certificate
// to clients without SNI and another to those that send ece.example.com —
// exactly an IIS site with an extra SNI binding. The probe must say so.
func TestProbeOpenSSLServer(t *testing.T) {
	testpeer.Need(t, "openssl")
	path, _ := exec.LookPath("openssl")
	dir := t.TempDir()
	def := testpeer.NewLeaf(t, "web1.example.com", nil)
	ece := testpeer.NewLeaf(t, "ece.example.com", nil)
	defCrt, defKey := def.WriteFiles(t, dir, "default")
	eceCrt, eceKey := ece.WriteFiles(t, dir, "ece")
	addr := testpeer.ClosedAddr(t) // openssl listens there
	cmd := exec.Command(path, "s_server", "-accept", addr, "-cert", defCrt, "-key", defKey,
		"-servername", "ece.example.com", "-cert2", eceCrt, "-key2", eceKey, "-www", "-quiet")
	cmd.Dir = dir
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("openssl s_server did not start on %s: %v", addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	r, err := Probe(context.Background(), addr, ProbeOptions{Name: "ece.example.com", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Differ || r.NoSNI.Certs[0].CN != "web1.example.com" || r.SNI.Certs[0].CN != "ece.example.com" || r.NoSNI.NameMatch || !r.SNI.NameMatch {
		t.Fatalf("differ=%v no-SNI %s sni %s", r.Differ, r.NoSNI.Certs[0].CN, r.SNI.Certs[0].CN)
	}
	if !Has(r.Findings, CodeSNIDiffers) || !Has(r.Findings, CodeNameMismatch) {
		t.Fatalf("findings %v", r.Findings)
	}
}

// TestProbeAll: targets come back in order, each with its own outcome.
func TestProbeAll(t *testing.T) {
	ch := testpeer.NewChain(t, "ece.example.com")
	good, _ := tlsServer(t, &tls.Config{Certificates: []tls.Certificate{tlsCert(ch.Leaf, ch.Intermediate)}})
	silent := listen(t, func(c net.Conn) { io.Copy(io.Discard, c) })
	out := ProbeAll(context.Background(), []ProbeTarget{{Addr: good, Name: "ece.example.com"}, {Addr: silent, Name: "web2.example.com"}},
		ProbeOptions{Timeout: 300 * time.Millisecond})
	if len(out) != 2 || out[0].Err != nil || out[0].Result.Name != "ece.example.com" || !errors.Is(out[1].Err, ErrTimeout) || out[1].Target.Name != "web2.example.com" {
		t.Fatalf("outcomes %+v", out)
	}
}

// BenchmarkProbe20 probes 20 silent endpoints (loopback listeners that
// accept and never answer) with a 200 ms per-endpoint timeout. Probes run in
// parallel, so one round costs about one timeout, not twenty; the
// benchmark fails if a round takes more than three.
func BenchmarkProbe20(b *testing.B) {
	const timeout = 200 * time.Millisecond
	var targets []ProbeTarget
	for i := 0; i < 20; i++ {
		targets = append(targets, ProbeTarget{Addr: listen(b, func(c net.Conn) { io.Copy(io.Discard, c) }), Name: fmt.Sprintf("web%d.example.com", i)})
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		out := ProbeAll(context.Background(), targets, ProbeOptions{Timeout: timeout})
		el := time.Since(start)
		for _, o := range out {
			if !errors.Is(o.Err, ErrTimeout) {
				b.Fatalf("%s: want timeout, got %v", o.Target.Addr, o.Err)
			}
		}
		if el > 3*timeout {
			b.Fatalf("20 silent endpoints took %v, more than 3 timeouts (%v): probes are not parallel", el, timeout)
		}
		b.ReportMetric(float64(el)/float64(timeout), "timeouts/op")
	}
}
