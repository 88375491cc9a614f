package certs

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"ccewiz/safefile"
)

// ImportOptions tune which certificates are trusted and under which aliases.
type ImportOptions struct {
	// Alias overrides the rule's alias when exactly one certificate is imported.
	Alias string
	// FQDN is the alias of a self-signed ECE certificate (the seed: alias =
	// the ECE FQDN). Empty: its CN, lower-cased.
	FQDN string
	// CA imports every certificate given as a CA (no leaf rule): for a root
	// or intermediate file on its own.
	CA bool
	// Replace lets an alias that holds a different certificate be overwritten.
	Replace bool
	// Create makes a new store when the file does not exist (else an error).
	Create bool
	// Kind of a created store; JKS when empty.
	Kind Kind
	// Lock tunes the wait for another ccewiz changing the same store; the
	// store is read, planned and written under its lock, so a second import
	// adds its entry to the first one's result.
	Lock safefile.LockOptions
	// Now stamps the backup name; time.Now when nil.
	Now func() time.Time
	// DryRun makes ImportFile stop after planning: the Result says what
	// would change, and nothing is written.
	DryRun bool
}

// Planned is one certificate the import rules chose, with its alias.
type Planned struct {
	Alias string
	Cert  *x509.Certificate
}

// ErrNeedCA means a CA-signed leaf came without its CA certificates.
var ErrNeedCA = errors.New("the CA's certificate is needed")

// TrustPlan applies the seed's rules (step 4.1) to the certificates of a
// file or a chain: a self-signed certificate is trusted itself (alias = the
// ECE FQDN); a CA-signed chain gets its root, then each intermediate (alias
// = the CA's CN in lower case, as keytool stores it), never the leaf.
func TrustPlan(list []*x509.Certificate, opts ImportOptions) ([]Planned, error) {
	if len(list) == 0 {
		return nil, errors.New("no certificate to import")
	}
	list = dedupe(list)
	if opts.CA {
		return name(chainOrder(list), opts), nil
	}
	if len(list) == 1 && IsSelfSigned(list[0]) {
		alias := firstNonEmpty(opts.Alias, opts.FQDN, aliasFor(list[0]))
		return []Planned{{Alias: alias, Cert: list[0]}}, nil
	}
	var cas []*x509.Certificate
	var leaves []*x509.Certificate
	for _, c := range list {
		if c.IsCA || IsSelfSigned(c) {
			cas = append(cas, c)
		} else {
			leaves = append(leaves, c)
		}
	}
	if len(cas) == 0 {
		if opts.Alias != "" && len(leaves) == 1 {
			// Java accepts any trusted entry as an anchor, a leaf included; the admin asked for exactly this.
			return []Planned{{Alias: opts.Alias, Cert: leaves[0]}}, nil
		}
		l := leaves[0]
		return nil, fmt.Errorf("%w: %s is signed by %q and no CA certificate came with it; give the CA's root (and any intermediate) — the files the CA returned — or pass an alias to trust this certificate itself",
			ErrNeedCA, l.Subject.CommonName, l.Issuer.String())
	}
	return name(chainOrder(cas), opts), nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func name(list []*x509.Certificate, opts ImportOptions) []Planned {
	out := make([]Planned, 0, len(list))
	seen := map[string]bool{}
	for _, c := range list {
		a := aliasFor(c)
		switch {
		case len(list) == 1 && opts.Alias != "":
			a = opts.Alias
		case opts.FQDN != "" && !c.IsCA && IsSelfSigned(c):
			// A self-signed ECE certificate keeps the seed's alias even when
			// it comes with other certificates.
			a = opts.FQDN
		}
		if seen[strings.ToLower(a)] {
			a = a + "-" + shortID(c)
		}
		seen[strings.ToLower(a)] = true
		out = append(out, Planned{Alias: a, Cert: c})
	}
	return out
}

// aliasFor is the alias keytool users give a CA: its CN, lower-cased, in
// a safe character set — letters, digits, space, . _ - ( ) — since the
// alias ends up in commands an admin pastes into an elevated shell, and a
// certificate's subject is whatever its issuer wrote.
func aliasFor(c *x509.Certificate) string {
	s := c.Subject
	var a string
	switch {
	case s.CommonName != "":
		a = s.CommonName
	case len(s.OrganizationalUnit) > 0:
		a = s.OrganizationalUnit[0]
	case len(s.Organization) > 0:
		a = s.Organization[0]
	default:
		return "ca-" + shortID(c)
	}
	a = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', strings.ContainsRune(" ._-()", r):
			return r
		}
		return '_'
	}, strings.ToLower(a))
	if strings.Trim(a, "_ ") == "" {
		return "ca-" + shortID(c)
	}
	return a
}

