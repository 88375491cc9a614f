package inventoryconf

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// keyRE is what a cluster name, written as an unquoted key, may hold.
var keyRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// Write renders inv in the layout of Cloud Connect's export: "---", LF
// line endings, two spaces per level, list items at their key's column,
// every value double-quoted, every known product present ({} when the
// deployment has none of it), in the order of VOSProducts and
// WindowsProducts. It refuses what Check would refuse, and checks its own
// output before returning it.
func Write(inv *Inventory) ([]byte, error) {
	var errs []error
	var b strings.Builder
	b.WriteString("---\ninventory:\n")
	section := func(name string, list []string, products []Product, vos bool) {
		fmt.Fprintf(&b, "  %s:\n", name)
		byName := map[string]Product{}
		for _, p := range products {
			if !slices.Contains(list, p.Name) {
				errs = append(errs, fmt.Errorf("%s product %q: use one of %s", name, p.Name, strings.Join(list, ", ")))
				continue
			}
			q := byName[p.Name]
			q.Name = p.Name
			q.Clusters = append(q.Clusters, p.Clusters...)
			byName[p.Name] = q
		}
		for _, pn := range list {
			p := byName[pn]
			if len(p.Clusters) == 0 {
				fmt.Fprintf(&b, "    %s: {}\n", pn)
				continue
			}
			fmt.Fprintf(&b, "    %s:\n", pn)
			for _, c := range p.Clusters {
				if !keyRE.MatchString(c.Name) {
					errs = append(errs, fmt.Errorf("%s cluster name %q: letters, digits, '-', '_' and '.' only (e.g. %s-Cluster-1)", pn, c.Name, pn))
					continue
				}
				fmt.Fprintf(&b, "      %s:\n        hosts:\n", c.Name)
				if len(c.Hosts) == 0 {
					errs = append(errs, fmt.Errorf("%s cluster %s has no host", pn, c.Name))
				}
				for _, h := range c.Hosts {
					errs = append(errs, writeHost(&b, h, vos))
				}
			}
		}
	}
	section("VOS", VOSProducts, inv.VOS, true)
	section("Windows", WindowsProducts, inv.Windows, false)
	if err := plain(inv.DeploymentName); err != nil && inv.DeploymentName != "" {
		errs = append(errs, fmt.Errorf("deploymentName %q: %w", inv.DeploymentName, err))
	}
	if strings.TrimSpace(inv.DeploymentName) == "" {
		errs = append(errs, errors.New("deploymentName is empty: give the deployment a unique name (the subject of Cloud Connect's e-mails)"))
	}
	if msg, fix := DeploymentTypeProblem(inv.DeploymentType); msg != "" {
		errs = append(errs, fmt.Errorf("%s: %s", msg, fix))
	}
	fmt.Fprintf(&b, "  deploymentName: %s\n  deploymentType: %s\n", quote(inv.DeploymentName), quote(inv.DeploymentType))
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	out := []byte(b.String())
	if _, fs := Check(out, nil); len(fs) > 0 {
		return nil, fmt.Errorf("the inventory ccewiz wrote does not pass its own check: %s", fs[0])
	}
	return out, nil
}

func writeHost(b *strings.Builder, h Host, vos bool) error {
	var errs []error
	for what, v := range map[string]string{"host name": h.Name, "user": h.User} {
		if err := plain(v); err != nil && (v != "" || what == "host name") {
			errs = append(errs, fmt.Errorf("%s %q: %w", what, v, err))
		}
	}
	if !slices.Contains(Sides, h.Side) {
		errs = append(errs, fmt.Errorf("host %s: side %q is not A or B", h.Name, h.Side))
	}
	fmt.Fprintf(b, "        - name: %s\n          side: %s\n", quote(h.Name), quote(h.Side))
	if vos {
		if !slices.Contains(VOSTypes, h.Type) {
			errs = append(errs, fmt.Errorf("VOS host %s: type %q is not Publisher or Subscriber", h.Name, h.Type))
		}
		fmt.Fprintf(b, "          type: %s\n", quote(h.Type))
	} else {
		if strings.TrimSpace(h.User) == "" {
			errs = append(errs, fmt.Errorf("Windows host %s has no user: the logon user Cloud Connect's key is installed for", h.Name))
		}
		fmt.Fprintf(b, "          user: %s\n", quote(h.User))
	}
	return errors.Join(errs...)
}

// plain refuses what has no place in a name: empty, spaces at its ends,
// control characters.
func plain(s string) error {
	switch {
	case s == "":
		return errors.New("empty")
	case strings.TrimSpace(s) != s:
		return errors.New("spaces around it")
	case strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 }):
		return errors.New("control characters")
	}
	return nil
}

// quote is a YAML double-quoted scalar. A Windows user may be
// DOMAIN\admin: the backslash and the quote are the escapes it needs once
// plain() has kept control characters out.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
