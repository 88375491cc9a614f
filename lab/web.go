package lab

import (
	"crypto/tls"
	"errors"
	"fmt"
	"html"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"ccewiz/steps"
	"ccewiz/steps/ece"
)

// webServer is the lab's "ECE web server": IIS's Default Web Site with its
// https binding on 443, played by an HTTPS server on a loopback port.
//
// Like IIS after the admin imports the PFX, it serves the certificate step 1
// writes (<out_dir>/<fqdn>.crt and .key) as soon as both files are there,
// and a self-signed placeholder named after the machine before that.
type webServer struct {
	fqdn     string
	certFile string
	keyFile  string
	// answers is the lab's answers file: when the admin moves
	// certificate.out_dir in the wizard, the server follows.
	answers      string
	answersStamp string
	sniRequired  bool
	placeholder  tls.Certificate
	logf         func(format string, args ...any)

	mu      sync.Mutex
	current *tls.Certificate
	stamp   string // mtimes and sizes of the files current was loaded from
	loadErr string // last reload error, logged once

	ln  net.Listener
	srv *http.Server
}

// placeholderName is what IIS's "Create Self-Signed Certificate" would be
// issued to: the web server's own host name, not the name users type — so a
// lab that skips step 1 fails the name check just like production does.
const placeholderName = "eceweb01.example.local"

func (w *webServer) start() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("ECE web server: listen on 127.0.0.1: %w", err)
	}
	w.ln = &resetListener{Listener: ln}
	tc := &tls.Config{
		MinVersion:         tls.VersionTLS12,
		GetConfigForClient: w.configForClient,
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(rw http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			w.page(rw, http.StatusNotFound, "404 - File or directory not found.", "The resource you are looking for might have been removed, had its name changed, or is temporarily unavailable.")
			return
		}
		http.Redirect(rw, r, "/default", http.StatusFound)
	})
	mux.HandleFunc("/default", func(rw http.ResponseWriter, r *http.Request) {
		w.login(rw, "default", "Business partition", "pa")
	})
	mux.HandleFunc("/system", func(rw http.ResponseWriter, r *http.Request) {
		w.login(rw, "system", "System partition", "sa")
	})
	w.srv = &http.Server{
		Handler:           mux,
		TLSConfig:         tc,
		ReadHeaderTimeout: 10 * time.Second,
		// TLS handshake failures are part of the lesson, not server errors.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	go w.srv.ServeTLS(w.ln, "", "")
	return nil
}

func (w *webServer) addr() string { return w.ln.Addr().String() }

func (w *webServer) close() error {
	if w.srv == nil {
		return nil
	}
	return w.srv.Close()
}

// configForClient reproduces IIS's binding selection. With "Require Server
// Name Indication" unticked and the host name blank (what Cisco's guide
// asks for), every client gets the site's certificate. With it ticked, the
// binding only matches a ClientHello whose SNI is the binding's host name;
// HTTP.sys finds no binding for anything else and resets the connection
// without sending a certificate or an alert — which is what a Java client
// such as SPOG then reports ("Connection reset" / "Remote host terminated the
// handshake"). We do the same: RST, no alert.
func (w *webServer) configForClient(hello *tls.ClientHelloInfo) (*tls.Config, error) {
	if w.sniRequired && !strings.EqualFold(strings.TrimSuffix(hello.ServerName, "."), w.fqdn) {
		if rc, ok := hello.Conn.(interface{ reset() }); ok {
			rc.reset()
		}
		return nil, errSNIReset
	}
	cert := w.certificate()
	return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}, nil
}

var errSNIReset = errors.New("no https binding matches this ClientHello (Require Server Name Indication)")

// certificate returns step 1's certificate, reloading its files when their
// mtime or size changes. A reload that fails keeps the certificate already
// served, as IIS keeps its binding's certificate: step 1 writes the .key
// before the .crt, and a handshake in between must not see the placeholder.
// The placeholder is served only until a certificate was ever loaded.
func (w *webServer) certificate() tls.Certificate {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.followOutDir()
	stamp := fileStamp(w.certFile) + "|" + fileStamp(w.keyFile)
	if stamp == w.stamp {
		return w.served()
	}
	w.stamp = stamp
	c, err := tls.LoadX509KeyPair(w.certFile, w.keyFile)
	if err != nil {
		if !strings.HasPrefix(stamp, "-|") && w.logf != nil {
			if msg := err.Error(); msg != w.loadErr {
				kept := "the placeholder certificate"
				if w.current != nil {
					kept = "the certificate it serves"
				}
				w.logf("ECE web server: keeping %s: %v", kept, err)
				w.loadErr = msg
			}
		}
		return w.served()
	}
	w.loadErr = ""
	if w.logf != nil {
		w.logf("ECE web server: now serving %s", w.certFile)
	}
	w.current = &c
	return c
}

// served is what a failed or unneeded reload leaves in place. Callers hold w.mu.
func (w *webServer) served() tls.Certificate {
	if w.current != nil {
		return *w.current
	}
	return w.placeholder
}

// followOutDir re-reads certificate.out_dir when the answers file changed.
func (w *webServer) followOutDir() {
	if w.answers == "" {
		return
	}
	st := fileStamp(w.answers)
	if st == w.answersStamp {
		return
	}
	w.answersStamp = st
	a, err := steps.LoadAnswers(w.answers)
	if err != nil {
		return // mid-edit or broken: keep watching where we were
	}
	dir := ece.CertOutDir(steps.NewEnv(a, w.answers))
	crt, key := filepath.Join(dir, w.fqdn+".crt"), filepath.Join(dir, w.fqdn+".key")
	if crt != w.certFile {
		if w.logf != nil {
			w.logf("ECE web server: watching %s (certificate.out_dir changed)", crt)
		}
		w.certFile, w.keyFile = crt, key
	}
}

func fileStamp(path string) string {
	fi, err := os.Stat(path)
	if err != nil {
		return "-"
	}
	return fmt.Sprintf("%d/%d", fi.ModTime().UnixNano(), fi.Size())
}

func (w *webServer) login(rw http.ResponseWriter, partition, title, user string) {
	w.page(rw, http.StatusOK, "Enterprise Chat and Email — "+title,
		fmt.Sprintf(`<form method="post" action="/%s/web/view/platform/common/login/root.jsp">
<p>Partition: <b>%s</b></p>
<label>User name <input name="j_username" value="%s"></label>
<label>Password <input name="j_password" type="password"></label>
<button type="submit">Log in</button>
</form>`, partition, partition, user))
}

func (w *webServer) page(rw http.ResponseWriter, code int, title, body string) {
	rw.Header().Set("Content-Type", "text/html; charset=utf-8")
	rw.Header().Set("Server", "Microsoft-IIS/10.0")
	rw.Header().Set("X-Powered-By", "ASP.NET")
	rw.WriteHeader(code)
	fmt.Fprintf(rw, "<!DOCTYPE html>\n<html><head><title>%s</title></head>\n<body><h1>%s</h1>\n%s\n<p><small>%s — ccewiz lab</small></p></body></html>\n",
		html.EscapeString(title), html.EscapeString(title), body, html.EscapeString(w.fqdn))
}

// resetListener hands out connections that can be closed with a TCP RST,
// as HTTP.sys does when no binding matches.
type resetListener struct{ net.Listener }

func (l *resetListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &resetConn{Conn: c}, nil
}

type resetConn struct{ net.Conn }

func (c *resetConn) reset() {
	if tc, ok := c.Conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	c.Conn.Close()
}
