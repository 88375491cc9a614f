package authkeys

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"

	"ccewiz/secret"
)

// KeyPath is Cloud Connect's resource for its control-node key (seed,
// step 4); DefaultPort is the port it listens on.
const (
	KeyPath     = "/inventory/controlnode/key"
	DefaultPort = "8445"
)

// ErrLogin means Cloud Connect refused the application user or password.
var ErrLogin = errors.New("Cloud Connect refused the login")

// Fetch asks a Cloud Connect node (host or host:port; 8445 by default) for
// its control-node key with the application user, over client — whose TLS
// setup decides trust (judge it as Java would: VOS is Java).
func Fetch(ctx context.Context, client *http.Client, node, user string, pass secret.Secret) (Key, error) {
	addr := node
	if _, _, err := net.SplitHostPort(node); err != nil {
		addr = net.JoinHostPort(node, DefaultPort)
	}
	url := "https://" + addr + KeyPath
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return Key{}, fmt.Errorf("%s is not a host name: %w", node, err)
	}
	req.SetBasicAuth(user, pass.Reveal())
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return Key{}, fmt.Errorf("GET %s: %w", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponse+1))
	if err != nil {
		return Key{}, fmt.Errorf("GET %s: %w", url, err)
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return Key{}, fmt.Errorf("GET %s: HTTP %s for user %s: %w (the application user of Cloud Connect: run sql select * from applicationuser on its CLI)",
			url, resp.Status, user, ErrLogin)
	case resp.StatusCode == http.StatusNotFound:
		return Key{}, fmt.Errorf("GET %s: HTTP 404: this is not a Cloud Connect 12.6 node (its %s is missing); check the FQDN and the release", url, KeyPath)
	case resp.StatusCode != http.StatusOK:
		return Key{}, fmt.Errorf("GET %s: HTTP %s: %s", url, resp.Status, strings.TrimSpace(firstLine(body)))
	}
	host, _, _ := net.SplitHostPort(addr)
	return ParseResponse(body, host)
}

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(string(b), "\n")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
