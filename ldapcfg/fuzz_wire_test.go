package ldapcfg

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	ber "github.com/go-asn1-ber/asn1-ber"
	"github.com/go-ldap/ldap/v3"

	"ccewiz/secret"
	"ccewiz/testpeer"
)

// The live test reads whatever a server answers: a DC, something that is
// not one, or something hostile. FuzzLDAPAnswers plays that server on
// loopback: each request ccewiz sends gets the next answer of the input
// (answers are split at answerSep; one that decodes as an LDAPMessage gets
// the request's message ID, so the fuzzer need not guess it). Whatever the
// bytes, Test ends within its stage timeouts, every stage says something,
// and the bind password — which a server may echo in any diagnostic — is
// in no stage, error or JSON report.
const answerSep = "\xff\xfe\xfd"

const fuzzPassword = "Fz-s3cret-Pa55"

func ldapMessage(op *ber.Packet) []byte {
	p := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "LDAP message")
	p.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, int64(1), "id"))
	p.AppendChild(op)
	return p.Bytes()
}

func ldapResult(app ber.Tag, code int64, diag string) *ber.Packet {
	op := ber.Encode(ber.ClassApplication, ber.TypeConstructed, app, nil, "result")
	op.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagEnumerated, code, "code"))
	op.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, "", "matched"))
	op.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, diag, "diagnostic"))
	return op
}

func ldapEntry(dn string, attrs map[string][]string) *ber.Packet {
	op := ber.Encode(ber.ClassApplication, ber.TypeConstructed, ldap.ApplicationSearchResultEntry, nil, "entry")
	op.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, dn, "dn"))
	list := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "attributes")
	for name, vals := range attrs {
		a := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "attribute")
		a.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, name, "type"))
		set := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSet, nil, "values")
		for _, v := range vals {
			set.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, v, "value"))
		}
		a.AppendChild(set)
		list.AppendChild(a)
	}
	op.AppendChild(list)
	return op
}

// answers joins per-request answers; a request may get several messages
// (a search's entries and its done) in one answer.
func answers(per ...[][]byte) []byte {
	var parts [][]byte
	for _, msgs := range per {
		parts = append(parts, bytes.Join(msgs, nil))
	}
	return bytes.Join(parts, []byte(answerSep))
}

// withID gives every LDAPMessage in an answer the request's ID.
func withID(answer []byte, id int64) []byte {
	var out []byte
	for len(answer) > 0 {
		p, err := ber.DecodePacketErr(answer)
		if err != nil || len(p.Children) < 2 || p.Children[0].Tag != ber.TagInteger {
			return append(out, answer...) // raw bytes from here on
		}
		n := len(p.Bytes())
		if n <= 0 || n > len(answer) {
			return append(out, answer...)
		}
		// A decoded packet's bytes are its Data, not its Children: rebuild.
		msg := ber.Encode(p.ClassType, p.TagType, p.Tag, nil, "LDAP message")
		msg.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, id, "id"))
		for _, c := range p.Children[1:] {
			msg.AppendChild(c)
		}
		out = append(out, msg.Bytes()...)
		answer = answer[n:]
	}
	return out
}

type answerServer struct {
	ln    net.Listener
	tls   *tls.Config
	mu    sync.Mutex
	input [][]byte
	conns []net.Conn
}

func (s *answerServer) serve() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conns = append(s.conns, c)
		queue := append([][]byte(nil), s.input...)
		s.mu.Unlock()
		go func() {
			defer c.Close()
			var rw net.Conn = c
			for i, a := range queue {
				if i == 1 {
					// ccewiz speaks LDAP only over TLS: the first answer was
					// to its StartTLS, and the rest go over the handshake.
					tc := tls.Server(c, s.tls)
					c.SetDeadline(time.Now().Add(5 * time.Second))
					if tc.Handshake() != nil {
						return
					}
					c.SetDeadline(time.Time{})
					rw = tc
				}
				req, err := ber.ReadPacket(rw)
				if err != nil {
					return
				}
				id := int64(0)
				if len(req.Children) > 0 {
					id, _ = req.Children[0].Value.(int64)
				}
				if _, err := rw.Write(withID(a, id)); err != nil {
					return
				}
			}
			// Out of answers: hold the line like a server that stopped
			// talking, until the test closes it.
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			for {
				if _, err := ber.ReadPacket(rw); err != nil {
					return
				}
			}
		}()
	}
}

func (s *answerServer) reset(input [][]byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conns {
		c.Close()
	}
	s.conns, s.input = nil, input
}

// answerTimeout bounds each stage while fuzzing: most mutated answers
// leave ccewiz waiting for the rest of a message, so the timeout is the
// cost of an input.
const answerTimeout = 150 * time.Millisecond

