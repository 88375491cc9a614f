package sshserve

import (
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"ccewiz/testpeer"
)

// An auth-agent-req is answered no, is logged, and the session goes on to
// its wizard as usual; a server that said yes could be handed the admin's
// agent for the length of the session.
func TestAgentForwardingRefused(t *testing.T) {
	f := newFixture(t, Options{}, []string{"alice"})
	conn := f.dial(t, "alice")
	opened := make(chan struct{}, 1)
	go func() { // the server must never open the agent channel back to us
		for range conn.HandleChannelOpen("auth-agent@openssh.com") {
			opened <- struct{}{}
		}
	}()
	sess, err := conn.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	ok, err := sess.SendRequest(agentRequest, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ok {
		t.Fatal("auth-agent-req was accepted; want it refused")
	}
	if err := sess.RequestPty("xterm-256color", 40, 120, gossh.TerminalModes{}); err != nil {
		t.Fatalf("pty after the refusal: %v", err)
	}
	var out testpeer.SyncBuffer
	sess.Stdout = &out
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(out.String(), "ccewiz") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(out.String(), "ccewiz") {
		t.Fatalf("no wizard after the refused agent request; got %q", out.String())
	}
	select {
	case <-opened:
		t.Fatal("the server opened an agent channel")
	default:
	}
	if !strings.Contains(f.log.String(), `refused agent forwarding for user="alice"`) {
		t.Fatalf("log does not name the refusal:\n%s", f.log.String())
	}
}
