package ccerest

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"ccewiz/secret"
)

// Path is the machine inventory's place on the AW.
const Path = "/unifiedconfig/config/machineinventory"

// MaxAnswer bounds what the client reads of one answer: an inventory list
// of thousands of machines is well under it; anything larger is refused.
const MaxAnswer = 8 << 20

// Client talks to one AW's CCE Administration.
type Client struct {
	// Base is https://host[:port] of the AW, as the admin types it.
	Base string
	User string
	// Password is the administrator's; it goes into the Authorization
	// header and nowhere else.
	Password secret.Secret
	// HTTP carries the TLS decision (the AW's certificate trusted
	// explicitly) and a timeout. Required.
	HTTP *http.Client
}

// APIError is an answer that is not a success: the HTTP status and the
// API's own errors, if it sent any.
type APIError struct {
	Op     string // "create ECE_WEB_SERVER ece.example.com"
	Status int
	Errors []APIErrorItem
}

func (e *APIError) Error() string {
	var msgs []string
	for _, x := range e.Errors {
		msgs = append(msgs, strings.TrimSpace(x.Type+": "+x.Message))
	}
	detail := strings.Join(msgs, "; ")
	if detail == "" {
		detail = http.StatusText(e.Status)
	}
	return fmt.Sprintf("CCE Administration refused to %s (HTTP %d): %s; %s", e.Op, e.Status, detail, e.Fix())
}

// Fix says what to do about the error, by status.
func (e *APIError) Fix() string {
	switch {
	case e.Status == http.StatusUnauthorized:
		return "give a CCE administrator's user name and password (the AW's domain account, as for CCE Administration)"
	case e.Status == http.StatusForbidden:
		return "the account can sign in but may not change the inventory: use a CCE administrator"
	case e.Status == http.StatusConflict:
		return "someone changed this entry meanwhile: run again, ccewiz reads it anew"
	case e.Status == http.StatusNotFound:
		return "check the AW's name; the entry may have been deleted"
	case e.Status >= 500:
		return "the AW's CCE Administration failed; look at its status bar and try again later"
	}
	return "correct the value it names; the entry was not changed"
}

// HasType reports whether the API named errorType t.
func (e *APIError) HasType(t string) bool {
	for _, x := range e.Errors {
		if x.Type == t {
			return true
		}
	}
	return false
}

// transportFix says what to do when no answer came: trust, or reach.
// ccewiz itself is the client of CCE Administration's API (no Java sits
// between), so crypto/x509's verdict is the one that counts here.
func transportFix(err error) string {
	var ua x509.UnknownAuthorityError
	var hn x509.HostnameError
	var ci x509.CertificateInvalidError
	switch {
	case errors.As(err, &ua):
		return "trust the AW's certificate explicitly: give its certificate or its CA as a file"
	case errors.As(err, &hn):
		return "use the AW's name as its certificate carries it"
	case errors.As(err, &ci):
		return "the AW's certificate is not valid (expired, or not for a server); renew it on the AW"
	case errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "Client.Timeout"):
		return "the AW did not answer in time: check that it is up, or allow a longer timeout"
	}
	return "check that the AW's name resolves and that HTTPS (443) is open from here"
}

// ErrTooLarge means an answer was over MaxAnswer.
var ErrTooLarge = errors.New("answer larger than " + fmt.Sprint(MaxAnswer>>20) + " MiB")

