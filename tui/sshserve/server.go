// Package sshserve serves the ccewiz wizard over SSH (`ccewiz serve`), so a
// team can run it from a jump host without installing anything: every SSH
// session gets its own wizard (tui.New) with its own steps.Env and its own
// folder <workdir>/<user> for the answers file and everything the steps
// write. Public-key authentication only, against one authorized_keys file.
//
// It must not log what users type (only who connected, with which key, and
// for how long), write outside the work folder, or let a session read the
// server's environment or files as passwords.
package sshserve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"
	bm "github.com/charmbracelet/wish/bubbletea"
	gossh "golang.org/x/crypto/ssh"

	"ccewiz/steps"
	"ccewiz/steps/ece"
	"ccewiz/tui"
)

// Options configure a server. Flags of `ccewiz serve` mirror them.
type Options struct {
	Listen         string // default 127.0.0.1:2222
	HostKey        string // PEM private key; created (Ed25519, 0600) when missing
	AuthorizedKeys string // required: OpenSSH authorized_keys of the admins allowed in
	Workdir        string // required: each user gets <Workdir>/<user>
	MaxSessions    int    // 0: 20
	// IdleTimeout closes a connection with no traffic in either direction
	// for that long (0: 30 minutes). A wizard left open ties up its session.
	IdleTimeout time.Duration
	// AuthTimeout closes a connection that has not reached a session that
	// long after it was accepted (0: 30 s).
	AuthTimeout time.Duration
	// MaxUnauthPerSource is how many connections from one address may be
	// waiting to authenticate at once (0: 8); more are closed at once.
	MaxUnauthPerSource int
	// UserQuota is how many bytes one user's folder may hold; an upload
	// that would pass it is refused (0: 256 MiB).
	UserQuota int64
	// KeepBackups is how many backups of one file uploads keep (0: 5); a
	// file sent again and again would otherwise leave a backup each time.
	KeepBackups int
	// Log receives connect/disconnect/refusal lines. Nil: discarded.
	Log *log.Logger
	// Flow overrides ece.Flow() (tests). Every step is confined to the user's folder.
	Flow func() []steps.Step
}

// Server is a running `ccewiz serve`.
type Server struct {
	o   Options
	srv *ssh.Server
	ln  net.Listener
	log *log.Logger

	mu       sync.Mutex
	sessions int
	users    map[string]string // user → "from <addr> since <time>" while a session is open
	done     chan struct{}
	serveErr error
	stopped  atomic.Bool // Shutdown or Close was called
	gate     *gate       // the listener, which closes connections that do not authenticate
	// fingerprint is the host key's SHA-256 fingerprint, as ssh shows it on
	// a first connection: admins compare the two before answering yes.
	fingerprint string
}

// New checks the options and prepares the server; Start listens.
func New(o Options) (*Server, error) {
	if o.Listen == "" {
		o.Listen = "127.0.0.1:2222"
	}
	if o.AuthorizedKeys == "" {
		return nil, steps.BadInput(errors.New("--authorized-keys is required: public-key authentication is the only way in (no passwords)"))
	}
	if o.Workdir == "" {
		return nil, steps.BadInput(errors.New("--workdir is required: each SSH user gets their answers file and outputs in a folder below it"))
	}
	if o.HostKey == "" {
		o.HostKey = filepath.Join(o.Workdir, ".ccewiz-serve", "host_ed25519")
	}
	if o.MaxSessions <= 0 {
		o.MaxSessions = 20
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = 30 * time.Minute
	}
	if o.AuthTimeout <= 0 {
		o.AuthTimeout = 30 * time.Second
	}
	if o.MaxUnauthPerSource <= 0 {
		o.MaxUnauthPerSource = 8
	}
	if o.UserQuota <= 0 {
		o.UserQuota = 256 << 20
	}
	if o.KeepBackups <= 0 {
		o.KeepBackups = 5
	}
	if o.Flow == nil {
		o.Flow = func() []steps.Step { return ece.Flow().Steps }
	}
	if _, err := authorizedKeys(o.AuthorizedKeys); err != nil {
		return nil, steps.BadInput(err)
	}
	wd, err := filepath.Abs(o.Workdir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(wd, 0o700); err != nil {
		return nil, fmt.Errorf("work folder: %w", err)
	}
	o.Workdir = wd
	key, err := hostKey(o.HostKey)
	if err != nil {
		return nil, err
	}
	signer, err := gossh.ParsePrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("host key %s: %w", o.HostKey, err)
	}
	s := &Server{o: o, log: o.Log, users: map[string]string{}, done: make(chan struct{}),
		fingerprint: gossh.FingerprintSHA256(signer.PublicKey())}
	if s.log == nil {
		s.log = log.New(io.Discard, "", 0)
	}
	s.srv, err = wish.NewServer(
		wish.WithHostKeyPEM(key),
		wish.WithPublicKeyAuth(s.authorize),
		wish.WithIdleTimeout(o.IdleTimeout),
		ssh.EmulatePty(),
		withSessionHandler(refuseAgent(s.log.Printf)),
		wish.WithMiddleware(
			bm.Middleware(s.model),
			waitForWrites, // around the wizard: its last save ends before the session does
			s.scpMiddleware,
			s.admit, // runs first: wish applies middlewares last to first
		),
	)
	if err != nil {
		return nil, fmt.Errorf("ssh server: %w", err)
	}
	return s, nil
}

