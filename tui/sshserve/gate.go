package sshserve

import (
	"net"
	"sync"
	"time"
)

// A connection that never authenticates ties up a goroutine and a socket
// for as long as the idle timeout allows (30 minutes), and a client that
// opens hundreds of them exhausts the server. The gate in front of the
// listener gives each connection AuthTimeout to reach a session, and each
// source address at most MaxUnauthPerSource connections that have not.

// gate wraps the listener: every accepted connection is counted against
// its source until it is admitted (a session started) or closed.
type gate struct {
	net.Listener
	timeout time.Duration
	max     int
	logf    func(string, ...any)

	mu      sync.Mutex
	pending map[string]int        // source IP → connections not admitted yet
	conns   map[string]*gatedConn // remote address → its connection

	// serving is closed when Serve first asks for a connection: by then
	// it has counted this listener in (see Server.waitServing).
	serving     chan struct{}
	servingOnce sync.Once
}

func newGate(ln net.Listener, timeout time.Duration, max int, logf func(string, ...any)) *gate {
	return &gate{Listener: ln, timeout: timeout, max: max, logf: logf, pending: map[string]int{}, conns: map[string]*gatedConn{},
		serving: make(chan struct{})}
}

func (g *gate) Accept() (net.Conn, error) {
	g.servingOnce.Do(func() { close(g.serving) })
	for {
		c, err := g.Listener.Accept()
		if err != nil {
			return nil, err
		}
		ip := sourceOf(c.RemoteAddr())
		g.mu.Lock()
		if g.pending[ip] >= g.max {
			g.mu.Unlock()
			g.logf("refused from=%s: %d connections from it have not authenticated yet", c.RemoteAddr(), g.max)
			c.Close()
			continue
		}
		g.pending[ip]++
		gc := &gatedConn{Conn: c, g: g, ip: ip}
		g.conns[c.RemoteAddr().String()] = gc
		g.mu.Unlock()
		gc.timer = time.AfterFunc(g.timeout, func() {
			if !gc.isAdmitted() {
				g.logf("closed from=%s: no session within %s", c.RemoteAddr(), g.timeout)
				gc.Close()
			}
		})
		return gc, nil
	}
}

// admit marks the connection from addr as having reached a session.
func (g *gate) admit(addr net.Addr) {
	g.mu.Lock()
	gc := g.conns[addr.String()]
	g.mu.Unlock()
	if gc != nil {
		gc.admit()
	}
}

func sourceOf(a net.Addr) string {
	if h, _, err := net.SplitHostPort(a.String()); err == nil {
		return h
	}
	return a.String()
}

type gatedConn struct {
	net.Conn
	g     *gate
	ip    string
	timer *time.Timer

	mu       sync.Mutex
	admitted bool
	closed   bool
}

func (c *gatedConn) isAdmitted() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.admitted
}

// admit takes the connection off its source's count of pending ones.
func (c *gatedConn) admit() {
	c.mu.Lock()
	if c.admitted || c.closed {
		c.mu.Unlock()
		return
	}
	c.admitted = true
	c.mu.Unlock()
	c.timer.Stop()
	c.g.unpend(c.ip)
}

func (c *gatedConn) Close() error {
	c.mu.Lock()
	first, pending := !c.closed, !c.admitted
	c.closed = true
	c.mu.Unlock()
	if first {
		c.timer.Stop()
		if pending {
			c.g.unpend(c.ip)
		}
		c.g.mu.Lock()
		delete(c.g.conns, c.RemoteAddr().String())
		c.g.mu.Unlock()
	}
	return c.Conn.Close()
}

func (g *gate) unpend(ip string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.pending[ip]--; g.pending[ip] <= 0 {
		delete(g.pending, ip)
	}
}
