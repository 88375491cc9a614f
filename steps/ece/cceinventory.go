package ece

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"ccewiz/ccerest"
	"ccewiz/steps"
)

// The inventory step through CCE Administration's REST API: when
// inventory.aw names an AW, ccewiz lists the ECE web server entries there,
// plans a create or an update of its own as a diff, applies it and reads it
// back. The ECE data server stays a GUI entry (the API does not create it).

// AWClient is the REST client for inventory.aw, trusting only the AW's
// certificate (or its CA) named in inventory.aw_cert_file, else this
// machine's roots; nil when no AW is named.
func AWClient(env *steps.Env) (*ccerest.Client, error) {
	inv := *InventoryOf(env.Answers)
	return steps.NewAWClient(env, steps.AWAPI{AW: inv.AW, User: inv.APIUser, Password: inv.APIPassword, CertFile: inv.AWCertFile, Keys: "inventory"})
}

// wantWebServer is the ECE web server entry the answers call for.
func wantWebServer(a *steps.Answers) ccerest.Machine {
	typ := ccerest.TypeECEWebServer
	if InventoryOf(a).RemoteSite {
		typ = ccerest.TypeDCECEWebServer
	}
	name := normName(invWebServer(a))
	return ccerest.Machine{Name: name, Type: typ, HostName: name, Networks: []ccerest.Network{{Type: "PUBLIC", Address: name,
		Services: []ccerest.Service{{Type: ccerest.ServiceMachineInfo, UserName: invUser(a), Description: invAppInstance(a)}}}}}
}

// webServerDiff lists what differs between the entry on the AW and the one
// wanted, in the values that matter ("" when they agree).
func webServerDiff(have, want ccerest.Machine) string {
	var d []string
	cmp := func(what, h, w string) {
		if h != w {
			d = append(d, fmt.Sprintf("-%s: %s\n+%s: %s", what, h, what, w))
		}
	}
	cmp("hostName", have.HostName, want.HostName)
	var hu, hd string
	if s := have.Service(ccerest.ServiceMachineInfo); s != nil {
		hu, hd = s.UserName, s.Description
	}
	ws := want.Service(ccerest.ServiceMachineInfo)
	cmp("user name", hu, ws.UserName)
	cmp("Application Instance", hd, ws.Description)
	return strings.Join(d, "\n")
}

// apiPlan is what Plan hands Apply for the API path.
type apiPlan struct {
	want ccerest.Machine
	have *ccerest.Machine // the entry on the AW, nil to create
}

// findWebServer returns the AW's ECE web server entry named name, if any.
func findWebServer(ctx context.Context, c *ccerest.Client, name string) (*ccerest.Machine, []ccerest.Machine, error) {
	ms, err := c.List(ctx, ccerest.TypeECEWebServer, ccerest.TypeDCECEWebServer, ccerest.TypeECE)
	if err != nil {
		return nil, nil, err
	}
	for i := range ms {
		if (ms[i].Type == ccerest.TypeECEWebServer || ms[i].Type == ccerest.TypeDCECEWebServer) && strings.EqualFold(normName(ms[i].Name), name) {
			return &ms[i], ms, nil
		}
	}
	return nil, ms, nil
}

