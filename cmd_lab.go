package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"

	"ccewiz/lab"
	"ccewiz/steps"
)

func init() {
	var (
		dir         string
		sniRequired bool
		noTUI       bool
		fresh       bool
	)
	register(&command{
		name:    "lab",
		summary: "a practice ECE/PCCE deployment on this machine (loopback only), then the wizard on it",
		usage: `Usage: ccewiz lab [--dir D] [--new] [--sni-required] [--no-tui]

Starts a self-contained practice deployment in a folder — an "ECE web server"
(HTTPS), an "Active Directory" (LDAP with a Global Catalog), an ECE_HOME with
spog_config.js, an "ADS" Java cacerts, and a pre-filled answers file that maps
ece.example.com and dc1.example.local to the lab's loopback ports — then runs
the wizard on it. Nothing listens beyond 127.0.0.1, nothing needs root, and
nothing outside the folder is touched. The folder is kept after exit, and
the next ccewiz lab resumes it where you stopped: one lab per user, in the
user's cache folder (~/.cache/ccewiz/lab, %LocalAppData%\ccewiz\lab), unless
--dir names another. --new starts afresh; the old lab is moved aside, not deleted.

--sni-required reproduces IIS's "Require Server Name Indication": the
certificate step's TLS check then fails the way SPOG does.
--no-tui starts the lab, prints "ready <dir>/ccewiz.yaml" and runs until
interrupted, for scripts: run check and apply against it from another shell.

Examples:
  ccewiz lab
  ccewiz lab --new
  ccewiz lab --dir ./practice --sni-required
  ccewiz lab --no-tui &   # then: ccewiz check --answers <dir>/ccewiz.yaml`,
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&dir, "dir", "", "the lab `folder` (default: this user's lab, resumed)")
			fs.BoolVar(&fresh, "new", false, "start a fresh lab; the old folder is moved aside (kept)")
			fs.BoolVar(&sniRequired, "sni-required", false, `reproduce IIS "Require Server Name Indication" on the ECE web server`)
			fs.BoolVar(&noTUI, "no-tui", false, `no wizard: print "ready <answers file>" and run until interrupted`)
		},
		run: func(ctx context.Context, g *globals, args []string) error {
			if err := noArgs(args); err != nil {
				return err
			}
			if dir == "" {
				d, err := defaultLabDir()
				if err != nil {
					return err
				}
				dir = d
			}
			if fresh {
				old, err := setAside(dir, time.Now())
				if err != nil {
					return err
				}
				if old != "" {
					fmt.Fprintf(g.stderr, "the previous lab is kept in %s\n", old)
				}
			}
			// In the wizard the screen is the TUI's: lab events go to a log file.
			logf := func(format string, a ...any) { fmt.Fprintf(g.stderr, "lab: "+format+"\n", a...) }
			if !noTUI {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					return fmt.Errorf("create the lab folder: %w", err)
				}
				f, err := os.OpenFile(filepath.Join(dir, "lab.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
				if err != nil {
					return fmt.Errorf("open the lab log: %w", err)
				}
				defer f.Close()
				lg := log.New(f, "", log.LstdFlags)
				logf = lg.Printf
			}
			l, err := lab.Start(ctx, lab.Options{Dir: dir, SNIRequired: sniRequired, Logf: logf})
			if err != nil {
				return fmt.Errorf("start the lab: %w", err)
			}
			defer l.Close()
			printLab(g, l)
			if noTUI {
				fl := steps.FlowArg(g.flow)
				fmt.Fprintf(g.stderr, "next, from another shell: ccewiz check%s --answers %s (it fails: nothing is set up yet),\n"+
					"then ccewiz%s --answers %s (the wizard) or ccewiz apply%s --answers %s; Ctrl+C stops the lab\n",
					fl, l.AnswersPath, fl, l.AnswersPath, fl, l.AnswersPath)
				fmt.Fprintf(g.stdout, "ready %s\n", l.AnswersPath)
				<-ctx.Done()
				fmt.Fprintf(g.stderr, "lab stopped; the folder %s is kept\n", l.Dir)
				return nil
			}
			// The wizard command itself runs on the lab's answers, so the lab
			// gets the same full-screen and accessible modes as `ccewiz`.
			wiz, ok := commands["wizard"]
			if !ok {
				return fmt.Errorf("this build has no wizard; use ccewiz lab --no-tui and run check/apply against %s", l.AnswersPath)
			}
			wg := *g
			wg.answers = l.AnswersPath
			runErr := wiz.run(ctx, &wg, nil)
			l.Close()
			// The banner went by before the full screen; now it can be read.
			printLab(g, l)
			fmt.Fprintf(g.stderr, "lab stopped; the folder %s is kept (answers: %s)\n", l.Dir, l.AnswersPath)
			resume := resumeCommand(dir) + steps.FlowArg(g.flow)
			fmt.Fprintf(g.stderr, "to continue where you stopped: %s · a fresh lab: %s --new\n", resume, resume)
			return runErr
		},
	})
}

