package lab

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"ccewiz/ccerest"
)

// aw plays CCE Administration's machine inventory API on the lab's AW.
//
// From Cisco's reference (Packaged CCE Developer Reference, Machine
// Inventory API): the URL, list with q=types:(A|B) and paging, get,
// create, update carrying changeStamp, delete, …/status with its alerts
// and scanInfo, the XML element names, the per-type rules (ECE and
// CLOUD_CONNECTOR_SUB not created through the API, at most one
// CLOUD_CONNECTOR_PUB and EXTERNAL_ECE, CCE_AW and FINESSE update only),
// names of letters, digits, . - _ (first alphanumeric, at most 128), basic
// authentication, passwords accepted and never returned.
//
// The lab's assumptions, where the reference was not at hand: the list's
// <results><pageInfo>…<machines> envelope; refURL as a path; 201 with a
// Location header on create; 409 with errorType invalid.changeStamp for a
// stale stamp; 400 with the errorType names used below; the Application
// Instance in the MACHINE_INFO service's description; and the alerts it
// raises — a missing ECE web server (inventory.MissingMachine) and one
// whose name ECE's certificate does not carry (inventory.CertificateMismatch),
// the second computed from the certificate step 1 wrote.
type aw struct {
	user, pass string
	certFile   string // ECE's certificate, for the mismatch alert
	cert       tls.Certificate
	logf       func(string, ...any)

	mu       sync.Mutex
	next     int
	machines map[int]*ccerest.Machine
	// store keeps the inventory across lab runs (a resumed lab still has
	// what the admin added); "" keeps it in memory only.
	store string

	httpsServer
}

var reMachineName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

func newAW(user, pass, eceCertFile string, cert tls.Certificate, logf func(string, ...any)) *aw {
	a := &aw{user: user, pass: pass, certFile: eceCertFile, cert: cert, logf: logf, next: 5000, machines: map[int]*ccerest.Machine{}}
	// What the PCCE installation and step 4.2 (a GUI entry) already put there.
	for _, m := range []ccerest.Machine{
		{Name: "aw1a", Type: ccerest.TypeAW, HostName: ADS},
		{Name: "fin1a", Type: ccerest.TypeFinesse, HostName: "fin1a.example.com"},
		{Name: ECEFQDN, Type: ccerest.TypeECE, HostName: ECEFQDN},
	} {
		a.add(m)
	}
	return a
}

// keep writes the inventory to the store, after every change.
func (a *aw) keep() {
	if a.store == "" {
		return
	}
	ids := make([]int, 0, len(a.machines))
	for id := range a.machines {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	var list []ccerest.Machine
	for _, id := range ids {
		list = append(list, *a.machines[id])
	}
	b, err := json.MarshalIndent(list, "", "  ")
	if err == nil {
		err = writeFile(a.store, b, 0o644)
	}
	if err != nil {
		a.logf("AW: could not keep the inventory in %s: %v", a.store, err)
	}
}

// load replaces the stock inventory with the one a previous run kept.
func (a *aw) load() {
	b, err := os.ReadFile(a.store)
	if err != nil {
		return
	}
	var list []ccerest.Machine
	if json.Unmarshal(b, &list) != nil || len(list) == 0 {
		a.logf("AW: %s is not an inventory; starting from the stock one", a.store)
		return
	}
	a.machines = map[int]*ccerest.Machine{}
	for _, m := range list {
		m := m
		id, err := strconv.Atoi(m.RefURL[strings.LastIndex(m.RefURL, "/")+1:])
		if err != nil {
			continue
		}
		a.machines[id] = &m
		a.next = max(a.next, id)
	}
}

func (a *aw) add(m ccerest.Machine) *ccerest.Machine {
	a.next++
	m.RefURL = fmt.Sprintf("%s/%d", ccerest.Path, a.next)
	m.ChangeStamp = 0
	for i := range m.Networks {
		for j := range m.Networks[i].Services {
			m.Networks[i].Services[j].Password = "" // kept by the AW, never returned
		}
	}
	a.machines[a.next] = &m
	return &m
}

func (a *aw) start() error {
	mux := http.NewServeMux()
	mux.HandleFunc(ccerest.Path, a.collection)
	mux.HandleFunc(ccerest.Path+"/", a.item)
	return a.serve("AW", a.auth(mux), a.cert)
}

func (a *aw) auth(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		if !ok || u != a.user || p != a.pass {
			w.Header().Set("WWW-Authenticate", `Basic realm="CCE Administration"`)
			a.fail(w, http.StatusUnauthorized, "authentication.failed", "The user name or password is not valid.", "")
			return
		}
		h.ServeHTTP(w, r)
	})
}

