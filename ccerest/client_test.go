package ccerest_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"ccewiz/ccerest"
	"ccewiz/lab"
	"ccewiz/secret"
	"ccewiz/testpeer"
)

const adminPass = "S3cret-admin!"

// client is a Client of the lab's AW that trusts its certificate only.
func client(t *testing.T, aw *lab.AW, user, pass string) *ccerest.Client {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AddCert(aw.Cert)
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: lab.ADS},
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, aw.Addr)
		}}
	t.Cleanup(tr.CloseIdleConnections)
	return &ccerest.Client{Base: "https://" + lab.ADS, User: user, Password: secret.New(pass), HTTP: &http.Client{Transport: tr, Timeout: 5 * time.Second}}
}

func startAW(t *testing.T) *lab.AW {
	t.Helper()
	aw, err := lab.StartAW("administrator@example.local", adminPass, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { aw.Close() })
	return aw
}

func webServer(name string) ccerest.Machine {
	return ccerest.Machine{Name: name, Type: ccerest.TypeECEWebServer, HostName: name, Networks: []ccerest.Network{{Type: "PUBLIC", Address: name,
		Services: []ccerest.Service{{Type: ccerest.ServiceMachineInfo, UserName: "pa", Description: "MultiChannel"}}}}}
}

// TestClientAgainstTheLabAW: the documented operations and refusals, each
// as the API answers them, with the API's own error type in the error.
func TestClientAgainstTheLabAW(t *testing.T) {
	ctx := context.Background()
	aw := startAW(t)
	c := client(t, aw, "administrator@example.local", adminPass)
	pa := secret.New("pa-password")

	loc, err := c.Create(ctx, webServer("ece.example.com"), pa)
	if err != nil || !strings.Contains(loc, ccerest.Path+"/") {
		t.Fatalf("create: %q %v", loc, err)
	}
	ms, err := c.List(ctx, ccerest.TypeECEWebServer)
	if err != nil || len(ms) != 1 || ms[0].Service(ccerest.ServiceMachineInfo).Description != "MultiChannel" || ms[0].Service(ccerest.ServiceMachineInfo).Password != "" {
		t.Fatalf("list: %+v %v", ms, err)
	}
	u, _ := url.Parse(loc)
	m, err := c.Get(ctx, u.Path)
	if err != nil || m.Name != "ece.example.com" {
		t.Fatalf("get: %+v %v", m, err)
	}
	m.Service(ccerest.ServiceMachineInfo).Description = "Main_PS1_Multichannel"
	if err := c.Update(ctx, m, pa); err != nil {
		t.Fatalf("update: %v", err)
	}
	// m still carries the changeStamp it was read with: stale now.
	err = c.Update(ctx, m, pa)
	var ae *ccerest.APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusConflict || !ae.HasType("invalid.changeStamp") || !strings.Contains(err.Error(), "run again") {
		t.Errorf("stale changeStamp: %v", err)
	}

	refusals := []struct {
		name    string
		m       ccerest.Machine
		errType string
	}{
		{"the ECE data server is the GUI's", ccerest.Machine{Name: "ece2", Type: ccerest.TypeECE}, "invalid.machine.type"},
		{"a second web server of the same name", webServer("ece.example.com"), "inventory.duplicate"},
		{"a name with a space", webServer("ece example"), "invalid.name"},
		{"the subscriber follows the publisher", ccerest.Machine{Name: "ccsub", Type: ccerest.TypeCloudConnSub}, "invalid.machine.type"},
	}
	for _, r := range refusals {
		_, err := c.Create(ctx, r.m, secret.Secret{})
		if !errors.As(err, &ae) || ae.Status != http.StatusBadRequest || !ae.HasType(r.errType) {
			t.Errorf("%s: %v", r.name, err)
		}
	}
	if _, err := c.Create(ctx, ccerest.Machine{Name: "cc1", Type: ccerest.TypeCloudConnect}, secret.Secret{}); err != nil {
		t.Fatalf("the first Cloud Connect: %v", err)
	}
	if _, err := c.Create(ctx, ccerest.Machine{Name: "cc2", Type: ccerest.TypeCloudConnect}, secret.Secret{}); !errors.As(err, &ae) || !ae.HasType("inventory.limit") {
		t.Errorf("a second Cloud Connect publisher: %v", err)
	}
	if err := c.Delete(ctx, u.Path); err != nil {
		t.Errorf("delete: %v", err)
	}
	st, err := c.Status(ctx)
	if err != nil || len(st.Alerts) != 1 || st.Alerts[0].Errors[0].Type != "inventory.MissingMachine" || st.LastScan().IsZero() {
		t.Errorf("status after the delete: %+v %v", st, err)
	}
}

// TestClientFailures: what reaches the admin when the API cannot be used —
// one error each, with the fix, and never the password.
func TestClientFailures(t *testing.T) {
	ctx := context.Background()
	aw := startAW(t)

	_, err := client(t, aw, "administrator@example.local", "wrong").List(ctx)
	var ae *ccerest.APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusUnauthorized || !strings.Contains(err.Error(), "CCE administrator's user name and password") ||
		strings.Contains(err.Error(), "wrong") {
		t.Errorf("wrong password: %v", err)
	}

	// A certificate nobody trusts: refused by TLS, never skipped.
	other := testpeer.NewLeaf(t, lab.ADS, nil)
	untrusted := client(t, aw, "administrator@example.local", adminPass)
	pool := x509.NewCertPool()
	pool.AddCert(other.Cert)
	untrusted.HTTP.Transport.(*http.Transport).TLSClientConfig.RootCAs = pool
	if _, err := untrusted.List(ctx); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("untrusted AW: %v", err)
	}

	// Each client's timeout bounds its whole request: the huge answer must
	// be read to its limit even on a loaded machine (go test -race ./...),
	// the silent server must be given up on soon.
	serve := func(timeout time.Duration, h http.HandlerFunc) *ccerest.Client {
		leaf := testpeer.NewLeaf(t, lab.ADS, nil)
		srv := httptest.NewUnstartedServer(h)
		srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{leaf.DER}, PrivateKey: leaf.Key}}}
		srv.StartTLS()
		t.Cleanup(srv.Close)
		addr := srv.Listener.Addr().String()
		pool := x509.NewCertPool()
		pool.AddCert(leaf.Cert)
		tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: lab.ADS},
			DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
				return (&net.Dialer{}).DialContext(ctx, network, addr)
			}}
		t.Cleanup(tr.CloseIdleConnections)
		return &ccerest.Client{Base: "https://" + lab.ADS, User: "u", Password: secret.New("p"), HTTP: &http.Client{Transport: tr, Timeout: timeout}}
	}
	huge := serve(30*time.Second, func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte("<results><machines>"))
		chunk := []byte(strings.Repeat("<machine><name>x</name></machine>", 1000))
		for n := 0; n <= ccerest.MaxAnswer; n += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	if _, err := huge.List(ctx); !errors.Is(err, ccerest.ErrTooLarge) {
		t.Errorf("a huge answer: %v", err)
	}
	garbled := serve(30*time.Second, func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("<results><machines><machine><name>")) })
	if _, err := garbled.List(ctx); err == nil || !strings.Contains(err.Error(), "not the API's XML") {
		t.Errorf("a malformed answer: %v", err)
	}
	slow := serve(300*time.Millisecond, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	start := time.Now()
	if _, err := slow.Status(ctx); err == nil || time.Since(start) > 5*time.Second {
		t.Errorf("a server that never answers: %v after %s", err, time.Since(start))
	}
}
