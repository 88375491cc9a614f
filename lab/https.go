package lab

import (
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"time"
)

// httpsServer is one of the lab's HTTPS servers (the AW, Finesse, a Cloud
// Connect node): a loopback port of its own, TLS 1.2 or later with its
// certificate, closed with the lab.
type httpsServer struct {
	ln  net.Listener
	srv *http.Server
}

// serve listens on a free loopback port and serves h there; what names
// the server in the error.
func (s *httpsServer) serve(what string, h http.Handler, cert tls.Certificate) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("%s: listen on 127.0.0.1: %w", what, err)
	}
	s.ln = ln
	s.srv = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(io.Discard, "", 0),
		TLSConfig: &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}}
	go s.srv.ServeTLS(ln, "", "")
	return nil
}

func (s *httpsServer) addr() string { return s.ln.Addr().String() }

func (s *httpsServer) close() error {
	if s.srv == nil {
		return nil
	}
	return s.srv.Close()
}
