package wxm

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"

	"ccewiz/certs"
	"ccewiz/steps"
)

// StatusPath is cherrypoint's status resource on each Cloud Connect node:
// the AW calls it to decide whether Call Type pages show "Enable
// Experience Management".
const StatusPath = "/cherrypoint/status?details=true"

// ServiceState is what a status answer says of the service.
type ServiceState struct {
	Up bool
	// Said is the state as the answer words it ("UP", "DOWN").
	Said string
	// Details are the answer's other top-level values, for the report.
	Details []string
}

// ParseStatus reads a cherrypoint status answer. Cisco's guide names the
// resource and says the AW shows the box "when the service is up"; the
// answer's layout is not documented there. ccewiz reads a JSON object with
// a "status" (or "state") value — at the top or under "cherrypoint" — and a
// bare word; "UP", "RUNNING", "HEALTHY" and "OK" are up, any other value is
// down. Anything else is an error: ccewiz cannot judge it.
func ParseStatus(body []byte) (ServiceState, error) {
	b := strings.TrimSpace(string(body))
	if b == "" {
		return ServiceState{}, errors.New("the status answer is empty")
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(b), &m); err != nil {
		word := strings.Trim(b, `"`)
		if len(word) > 0 && len(word) <= 16 && !strings.ContainsAny(word, " \t\r\n<>{}") {
			return state(word, nil), nil
		}
		return ServiceState{}, fmt.Errorf("the status answer is neither JSON nor a single word: %.80q", b)
	}
	for _, obj := range []map[string]any{m, sub(m, "cherrypoint")} {
		for k, v := range obj {
			if s, ok := v.(string); ok && (strings.EqualFold(k, "status") || strings.EqualFold(k, "state")) {
				var details []string
				for dk, dv := range m {
					if !strings.EqualFold(dk, k) {
						details = append(details, fmt.Sprintf("%s: %v", dk, dv))
					}
				}
				return state(s, details), nil
			}
		}
	}
	return ServiceState{}, fmt.Errorf("the status answer has no status value: %.80q", b)
}

func sub(m map[string]any, key string) map[string]any {
	for k, v := range m {
		if strings.EqualFold(k, key) {
			if o, ok := v.(map[string]any); ok {
				return o
			}
		}
	}
	return nil
}

func state(word string, details []string) ServiceState {
	switch strings.ToUpper(strings.TrimSpace(word)) {
	case "UP", "RUNNING", "HEALTHY", "OK":
		return ServiceState{Up: true, Said: word, Details: details}
	}
	return ServiceState{Said: word, Details: details}
}

// statusAnswer is one node's status call: what it answered and the chain
// it presented, for the AW's Java to judge.
type statusAnswer struct {
	State ServiceState
	Chain []*x509.Certificate
}

// fetchStatus calls node's status resource. The TLS handshake accepts any
// chain on purpose: the verdict that matters is the AW's Java's, which the
// caller gives with the chain; nothing secret is sent.
func fetchStatus(ctx context.Context, env *steps.Env, node string) (*statusAnswer, error) {
	var chain []*x509.Certificate
	tc := &tls.Config{ServerName: node, InsecureSkipVerify: true, MinVersion: tls.VersionTLS12, //nolint:gosec // judged below, as the AW's Java would
		VerifyConnection: func(cs tls.ConnectionState) error { chain = cs.PeerCertificates; return nil }}
	c := env.HTTPClient(tc)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+net.JoinHostPort(node, "8445")+StatusPath, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("cherrypoint status on %s:8445: %w", node, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return nil, fmt.Errorf("cherrypoint status on %s:8445: %w", node, err)
	}
	if resp.StatusCode != http.StatusOK {
		return &statusAnswer{Chain: chain}, fmt.Errorf("cherrypoint status on %s:8445: HTTP %d", node, resp.StatusCode)
	}
	st, err := ParseStatus(body)
	if err != nil {
		return &statusAnswer{Chain: chain}, fmt.Errorf("cherrypoint status on %s:8445: %w", node, err)
	}
	return &statusAnswer{State: st, Chain: chain}, nil
}