// planAPI adds the API change to plan, or says why the GUI values stand.
// It returns false when the API cannot be used (plan then keeps the GUI entries).
func planAPI(ctx context.Context, env *steps.Env, plan *steps.Plan, sheet *InventorySheet) bool {
	c, err := AWClient(env)
	if c == nil {
		if err != nil {
			plan.Notes = append(plan.Notes, "CCE Administration's API is not used: "+err.Error()+"; type the values below in the GUI instead")
		}
		return false
	}
	want := wantWebServer(env.Answers)
	env.Stage("reading CCE Administration's inventory on %s…", InventoryOf(env.Answers).AW)
	have, all, err := findWebServer(ctx, c, want.Name)
	if err != nil {
		plan.Notes = append(plan.Notes, fmt.Sprintf("CCE Administration's API on %s did not answer (%v); type the values below in the GUI instead",
			InventoryOf(env.Answers).AW, err))
		return false
	}
	target := "CCE Administration on " + InventoryOf(env.Answers).AW
	rc := steps.RemoteChange{Target: target, What: want.Type + " " + want.Name}
	switch {
	case have == nil:
		rc.Action = steps.Create
		ws := want.Service(ccerest.ServiceMachineInfo)
		rc.Diff = fmt.Sprintf("+hostName: %s\n+user name: %s (its password from inventory.password)\n+Application Instance: %s", want.HostName, ws.UserName, ws.Description)
	case have.Type != want.Type:
		rc.Action, rc.Diff = steps.Modify, fmt.Sprintf("-type: %s\n+type: %s (the entry is deleted and created again)", have.Type, want.Type)
	default:
		if d := webServerDiff(*have, want); d != "" {
			rc.Action, rc.Diff = steps.Modify, d
		} else {
			rc.Action = steps.Unchanged
		}
	}
	plan.Remote = append(plan.Remote, rc)
	plan.Private = &apiPlan{want: want, have: have}
	// The web server goes through the API; the data server stays a GUI entry.
	var gui []steps.GUIEntry
	for _, g := range sheet.GUI() {
		if strings.Contains(g.Where, KindDataServer) {
			gui = append(gui, g)
		}
	}
	for _, m := range all {
		if m.Type == ccerest.TypeECE {
			for _, d := range invDataServers(env.Answers) {
				if strings.EqualFold(normName(m.HostName), normName(d)) || strings.EqualFold(normName(m.Name), normName(d)) {
					gui = dropHost(gui, d)
					plan.Notes = append(plan.Notes, fmt.Sprintf("the ECE data server %s is in the inventory already", d))
				}
			}
		}
	}
	plan.GUI = gui
	if len(gui) > 0 {
		plan.Notes = append(plan.Notes, "the ECE data server is entered in CCE Administration's GUI: the API does not create it")
	}
	return true
}

// dropHost removes the data server entry whose Hostname is host.
func dropHost(gui []steps.GUIEntry, host string) []steps.GUIEntry {
	var out []steps.GUIEntry
	for i := 0; i < len(gui); i++ {
		if gui[i].Field == "Hostname" && strings.EqualFold(gui[i].Value, host) {
			continue
		}
		out = append(out, gui[i])
	}
	return out
}

// applyAPI makes the planned change and reads it back.
func applyAPI(ctx context.Context, env *steps.Env, p *apiPlan) (*steps.Outcome, error) {
	c, err := AWClient(env)
	if err != nil || c == nil {
		return nil, fmt.Errorf("CCE Administration's API: %v", errOr(err, "no AW named"))
	}
	out := &steps.Outcome{}
	aw := InventoryOf(env.Answers).AW
	switch {
	case p.have != nil && webServerDiff(*p.have, p.want) == "" && p.have.Type == p.want.Type:
		out.Notes = append(out.Notes, fmt.Sprintf("%s %s is in CCE Administration's inventory on %s already; nothing changed", p.want.Type, p.want.Name, aw))
	default:
		pw, err := env.Secret("inventory.password", InventoryOf(env.Answers).Password, "password of the ECE user "+invUser(env.Answers))
		if err != nil {
			return nil, err
		}
		switch {
		case p.have == nil:
			if _, err := c.Create(ctx, p.want, pw); err != nil {
				return out, err
			}
			out.Notes = append(out.Notes, fmt.Sprintf("created %s %s in CCE Administration's inventory on %s", p.want.Type, p.want.Name, aw))
		case p.have.Type != p.want.Type:
			if err := c.Delete(ctx, p.have.RefURL); err != nil {
				return out, err
			}
			if _, err := c.Create(ctx, p.want, pw); err != nil {
				return out, fmt.Errorf("%w — the old %s entry was deleted: run the step again to create the new one", err, p.have.Type)
			}
			out.Notes = append(out.Notes, fmt.Sprintf("replaced %s %s by %s on %s", p.have.Type, p.have.Name, p.want.Type, aw))
		default:
			u := p.want
			u.RefURL, u.ChangeStamp = p.have.RefURL, p.have.ChangeStamp
			if err := c.Update(ctx, u, pw); err != nil {
				return out, err
			}
			out.Notes = append(out.Notes, fmt.Sprintf("updated %s %s in CCE Administration's inventory on %s", p.want.Type, p.want.Name, aw))
		}
	}
	// Read back: the entry must now be what was asked.
	have, _, err := findWebServer(ctx, c, p.want.Name)
	if err != nil {
		return out, fmt.Errorf("read the entry back: %w", err)
	}
	if have == nil || webServerDiff(*have, p.want) != "" {
		return out, fmt.Errorf("CCE Administration's inventory on %s does not hold %s %s as written; look at it in the GUI", aw, p.want.Type, p.want.Name)
	}
	return out, nil
}

