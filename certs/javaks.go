package certs

// Java key stores: the ADS's cacerts (step 4.1) and the AD keystore
// mydomain.jks (step 2.1). ccewiz edits them itself instead of running
// keytool: no JVM start, the integrity check happens before anything is
// touched, and every change is verified by re-opening the written bytes.

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Kind is the on-disk format of a Java key store.
type Kind string

const (
	// JKS is Sun's proprietary format; the cacerts of Java 8–17 (and Debian's) use it.
	JKS Kind = "JKS"
	// PKCS12 is the default of keytool since Java 9 and of cacerts since Java 18
	// (there without a password: the file has no MAC).
	PKCS12 Kind = "PKCS12"
)

// ErrWrongPassword means the store's integrity check failed with the given
// password. keytool cannot tell a wrong password from a damaged file either.
var ErrWrongPassword = errors.New("wrong password (keystore integrity check failed); the JDK default is changeit")

// ErrNotKeystore means the bytes are not a JKS or PKCS#12 key store, or are damaged.
var ErrNotKeystore = errors.New("not a Java key store")

// ErrUnsupported means a valid store ccewiz can read but must not rewrite
// (a format or algorithm it cannot reproduce faithfully).
var ErrUnsupported = errors.New("unsupported key store")

// Entry types as keytool -list names them.
const (
	TrustedCertEntry = "trustedCertEntry"
	PrivateKeyEntry  = "PrivateKeyEntry"
)

// Entry is one alias of a key store, as `keytool -list -v` would describe it.
// For a PrivateKeyEntry the certificate is the first of its chain.
type Entry struct {
	Alias    string            `json:"alias"`
	Type     string            `json:"type"` // trustedCertEntry or PrivateKeyEntry
	Subject  string            `json:"subject"`
	Issuer   string            `json:"issuer"`
	NotAfter time.Time         `json:"not_after"`
	SHA256   string            `json:"sha256"` // AB:CD:… as keytool prints it; filled in with the other certificate fields
	Created  time.Time         `json:"created,omitzero"`
	Cert     *x509.Certificate `json:"-"` // nil when the entry's certificate does not parse
	// name is the alias as stored; Java lists PKCS#12 friendly names in
	// lower case but ccewiz writes them back exactly as it found them.
	name string
	// der is parsed only when someone looks at the entry: an import into a
	// cacerts of 150 CAs compares bytes, it needs no parsed certificate.
	der    []byte
	parsed bool
	jks    *jksEntry // as read from a JKS file; nil for a new entry
}

// Fingerprint is the SHA-256 of a DER certificate as keytool -list -v and
// openssl x509 -fingerprint -sha256 print it: colon-separated upper-case hex.
func Fingerprint(der []byte) string {
	const digits = "0123456789ABCDEF"
	sum := sha256.Sum256(der)
	out := make([]byte, 0, len(sum)*3-1)
	for i, c := range sum {
		if i > 0 {
			out = append(out, ':')
		}
		out = append(out, digits[c>>4], digits[c&0xF])
	}
	return string(out)
}

// Keystore is an opened (and integrity-checked) Java key store.
type Keystore struct {
	kind Kind
	// passwordless PKCS#12 stores (Java 18+ cacerts) have no MAC and no
	// encryption; they are written back the same way.
	passwordless bool
	// readOnly: a PKCS#12 key store, read for its trusted certificates;
	// writing it back would lose its keys.
	readOnly bool
	entries  []Entry // parse() fills in the certificate fields on demand
}

func (ks *Keystore) parse() {
	for i := range ks.entries {
		ks.entries[i].parse()
	}
}

func (e *Entry) parse() {
	if e.parsed {
		return
	}
	e.parsed = true
	e.SHA256 = Fingerprint(e.der)
	c, err := x509.ParseCertificate(e.der)
	if err != nil {
		e.Subject = "(unparsable certificate: " + err.Error() + ")"
		return
	}
	e.Cert, e.Subject, e.Issuer, e.NotAfter = c, c.Subject.String(), c.Issuer.String(), c.NotAfter
}