// do sends one request and decodes a success into out (when not nil).
func (c *Client) do(ctx context.Context, op, method, target string, body any, out any) (*http.Response, error) {
	if c.HTTP == nil {
		return nil, errors.New("ccerest: no HTTP client")
	}
	var rd io.Reader
	if body != nil {
		b, err := xml.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("%s: encode: %w", op, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.url(target), rd)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	req.SetBasicAuth(c.User, c.Password.Reveal())
	req.Header.Set("Accept", "application/xml")
	if body != nil {
		req.Header.Set("Content-Type", "application/xml")
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		// url.Error quotes the URL, which holds no credentials (they are headers).
		return nil, fmt.Errorf("%s: %w; %s", op, err, transportFix(err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxAnswer+1))
	if err != nil {
		return resp, fmt.Errorf("%s: read the answer: %w", op, err)
	}
	if len(data) > MaxAnswer {
		return resp, fmt.Errorf("%s: %w", op, ErrTooLarge)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		ae := &APIError{Op: op, Status: resp.StatusCode}
		var e apiErrors
		if xml.Unmarshal(data, &e) == nil {
			ae.Errors = e.Errors
		}
		return resp, ae
	}
	if out != nil && len(bytes.TrimSpace(data)) > 0 {
		if err := xml.Unmarshal(data, out); err != nil {
			return resp, fmt.Errorf("%s: the answer is not the API's XML: %w", op, err)
		}
	}
	return resp, nil
}

// url joins Base and a path, or takes a refURL the API gave (absolute, or
// a path on the same server).
func (c *Client) url(target string) string {
	if strings.HasPrefix(target, "https://") || strings.HasPrefix(target, "http://") {
		return target
	}
	return strings.TrimRight(c.Base, "/") + target
}

// List returns every machine of the given types (all when none), following
// the pages. The API's search is q=types:(A|B).
func (c *Client) List(ctx context.Context, types ...string) ([]Machine, error) {
	var out []Machine
	for start := 0; ; {
		v := url.Values{}
		if len(types) > 0 {
			v.Set("q", "types:("+strings.Join(types, "|")+")")
		}
		v.Set("resultsPerPage", "100")
		v.Set("startIndex", fmt.Sprint(start))
		var l Page
		if _, err := c.do(ctx, "list the inventory", http.MethodGet, Path+"?"+v.Encode(), nil, &l); err != nil {
			return nil, err
		}
		out = append(out, l.Machines...)
		start += len(l.Machines)
		if len(l.Machines) == 0 || start >= l.PageInfo.TotalResults {
			return out, nil
		}
	}
}

// Get reads one machine by its refURL.
func (c *Client) Get(ctx context.Context, refURL string) (Machine, error) {
	var m Machine
	_, err := c.do(ctx, "read "+refURL, http.MethodGet, refURL, nil, &m)
	return m, err
}

// withPassword is m with the password of service t set, for a write only.
func withPassword(m Machine, t string, pw secret.Secret) Machine {
	if pw.IsZero() {
		return m
	}
	nets := make([]Network, len(m.Networks))
	for i, n := range m.Networks {
		nets[i] = n
		nets[i].Services = append([]Service(nil), n.Services...)
		for j := range nets[i].Services {
			if nets[i].Services[j].Type == t {
				nets[i].Services[j].Password = pw.Reveal()
			}
		}
	}
	m.Networks = nets
	return m
}

// Create adds m and returns its refURL (the Location of the answer). pw,
// when given, is the password of its MACHINE_INFO service.
func (c *Client) Create(ctx context.Context, m Machine, pw secret.Secret) (string, error) {
	m.RefURL, m.ChangeStamp = "", 0
	resp, err := c.do(ctx, "create "+m.Type+" "+m.Name, http.MethodPost, Path, withPassword(m, ServiceMachineInfo, pw), nil)
	if err != nil {
		return "", err
	}
	return resp.Header.Get("Location"), nil
}

// Update replaces the machine at m.RefURL; m.ChangeStamp must be the one
// read (a stale one is refused with 409).
func (c *Client) Update(ctx context.Context, m Machine, pw secret.Secret) error {
	if m.RefURL == "" {
		return errors.New("update " + m.Name + ": no refURL (read the machine first)")
	}
	_, err := c.do(ctx, "update "+m.Type+" "+m.Name, http.MethodPut, m.RefURL, withPassword(m, ServiceMachineInfo, pw), nil)
	return err
}

// Delete removes the machine at refURL.
func (c *Client) Delete(ctx context.Context, refURL string) error {
	_, err := c.do(ctx, "delete "+refURL, http.MethodDelete, refURL, nil, nil)
	return err
}

// Status reads the inventory's alerts.
func (c *Client) Status(ctx context.Context) (Status, error) {
	var s Status
	_, err := c.do(ctx, "read the inventory status", http.MethodGet, Path+"/status", nil, &s)
	return s, err
}

// LastScan is when the AW last scanned the inventory.
func (s Status) LastScan() time.Time {
	if s.Scan.LastScan == 0 {
		return time.Time{}
	}
	return time.UnixMilli(s.Scan.LastScan).UTC()
}
