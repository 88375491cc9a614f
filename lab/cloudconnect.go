package lab

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/subtle"
	"crypto/tls"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"os"
	"strings"

	"golang.org/x/crypto/ssh"
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
	// user and pass are the Cloud Connect application user the key
	// resource asks for; key is the node's control-node SSH key.
	user, pass string
	key        ssh.Signer
	category   string // PUBLISHER or SUBSCRIBER

	httpsServer
}

func (c *cloudConnect) start() error {
	mux := http.NewServeMux()
	mux.HandleFunc("/cherrypoint/status", c.status)
	mux.HandleFunc("/inventory/controlnode/key", c.controlNodeKey)
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

// controlNodeKey is the resource orchestration's Windows onboarding reads
// (seeds 000–002, step 4): GET /inventory/controlnode/key with the Cloud
// Connect application user over HTTP basic, answering
// {"category":"PUBLISHER","hostName":"…","publicKey":"ssh-rsa … root@localhost"}.
// The lab's assumptions: a wrong login gets 401 with a Basic challenge,
// other methods 405, and the subscriber answers category SUBSCRIBER.
func (c *cloudConnect) controlNodeKey(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	u, p, ok := r.BasicAuth()
	if !ok || c.key == nil || c.pass == "" || subtle.ConstantTimeCompare([]byte(u), []byte(c.user)) != 1 || subtle.ConstantTimeCompare([]byte(p), []byte(c.pass)) != 1 {
		w.Header().Set("WWW-Authenticate", `Basic realm="Cloud Connect"`)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{"category": c.category, "hostName": c.node,
		"publicKey": strings.TrimSpace(string(ssh.MarshalAuthorizedKey(c.key.PublicKey()))) + " root@localhost"})
}

// loadOrMakeSSHKey reads a node's control-node key (OpenSSH PEM) or makes
// and keeps one: the lab's Windows node must keep trusting it across runs.
func loadOrMakeSSHKey(path string) (ssh.Signer, error) {
	if b, err := os.ReadFile(path); err == nil {
		return ssh.ParsePrivateKey(b)
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	block, err := ssh.MarshalPrivateKey(k, "")
	if err != nil {
		return nil, err
	}
	if err := writeFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		return nil, err
	}
	return ssh.NewSignerFromKey(k)
}

// CloudConnectNode is one lab Cloud Connect node on its own, for tests.
type CloudConnectNode struct {
	c *cloudConnect
	// Addr is host:port; Cert is its self-signed certificate.
	Addr string
	Cert []byte // DER
	// DownFile, while it exists, makes cherrypoint report DOWN.
	DownFile string
	// User and Password log on to the key resource; SSHKey is the node's
	// control-node key (its private half: the lab plays Cloud Connect).
	User, Password string
	SSHKey         ssh.Signer
}

// StartCloudConnect starts a lab Cloud Connect node named node; the
// service is down while downFile exists. Its key resource refuses every
// login (StartCloudConnectKeys gives it one).
func StartCloudConnect(node, downFile string) (*CloudConnectNode, error) {
	return StartCloudConnectKeys(node, downFile, "", "")
}

// StartCloudConnectKeys is StartCloudConnect whose key resource takes the
// application user ccadmin with password, and serves the SSH key kept in
// keyFile (made when missing).
func StartCloudConnectKeys(node, downFile, password, keyFile string) (*CloudConnectNode, error) {
	kp, err := newServerCert(nil, node)
	if err != nil {
		return nil, err
	}
	c, err := startCloudConnect(node, kp, downFile, password, keyFile)
	if err != nil {
		return nil, err
	}
	return &CloudConnectNode{c: c, Addr: c.addr(), Cert: kp.Chain[0].Raw, DownFile: downFile, User: c.user, Password: c.pass, SSHKey: c.key}, nil
}

// Close stops it.
func (n *CloudConnectNode) Close() error { return n.c.close() }

// startCloudConnect starts one node with its certificate, its cherrypoint
// switch, the application user's password ("" refuses every login) and
// its control-node key, kept in keyFile ("": none).
func startCloudConnect(node string, kp *keyPair, downFile, password, keyFile string) (*cloudConnect, error) {
	c := &cloudConnect{node: node, cert: kp.tlsCert(), downFile: downFile, user: "ccadmin", pass: password, category: "PUBLISHER"}
	if node == CloudConnectSub {
		c.category = "SUBSCRIBER"
	}
	if keyFile != "" {
		var err error
		if c.key, err = loadOrMakeSSHKey(keyFile); err != nil {
			return nil, err
		}
	}
	return c, c.start()
}
