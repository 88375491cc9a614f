package sshserve

import (
	"github.com/charmbracelet/ssh"
	gossh "golang.org/x/crypto/ssh"
)

// The ssh package answers yes to every auth-agent-req and marks the session
// as wanting its agent; nothing here uses an agent, and a server that holds
// a forwarded agent can sign as the admin elsewhere for as long as the
// session lasts. So the request is answered no at the channel, before the
// package sees it.
const agentRequest = "auth-agent-req@openssh.com"

// refuseAgent is the session channel handler with agent forwarding refused.
func refuseAgent(logf func(string, ...any)) ssh.ChannelHandler {
	return func(srv *ssh.Server, conn *gossh.ServerConn, ch gossh.NewChannel, ctx ssh.Context) {
		ssh.DefaultSessionHandler(srv, conn, noAgentChannel{NewChannel: ch, logf: logf, who: conn}, ctx)
	}
}

type noAgentChannel struct {
	gossh.NewChannel
	logf func(string, ...any)
	who  gossh.ConnMetadata
}

func (c noAgentChannel) Accept() (gossh.Channel, <-chan *gossh.Request, error) {
	ch, reqs, err := c.NewChannel.Accept()
	if err != nil {
		return ch, reqs, err
	}
	out := make(chan *gossh.Request)
	go func() {
		defer close(out)
		for req := range reqs {
			if req.Type == agentRequest {
				c.logf("refused agent forwarding for user=%q from=%s: ccewiz serve never uses an agent", c.who.User(), c.who.RemoteAddr())
				req.Reply(false, nil)
				continue
			}
			out <- req
		}
	}()
	return ch, out, nil
}

// withSessionHandler installs h as the only channel type the server opens.
func withSessionHandler(h ssh.ChannelHandler) ssh.Option {
	return func(srv *ssh.Server) error {
		srv.ChannelHandlers = map[string]ssh.ChannelHandler{"session": h}
		return nil
	}
}
