package lab

import (
	"crypto/tls"
	"fmt"
	"net"
	"strings"
	"sync"

	ber "github.com/go-asn1-ber/asn1-ber"
	"github.com/go-ldap/ldap/v3"
)

// refRelay is a domain-controller port: it passes LDAP traffic to the gldap
// server behind it and turns refMarker in a SearchResultDone into the
// continuation references (or the referral URI) AD would send.
type refRelay struct {
	backend  string
	startTLS *tls.Config // answer StartTLS here (the relay must see the plaintext to rewrite it)
	ln       net.Listener
	wg       sync.WaitGroup
	mu       sync.Mutex
	conns    map[net.Conn]struct{}
	closed   bool
}

func startRelay(backend string, tc, startTLS *tls.Config) (*refRelay, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("Active Directory: listen on 127.0.0.1: %w", err)
	}
	if tc != nil {
		ln = tls.NewListener(ln, tc)
	}
	r := &refRelay{backend: backend, startTLS: startTLS, ln: ln, conns: map[net.Conn]struct{}{}}
	r.wg.Add(1)
	go r.serve()
	return r, nil
}

func (r *refRelay) addr() string { return r.ln.Addr().String() }

func (r *refRelay) serve() {
	defer r.wg.Done()
	for {
		c, err := r.ln.Accept()
		if err != nil {
			return
		}
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			r.handle(c)
		}()
	}
}

func (r *refRelay) track(c net.Conn, add bool) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if add {
		if r.closed {
			return false
		}
		r.conns[c] = struct{}{}
	} else {
		delete(r.conns, c)
	}
	return true
}

func (r *refRelay) handle(c net.Conn) {
	defer c.Close()
	b, err := net.Dial("tcp", r.backend)
	if err != nil {
		return
	}
	defer b.Close()
	if !r.track(c, true) || !r.track(b, true) {
		return
	}
	defer r.track(c, false)
	defer r.track(b, false)
	// The client side may switch to TLS mid-stream (StartTLS): writes go
	// to whichever connection is current.
	var mu sync.Mutex
	cur := c
	write := func(p []byte) error {
		mu.Lock()
		defer mu.Unlock()
		_, err := cur.Write(p)
		return err
	}
	go func() {
		defer b.Close()
		in := c
		for {
			p, err := ber.ReadPacket(in)
			if err != nil {
				return
			}
			if r.startTLS != nil && isStartTLS(p) {
				// RFC 4511 §4.14: no other operation is outstanding, so the
				// handshake can take over the connection right after the answer.
				if write(startTLSResponse(p).Bytes()) != nil {
					return
				}
				tc := tls.Server(c, r.startTLS)
				if tc.Handshake() != nil {
					return
				}
				mu.Lock()
				cur = tc
				mu.Unlock()
				in = tc
				continue
			}
			if _, err := b.Write(p.Bytes()); err != nil {
				return
			}
		}
	}()
	for {
		p, err := ber.ReadPacket(b)
		if err != nil {
			return
		}
		for _, out := range rewrite(p) {
			if write(out.Bytes()) != nil {
				return
			}
		}
	}
}

const oidStartTLS = "1.3.6.1.4.1.1466.20037"

func isStartTLS(p *ber.Packet) bool {
	if len(p.Children) < 2 {
		return false
	}
	op := p.Children[1]
	return op.ClassType == ber.ClassApplication && op.Tag == ldap.ApplicationExtendedRequest &&
		len(op.Children) > 0 && string(op.Children[0].Data.Bytes()) == oidStartTLS
}

func startTLSResponse(req *ber.Packet) *ber.Packet {
	id, _ := req.Children[0].Value.(int64)
	op := ber.Encode(ber.ClassApplication, ber.TypeConstructed, ldap.ApplicationExtendedResponse, nil, "Extended Response")
	op.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagEnumerated, int64(0), "resultCode"))
	op.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, "", "matchedDN"))
	op.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, "", "diagnosticMessage"))
	op.AppendChild(ber.NewString(ber.ClassContext, ber.TypePrimitive, 10, oidStartTLS, "responseName"))
	return envelope(id, op)
}

// rewrite returns the packets to send for one from the backend.
func rewrite(p *ber.Packet) []*ber.Packet {
	if len(p.Children) < 2 {
		return []*ber.Packet{p}
	}
	op := p.Children[1]
	if op.ClassType != ber.ClassApplication || op.Tag != ldap.ApplicationSearchResultDone || len(op.Children) < 3 {
		return []*ber.Packet{p}
	}
	diag := str(op.Children[2])
	if !strings.HasPrefix(diag, refMarker) {
		return []*ber.Packet{p}
	}
	urls, realDiag, _ := strings.Cut(strings.TrimPrefix(diag, refMarker), "\n")
	id, _ := p.Children[0].Value.(int64)
	code, _ := op.Children[0].Value.(int64)
	var out []*ber.Packet
	done := ber.Encode(ber.ClassApplication, ber.TypeConstructed, ldap.ApplicationSearchResultDone, nil, "Search Result Done")
	done.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagEnumerated, code, "resultCode"))
	done.AppendChild(op.Children[1])
	done.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, realDiag, "diagnosticMessage"))
	if code == ldap.LDAPResultReferral {
		ref := ber.Encode(ber.ClassContext, ber.TypeConstructed, 3, nil, "Referral")
		for _, u := range strings.Fields(urls) {
			ref.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, u, "URI"))
		}
		done.AppendChild(ref)
	} else {
		for _, u := range strings.Fields(urls) {
			sr := ber.Encode(ber.ClassApplication, ber.TypeConstructed, ldap.ApplicationSearchResultReference, nil, "Search Result Reference")
			sr.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, u, "URI"))
			out = append(out, envelope(id, sr))
		}
	}
	return append(out, envelope(id, done))
}

func envelope(id int64, op *ber.Packet) *ber.Packet {
	m := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "LDAP Response")
	m.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, id, "MessageID"))
	m.AppendChild(op)
	return m
}

func (r *refRelay) close() error {
	err := r.ln.Close()
	r.mu.Lock()
	r.closed = true
	for c := range r.conns {
		c.Close()
	}
	r.mu.Unlock()
	r.wg.Wait()
	return err
}
