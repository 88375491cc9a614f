// Package authkeys holds what Windows OpenSSH needs for Cloud Connect's
// orchestration (seeds 000–002, step 4): Cloud Connect's control-node
// public keys as its REST API answers them, the authorized-keys file they
// go into (which sshd_config decides), and the merge of those keys into an
// existing file without losing or doubling a line.
package authkeys

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/ssh"
)

// MaxResponse bounds a key answer: one JSON object with one key.
const MaxResponse = 64 << 10

// ControlNodeKey is the answer of GET /inventory/controlnode/key on a Cloud
// Connect node (seed: {"category":"PUBLISHER","hostName":"…","publicKey":
// "ssh-rsa AAAA… root@localhost"}).
type ControlNodeKey struct {
	Category  string `json:"category"`
	HostName  string `json:"hostName"`
	PublicKey string `json:"publicKey"`
}

// Key is one public key in authorized_keys form.
type Key struct {
	Line     string // "ssh-rsa AAAA… root@localhost": what goes into the file
	Type     string // ssh-rsa
	Comment  string // root@localhost
	SHA256   string // SHA256:… as ssh-keygen -l prints it
	Source   string // the node it came from
	Category string // PUBLISHER or SUBSCRIBER
	key      ssh.PublicKey
}

// ErrNotAKey means an answer or a line holds no usable public key.
var ErrNotAKey = errors.New("no SSH public key")

// ParseResponse reads a Cloud Connect key answer: the JSON of the seed or,
// as an admin may paste it, the bare key line. Only the "type base64
// comment" part is kept — the JSON around it, quotes, a trailing comma or
// space, a CR — as Windows OpenSSH reads nothing else.
func ParseResponse(body []byte, source string) (Key, error) {
	if len(body) > MaxResponse {
		return Key{}, fmt.Errorf("%s: the answer is %d bytes, not a key: %w", source, len(body), ErrNotAKey)
	}
	text := strings.TrimSpace(string(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))))
	var ck ControlNodeKey
	if strings.HasPrefix(text, "{") {
		if err := json.Unmarshal([]byte(text), &ck); err != nil {
			return Key{}, fmt.Errorf("%s: the answer is not the JSON Cloud Connect sends (%v): %w", source, err, ErrNotAKey)
		}
		if ck.PublicKey == "" {
			return Key{}, fmt.Errorf("%s: the answer has no publicKey: %w", source, ErrNotAKey)
		}
		text = ck.PublicKey
	}
	k, err := ParseLine(text)
	if err != nil {
		return Key{}, fmt.Errorf("%s: %w", source, err)
	}
	k.Source, k.Category = source, ck.Category
	return k, nil
}

// ParseLine reads one authorized-keys line made of a key alone (options
// are not what Cloud Connect sends) and returns it cleaned.
func ParseLine(s string) (Key, error) {
	s = strings.Trim(strings.TrimSpace(s), `"',;`)
	s = strings.TrimSpace(s)
	pk, comment, opts, rest, err := ssh.ParseAuthorizedKey([]byte(s))
	if err != nil {
		return Key{}, fmt.Errorf("%q is not an SSH public key (%v): %w", short(s), err, ErrNotAKey)
	}
	if len(opts) > 0 || len(bytes.TrimSpace(rest)) > 0 || keyBlob("x "+comment) != "" {
		return Key{}, fmt.Errorf("%q holds more than one key: %w", short(s), ErrNotAKey)
	}
	comment = strings.TrimRight(comment, " ,;\"'")
	line := pk.Type() + " " + strings.Fields(string(ssh.MarshalAuthorizedKey(pk)))[1]
	if comment != "" {
		line += " " + comment
	}
	return Key{Line: line, Type: pk.Type(), Comment: comment, SHA256: ssh.FingerprintSHA256(pk), key: pk}, nil
}

// PublicKey is the parsed key.
func (k Key) PublicKey() ssh.PublicKey { return k.key }

func short(s string) string {
	if len(s) > 48 {
		return s[:24] + "…" + s[len(s)-16:]
	}
	return s
}