// find returns the index of alias (case-insensitive, as Java compares them), or -1.
func (ks *Keystore) find(alias string) int {
	for i, e := range ks.entries {
		if strings.EqualFold(e.Alias, alias) {
			return i
		}
	}
	return -1
}

// NewKeystore returns an empty store of kind (JKS when kind is empty).
func NewKeystore(kind Kind) *Keystore {
	if kind == "" {
		kind = JKS
	}
	return &Keystore{kind: kind}
}

// DetectKind tells the store format from its first bytes.
func DetectKind(data []byte) (Kind, error) {
	switch {
	case len(data) >= 4 && binary.BigEndian.Uint32(data) == 0xFEEDFEED:
		return JKS, nil
	case len(data) >= 4 && binary.BigEndian.Uint32(data) == 0xCECECECE:
		return "", fmt.Errorf("%w: this is a JCEKS store; convert it with keytool -importkeystore -deststoretype JKS", ErrUnsupported)
	case len(data) >= 2 && data[0] == 0x30:
		return PKCS12, nil
	case bytes.HasPrefix(bytes.TrimSpace(data), []byte("-----BEGIN")):
		return "", fmt.Errorf("%w: this is a PEM file (a certificate or key), not a key store", ErrNotKeystore)
	case len(data) == 0:
		return "", fmt.Errorf("%w: the file is empty", ErrNotKeystore)
	}
	return "", fmt.Errorf("%w: it is neither JKS nor PKCS#12 (starts with % x)", ErrNotKeystore, data[:min(len(data), 4)])
}

// OpenKeystore checks the integrity of a JKS or PKCS#12 store with password
// and reads its entries. A wrong password yields ErrWrongPassword; a
// password-less PKCS#12 store (Java 18+ cacerts) opens with any password,
// like keytool.
func OpenKeystore(data []byte, password []byte) (*Keystore, error) {
	kind, err := DetectKind(data)
	if err != nil {
		return nil, err
	}
	if kind == JKS {
		return openJKS(data, password)
	}
	return openP12(data, password)
}

// Kind is the store's format.
func (ks *Keystore) Kind() Kind { return ks.kind }

// Passwordless reports a PKCS#12 store without integrity protection.
func (ks *Keystore) Passwordless() bool { return ks.passwordless }

// Entries lists every alias in store order.
func (ks *Keystore) Entries() []Entry {
	ks.parse()
	return append([]Entry(nil), ks.entries...)
}

// Len is the number of entries, as keytool counts them.
func (ks *Keystore) Len() int { return len(ks.entries) }

// Lookup returns the entry under alias (case-insensitive, as Java compares them).
func (ks *Keystore) Lookup(alias string) (Entry, bool) {
	i := ks.find(alias)
	if i < 0 {
		return Entry{}, false
	}
	ks.entries[i].parse()
	return ks.entries[i], true
}

// Contains returns the alias under which c is already trusted, if any.
func (ks *Keystore) Contains(c *x509.Certificate) (string, bool) {
	for _, e := range ks.entries {
		if e.Type == TrustedCertEntry && bytes.Equal(e.der, c.Raw) {
			return e.Alias, true
		}
	}
	return "", false
}

// TrustedCerts returns the certificates of every trustedCertEntry: what
// Java's default TrustManager uses as anchors.
func (ks *Keystore) TrustedCerts() []*x509.Certificate {
	ks.parse()
	var out []*x509.Certificate
	for _, e := range ks.entries {
		// Java's TrustManager trusts a key entry's certificate too
		// (TrustStoreUtil.getTrustedCerts).
		if (e.Type == TrustedCertEntry || e.Type == PrivateKeyEntry) && e.Cert != nil {
			out = append(out, e.Cert)
		}
	}
	return out
}