// awVerdicts judges chain for node as each AW's Java would (certs.
// JudgeServer: the store's trusted entries as anchors, the path and leaf
// checks, Java's HTTPS host name check). It returns one line per AW that
// refuses.
func awVerdicts(env *steps.Env, stores []awStore, chain []*x509.Certificate, node string) []string {
	var out []string
	for _, st := range stores {
		ks, err := st.open(env)
		if err != nil {
			out = append(out, fmt.Sprintf("%s: cannot judge — %v", st.Server, err))
			continue
		}
		if err := certs.JudgeServer(chain, ks.TrustedCerts(), node, certs.HTTPSCheck, env.Time(), node); err != nil {
			out = append(out, fmt.Sprintf("%s's Java refuses %s: %v", st.Server, node, err))
		}
	}
	return out
}

type cherrypointStep struct{}

func (cherrypointStep) ID() string         { return "cherrypoint" }
func (cherrypointStep) Title() string      { return "Cloud Connect: the cherrypoint service" }
func (cherrypointStep) ShortTitle() string { return "Cherrypoint" }
func (cherrypointStep) Intro() string {
	return "On the Cloud Connect publisher, `cloudconnect cherrypoint config` takes WxM's onboarding values; a stop and a start " +
		"of cherrypoint puts them in force. The AW then asks https://<Cloud Connect>:8445/cherrypoint/status?details=true " +
		"before it shows \"Enable Experience Management\" on a Call Type: ccewiz asks it too, and judges the TLS as the AW's Java would."
}

func (cherrypointStep) Fields() []steps.Field {
	o := func(a *steps.Answers) *Onboarding { return &Of(a).Onboarding }
	du := steps.TextField("wxm.onboarding.desktop_user", "Desktop user", "from WxM's onboarding mail; its API key is typed into the VOS CLI, never into ccewiz",
		func(a *steps.Answers) *string { return &o(a).DesktopUser })
	su := steps.TextField("wxm.onboarding.system_user", "System user", "from WxM's onboarding mail; its API key is typed into the VOS CLI",
		func(a *steps.Answers) *string { return &o(a).SystemUser })
	pin := steps.TextField("wxm.onboarding.voice_pin_prefix", "Voice PIN prefix", "from WxM's onboarding mail",
		func(a *steps.Answers) *string { return &o(a).VoicePINPrefix })
	web := steps.TextField("wxm.onboarding.web_url_prefix", "Web URL prefix", "from WxM's onboarding mail",
		func(a *steps.Answers) *string { return &o(a).WebURLPrefix })
	dep := steps.TextField("wxm.onboarding.deployment_id", "Deployment ID", "from WxM's onboarding mail: a dummy number or the CCE system ID",
		func(a *steps.Answers) *string { return &o(a).DeploymentID })
	for _, f := range []*steps.Field{&du, &su, &pin, &web, &dep} {
		label := f.Label
		f.Validate = func(_ *steps.Answers, v string) error {
			if strings.TrimSpace(v) == "" {
				return fmt.Errorf("%s is in WxM's onboarding mail; give it", label)
			}
			if strings.ContainsAny(v, "\r\n\x00") {
				return fmt.Errorf("%s: one line only", label)
			}
			return nil
		}
	}
	return []steps.Field{du, su, pin, web, dep}
}

func (cherrypointStep) Needed(*steps.Answers) (steps.Need, string) {
	return steps.Required, "cherrypoint is the only way between CCE and WxM"
}

func (s cherrypointStep) Plan(_ context.Context, env *steps.Env) (*steps.Plan, error) {
	w := Of(env.Answers)
	if errs := steps.ValidateFields(env.Answers, s.Fields()); len(errs) > 0 {
		return nil, steps.BadInput(errs[0])
	}
	pub := normFQDN(w.CloudConnect.Publisher)
	if err := steps.ValidateFQDN(pub); err != nil {
		return nil, steps.BadInput(fmt.Errorf("wxm.cloud_connect.publisher: %w (step Prerequisites)", err))
	}
	o := w.Onboarding
	var b strings.Builder
	b.WriteString("cloudconnect cherrypoint config\n")
	b.WriteString("# at its prompts, WxM's onboarding values:\n")
	for _, kv := range [][2]string{
		{"desktop user", o.DesktopUser},
		{"its API key", "from the mail (never in ccewiz)"},
		{"system user", o.SystemUser},
		{"its API key", "from the mail"},
		{"voice PIN prefix", o.VoicePINPrefix},
		{"web URL prefix", o.WebURLPrefix},
		{"deployment ID", o.DeploymentID},
		{"proxy", proxyText(w.Proxy)},
	} {
		fmt.Fprintf(&b, "#  %s: %s\n", kv[0], kv[1])
	}
	b.WriteString("utils cloudconnect stop cherrypoint\n")
	b.WriteString("utils cloudconnect start cherrypoint\n")
	b.WriteString("show cloudconnect cherrypoint config\n")
	b.WriteString("utils cloudconnect cherrypoint test-connectivity\n")
	b.WriteString("# code 400: Cloud Connect cannot reach the\n")
	b.WriteString("# internet; check the proxy")
	return &steps.Plan{Step: s.ID(), Summary: "configure cherrypoint on " + pub + " and restart it",
		Commands: []steps.Command{{Host: pub, Shell: "VOS CLI over SSH", Script: b.String(),
			Why: "the VOS CLI is the only way to configure cherrypoint"}}}, nil
}