func (a *aw) fail(w http.ResponseWriter, status int, typ, msg, data string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	xml.NewEncoder(w).Encode(struct {
		XMLName xml.Name               `xml:"apiErrors"`
		Errors  []ccerest.APIErrorItem `xml:"apiError"`
	}{Errors: []ccerest.APIErrorItem{{Type: typ, Message: msg, Data: data}}})
}

func (a *aw) reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	xml.NewEncoder(w).Encode(v)
}

func (a *aw) collection(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		a.list(w, r)
	case http.MethodPost:
		a.create(w, r)
	default:
		a.fail(w, http.StatusMethodNotAllowed, "invalid.method", r.Method+" is not allowed here", "")
	}
}

func (a *aw) list(w http.ResponseWriter, r *http.Request) {
	var types []string
	if q := r.URL.Query().Get("q"); q != "" {
		t, ok := strings.CutPrefix(q, "types:(")
		if !ok || !strings.HasSuffix(t, ")") {
			a.fail(w, http.StatusBadRequest, "invalid.search", "unsupported search "+q, q)
			return
		}
		types = strings.Split(strings.TrimSuffix(t, ")"), "|")
	}
	per, _ := strconv.Atoi(r.URL.Query().Get("resultsPerPage"))
	if per <= 0 || per > 100 {
		per = 25
	}
	start, _ := strconv.Atoi(r.URL.Query().Get("startIndex"))
	a.mu.Lock()
	ids := make([]int, 0, len(a.machines))
	for id, m := range a.machines {
		if len(types) == 0 || contains(types, m.Type) {
			ids = append(ids, id)
		}
	}
	sort.Ints(ids)
	var p ccerest.Page
	p.PageInfo.TotalResults, p.PageInfo.ResultsPerPage, p.PageInfo.StartIndex = len(ids), per, start
	for i := start; i < len(ids) && i < start+per; i++ {
		p.Machines = append(p.Machines, *a.machines[ids[i]])
	}
	a.mu.Unlock()
	a.reply(w, http.StatusOK, p)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// readMachine decodes a request body, at most 1 MiB.
func readMachine(r *http.Request) (ccerest.Machine, error) {
	var m ccerest.Machine
	err := xml.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&m)
	return m, err
}

// rules refuses what the API refuses, by type; id is 0 on create.
func (a *aw) rules(m ccerest.Machine, id int) (status int, typ, msg string) {
	if !reMachineName.MatchString(m.Name) {
		return http.StatusBadRequest, "invalid.name", fmt.Sprintf("the name %q must start with a letter or digit and hold only letters, digits, . - _ (at most 128)", m.Name)
	}
	switch m.Type {
	case ccerest.TypeECEWebServer, ccerest.TypeDCECEWebServer:
	case ccerest.TypeECE, ccerest.TypeCloudConnSub:
		if id == 0 {
			return http.StatusBadRequest, "invalid.machine.type", m.Type + " cannot be created through the API"
		}
	case ccerest.TypeAW, ccerest.TypeFinesse:
		if id == 0 {
			return http.StatusBadRequest, "invalid.machine.type", m.Type + " can only be updated"
		}
	case ccerest.TypeCloudConnect, ccerest.TypeExternalECE:
		for other, o := range a.machines {
			if o.Type == m.Type && other != id {
				return http.StatusBadRequest, "inventory.limit", "at most one " + m.Type + " is allowed"
			}
		}
	default:
		return http.StatusBadRequest, "invalid.machine.type", "unknown machine type " + m.Type
	}
	return 0, "", ""
}