// shortID is the first four bytes of the SHA-256 fingerprint in lower-case
// hex: enough to tell two certificates with the same name apart in an alias.
func shortID(c *x509.Certificate) string {
	return strings.ToLower(strings.ReplaceAll(Fingerprint(c.Raw)[:11], ":", ""))
}

func dedupe(list []*x509.Certificate) []*x509.Certificate {
	seen := map[string]bool{}
	var out []*x509.Certificate
	for _, c := range list {
		if k := string(c.Raw); !seen[k] {
			seen[k] = true
			out = append(out, c)
		}
	}
	return out
}

// chainOrder sorts certificates so every issuer comes before what it
// signed: root first, then each intermediate, whatever order the CA sent.
func chainOrder(list []*x509.Certificate) []*x509.Certificate {
	depth := make([]int, len(list))
	for i, c := range list {
		d, cur := 0, c
		for hops := 0; hops < len(list) && !IsSelfSigned(cur); hops++ {
			var parent *x509.Certificate
			for _, p := range list {
				if p != cur && bytes.Equal(p.RawSubject, cur.RawIssuer) && cur.CheckSignatureFrom(p) == nil {
					parent = p
					break
				}
			}
			if parent == nil {
				break
			}
			d++
			cur = parent
		}
		depth[i] = d
	}
	idx := make([]int, len(list))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return depth[idx[a]] < depth[idx[b]] })
	out := make([]*x509.Certificate, len(list))
	for i, j := range idx {
		out[i] = list[j]
	}
	return out
}

// ImportPlan is an import worked out in memory: the new bytes (nil when
// nothing changes) and how to prove the written file is right.
type ImportPlan struct {
	Kind    Kind
	Created bool // the store does not exist yet
	Before  int  // entries before
	After   int  // entries after
	Changes []Change
	Data    []byte
	// Verify re-opens encoded bytes (Data, before it is written) and checks
	// that every entry of the old store survived unchanged and every
	// planned certificate is trusted.
	Verify func(content []byte) error
}

// NothingToDo reports an import where every certificate was already trusted.
func (p *ImportPlan) NothingToDo() bool { return p.Data == nil }

// PlanImport opens old (nil: a new store of opts.Kind), applies the trust
// rules to list and encodes the result. It writes nothing.
func PlanImport(old []byte, password []byte, list []*x509.Certificate, opts ImportOptions) (*ImportPlan, error) {
	var ks *Keystore
	p := &ImportPlan{}
	if old == nil {
		ks, p.Created = NewKeystore(opts.Kind), true
	} else {
		var err error
		if ks, err = OpenKeystore(old, password); err != nil {
			return nil, err
		}
	}
	p.Kind, p.Before = ks.Kind(), ks.Len()
	before := append([]Entry(nil), ks.entries...)
	planned, err := TrustPlan(list, opts)
	if err != nil {
		return nil, err
	}
	changed := false
	for _, pl := range planned {
		ch, err := ks.AddTrusted(pl.Alias, pl.Cert, opts.Replace)
		if err != nil {
			return nil, err
		}
		p.Changes = append(p.Changes, ch)
		changed = changed || ch.Action != Present
	}
	p.After = ks.Len()
	if changed || p.Created {
		if p.Data, err = ks.Marshal(password); err != nil {
			return nil, err
		}
	}
	p.Verify = func(content []byte) error { return verifyImport(content, password, before, p.Changes) }
	return p, nil
}