// printLab tells the admin what runs where, on stderr (stdout is the
// "ready" line for scripts, or the TUI).
func printLab(g *globals, l *lab.Lab) {
	// One server a line, what it is beside; details on an indented line
	// of their own, so an 80-column terminal breaks no word.
	row := func(what, where, detail string) {
		fmt.Fprintf(g.stderr, "  %-16s %s\n", what, where)
		if detail != "" {
			fmt.Fprintf(g.stderr, "  %-16s %s\n", "", detail)
		}
	}
	fmt.Fprintf(g.stderr, "ccewiz lab in %s\n", l.Dir)
	sni := ""
	if l.SNIRequired {
		sni = `"Require Server Name Indication" ticked`
	}
	row("ECE web server", fmt.Sprintf("https://%s/default → %s", lab.ECEFQDN, l.WebAddr), sni)
	row("Global Catalog", fmt.Sprintf("ldaps://%s:3269 → %s", lab.DCHost, l.GCAddr), fmt.Sprintf("ldap://…:3268 → %s", l.GCPlainAddr))
	row("Domain ctlr", fmt.Sprintf("ldap://%s:389 → %s", lab.DCHost, l.DCAddr), fmt.Sprintf("ldaps://…:636 → %s (return referrals)", l.DCTLSAddr))
	row("CCE Admin (AW)", fmt.Sprintf("https://%s/unifiedconfig → %s", lab.ADS, l.AWAddr), "inventory API; password in secrets/aw-password")
	row("spog_config.js", l.SpogConfig, "")
	row("ADS cacerts", l.Cacerts, "password in secrets/storepass; "+l.CacertsSource)
	row("Cloud Connect", fmt.Sprintf("https://%s:8445 → %s", lab.CloudConnectPub, l.CloudConnectAddrs[0]),
		fmt.Sprintf("https://%s:8445 → %s", lab.CloudConnectSub, l.CloudConnectAddrs[1]))
	row("", "cherrypoint is down while "+filepath.Join("cloudconnect", "<node>.cherrypoint-down")+" exists", "")
	row("Finesse", fmt.Sprintf("https://%s:8445/finesse → %s", lab.FinesseFQDN, l.FinesseAddr), "layout API; password in secrets/finesse-password")
	row("sip.properties", l.SIPProperties, "a CVP Call Server's")
	row("Windows node", fmt.Sprintf("ssh://%s:22 → %s", lab.WindowsNode, l.WindowsNodeAddr), l.WindowsSSHKind+"; the node's ProgramData\\ssh:")
	row("", filepath.Join("windows", lab.WindowsNode, "ProgramData", "ssh"), "")
	row("inventory.conf", filepath.Join("orchestration", "inventory.conf.exported"), "edit it, then: ccewiz orchestration inventory check")
	row("answers", l.AnswersPath, "passwords only as files in "+filepath.Join(l.Dir, "secrets"))
}

// defaultLabDir is this user's one lab: ccewiz lab resumes it.
func defaultLabDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", usagef("no folder for the lab (%v); give one with --dir", err)
	}
	return filepath.Join(base, "ccewiz", "lab"), nil
}

// setAside moves an existing lab folder to <dir>-YYYYMMDD-HHMMSS, so --new
// loses nothing, and returns where it went ("" when there was none).
func setAside(dir string, now time.Time) (string, error) {
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	old := strings.TrimRight(dir, `/\`) + "-" + now.Format("20060102-150405")
	if err := os.Rename(dir, old); err != nil {
		return "", fmt.Errorf("move the previous lab aside: %w; remove %s yourself, or use --dir", err, dir)
	}
	return old, nil
}

// resumeCommand is how to come back to the lab in dir.
func resumeCommand(dir string) string {
	if d, err := defaultLabDir(); err == nil && d == dir {
		return "ccewiz lab"
	}
	return "ccewiz lab --dir " + dir
}
