package testpeer

import (
	"crypto/tls"
	"errors"
	"net"
	"sync"
	"testing"
	"time"
)

// ServeTLS listens on 127.0.0.1 and completes TLS handshakes presenting
// leaf followed by chain (as ECE's IIS sends them), with or without SNI,
// then closes each connection. It returns the address; the server stops
// when the test ends.
func ServeTLS(t testing.TB, leaf *Cert, chain ...*Cert) string {
	t.Helper()
	tc := tls.Certificate{Certificate: [][]byte{leaf.DER}, PrivateKey: leaf.Key, Leaf: leaf.Cert}
	for _, c := range chain {
		tc.Certificate = append(tc.Certificate, c.DER)
	}
	return ServeTLSConfig(t, &tls.Config{Certificates: []tls.Certificate{tc}})
}

// ServeTLSConfig is ServeTLS with the caller's TLS settings: a
// GetCertificate that needs SNI, or a different certificate without it,
// reproduces the IIS bindings SPOG trips over.
func ServeTLSConfig(t testing.TB, cfg *tls.Config) string {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatalf("ServeTLS: %v", err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if errors.Is(err, net.ErrClosed) {
				return
			}
			if err != nil {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				c.SetDeadline(time.Now().Add(15 * time.Second))
				if tc, ok := c.(*tls.Conn); ok {
					if tc.Handshake() == nil {
						tc.Write([]byte("ok\n"))
					}
				}
			}()
		}
	}()
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	return ln.Addr().String()
}

// HoldingServer listens on 127.0.0.1 and accepts connections — completing
// the TLS handshake when cfg is set — then holds them open without a word
// until the test ends: a server that hangs, for timeout tests.
func HoldingServer(t testing.TB, cfg *tls.Config) string {
	t.Helper()
	var ln net.Listener
	var err error
	if cfg != nil {
		ln, err = tls.Listen("tcp", "127.0.0.1:0", cfg)
	} else {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatalf("HoldingServer: %v", err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if tc, ok := c.(*tls.Conn); ok {
				go tc.Handshake()
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	return ln.Addr().String()
}

// ClosedAddr returns a loopback address nothing listens on (a port that was
// free a moment ago), for "connection refused" cases.
func ClosedAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("ClosedAddr: %v", err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}