// Start listens on Options.Listen and serves in the background.
func (s *Server) Start() error {
	ln, err := net.Listen("tcp", s.o.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.o.Listen, err)
	}
	s.gate = newGate(ln, s.o.AuthTimeout, s.o.MaxUnauthPerSource, s.log.Printf)
	s.ln = s.gate
	go func() {
		err := s.srv.Serve(s.gate)
		if errors.Is(err, ssh.ErrServerClosed) || s.stopped.Load() {
			err = nil
		}
		s.serveErr = err
		close(s.done)
	}()
	s.log.Printf("ccewiz serve: listening on %s, work folder %s, at most %d sessions", ln.Addr(), s.o.Workdir, s.o.MaxSessions)
	s.log.Printf("ccewiz serve: host key %s — compare it with what ssh shows on a first connection", s.fingerprint)
	return nil
}

// Fingerprint is the host key's SHA-256 fingerprint (SHA256:…), as OpenSSH prints it.
func (s *Server) Fingerprint() string { return s.fingerprint }

// Addr is the address the server listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Done is closed when the server stopped serving.
func (s *Server) Done() <-chan struct{} { return s.done }

// Err is why the server stopped serving on its own (its listener failed);
// nil after Shutdown or Close, and while it still serves. Read it once Done
// is closed.
func (s *Server) Err() error {
	select {
	case <-s.done:
		if s.serveErr != nil {
			return fmt.Errorf("ssh server on %s stopped: %w", s.ln.Addr(), s.serveErr)
		}
	default:
	}
	return nil
}

// Shutdown stops accepting connections and waits for open sessions to end
// until ctx is done, then closes them.
func (s *Server) Shutdown(ctx context.Context) error {
	s.stopped.Store(true)
	s.closeListener()
	s.waitServing()
	err := s.srv.Shutdown(ctx)
	if err != nil {
		s.srv.Close()
	}
	return err
}

// Close stops the server and every session now.
func (s *Server) Close() error {
	s.stopped.Store(true)
	s.closeListener()
	s.waitServing()
	return s.srv.Close()
}

// waitServing waits until the Serve goroutine Start began has counted its
// listener in, or has returned. The ssh package counts listeners in a
// WaitGroup that Serve adds to and Shutdown waits on: a stop right after
// Start made those two race (go test -race, TestServerErr, seen in CI).
// The listener is closed already, so Serve gets there at once.
func (s *Server) waitServing() {
	if s.gate == nil {
		return // never started
	}
	select {
	case <-s.gate.serving:
	case <-s.done:
	}
}

// closeListener closes the listener Start opened. The ssh package closes
// only listeners its Serve has registered, and a Serve that starts after a
// Shutdown takes the server as reused and serves again: a stop that comes
// before the Serve goroutine runs would leave it accepting, and Done never
// closed. (stopped tells that accept error from a failing listener.)
func (s *Server) closeListener() {
	if s.ln != nil {
		s.ln.Close()
	}
}

type ctxKey string

const fingerprintKey ctxKey = "ccewiz-key-fingerprint"

// authorize accepts a key listed in the authorized_keys file. The file is
// read on every attempt so adding or removing an admin needs no restart.
func (s *Server) authorize(ctx ssh.Context, key ssh.PublicKey) bool {
	fp := gossh.FingerprintSHA256(key)
	keys, err := authorizedKeys(s.o.AuthorizedKeys)
	if err != nil {
		s.log.Printf("refused user=%q from=%s key=%s: %v", ctx.User(), ctx.RemoteAddr(), fp, err)
		return false
	}
	for _, k := range keys {
		if ssh.KeysEqual(key, k) {
			ctx.SetValue(fingerprintKey, fp)
			return true
		}
	}
	s.log.Printf("refused user=%q from=%s key=%s: not in %s", ctx.User(), ctx.RemoteAddr(), fp, s.o.AuthorizedKeys)
	return false
}