func (cherrypointStep) Apply(context.Context, *steps.Env, *steps.Plan) (*steps.Outcome, error) {
	return &steps.Outcome{}, nil
}

func (s cherrypointStep) Checks() []steps.Check { return s.ChecksFor(nil) }

// ChecksFor asks each node's status, as the AW does.
func (cherrypointStep) ChecksFor(a *steps.Answers) []steps.Check {
	nodes := []string{"publisher", "subscriber"}
	var out []steps.Check
	for i, role := range nodes {
		id := "cherrypoint.status." + role
		title := "Cherrypoint is up on the Cloud Connect " + role + ", and the AW trusts it"
		out = append(out, steps.Check{ID: id, Title: title, Run: func(ctx context.Context, env *steps.Env) steps.Result {
			cc := Of(env.Answers).CloudConnect
			node := normFQDN([]string{cc.Publisher, cc.Subscriber}[i])
			return checkStatus(ctx, env, node)
		}})
	}
	out = append(out, steps.Check{ID: "cherrypoint.connectivity", Title: "Cherrypoint reaches WxM", Manual: true,
		What: "On the Cloud Connect publisher: `utils cloudconnect cherrypoint test-connectivity` succeeds (code 400 = no internet: check the proxy), and `show cloudconnect cherrypoint config` shows the onboarding values"})
	return out
}

// StatusCheck is the check of one node's cherrypoint, as the flow runs it:
// the service state and the verdict of every AW's Java in wxm.aw.
func StatusCheck(ctx context.Context, env *steps.Env, node string) steps.Result {
	return checkStatus(ctx, env, normFQDN(node))
}

func checkStatus(ctx context.Context, env *steps.Env, node string) steps.Result {
	if err := steps.ValidateFQDN(node); err != nil {
		return steps.Result{Status: steps.Fail, Detail: err.Error(), Fix: "answer wxm.cloud_connect (step Prerequisites)"}
	}
	ans, err := fetchStatus(ctx, env, node)
	if ans == nil {
		return steps.Result{Status: steps.Fail, Detail: err.Error(), Fix: "is " + node + " up, and port 8445 open from here? On it: utils cloudconnect start cherrypoint"}
	}
	stores := awStores(Of(env.Answers))
	var refusals []string
	if len(ans.Chain) > 0 {
		refusals = awVerdicts(env, stores, ans.Chain, node)
	}
	switch {
	case err != nil:
		return steps.Result{Status: steps.Fail, Detail: err.Error(), Fix: "on " + node + ": utils cloudconnect stop cherrypoint, then start; show cloudconnect cherrypoint config"}
	case !ans.State.Up:
		return steps.Result{Status: steps.Fail, Detail: fmt.Sprintf("cherrypoint on %s says %q: the AW hides \"Enable Experience Management\"", node, ans.State.Said),
			Fix: "on " + node + ": utils cloudconnect start cherrypoint; if it stays down, check cloudconnect cherrypoint config and the proxy"}
	case len(refusals) > 0:
		return steps.Result{Status: steps.Fail, Detail: "cherrypoint is up, but " + strings.Join(refusals, "; ") + " (the AW's pages show \"Internal Server Error\")",
			Fix: "ccewiz apply --flow wxm --step aw imports Cloud Connect's certificates into each AW's cacerts; then restart the AW's Apache Tomcat"}
	case len(stores) == 0:
		return steps.Result{Status: steps.Warn, Detail: fmt.Sprintf("cherrypoint on %s is %s; ccewiz cannot judge whether the AW's Java trusts it: no AW cacerts in wxm.aw.cacerts", node, ans.State.Said),
			Fix: "list each AW's cacerts in wxm.aw (step AW trust)"}
	}
	return steps.Result{Status: steps.Pass, Detail: fmt.Sprintf("cherrypoint on %s is %s; %d AW(s) trust its certificate as Java", node, ans.State.Said, len(stores))}
}
