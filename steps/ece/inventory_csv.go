package ece

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"

	"ccewiz/steps"
)

// The 4000/12000-agent inventory CSV's exact columns could not be
// established from public documentation, so ccewiz never writes a CSV of
// its own invention: it takes the header of the template the admin
// downloaded from CCE Administration, fills the columns it recognises by
// name, and lists the ones it could not fill.

// InventoryTemplate is the header row of a downloaded inventory CSV.
type InventoryTemplate struct {
	Name   string
	Header []string
	Comma  rune
	CRLF   bool // Excel on Windows writes CRLF; the output keeps it
	BOM    bool
}

// ParseInventoryTemplate reads the header of a CSV template: the first
// record with a non-empty cell. A UTF-8 BOM, CRLF and a ';' separator (Excel
// in many locales) are recognised and kept for the output.
func ParseInventoryTemplate(name string, data []byte) (*InventoryTemplate, error) {
	t := &InventoryTemplate{Name: name, Comma: ','}
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		t.BOM = true
		data = data[3:]
	}
	t.CRLF = bytes.Contains(data, []byte("\r\n"))
	first := data
	if i := bytes.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		t.Comma = ';'
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = t.Comma
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil, steps.BadInput(fmt.Errorf("inventory template %s has no header row; download the CSV template again from CCE Administration's inventory page", name))
		}
		if err != nil {
			return nil, steps.BadInput(fmt.Errorf("inventory template %s is not a CSV file: %w", name, err))
		}
		empty := true
		for i := range rec {
			// A byte-order mark is no part of a name, wherever an editor left it.
			rec[i] = strings.TrimSpace(strings.ReplaceAll(rec[i], "\ufeff", ""))
			if rec[i] != "" {
				empty = false
			}
		}
		if empty {
			continue
		}
		t.Header = rec
		return t, nil
	}
}

// columnAliases maps our value keys to the column names that mean them,
// compared without case, spaces or punctuation.
var columnAliases = map[string][]string{
	"kind":          {"type", "machinetype", "componenttype", "machine", "component", "servertype"},
	"hostname":      {"hostname", "host", "fqdn", "hostnamefqdn", "hostnameorip", "hostnameipaddress", "servername", "address", "machinename", "name", "publicaddress"},
	"username":      {"username", "user", "login", "userid", "adminusername", "administratorusername"},
	"password":      {"password", "adminpassword", "administratorpassword", "userpassword"},
	"app_instance":  {"applicationinstance", "appinstance", "applicationinstancename", "instance"},
	"site":          {"site", "sitename"},
	"peripheralset": {"peripheralset", "peripheralsetname"},
}

func normColumn(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func columnKey(col string) string {
	n := normColumn(col)
	for key, names := range columnAliases {
		for _, a := range names {
			if n == a {
				return key
			}
		}
	}
	return ""
}

// InventoryCSV is the filled-in template.
type InventoryCSV struct {
	Header []string   `json:"header"`
	Rows   [][]string `json:"rows"`
	// Unfilled are the template's columns ccewiz left empty in every row:
	// the admin fills them before uploading.
	Unfilled []string `json:"unfilled"`
	// Blank are columns left empty on purpose (passwords are never written).
	Blank []string `json:"blank,omitempty"`
	// Guessed are columns filled with ccewiz's own names for a value (the
	// machine type "ECE Web Server"): check them against what the template allows.
	Guessed []string `json:"guessed,omitempty"`
}

// FillCSV maps the sheet's entries onto the template's columns, one row per machine.
func (s *InventorySheet) FillCSV(t *InventoryTemplate, a *steps.Answers) *InventoryCSV {
	out := &InventoryCSV{Header: t.Header}
	filled := make([]bool, len(t.Header))
	for _, e := range s.Entries {
		vals := map[string]string{"kind": e.Kind}
		for _, f := range e.Fields {
			if f.Key != "password" {
				vals[f.Key] = f.Value
			}
		}
		if e.Kind == KindWebServer && a != nil && is4000(a) {
			vals["site"], vals["peripheralset"] = ProfileOf(a).Site, ProfileOf(a).PeripheralSet
		}
		row := make([]string, len(t.Header))
		for i, col := range t.Header {
			if v := vals[columnKey(col)]; v != "" {
				row[i], filled[i] = v, true
			}
		}
		out.Rows = append(out.Rows, row)
	}
	for i, col := range t.Header {
		switch {
		case columnKey(col) == "password":
			out.Blank = append(out.Blank, col)
		case !filled[i]:
			out.Unfilled = append(out.Unfilled, col)
		case columnKey(col) == "kind":
			out.Guessed = append(out.Guessed, col)
		}
	}
	return out
}

// Write renders the CSV with the template's separator, line endings and BOM,
// so CCE Administration gets back the shape it handed out.
func (c *InventoryCSV) Write(w io.Writer, t *InventoryTemplate) error {
	if t.BOM {
		if _, err := w.Write([]byte("\xef\xbb\xbf")); err != nil {
			return err
		}
	}
	cw := csv.NewWriter(w)
	cw.Comma = t.Comma
	cw.UseCRLF = t.CRLF
	if err := cw.Write(c.Header); err != nil {
		return err
	}
	eol := "\n"
	if t.CRLF {
		eol = "\r\n"
	}
	for _, row := range c.Rows {
		if len(row) == 1 && row[0] == "" {
			// encoding/csv writes a lone empty field as an empty line, which
			// readers skip; quote it so the row count survives.
			cw.Flush()
			if _, err := io.WriteString(w, `""`+eol); err != nil {
				return fmt.Errorf("write inventory CSV: %w", err)
			}
			continue
		}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("write inventory CSV: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write inventory CSV: %w", err)
	}
	return nil
}