// CertPool returns the trusted certificates as a pool, e.g. to verify the
// domain controller with the same anchors ECE will use.
func (ks *Keystore) CertPool() *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range ks.TrustedCerts() {
		p.AddCert(c)
	}
	return p
}

// Action is what AddTrusted did (or would do) for one certificate.
type Action string

const (
	Add     Action = "add"
	Replace Action = "replace"
	Present Action = "present" // already trusted under PresentAs; nothing changes
)

// Change is one certificate handed to AddTrusted and its fate.
type Change struct {
	Alias     string            `json:"alias"`
	Action    Action            `json:"action"`
	PresentAs string            `json:"present_as,omitempty"`
	Subject   string            `json:"subject"`
	SHA256    string            `json:"sha256"`
	Cert      *x509.Certificate `json:"-"`
}

// AliasTakenError means the alias already holds a different certificate.
type AliasTakenError struct {
	Alias    string
	Existing Entry
	New      *x509.Certificate
}

func (e *AliasTakenError) Error() string {
	return fmt.Sprintf("alias %q already holds a different certificate (%s, SHA-256 %s); choose another alias, or replace it (--replace)",
		e.Alias, e.Existing.Subject, shortFP(e.Existing.SHA256))
}

func shortFP(fp string) string {
	if len(fp) > 23 {
		return fp[:23] + "…"
	}
	return fp
}

// AddTrusted adds c as a trustedCertEntry under alias. When c is already
// trusted under any alias nothing changes (Action Present). When alias holds
// a different certificate it fails with *AliasTakenError unless replace.
func (ks *Keystore) AddTrusted(alias string, c *x509.Certificate, replace bool) (Change, error) {
	if c == nil {
		return Change{}, errors.New("add trusted certificate: no certificate")
	}
	alias = strings.TrimSpace(alias)
	if alias == "" {
		return Change{}, errors.New("add trusted certificate: the alias is empty")
	}
	if ks.kind == JKS {
		// Java's JKS lower-cases aliases; doing it here keeps keytool -list and ours identical.
		alias = strings.ToLower(alias)
	}
	ch := Change{Alias: strings.ToLower(alias), Action: Add, Subject: c.Subject.String(), SHA256: Fingerprint(c.Raw), Cert: c}
	if at, ok := ks.Contains(c); ok {
		ch.Action, ch.PresentAs = Present, at
		return ch, nil
	}
	idx := ks.find(alias)
	if idx >= 0 {
		if !replace {
			ks.entries[idx].parse()
			return ch, &AliasTakenError{Alias: alias, Existing: ks.entries[idx], New: c}
		}
		ch.Action = Replace
	}
	e := entryFor(alias, TrustedCertEntry, c.Raw, time.Now())
	if idx >= 0 {
		ks.entries[idx] = e
	} else {
		ks.entries = append(ks.entries, e)
	}
	return ch, nil
}

func entryFor(alias, typ string, der []byte, created time.Time) Entry {
	return Entry{Alias: strings.ToLower(alias), name: alias, Type: typ, Created: created.Truncate(time.Millisecond), der: der}
}

// Marshal encodes the store, protected by password (ignored for a
// password-less PKCS#12 store, which stays password-less as Java made it).
func (ks *Keystore) Marshal(password []byte) ([]byte, error) {
	if ks.readOnly {
		return nil, fmt.Errorf("%w: this PKCS#12 store holds private keys; ccewiz reads it (Java trusts its certificates) but does not change it, as writing it back would lose the keys — import with keytool, or keep the trusted certificates in a trust store of their own", ErrUnsupported)
	}
	switch ks.kind {
	case JKS:
		return marshalJKS(ks.entries, password)
	case PKCS12:
		return marshalP12(ks, password)
	}
	return nil, fmt.Errorf("%w: kind %q", ErrUnsupported, ks.kind)
}
