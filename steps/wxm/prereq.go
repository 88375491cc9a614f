package wxm

import (
	"context"
	"fmt"
	"strings"

	"ccewiz/steps"
)

// prereqStep takes the values of WxM's onboarding mail that the other
// steps need and refuses, with the reason, what cherrypoint cannot work
// with: Cloud Connect by IP address, an authenticated proxy.
type prereqStep struct{}

func (prereqStep) ID() string         { return "prereq" }
func (prereqStep) Title() string      { return "Cloud Connect and the WxM onboarding values" }
func (prereqStep) ShortTitle() string { return "Prerequisites" }
func (prereqStep) Intro() string {
	return "Cherrypoint runs on both Cloud Connect nodes and reaches WxM through the proxy of WxM's onboarding mail. " +
		"CVP, the AW and Finesse reach Cloud Connect by the FQDNs in its certificates: an IP address fails their TLS checks. " +
		"A proxy that asks for a user and password is not supported by cherrypoint."
}

func (prereqStep) Fields() []steps.Field {
	pub := steps.TextField("wxm.cloud_connect.publisher", "Publisher FQDN", "the primary Cloud Connect node (its FQDN, as in its certificate), e.g. cc1.example.com",
		func(a *steps.Answers) *string { return &Of(a).CloudConnect.Publisher })
	pub.Validate = func(_ *steps.Answers, v string) error { return steps.ValidateFQDN(v) }
	sub := steps.TextField("wxm.cloud_connect.subscriber", "Subscriber FQDN", "the secondary Cloud Connect node (its FQDN), e.g. cc2.example.com",
		func(a *steps.Answers) *string { return &Of(a).CloudConnect.Subscriber })
	sub.Validate = func(a *steps.Answers, v string) error {
		if err := steps.ValidateFQDN(v); err != nil {
			return err
		}
		if strings.EqualFold(normFQDN(v), normFQDN(Of(a).CloudConnect.Publisher)) {
			return fmt.Errorf("the subscriber %s is the publisher; give the second Cloud Connect node", v)
		}
		return nil
	}
	kind := steps.ChoiceField("wxm.proxy.kind", "Proxy", "none; plain: HTTP proxy on port 80 or 8080; secure: on 443",
		[]string{"none", "plain", "secure"}, func(a *steps.Answers) *string { return &Of(a).Proxy.Kind })
	host := steps.TextField("wxm.proxy.host", "Proxy host", "the proxy's host name, from WxM's onboarding mail",
		func(a *steps.Answers) *string { return &Of(a).Proxy.Host })
	port := steps.IntField("wxm.proxy.port", "Proxy port", "80 or 8080 for a plain proxy, 443 for a secure one",
		func(a *steps.Answers) *int { return &Of(a).Proxy.Port })
	auth := steps.BoolField("wxm.proxy.authenticated", "Proxy needs a login", "cherrypoint cannot log in to a proxy",
		func(a *steps.Answers) *bool { return &Of(a).Proxy.Authenticated })
	port.Validate = func(a *steps.Answers, v string) error {
		p := Of(a).Proxy
		fmt.Sscan(v, &p.Port)
		if err := checkProxy(p); err != nil && strings.Contains(err.Error(), "port") {
			return err
		}
		return nil
	}
	usesProxy := func(a *steps.Answers) bool { k := Of(a).Proxy.Kind; return k == "plain" || k == "secure" }
	host.Visible, port.Visible, auth.Visible = usesProxy, usesProxy, usesProxy
	fields := []steps.Field{pub, sub, kind, host, port, auth}
	for _, c := range components {
		v := steps.ChoiceField("wxm.versions."+c.key, c.name+" release", "the installed "+c.name+" release", releases,
			func(a *steps.Answers) *string { return c.release(&Of(a).Versions) })
		es := steps.IntField("wxm.versions."+c.key+"_es", c.name+" ES", fmt.Sprintf("the installed Engineering Special (0: none); the guide's lab ran %s ES%d", guideRelease, c.guideES),
			func(a *steps.Answers) *int { return c.es(&Of(a).Versions) })
		fields = append(fields, v, es)
	}
	return fields
}

// releases are the ones a version field offers; WxM's deferred survey
// came with 12.5(1), so anything older cannot run it.
var releases = []string{"12.5(1)", "12.5(2)", "12.6(1)", "12.6(2)", "older"}

// guideRelease is the release of the guide's lab.
const guideRelease = "12.5(1)"

// components are the versions the guide names, with its lab's ES levels.
var components = []struct {
	key, name string
	guideES   int
	release   func(*Versions) *string
	es        func(*Versions) *int
}{
	{"ucce", "UCCE", 7, func(v *Versions) *string { return &v.UCCE }, func(v *Versions) *int { return &v.UCCEES }},
	{"cvp", "CVP", 6, func(v *Versions) *string { return &v.CVP }, func(v *Versions) *int { return &v.CVPES }},
	{"cloud_connect", "Cloud Connect", 1, func(v *Versions) *string { return &v.CloudConnect }, func(v *Versions) *int { return &v.CloudConnectES }},
	{"finesse", "Finesse", 2, func(v *Versions) *string { return &v.Finesse }, func(v *Versions) *int { return &v.FinesseES }},
}