// apiEntryCheck: the web server entry on the AW is the one the answers call for.
func apiEntryCheck(ctx context.Context, env *steps.Env) steps.Result {
	c, err := AWClient(env)
	if err != nil {
		return steps.Result{Status: steps.Fail, Detail: err.Error(), Fix: "correct inventory.aw, inventory.api_user and inventory.api_password"}
	}
	want := wantWebServer(env.Answers)
	have, _, err := findWebServer(ctx, c, want.Name)
	switch {
	case err != nil:
		return steps.Result{Status: steps.Fail, Detail: err.Error(), Fix: apiFix(err)}
	case have == nil:
		return steps.Result{Status: steps.Fail, Detail: fmt.Sprintf("no %s %s in CCE Administration's inventory on %s", want.Type, want.Name, InventoryOf(env.Answers).AW),
			Fix: "ccewiz apply --step inventory (creates it through the API)"}
	case have.Type != want.Type || webServerDiff(*have, want) != "":
		return steps.Result{Status: steps.Fail, Detail: fmt.Sprintf("%s %s differs: %s", have.Type, have.Name, strings.ReplaceAll(webServerDiff(*have, want), "\n", "; ")),
			Fix: "ccewiz apply --step inventory (updates it)"}
	}
	return steps.Result{Status: steps.Pass, Detail: fmt.Sprintf("%s %s (user %s, Application Instance %s) on %s", have.Type, have.Name,
		want.Service(ccerest.ServiceMachineInfo).UserName, want.Service(ccerest.ServiceMachineInfo).Description, InventoryOf(env.Answers).AW)}
}

// apiFix is the fix for an API error: the API's own, or reachability.
func apiFix(err error) string {
	var ae *ccerest.APIError
	if errors.As(err, &ae) {
		return ae.Fix()
	}
	return "make the AW reachable on 443 from here, and trust its certificate (inventory.aw_cert_file)"
}

// AlertsCheck reads CCE Administration's inventory status: no alert passes;
// each alert is named with its machine and, for ECE's, the step to revisit.
func AlertsCheck(ctx context.Context, env *steps.Env) steps.Result {
	c, err := AWClient(env)
	if err != nil {
		return steps.Result{Status: steps.Fail, Detail: err.Error(), Fix: "correct inventory.aw, inventory.api_user and inventory.api_password"}
	}
	st, err := c.Status(ctx)
	if err != nil {
		return steps.Result{Status: steps.Fail, Detail: err.Error(), Fix: apiFix(err)}
	}
	scan := fmt.Sprintf("scan %s", orDefault(st.Scan.ScanState, "state unknown"))
	if t := st.LastScan(); !t.IsZero() {
		scan += " at " + t.Format("2006-01-02 15:04:05Z")
	}
	if len(st.Alerts) == 0 {
		return steps.Result{Status: steps.Pass, Detail: fmt.Sprintf("no alert in CCE Administration's inventory on %s (%s)", InventoryOf(env.Answers).AW, scan)}
	}
	var lines []string
	fix := ""
	for _, al := range st.Alerts {
		for _, e := range al.Errors {
			lines = append(lines, fmt.Sprintf("%s %s: %s (%s)", al.Machine.Type, al.Machine.Host, e.Message, e.Type))
			if fix == "" {
				fix = alertFix(al.Machine.Type, e.Type)
			}
		}
	}
	return steps.Result{Status: steps.Fail, Detail: fmt.Sprintf("%d alert(s) in CCE Administration's inventory on %s (%s): %s", len(st.Alerts), InventoryOf(env.Answers).AW, scan,
		strings.Join(lines, "; ")), Fix: fix}
}

// alertFix says which step to revisit for an alert on an ECE machine.
func alertFix(machineType, errType string) string {
	switch {
	case strings.Contains(errType, "Certificate") && strings.Contains(machineType, "ECE"):
		return "redo step 2 (the ECE web server certificate) so it names the web server, or correct the name in step 6 (inventory)"
	case strings.Contains(machineType, "ECE"):
		return "redo step 6 (ECE in the PCCE inventory): ccewiz apply --step inventory"
	}
	return "open CCE Administration › Inventory, select the machine with the alert and correct it there"
}