// startAnswerServer starts the loopback server and returns a live test
// against it, answering with data.
func startAnswerServer(tb testing.TB, timeout time.Duration) func(data []byte) (*Report, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	ca := testpeer.NewCA(tb, "Fuzz Root CA", nil)
	dc := testpeer.NewLeaf(tb, "fuzz-dc.example.local", ca, testpeer.DNS("fuzz-dc.example.local"))
	srv := &answerServer{ln: ln, tls: &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{dc.DER, ca.DER}, PrivateKey: dc.Key}}}}
	roots := keystorePool(tb, ca.Cert)
	go srv.serve()
	tb.Cleanup(func() { ln.Close(); srv.reset(nil) })
	url := "ldap://fuzz-dc.example.local:" + strings.TrimPrefix(ln.Addr().String(), "127.0.0.1:")
	return func(data []byte) (*Report, error) {
		srv.reset(bytes.Split(data, []byte(answerSep)))
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return Test(ctx, Settings{URL: url, BindDN: "CN=svc,CN=Users,DC=example,DC=local", Base: "DC=example,DC=local",
			Password: secret.New(fuzzPassword)}, Options{
			Resolve: func(context.Context, string) ([]string, error) { return []string{"127.0.0.1"}, nil },
			Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
				return (&net.Dialer{}).DialContext(ctx, network, ln.Addr().String())
			},
			TestUser: "alice@example.local",
			Timeout:  timeout,
			Roots:    roots,
		})
	}
}

// The fuzz server's seeds are what they claim: a DC that answers well
// passes bind and search, and one that echoes the password fails the bind
// with the password masked.
func TestAnswerServerPlaysADC(t *testing.T) {
	run := startAnswerServer(t, 5*time.Second)
	good, echo := ldapSeeds()[0], ldapSeeds()[2]
	rep, err := run(good)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{StageBind, StageSearch} {
		if st := rep.Stage(name); st == nil || st.Status != Pass {
			for _, s := range rep.Stages {
				t.Logf("%s %s: %s %v", s.Name, s.Status, s.Detail, s.Err)
			}
			t.Fatalf("stage %s = %+v; want pass", name, st)
		}
	}
	rep, err = run(echo)
	if err != nil {
		t.Fatal(err)
	}
	st := rep.Stage(StageBind)
	if st == nil || st.Status != Fail || !strings.Contains(st.Err.Error(), secret.Mask) {
		t.Fatalf("bind = %+v; want a failure with the password masked", st)
	}
}

func ldapSeeds() [][]byte {
	rootDSE := [][]byte{
		ldapMessage(ldapEntry("", map[string][]string{"dnsHostName": {"dc1.example.local"}, "defaultNamingContext": {"DC=example,DC=local"},
			"isGlobalCatalogReady": {"TRUE"}, "supportedLDAPVersion": {"3", "2"}, "namingContexts": {"DC=example,DC=local"}})),
		ldapMessage(ldapResult(ldap.ApplicationSearchResultDone, 0, "")),
	}
	startTLS := [][]byte{ldapMessage(ldapResult(ldap.ApplicationExtendedResponse, 0, ""))}
	bindOK := [][]byte{ldapMessage(ldapResult(ldap.ApplicationBindResponse, 0, ""))}
	user := [][]byte{
		ldapMessage(ldapEntry("CN=Alice,CN=Users,DC=example,DC=local", map[string][]string{"userPrincipalName": {"alice@example.local"}})),
		ldapMessage(ldapResult(ldap.ApplicationSearchResultDone, 0, "")),
	}
	return [][]byte{
		answers(startTLS, rootDSE, bindOK, user),
		// AD's invalid-credentials answer, and one that echoes the password.
		answers(startTLS, rootDSE, [][]byte{ldapMessage(ldapResult(ldap.ApplicationBindResponse, 49,
			"80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 52e, v4563"))}),
		answers(startTLS, rootDSE, [][]byte{ldapMessage(ldapResult(ldap.ApplicationBindResponse, 49, "bad password "+fuzzPassword))}),
		answers(startTLS, rootDSE, bindOK, [][]byte{ldapMessage(ldapResult(ldap.ApplicationSearchResultDone, 10,
			"0000202B: RefErr: DSID-0310082F, data 0, 1 access points\n\tref 1: 'other.example.local'\n"+fuzzPassword))}),
		answers(startTLS, [][]byte{ldapMessage(ldapResult(ldap.ApplicationSearchResultDone, 0, ""))}, bindOK, user),
		answers([][]byte{ldapMessage(ldapResult(ldap.ApplicationExtendedResponse, 2, "unsupported extended operation"))}),
		{0x30, 0x84, 0xff, 0xff, 0xff, 0xff}, // a length of 4 GiB
		[]byte("HTTP/1.1 400 Bad Request\r\n\r\n"),
	}
}

func FuzzLDAPAnswers(f *testing.F) {
	for _, s := range ldapSeeds() {
		f.Add(s)
	}
	run := startAnswerServer(f, answerTimeout)
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		rep, err := run(data)
		if err != nil {
			t.Fatalf("Test returned an error for a server's answer (only bad input may): %v", err)
		}
		// Six stages of at most one timeout each, and slack for -race.
		if d := time.Since(start); d > 6*answerTimeout+3*time.Second {
			t.Fatalf("the live test took %s for one server's answers", d)
		}
		if len(rep.Stages) == 0 {
			t.Fatal("no stage reported")
		}
		for _, st := range rep.Stages {
			if st.Detail == "" || st.Status == "" {
				t.Fatalf("stage %q says nothing: %+v", st.Name, st)
			}
			text := st.Detail + st.Fix
			if st.Err != nil {
				text += st.Err.Error()
			}
			if strings.Contains(text, fuzzPassword) {
				t.Fatalf("stage %q shows the password: %q", st.Name, text)
			}
		}
		js, err := json.Marshal(rep)
		if err != nil {
			t.Fatalf("the report does not encode: %v", err)
		}
		if bytes.Contains(js, []byte(fuzzPassword)) {
			t.Fatalf("the JSON report holds the password: %s", js)
		}
	})
}
