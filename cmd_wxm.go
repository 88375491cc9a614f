package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"time"

	"ccewiz/steps"
	"ccewiz/steps/wxm"
)

// wxmFlags are the flags of `ccewiz wxm sip|layout|status`.
type wxmFlags struct {
	file, publisher, subscriber, user, email          string
	finesse, adminUser, passEnv, passFile, certFile   string
	cej, ceaAgent, ceaSupervisor, cloudConnect, store string
}

func (f *wxmFlags) declare(fs *flag.FlagSet) {
	*f = wxmFlags{}
	fs.StringVar(&f.file, "file", "", "sip: the sip.properties `path`; layout: an exported layout XML file")
	fs.StringVar(&f.publisher, "publisher", "", "the Cloud Connect publisher `FQDN`")
	fs.StringVar(&f.subscriber, "subscriber", "", "the Cloud Connect subscriber `FQDN`")
	fs.StringVar(&f.user, "user", "", "sip: the Cloud Connect application `user` (SIP.CloudConnect.username)")
	fs.StringVar(&f.email, "email", "", "sip: SIP.CloudCherry.CustomerEmailID")
	fs.StringVar(&f.finesse, "finesse", "", "layout: the primary Finesse server's `FQDN` (its REST API on 8445)")
	fs.StringVar(&f.adminUser, "admin-user", "", "layout: the Finesse administrator")
	fs.StringVar(&f.passEnv, "password-env", "", "layout: the environment `variable` holding the Finesse administrator's password")
	fs.StringVar(&f.passFile, "password-file", "", "layout: a `file` whose first line is the Finesse administrator's password")
	fs.StringVar(&f.certFile, "cert-file", "", "layout: Finesse's certificate or its CA, trusted for the API")
	fs.StringVar(&f.cej, "cej-url", "", "layout: the CEJ gadget `URL` exported from WxM")
	fs.StringVar(&f.ceaAgent, "cea-agent-url", "", "layout: the CEA agent dashboard gadget `URL` (&filterTags=cc_AgentId is added)")
	fs.StringVar(&f.ceaSupervisor, "cea-supervisor-url", "", "layout: the CEA supervisor dashboard gadget `URL` (&filterTags=cc_TeamId is added)")
	fs.StringVar(&f.cloudConnect, "cloud-connect", "", "status: a Cloud Connect node, `host[:8445]`")
	fs.StringVar(&f.store, "cacerts", "", "status: an AW's Java cacerts to judge the TLS with (default: wxm.aw.cacerts)")
}