func verifyImport(content, password []byte, before []Entry, changes []Change) error {
	ks, err := OpenKeystore(content, password)
	if err != nil {
		return fmt.Errorf("re-open the new store: %w", err)
	}
	replaced := map[string]bool{}
	for _, ch := range changes {
		if ch.Action == Replace {
			replaced[strings.ToLower(ch.Alias)] = true
		}
		if _, ok := ks.Contains(ch.Cert); !ok {
			return fmt.Errorf("the new store lacks %s (%s)", ch.Alias, ch.Subject)
		}
	}
	for _, e := range before {
		if replaced[strings.ToLower(e.Alias)] {
			continue
		}
		i := ks.find(e.Alias)
		if i < 0 || !sameEntry(ks.entries[i], e) {
			return fmt.Errorf("entry %q did not survive the rewrite", e.Alias)
		}
	}
	return nil
}

// sameEntry reports whether a re-read entry is the one written: same type
// and certificate, and for a private key entry the same protected key and chain.
func sameEntry(got, want Entry) bool {
	if got.Type != want.Type || !bytes.Equal(got.der, want.der) {
		return false
	}
	if want.jks == nil || got.jks == nil {
		return want.jks == nil
	}
	return bytes.Equal(got.jks.key, want.jks.key) && slices.EqualFunc(got.jks.chain, want.jks.chain, bytes.Equal)
}

// Result is what ImportFile did (with DryRun: would do).
type Result struct {
	Path    string   `json:"path"`
	Kind    Kind     `json:"kind"`
	Created bool     `json:"created,omitempty"`
	Backup  string   `json:"backup,omitempty"`
	Written bool     `json:"written"`
	Before  int      `json:"before"`
	After   int      `json:"after"`
	Changes []Change `json:"changes"`
}

// ImportFile trusts list in the key store at path, following TrustPlan's
// rules: open and verify with password, work out the changes, and — only
// when something changes — back the file up (cacerts.ccewiz-YYYYMMDD-HHMMSS.bak),
// replace it atomically keeping its mode, and re-open the written bytes to
// check every old entry survived plus the new ones. On any error the file
// is unchanged. It is the one place in certs that writes, and only through
// safefile. With opts.DryRun it reads, checks and plans exactly the same
// way and writes nothing.
func ImportFile(path string, password []byte, list []*x509.Certificate, opts ImportOptions) (Result, error) {
	path = StorePath(path)
	res := Result{Path: path}
	if !opts.DryRun {
		unlock, err := safefile.Lock(path, opts.Lock)
		if err != nil {
			return res, fmt.Errorf("keystore %s: %w", path, err)
		}
		defer unlock()
	}
	old, err := safefile.Read(path, safefile.MaxKeystore)
	switch {
	case errors.Is(err, fs.ErrNotExist) && opts.Create:
		old = nil
	case errors.Is(err, fs.ErrNotExist):
		return res, fmt.Errorf("keystore %s does not exist; check the path (cacerts is in %%JAVA_HOME%%\\lib\\security) or create a new store: %w", path, err)
	case err != nil:
		return res, fmt.Errorf("keystore %s: %w", path, err)
	}
	p, err := PlanImport(old, password, list, opts)
	if err != nil {
		return res, fmt.Errorf("keystore %s: %w", path, err)
	}
	res.Kind, res.Created, res.Before, res.After, res.Changes = p.Kind, p.Created, p.Before, p.After, p.Changes
	if p.NothingToDo() || opts.DryRun {
		return res, nil
	}
	sr, err := safefile.Replace(path, p.Data, safefile.Options{Perm: 0o644, Now: opts.Now, Verify: p.Verify, Locked: true})
	res.Backup = sr.Backup
	if err != nil {
		return res, fmt.Errorf("keystore %s: %w", path, err)
	}
	res.Written = true
	return res, nil
}

// StorePath is the file the key store at path really is. Debian's and
// RHEL's JDKs link lib/security/cacerts to the system store: a change goes
// to the target, as keytool writes it, and the link stays a link.
func StorePath(path string) string {
	if real, err := filepath.EvalSymlinks(path); err == nil {
		return real
	}
	return path
}
