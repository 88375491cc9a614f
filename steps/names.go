package steps

import (
	"fmt"
	"net"
	"strings"
)

// ValidateFQDN accepts a fully qualified DNS name and explains why anything
// else is refused: SPOG compares the name it is given with the certificate's
// CN/SANs, so a short host name or an IP address fails there later.
func ValidateFQDN(name string) error {
	n := strings.TrimSuffix(strings.TrimSpace(name), ".")
	switch {
	case n == "":
		return fmt.Errorf("a fully qualified domain name is required (e.g. ece.example.com)")
	case net.ParseIP(n) != nil:
		return fmt.Errorf("%q is an IP address; use the fully qualified name that is in the certificate (an IP address never matches its CN/SAN)", n)
	case strings.Contains(n, "://") || strings.HasSuffix(strings.TrimRight(n, "0123456789"), ":") && strings.Count(n, ":") == 1:
		return fmt.Errorf("%q looks like a URL or host:port; give only the host name, e.g. ece.example.com", n)
	case strings.IndexFunc(n, notHostRune) >= 0:
		bad := n[strings.IndexFunc(n, notHostRune):]
		return fmt.Errorf("%q is not a host name: %q is not allowed (only letters, digits, '-' and '.')", n, string([]rune(bad)[:1]))
	case !strings.Contains(n, "."):
		return fmt.Errorf("%q is a short host name; use the fully qualified name (e.g. %s.example.com) — it must match the certificate", n, n)
	case len(n) > 253:
		return fmt.Errorf("%q is longer than 253 characters", n)
	}
	for _, label := range strings.Split(n, ".") {
		if label == "" {
			return fmt.Errorf("%q has an empty label (two dots in a row)", n)
		}
		if len(label) > 63 {
			return fmt.Errorf("%q: label %q is longer than 63 characters", n, label)
		}
		if strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return fmt.Errorf("%q: label %q starts or ends with a hyphen", n, label)
		}
		for _, r := range label {
			if !(r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
				return fmt.Errorf("%q: %q is not allowed in a host name (letters, digits and hyphens only)", n, string(r))
			}
		}
	}
	return nil
}

func notHostRune(r rune) bool {
	return !(r == '-' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
}
