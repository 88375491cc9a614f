package main

import (
	"context"
	"flag"
	"log"
	"os"
	"strconv"
	"time"

	"ccewiz/tui/sshserve"
)

func init() {
	var o sshserve.Options
	register(&command{
		name:    "serve",
		summary: "serve the wizard over SSH: one independent session per admin (public keys only)",
		usage: `Usage: ccewiz serve --authorized-keys FILE --workdir DIR [--listen 127.0.0.1:2222]
                    [--host-key FILE] [--max-sessions 20] [--idle-timeout 30m]

Every SSH session runs its own wizard with its own answers file:
<workdir>/<user>/ccewiz.yaml, and everything the steps write stays in
<workdir>/<user>. Only the public keys in --authorized-keys get in (no
passwords). A user name's folder belongs to the key that first used it
(listed in <workdir>/<user>/.ccewiz-owners, where its owner may add others).
The host key is created (Ed25519, mode 0600) when missing. Connections and
disconnections are logged with the key's fingerprint; what users type never is.
Every flag can also be set with an environment variable (CCEWIZ_SERVE_LISTEN,
CCEWIZ_SERVE_HOST_KEY, CCEWIZ_SERVE_AUTHORIZED_KEYS, CCEWIZ_SERVE_WORKDIR,
CCEWIZ_SERVE_MAX_SESSIONS, CCEWIZ_SERVE_IDLE_TIMEOUT).

Files go in and out of the user's folder with classic scp (-O; no SFTP):
  scp -O -P 2222 alice@jumphost:certs/ece.example.com.pfx .

Examples:
  ccewiz serve --authorized-keys ~/.ssh/authorized_keys --workdir /srv/ccewiz
  ssh -p 2222 alice@jumphost          # from an admin's machine`,
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&o.Listen, "listen", envOr("CCEWIZ_SERVE_LISTEN", "127.0.0.1:2222"), "`address` to listen on")
			fs.StringVar(&o.HostKey, "host-key", envOr("CCEWIZ_SERVE_HOST_KEY", ""), "host private key `file` (default <workdir>/.ccewiz-serve/host_ed25519; created 0600 if missing)")
			fs.StringVar(&o.AuthorizedKeys, "authorized-keys", envOr("CCEWIZ_SERVE_AUTHORIZED_KEYS", ""), "OpenSSH authorized_keys `file` of the admins allowed in (required)")
			fs.StringVar(&o.Workdir, "workdir", envOr("CCEWIZ_SERVE_WORKDIR", ""), "`folder` holding one sub-folder per SSH user (required)")
			n, _ := strconv.Atoi(envOr("CCEWIZ_SERVE_MAX_SESSIONS", "20"))
			fs.IntVar(&o.MaxSessions, "max-sessions", n, "most wizard sessions open at once")
			d, _ := time.ParseDuration(envOr("CCEWIZ_SERVE_IDLE_TIMEOUT", "30m"))
			fs.DurationVar(&o.IdleTimeout, "idle-timeout", d, "close a connection idle this long")
		},
		run: func(ctx context.Context, g *globals, args []string) error {
			if err := noArgs(args); err != nil {
				return err
			}
			if o.AuthorizedKeys == "" {
				return usagef("--authorized-keys is required: public-key authentication is the only way in")
			}
			if o.Workdir == "" {
				return usagef("--workdir is required: each SSH user gets a folder below it")
			}
			if o.MaxSessions <= 0 || o.IdleTimeout <= 0 {
				return usagef("--max-sessions and --idle-timeout must be positive")
			}
			o.Log = log.New(g.stderr, "", log.LstdFlags)
			srv, err := sshserve.New(o)
			if err != nil {
				return err
			}
			if err := srv.Start(); err != nil {
				return err
			}
			return serveUntil(ctx, srv, o.Log)
		},
	})
}

// server is what serveUntil needs of a started sshserve.Server.
type server interface {
	Done() <-chan struct{}
	Err() error
	Shutdown(context.Context) error
}

// serveUntil waits for ctx (Ctrl+C, SIGTERM) or for the server to stop on
// its own; the latter is a failure the exit code must show (a supervisor
// restarts a server that exits 1, not one that exits 0).
func serveUntil(ctx context.Context, srv server, l *log.Logger) error {
	select {
	case <-ctx.Done():
	case <-srv.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	srv.Shutdown(sctx)
	if err := srv.Err(); err != nil {
		l.Printf("ccewiz serve: %v", err)
		return err
	}
	l.Printf("ccewiz serve: stopped")
	return nil
}

// envOr returns the environment variable name, or def when it is unset.
func envOr(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}