func init() {
	var f wxmFlags
	register(&command{
		name:    "wxm",
		summary: "CVP's sip.properties, Finesse's layout and cherrypoint for WxM (flow wxm)",
		usage: `Usage: ccewiz wxm sip check|patch --file F [--publisher FQDN]
                  [--subscriber FQDN] [--user U] [--email ADDRESS]
       ccewiz wxm layout check|patch (--file LAYOUT.xml | --finesse FQDN
                  --admin-user U --password-env V [--cert-file F])
                  [--cej-url URL] [--cea-agent-url URL]
                  [--cea-supervisor-url URL]
       ccewiz wxm status --cloud-connect HOST[:8445] [--cacerts FILE]

The steps of the WxM flow on their own (ccewiz wizard --flow wxm walks them
all). Values not given as flags come from the answers file's wxm section;
patch keeps what it was given there, records what it wrote, backs every file
up first and changes nothing else in it. check only compares: exit 1 when
something is missing.

sip: the thirteen Cloud Connect keys of Cisco's guide in a Call Server's
sip.properties, Cisco's "ClouConnect" spelling kept, the OAMP password
never shown. Restart the Cisco CVP CallServer service after a patch.

layout: the CEJ gadget in both Home tabs, CEA in the Agent's My Statistics
(cc_AgentId) and the Supervisor's Team Data (cc_TeamId) tab — through
Finesse's REST API (the previous layout kept in a file) or in an exported
layout file to paste back into CFAdmin.

status: cherrypoint's state on a node, and whether each AW's Java (its
cacerts) accepts the node's certificate — what decides whether CCE
Administration shows "Enable Experience Management".

Examples:
  ccewiz wxm sip check --file '\\cvp1\c$\Cisco\CVP\conf\sip.properties'
  ccewiz wxm sip patch --file sip.properties --publisher cc1.example.com --subscriber cc2.example.com --user ccadmin --email surveys@example.com
  ccewiz wxm layout check --finesse fin1a.example.com --admin-user admin --password-env FINESSE_PW
  ccewiz wxm layout patch --file layout.xml --cej-url 'https://example.cloudcherry.com/gadget/cej.xml' --cea-agent-url 'https://example.cloudcherry.com/gadget/a.xml' --cea-supervisor-url 'https://example.cloudcherry.com/gadget/s.xml'
  ccewiz wxm status --cloud-connect cc1.example.com --cacerts '\\aw1a\c$\Program Files\Java\jre\lib\security\cacerts'`,
		flags:   f.declare,
		actions: []string{"sip", "layout", "status"},
		actionFlags: map[string][]string{
			"sip":    {"file", "publisher", "subscriber", "user", "email"},
			"layout": {"file", "finesse", "admin-user", "password-env", "password-file", "cert-file", "cej-url", "cea-agent-url", "cea-supervisor-url"},
			"status": {"cloud-connect", "cacerts"},
		},
		run: func(ctx context.Context, g *globals, args []string) error {
			wg := *g
			wg.flow = wxm.FlowID
			action, rest := args[0], args[1:]
			if action == "status" {
				if err := noArgs(rest); err != nil {
					return err
				}
				return wxmStatus(ctx, &wg, &f)
			}
			if len(rest) != 1 || (rest[0] != "check" && rest[0] != "patch") {
				return usagef("ccewiz wxm %s needs check or patch (ccewiz wxm %s check --file …)", action, action)
			}
			set := map[string]string{}
			bind := func(flag, key, v string) {
				if g.set(flag) {
					set[key] = v
				}
			}
			bind("publisher", "wxm.cloud_connect.publisher", f.publisher)
			bind("subscriber", "wxm.cloud_connect.subscriber", f.subscriber)
			step, checkIDs := "sip", []string{"sip.keys"}
			switch action {
			case "sip":
				if f.file == "" {
					return usagef("--file is required: the Call Server's sip.properties")
				}
				if _, err := os.Stat(f.file); err != nil {
					return steps.BadInput(fmt.Errorf("--file %s: %w; sip.properties is %s on a default CVP install", f.file, err, wxm.DefaultSIPProperties))
				}
				set["wxm.cvp.sip_properties"] = absPath(f.file)
				bind("user", "wxm.cvp.username", f.user)
				bind("email", "wxm.cvp.customer_email", f.email)
			case "layout":
				step, checkIDs = "finesse", []string{"finesse.layout"}
				switch {
				case f.file != "" && f.finesse != "":
					return usagef("give --file (an exported layout) or --finesse (its REST API), not both")
				case f.file != "":
					if _, err := os.Stat(f.file); err != nil {
						return steps.BadInput(fmt.Errorf("--file %s: %w; export the layout from CFAdmin › Desktop Layout into a file, or use --finesse", f.file, err))
					}
					set["wxm.finesse.layout_file"] = absPath(f.file)
				case f.finesse != "":
					set["wxm.finesse.layout_file"] = ""
					set["wxm.finesse.servers"] = f.finesse
				}
				bind("admin-user", "wxm.finesse.admin_user", f.adminUser)
				bind("cert-file", "wxm.finesse.cert_file", absPath(f.certFile))
				bind("cej-url", "wxm.finesse.cej_url", f.cej)
				bind("cea-agent-url", "wxm.finesse.cea_agent_url", f.ceaAgent)
				bind("cea-supervisor-url", "wxm.finesse.cea_supervisor_url", f.ceaSupervisor)
				if err := secretSet(set, "wxm.finesse.admin_password", "password", f.passEnv, f.passFile); err != nil {
					return err
				}
			}
			if rest[0] == "patch" {
				return runStep(ctx, &wg, step, set, false)
			}
			return checkOnly(ctx, &wg, set, checkIDs)
		},
	})
}

func wxmStatus(ctx context.Context, g *globals, f *wxmFlags) error {
	if f.cloudConnect == "" {
		return usagef("--cloud-connect is required: a Cloud Connect node's FQDN")
	}
	host, port, err := net.SplitHostPort(f.cloudConnect)
	if err != nil {
		host, port = f.cloudConnect, "8445"
	}
	if port != "8445" {
		return usagef("--cloud-connect %s: cherrypoint's status is on port 8445, which the AW calls", f.cloudConnect)
	}
	if err := steps.ValidateFQDN(host); err != nil {
		return steps.BadInput(fmt.Errorf("--cloud-connect: %w", err))
	}
	env, err := loadAnswersOrNew(g)
	if err != nil {
		return err
	}
	if f.store != "" {
		wxm.Of(env.Answers).AW = wxm.AWAnswers{Servers: []string{"the AW"}, Cacerts: []string{absPath(f.store)}}
	}
	res := wxm.StatusCheck(ctx, env, host)
	res.ID, res.Title = "cherrypoint.status", "Cherrypoint on "+host+", and the AW's trust"
	r := steps.NewReport([]steps.Result{res}, time.Now())
	if err := r.WriteText(g.stdout, !g.noColor && isTerminal(g.stdout)); err != nil {
		return err
	}
	if r.Failed() {
		return errReported
	}
	return nil
}