// checkVersions: older than 12.5(1) fails (no WxM survey there); 12.5(1)
// below the ES of the guide's lab warns; later releases pass.
func checkVersions(v Versions) steps.Result {
	var fails, warns, have []string
	for _, c := range components {
		rel, es := *c.release(&v), *c.es(&v)
		switch {
		case rel == "":
			fails = append(fails, fmt.Sprintf("wxm.versions.%s is not answered", c.key))
		case rel == "older":
			fails = append(fails, fmt.Sprintf("%s older than %s has no WxM deferred survey", c.name, guideRelease))
		case rel == guideRelease && es < c.guideES:
			warns = append(warns, fmt.Sprintf("%s %s ES%d is below the guide's lab (%s ES%d)", c.name, rel, es, guideRelease, c.guideES))
		default:
			have = append(have, fmt.Sprintf("%s %s ES%d", c.name, rel, es))
		}
	}
	switch {
	case len(fails) > 0:
		return steps.Result{Status: steps.Fail, Detail: strings.Join(append(fails, warns...), "; "), Fix: "upgrade to 12.5(1) or later and answer wxm.versions (ccewiz wizard --flow wxm)"}
	case len(warns) > 0:
		return steps.Result{Status: steps.Warn, Detail: strings.Join(warns, "; "), Fix: "install the Engineering Specials the guide's lab ran (UCCE ES7, CVP ES6, Cloud Connect ES1, Finesse ES2) or later"}
	}
	return steps.Result{Status: steps.Pass, Detail: strings.Join(have, ", ")}
}

func (prereqStep) Needed(*steps.Answers) (steps.Need, string) {
	return steps.Required, "every later step reaches Cloud Connect by these names"
}

func (s prereqStep) Plan(_ context.Context, env *steps.Env) (*steps.Plan, error) {
	w := Of(env.Answers)
	p := &steps.Plan{Step: s.ID(), Summary: fmt.Sprintf("Cloud Connect %s and %s; proxy: %s", orUnset(w.CloudConnect.Publisher), orUnset(w.CloudConnect.Subscriber), proxyText(w.Proxy))}
	if errs := steps.ValidateFields(env.Answers, s.Fields()); len(errs) > 0 {
		return nil, steps.BadInput(errs[0])
	}
	return p, nil
}

func (prereqStep) Apply(context.Context, *steps.Env, *steps.Plan) (*steps.Outcome, error) {
	return &steps.Outcome{}, nil
}

func (prereqStep) Checks() []steps.Check {
	return []steps.Check{
		{ID: "prereq.versions", Title: "Every component runs a release with WxM's deferred survey", Run: func(_ context.Context, env *steps.Env) steps.Result {
			return checkVersions(Of(env.Answers).Versions)
		}},
		{ID: "prereq.cloud_connect", Title: "Both Cloud Connect nodes are named by FQDN", Run: func(_ context.Context, env *steps.Env) steps.Result {
			cc := Of(env.Answers).CloudConnect
			for _, n := range []struct{ key, v string }{{"publisher", cc.Publisher}, {"subscriber", cc.Subscriber}} {
				if err := steps.ValidateFQDN(n.v); err != nil {
					return steps.Result{Status: steps.Fail, Detail: fmt.Sprintf("wxm.cloud_connect.%s: %v", n.key, err), Fix: "answer wxm.cloud_connect." + n.key + " with the node's FQDN (ccewiz wizard --flow wxm)"}
				}
			}
			if strings.EqualFold(normFQDN(cc.Publisher), normFQDN(cc.Subscriber)) {
				return steps.Result{Status: steps.Fail, Detail: "the publisher and the subscriber are both " + cc.Publisher, Fix: "give the second Cloud Connect node as wxm.cloud_connect.subscriber"}
			}
			return steps.Result{Status: steps.Pass, Detail: cc.Publisher + ", " + cc.Subscriber}
		}},
		{ID: "prereq.proxy", Title: "Cherrypoint can use the proxy", Run: func(_ context.Context, env *steps.Env) steps.Result {
			if err := checkProxy(Of(env.Answers).Proxy); err != nil {
				return steps.Result{Status: steps.Fail, Detail: err.Error(), Fix: "give cherrypoint a proxy without authentication (plain on 80/8080 or secure on 443), or none; set wxm.proxy to match"}
			}
			return steps.Result{Status: steps.Pass, Detail: proxyText(Of(env.Answers).Proxy)}
		}},
	}
}

// checkProxy applies the guide's rules: plain on 80 or 8080, secure on
// 443, never authenticated.
func checkProxy(p Proxy) error {
	switch p.Kind {
	case "", "none":
		return nil
	case "plain", "secure":
	default:
		return fmt.Errorf("wxm.proxy.kind %q: choose none, plain or secure", p.Kind)
	}
	if p.Authenticated {
		return fmt.Errorf("the proxy asks for a user and password, which cherrypoint does not support")
	}
	if strings.TrimSpace(p.Host) == "" {
		return fmt.Errorf("a %s proxy needs wxm.proxy.host", p.Kind)
	}
	switch {
	case p.Kind == "plain" && p.Port != 80 && p.Port != 8080:
		return fmt.Errorf("a plain proxy on port %d: cherrypoint takes a plain proxy on 80 or 8080", p.Port)
	case p.Kind == "secure" && p.Port != 443:
		return fmt.Errorf("a secure proxy on port %d: cherrypoint takes a secure proxy on 443", p.Port)
	}
	return nil
}

func proxyText(p Proxy) string {
	if p.Kind == "" || p.Kind == "none" {
		return "none"
	}
	return fmt.Sprintf("%s, %s:%d", p.Kind, orUnset(p.Host), p.Port)
}

func normFQDN(s string) string { return strings.ToLower(strings.TrimSuffix(strings.TrimSpace(s), ".")) }

func orUnset(s string) string {
	if s == "" {
		return "(not set)"
	}
	return s
}
