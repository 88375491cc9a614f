package certs

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

// Key sizes. 2048 is the floor: Cisco's guide asks for more than 1024, and
// every current CA and browser refuses RSA keys under 2048 bits.
const (
	DefaultKeySize = 2048
	MinKeySize     = 2048
)

// KeySizes are the RSA sizes ccewiz offers.
var KeySizes = []int{2048, 3072, 4096}

// DefaultValidity is two years: long enough that re-importing the
// certificate into every ADS's cacerts is rare, short enough that a PFX
// copied to every web server stops being useful in reasonable time.
// MaxValidity is 825 days because Apple platforms reject TLS server
// certificates valid for longer (agents may use Safari), and public CAs
// issue at most 398 days anyway.
const (
	DefaultValidity = 730 * 24 * time.Hour
	MaxValidity     = 825 * 24 * time.Hour
)

// ErrInvalidRequest marks a Request the caller must correct (bad usage).
var ErrInvalidRequest = errors.New("invalid certificate request")

// Request is what the ECE web server certificate must say. It serves both
// the self-signed certificate and the CSR.
type Request struct {
	CN   string   // the ECE FQDN users type
	SANs []string // extra DNS names; CN is always added
	// Subject fields; a CSR needs all of them (CAs reject blanks), a
	// self-signed certificate takes whichever are given.
	O, OU, L, ST, C string
	KeySize         int           // 0 = DefaultKeySize
	Validity        time.Duration // self-signed only; 0 = DefaultValidity
}

// DNSNames returns the SANs the certificate gets: the CN first, then every
// extra name once, lower-cased. SPOG and Java match the name against DNS
// SANs only (CN is ignored when SANs exist), so the CN must be among them.
func (r Request) DNSNames() []string {
	seen := map[string]bool{}
	var out []string
	for _, n := range append([]string{r.CN}, r.SANs...) {
		n = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(n), "."))
		if n == "" || seen[n] {
			continue
		}
		seen[n] = true
		out = append(out, n)
	}
	return out
}

func (r Request) keySize() int {
	if r.KeySize == 0 {
		return DefaultKeySize
	}
	return r.KeySize
}

func (r Request) validity() time.Duration {
	if r.Validity == 0 {
		return DefaultValidity
	}
	return r.Validity
}

// Validate checks the request; forCSR also requires every Subject field.
// The error wraps ErrInvalidRequest and lists every problem.
func (r Request) Validate(forCSR bool) error {
	var probs []string
	if strings.TrimSpace(r.CN) == "" {
		probs = append(probs, "the common name (CN) is empty; use the ECE FQDN, e.g. ece.example.com")
	}
	for _, n := range r.DNSNames() {
		if err := checkDNSName(n); err != nil {
			probs = append(probs, err.Error())
		}
	}
	switch ks := r.keySize(); {
	case ks < MinKeySize:
		probs = append(probs, fmt.Sprintf("key size %d is too small: CAs and browsers refuse RSA keys under %d bits (Cisco's guide asks for more than 1024)", ks, MinKeySize))
	case ks != 2048 && ks != 3072 && ks != 4096:
		probs = append(probs, fmt.Sprintf("key size %d is unusual; choose 2048, 3072 or 4096", ks))
	}
	if v := r.validity(); v < 24*time.Hour || v > MaxValidity {
		probs = append(probs, fmt.Sprintf("validity %d days is out of range: 1 to %d days (Apple platforms reject longer TLS certificates)", int(v.Hours()/24), int(MaxValidity.Hours()/24)))
	}
	if forCSR {
		for _, f := range []struct{ name, v string }{{"organization (O)", r.O}, {"organizational unit (OU)", r.OU},
			{"locality/city (L)", r.L}, {"state/province (ST)", r.ST}, {"country (C)", r.C}} {
			if strings.TrimSpace(f.v) == "" {
				probs = append(probs, f.name+" is empty; CAs reject requests with blank Subject fields")
			}
		}
	}
	// What goes into the Subject is shown by every tool that reads the
	// certificate: no control characters (an ESC sequence would drive the
	// next admin's terminal), and within X.520's upper bounds, which CAs enforce.
	for _, f := range []struct {
		name, v string
		max     int
	}{{"common name (CN)", r.CN, 64}, {"organization (O)", r.O, 64}, {"organizational unit (OU)", r.OU, 64},
		{"locality/city (L)", r.L, 128}, {"state/province (ST)", r.ST, 128}} {
		if i := strings.IndexFunc(f.v, func(c rune) bool { return c < 0x20 || c == 0x7f || c >= 0x80 && c < 0xa0 }); i >= 0 {
			probs = append(probs, fmt.Sprintf("%s holds a control character (%U at position %d); type it again without it", f.name, []rune(f.v[i:])[0], len([]rune(f.v[:i]))+1))
		}
		if n := len([]rune(f.v)); n > f.max {
			probs = append(probs, fmt.Sprintf("%s is %d characters long; CAs take at most %d", f.name, n, f.max))
		}
	}
	if c := strings.TrimSpace(r.C); c != "" && !isCountry(c) {
		probs = append(probs, fmt.Sprintf("country (C) %q must be a two-letter ISO 3166 code, e.g. US, BR, DE", c))
	}
	if len(probs) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s", ErrInvalidRequest, strings.Join(probs, "; "))
}

func isCountry(c string) bool {
	return len(c) == 2 && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z' ||
		len(c) == 2 && c[0] >= 'a' && c[0] <= 'z' && c[1] >= 'a' && c[1] <= 'z'
}

// checkDNSName refuses what cannot be a DNS SAN for the ECE URL.
func checkDNSName(n string) error {
	switch {
	case net.ParseIP(n) != nil:
		return fmt.Errorf("%q is an IP address; SPOG connects by name, use the FQDN", n)
	case strings.ContainsAny(n, "/: "):
		return fmt.Errorf("%q is not a host name (no scheme, port or path)", n)
	case strings.HasPrefix(n, "*.") && strings.Count(n, ".") >= 2:
		return nil // a wildcard SAN is legal; whether SPOG's name matches it is checked later
	case !strings.Contains(n, "."):
		return fmt.Errorf("%q is a short host name; use the fully qualified name (e.g. %s.example.com)", n, n)
	}
	for _, label := range strings.Split(n, ".") {
		if label == "" || len(label) > 63 || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return fmt.Errorf("%q is not a valid DNS name (label %q)", n, label)
		}
		for _, r := range label {
			if !(r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z') {
				return fmt.Errorf("%q: %q is not allowed in a host name (letters, digits and hyphens only)", n, string(r))
			}
		}
	}
	return nil
}

// Country normalises a country code to upper case.
func Country(c string) string { return strings.ToUpper(strings.TrimSpace(c)) }
