package steps

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"

	"ccewiz/ccerest"
	"ccewiz/certs"
	"ccewiz/secret"
)

// What every flow that talks to CCE Administration's REST API on an AW
// shares (the ECE flow's inventory step, the WxM flow's AW checks).

// RemoteChange is a change a plan makes through a server's API.
type RemoteChange struct {
	Target string     `json:"target"` // "CCE Administration on aw1a.example.com"
	Action FileAction `json:"action"` // create, modify, unchanged
	What   string     `json:"what"`   // "ECE_WEB_SERVER ece.example.com"
	Diff   string     `json:"diff,omitempty"`
}

// AWAPI is how a flow reaches one AW's CCE Administration API.
type AWAPI struct {
	AW       string // host[:port]; "" = no API
	User     string
	Password secret.Ref
	CertFile string // the AW's certificate or its CA; "" = this machine's roots
	// Keys is the answers section the values come from (inventory,
	// wxm.aw), named in errors and as the password's key.
	Keys string
}

// NewAWClient is the REST client for api.AW, trusting only api.CertFile
// (else this machine's roots); nil when no AW is named.
func NewAWClient(env *Env, api AWAPI) (*ccerest.Client, error) {
	aw := strings.TrimSpace(api.AW)
	if aw == "" {
		return nil, nil
	}
	host, port, err := net.SplitHostPort(aw)
	if err != nil {
		host, port = aw, "443"
	}
	awKey := api.Keys + ".aw"
	if api.Keys != "inventory" {
		awKey = api.Keys + ".api"
	}
	if err := ValidateFQDN(host); err != nil {
		return nil, BadInput(fmt.Errorf("%s: %w", awKey, err))
	}
	tc, err := ClientTLS(env, host, api.Keys+".aw_cert_file", api.CertFile)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(api.User) == "" {
		return nil, BadInput(errors.New(api.Keys + ".api_user is empty: give a CCE administrator for the API on " + aw))
	}
	pw, err := env.Secret(api.Keys+".api_password", api.Password, "CCE Administration password of "+api.User)
	if err != nil {
		return nil, err
	}
	return &ccerest.Client{Base: "https://" + net.JoinHostPort(host, port), User: api.User, Password: pw, HTTP: env.HTTPClient(tc)}, nil
}

// ClientTLS is the TLS of a REST client ccewiz itself is (CCE
// Administration, Finesse): Go verifies the chain and the name here — no
// Java reads this connection — trusting only the certificate or CA in
// certFile (the answers key names it in errors), else this machine's roots.
func ClientTLS(env *Env, host, key, certFile string) (*tls.Config, error) {
	tc := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	if f := strings.TrimSpace(certFile); f != "" {
		b, err := certs.ReadBundleFiles(env.Path(f))
		if err != nil {
			return nil, BadInput(fmt.Errorf("%s: %w", key, err))
		}
		pool := x509.NewCertPool()
		for _, c := range b.Certs {
			pool.AddCert(c)
		}
		tc.RootCAs = pool
	}
	return tc, nil
}