// admit enforces the session limits, prepares the user's folder, and logs
// the connection and its end.
func (s *Server) admit(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		s.gate.admit(sess.RemoteAddr()) // authenticated: the connection may stay
		fp, _ := sess.Context().Value(fingerprintKey).(string)
		user := sess.User()
		who := fmt.Sprintf("user=%q from=%s key=%s", user, sess.RemoteAddr(), fp)
		dir, err := userDir(s.o.Workdir, user)
		if err != nil {
			s.log.Printf("refused %s: %v", who, err)
			wish.Fatalln(sess, "ccewiz serve: "+err.Error())
			return
		}
		if is, ok := isSCP(sess.Command()); is {
			if !ok {
				s.log.Printf("refused %s: malformed scp command", who)
				wish.Fatalln(sess, "ccewiz serve: malformed scp command")
				return
			}
			if err := claim(dir, fp); err != nil {
				s.log.Printf("refused %s: %v", who, err)
				wish.Fatalln(sess, "ccewiz serve: "+err.Error())
				return
			}
			// File names, never contents, are logged.
			s.log.Printf("scp %s %s", who, strings.Join(sess.Command()[1:], " "))
			next(sess)
			return
		}
		if _, _, ok := sess.Pty(); !ok {
			s.log.Printf("refused %s: no terminal requested", who)
			wish.Fatalln(sess, "ccewiz serve: the wizard needs a terminal; connect with `ssh -t`")
			return
		}
		// One name per folder: on Windows "Alice" and "alice." are alice.
		user = filepath.Base(dir)
		if msg := s.enter(user, sess.RemoteAddr().String()); msg != "" {
			s.log.Printf("refused %s: %s", who, msg)
			wish.Fatalln(sess, "ccewiz serve: "+msg)
			return
		}
		defer s.leave(user)
		if err := claim(dir, fp); err != nil {
			s.log.Printf("refused %s: %v", who, err)
			if errors.Is(err, ErrNotOwner) {
				wish.Fatalln(sess, "ccewiz serve: "+err.Error())
			} else {
				wish.Fatalln(sess, "ccewiz serve: cannot create your folder; tell the server's admin")
			}
			return
		}
		start := time.Now()
		s.log.Printf("connect %s", who)
		next(sess)
		s.log.Printf("disconnect %s after %s", who, time.Since(start).Round(time.Second))
	}
}

// enter counts a session in, or says why it cannot start.
func (s *Server) enter(user, from string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sessions >= s.o.MaxSessions {
		return fmt.Sprintf("the server is at its limit of %d sessions; try again later", s.o.MaxSessions)
	}
	if open, busy := s.users[user]; busy {
		// One answers file per user: a second wizard would overwrite the first one's saves.
		return fmt.Sprintf("%s already has a wizard open (%s); close it first, or connect as another user", user, open)
	}
	s.sessions++
	s.users[user] = "from " + from + " since " + time.Now().UTC().Format("15:04 MST")
	return ""
}

func (s *Server) leave(user string) {
	s.mu.Lock()
	s.sessions--
	delete(s.users, user)
	s.mu.Unlock()
}

// Sessions is the number of open wizard sessions.
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions
}

// AnswersName is the answers file in each user's folder.
const AnswersName = "ccewiz.yaml"

// model builds one session's wizard: its own answers (from the user's
// folder), its own Env and secrets, its own renderer.
type wizardKey struct{}

// waitForWrites waits, once the session's wizard has ended, for the saves
// it asked for (tui.Model.Wait): a client that disconnects as it quits must
// not lose its last answers, nor leave a write running into its directory.
func waitForWrites(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		next(sess)
		if m, ok := sess.Context().Value(wizardKey{}).(interface{ Wait() }); ok {
			m.Wait()
		}
	}
}

func (s *Server) model(sess ssh.Session) (tea.Model, []tea.ProgramOption) {
	dir, _ := userDir(s.o.Workdir, sess.User())
	path := filepath.Join(dir, AnswersName)
	a := steps.NewAnswers()
	if _, err := os.Stat(path); err == nil {
		a, err = steps.LoadAnswers(path)
		if err != nil {
			wish.Fatalln(sess, "ccewiz serve: "+err.Error()+"\nFix or remove the file; nothing was changed.")
			return nil, nil
		}
	}
	env := steps.NewEnv(a, path)
	env.User = sess.User() + " (over ssh)" // what they confirm is theirs, not the server account's
	pty, _, _ := sess.Pty()
	m := tui.New(tui.Options{
		AnswersPath: path,
		Env:         env,
		Flow:        confine(s.o.Flow(), dir),
		Renderer:    sessionRenderer(sess),
		Width:       pty.Window.Width,
		Height:      pty.Window.Height,
	})
	sess.Context().SetValue(wizardKey{}, m)
	return m, []tea.ProgramOption{tea.WithAltScreen()}
}
