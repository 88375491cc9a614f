package finesse

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"ccewiz/secret"
)

// LayoutPath is Finesse's REST resource for the default desktop layout.
const LayoutPath = "/finesse/api/LayoutConfig/default"

// Client reads and replaces the default layout of one Finesse server
// through its REST API (Cisco's "LayoutConfig" resource: GET and PUT with
// administrator basic authentication; the layout travels XML-escaped in
// <layoutxml>).
type Client struct {
	// Base is https://host:port of the Finesse server (port 8445).
	Base string
	User string
	// Password is the Finesse administrator's; it goes into the
	// Authorization header and nowhere else.
	Password secret.Secret
	// HTTP carries the TLS decision and a timeout. Required.
	HTTP *http.Client
}

// layoutConfig is the LayoutConfig resource.
type layoutConfig struct {
	XMLName    xml.Name `xml:"LayoutConfig"`
	URI        string   `xml:"uri,omitempty"`
	LayoutXML  string   `xml:"layoutxml"`
	UseDefault string   `xml:"useDefault,omitempty"`
}

// APIError is an answer that is not a success, with what to do.
type APIError struct {
	Op     string
	Status int
	Body   string // the first line of Finesse's answer, sanitised by the caller
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("%s: HTTP %d", e.Op, e.Status)
	if e.Body != "" {
		msg += " (" + e.Body + ")"
	}
	return msg + "; " + e.Fix()
}

// Fix says what to do about the answer.
func (e *APIError) Fix() string {
	switch e.Status {
	case http.StatusUnauthorized, http.StatusForbidden:
		return "check the Finesse administrator's user name and password (the ones that log in to CFAdmin)"
	case http.StatusNotFound:
		return "is this a Finesse server, on port 8445? The layout API is " + LayoutPath
	case http.StatusBadRequest:
		return "Finesse refused the layout; nothing was changed — check it in CFAdmin › Desktop Layout"
	}
	return "try again; if it persists, look at Finesse's logs (Realtime logs, Finesse Tomcat)"
}

func (c *Client) do(ctx context.Context, op, method string, body []byte) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.Base, "/")+LayoutPath, rd)
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
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 2*MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: read the answer: %w", op, err)
	}
	if len(b) > 2*MaxSize {
		return nil, fmt.Errorf("%s: the answer is larger than a layout can be", op)
	}
	if resp.StatusCode/100 != 2 {
		first, _, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
		if len(first) > 200 {
			first = first[:200] + "…"
		}
		return nil, &APIError{Op: op, Status: resp.StatusCode, Body: first}
	}
	return b, nil
}

// GetLayout returns the default layout's XML as Finesse holds it.
func (c *Client) GetLayout(ctx context.Context) ([]byte, error) {
	b, err := c.do(ctx, "read the desktop layout from "+c.Base, http.MethodGet, nil)
	if err != nil {
		return nil, err
	}
	return DecodeLayoutConfig(b)
}

// DecodeLayoutConfig takes the layout out of a LayoutConfig answer.
func DecodeLayoutConfig(b []byte) ([]byte, error) {
	var lc layoutConfig
	if err := xml.Unmarshal(b, &lc); err != nil {
		return nil, fmt.Errorf("the answer is not a LayoutConfig: %w", err)
	}
	if strings.TrimSpace(lc.LayoutXML) == "" {
		return nil, errors.New("the LayoutConfig answer holds no layoutxml")
	}
	return []byte(lc.LayoutXML), nil
}

// PutLayout replaces the default layout with layout.
func (c *Client) PutLayout(ctx context.Context, layout []byte) error {
	body, err := xml.Marshal(layoutConfig{LayoutXML: string(layout)})
	if err != nil {
		return err
	}
	_, err = c.do(ctx, "replace the desktop layout on "+c.Base, http.MethodPut, body)
	return err
}