func (a *aw) create(w http.ResponseWriter, r *http.Request) {
	m, err := readMachine(r)
	if err != nil {
		a.fail(w, http.StatusBadRequest, "invalid.xml", "the body is not a <machine>: "+err.Error(), "")
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if st, typ, msg := a.rules(m, 0); st != 0 {
		a.fail(w, st, typ, msg, m.Name)
		return
	}
	for _, o := range a.machines {
		if strings.EqualFold(o.Name, m.Name) && o.Type == m.Type {
			a.fail(w, http.StatusBadRequest, "inventory.duplicate", m.Type+" "+m.Name+" exists already", m.Name)
			return
		}
	}
	n := a.add(m)
	a.keep()
	a.logf("AW: created %s %s", m.Type, m.Name)
	w.Header().Set("Location", "https://"+r.Host+n.RefURL)
	w.WriteHeader(http.StatusCreated)
}

func (a *aw) item(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, ccerest.Path+"/")
	if rest == "status" && r.Method == http.MethodGet {
		a.status(w)
		return
	}
	id, err := strconv.Atoi(rest)
	a.mu.Lock()
	defer a.mu.Unlock()
	m, ok := a.machines[id]
	if err != nil || !ok {
		a.fail(w, http.StatusNotFound, "resource.not.found", "no machine at "+r.URL.Path, rest)
		return
	}
	switch r.Method {
	case http.MethodGet:
		a.reply(w, http.StatusOK, m)
	case http.MethodPut:
		u, err := readMachine(r)
		if err != nil {
			a.fail(w, http.StatusBadRequest, "invalid.xml", "the body is not a <machine>: "+err.Error(), "")
			return
		}
		if u.ChangeStamp != m.ChangeStamp {
			a.fail(w, http.StatusConflict, "invalid.changeStamp",
				fmt.Sprintf("changeStamp %d is stale: the machine is at %d", u.ChangeStamp, m.ChangeStamp), m.Name)
			return
		}
		if u.Type != m.Type {
			a.fail(w, http.StatusBadRequest, "invalid.machine.type", "the type of a machine cannot change", m.Name)
			return
		}
		if st, typ, msg := a.rules(u, id); st != 0 {
			a.fail(w, st, typ, msg, u.Name)
			return
		}
		u.RefURL, u.ChangeStamp = m.RefURL, m.ChangeStamp+1
		for i := range u.Networks {
			for j := range u.Networks[i].Services {
				u.Networks[i].Services[j].Password = ""
			}
		}
		a.machines[id] = &u
		a.keep()
		a.logf("AW: updated %s %s", u.Type, u.Name)
		w.WriteHeader(http.StatusOK)
	case http.MethodDelete:
		switch m.Type {
		case ccerest.TypeECEWebServer, ccerest.TypeDCECEWebServer, ccerest.TypeCloudConnect, ccerest.TypeExternalECE:
			delete(a.machines, id)
			a.keep()
			w.WriteHeader(http.StatusOK)
		default:
			a.fail(w, http.StatusBadRequest, "invalid.machine.type", m.Type+" cannot be deleted through the API", m.Name)
		}
	default:
		a.fail(w, http.StatusMethodNotAllowed, "invalid.method", r.Method+" is not allowed here", "")
	}
}

// status raises the alerts the lab knows (see the assumptions above).
func (a *aw) status(w http.ResponseWriter) {
	a.mu.Lock()
	var webs []ccerest.Machine
	for _, m := range a.machines {
		if m.Type == ccerest.TypeECEWebServer || m.Type == ccerest.TypeDCECEWebServer {
			webs = append(webs, *m)
		}
	}
	a.mu.Unlock()
	var s ccerest.Status
	s.Scan.LastScan, s.Scan.ScanState = time.Now().UnixMilli(), "Idle"
	alert := func(host, typ, errType, msg string) {
		al := ccerest.Alert{Errors: []ccerest.APIErrorItem{{Type: errType, Message: msg, Data: typ}}}
		al.Machine.Host, al.Machine.Type = host, typ
		s.Alerts = append(s.Alerts, al)
	}
	if len(webs) == 0 {
		alert(ECEFQDN, ccerest.TypeECEWebServer, "inventory.MissingMachine", "ECE_WEB_SERVER not found for the ECE data server "+ECEFQDN)
	}
	leaf := a.eceCert()
	for _, m := range webs {
		switch {
		case leaf == nil:
			alert(m.HostName, m.Type, "inventory.CertificateUnavailable", "the certificate of "+m.HostName+" could not be read")
		case leaf.VerifyHostname(m.HostName) != nil:
			alert(m.HostName, m.Type, "inventory.CertificateMismatch",
				fmt.Sprintf("the certificate of %s does not name it (CN %s, DNS %s)", m.HostName, leaf.Subject.CommonName, strings.Join(leaf.DNSNames, ", ")))
		}
	}
	a.reply(w, http.StatusOK, s)
}

// eceCert is the certificate step 1 wrote, as ECE's web server serves it.
func (a *aw) eceCert() *x509.Certificate {
	b, err := os.ReadFile(a.certFile)
	if err != nil {
		return nil
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil
	}
	c, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		return nil
	}
	return c
}

// AW is the lab's CCE Administration on its own, for tests of the REST
// client: HTTPS on a loopback port with its own self-signed certificate.
type AW struct {
	a *aw
	// Addr is host:port; Cert is the certificate to trust.
	Addr string
	Cert *x509.Certificate
}

// StartAW starts a lab AW taking user/pass; eceCertFile is the ECE
// certificate its alerts judge ("" raises the unreadable-certificate alert).
func StartAW(user, pass, eceCertFile string) (*AW, error) {
	kp, err := newServerCert(nil, ADS)
	if err != nil {
		return nil, err
	}
	a := newAW(user, pass, eceCertFile, kp.tlsCert(), func(string, ...any) {})
	if err := a.start(); err != nil {
		return nil, err
	}
	return &AW{a: a, Addr: a.addr(), Cert: kp.Chain[0]}, nil
}

// Close stops it.
func (w *AW) Close() error { return w.a.close() }
