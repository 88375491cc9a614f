package lab

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/xml"
	"io"
	"net/http"
	"sync"

	"ccewiz/finesse"
)

// FinesseFQDN is the lab's Finesse server.
const FinesseFQDN = "fin1a.example.com"

// finesseServer plays Finesse's LayoutConfig REST resource.
//
// From Cisco's Finesse developer guide: the resource
// /finesse/api/LayoutConfig/default, GET and PUT, administrator basic
// authentication, the <LayoutConfig> element with <layoutxml> holding the
// layout, which must be well-formed and follow the schema.
//
// The lab's assumptions: port 8445 for the API; the layout XML-escaped as
// text inside <layoutxml> (Finesse also accepts CDATA: encoding/xml reads
// both); <uri> and <useDefault> in the GET answer; 200 for a PUT; 400 with
// a one-line text body for a layout that is not well-formed; 401 with a
// WWW-Authenticate header for bad credentials. The schema is not checked
// beyond the <finesseLayout> root.
type finesseServer struct {
	user, pass string
	cert       tls.Certificate
	save       func([]byte) error // keeps the layout across lab runs; may be nil
	logf       func(string, ...any)

	mu     sync.Mutex
	layout []byte
	puts   int

	httpsServer
}

func (f *finesseServer) start() error {
	mux := http.NewServeMux()
	mux.HandleFunc(finesse.LayoutPath, f.layoutConfig)
	return f.serve("Finesse", mux, f.cert)
}

type layoutConfig struct {
	XMLName    xml.Name `xml:"LayoutConfig"`
	URI        string   `xml:"uri,omitempty"`
	LayoutXML  string   `xml:"layoutxml"`
	UseDefault string   `xml:"useDefault,omitempty"`
}

func (f *finesseServer) layoutConfig(w http.ResponseWriter, r *http.Request) {
	if u, p, ok := r.BasicAuth(); !ok || u != f.user || p != f.pass {
		w.Header().Set("WWW-Authenticate", `Basic realm="Finesse"`)
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch r.Method {
	case http.MethodGet:
		w.Header().Set("Content-Type", "application/xml")
		xml.NewEncoder(w).Encode(layoutConfig{URI: finesse.LayoutPath, LayoutXML: string(f.layout), UseDefault: "true"})
	case http.MethodPut:
		body, err := io.ReadAll(io.LimitReader(r.Body, 2*finesse.MaxSize))
		if err != nil {
			http.Error(w, "read error", http.StatusBadRequest)
			return
		}
		layout, err := finesse.DecodeLayoutConfig(body)
		if err == nil {
			_, err = finesse.Parse(layout)
		}
		if err != nil {
			http.Error(w, "Invalid layout XML: "+err.Error(), http.StatusBadRequest)
			return
		}
		f.layout = layout
		f.puts++
		if f.save != nil {
			if err := f.save(layout); err != nil {
				f.logf("Finesse: could not keep the layout: %v", err)
			}
		}
		f.logf("Finesse: the default desktop layout was replaced")
	default:
		w.Header().Set("Allow", "GET, PUT")
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
	}
}

// Finesse is the lab's Finesse on its own, for tests of the layout API.
type Finesse struct {
	f *finesseServer
	// Addr is host:port; Cert is the certificate to trust.
	Addr string
	Cert *x509.Certificate
}

// StartFinesse starts a lab Finesse serving layout (nil: the stock one)
// to user/pass.
func StartFinesse(user, pass string, layout []byte) (*Finesse, error) {
	kp, err := newServerCert(nil, FinesseFQDN)
	if err != nil {
		return nil, err
	}
	if layout == nil {
		layout = finesse.StockLayout
	}
	f := &finesseServer{user: user, pass: pass, cert: kp.tlsCert(), layout: append([]byte{}, layout...), logf: func(string, ...any) {}}
	if err := f.start(); err != nil {
		return nil, err
	}
	return &Finesse{f: f, Addr: f.addr(), Cert: kp.Chain[0]}, nil
}

// Layout is the layout it holds now; Puts how many times it was replaced.
func (x *Finesse) Layout() ([]byte, int) {
	x.f.mu.Lock()
	defer x.f.mu.Unlock()
	return append([]byte{}, x.f.layout...), x.f.puts
}

// Close stops it.
func (x *Finesse) Close() error { return x.f.close() }
