package lab

import (
	"crypto/tls"
	"encoding/json"
	"net/http"
	"os"
)

// The lab's Cloud Connect cluster.
const (
	CloudConnectPub = "cc1.example.com"
	CloudConnectSub = "cc2.example.com"
)

// cloudConnect plays one Cloud Connect node's HTTPS side on port 8445:
// cherrypoint's status resource, with the node's own self-signed
// certificate (as a fresh Cloud Connect has one, so the AW must import it).
//
// From Cisco's WxM guide: the resource /cherrypoint/status?details=true,
// which the AW calls, and "up" as the state that shows the Call Type box.
// The lab's assumptions: no authentication on it; a JSON answer
// {"status": "UP"|"DOWN", "details": {…}} (the guide does not show the
// body; ccewiz's parser also reads a bare word and a nested
// "cherrypoint" object). The service is down while the file named by
// downFile exists, so a newcomer can watch the check fail and pass.
type cloudConnect struct {
	node     string
	cert     tls.Certificate
	downFile string

	httpsServer
}

func (c *cloudConnect) start() error {
	mux := http.NewServeMux()
	mux.HandleFunc("/cherrypoint/status", c.status)
	return c.serve("Cloud Connect "+c.node, mux, c.cert)
}

func (c *cloudConnect) status(w http.ResponseWriter, r *http.Request) {
	state := "UP"
	if _, err := os.Stat(c.downFile); err == nil {
		state = "DOWN"
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"status":  state,
		"details": map[string]any{"node": c.node, "wxm": map[bool]string{true: "CONNECTED", false: "DISCONNECTED"}[state == "UP"]},
	})
}

// CloudConnectNode is one lab Cloud Connect node on its own, for tests.
type CloudConnectNode struct {
	c *cloudConnect
	// Addr is host:port; Cert is its self-signed certificate.
	Addr string
	Cert []byte // DER
	// DownFile, while it exists, makes cherrypoint report DOWN.
	DownFile string
}

// StartCloudConnect starts a lab Cloud Connect node named node; the
// service is down while downFile exists.
func StartCloudConnect(node, downFile string) (*CloudConnectNode, error) {
	kp, err := newServerCert(nil, node)
	if err != nil {
		return nil, err
	}
	c := &cloudConnect{node: node, cert: kp.tlsCert(), downFile: downFile}
	if err := c.start(); err != nil {
		return nil, err
	}
	return &CloudConnectNode{c: c, Addr: c.addr(), Cert: kp.Chain[0].Raw, DownFile: downFile}, nil
}

// Close stops it.
func (n *CloudConnectNode) Close() error { return n.c.close() }
