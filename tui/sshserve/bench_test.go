package sshserve

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// benchClient is an admin's terminal, played by x/crypto/ssh: it asks for a
// pty, answers the terminal queries a real terminal answers (background
// colour, device attributes), and watches for the wizard's first frame.
type benchClient struct {
	conn *gossh.Client
	sess *gossh.Session
	in   io.WriteCloser
	// silent: a terminal that answers no queries (some Windows consoles)
	silent bool
	mu     sync.Mutex
	out    bytes.Buffer
	seen   chan struct{}
}

func clientKey(tb testing.TB, dir string) (gossh.Signer, string) {
	tb.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		tb.Fatal(err)
	}
	sp, _ := gossh.NewPublicKey(pub)
	path := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(path, gossh.MarshalAuthorizedKey(sp), 0o600); err != nil {
		tb.Fatal(err)
	}
	return signer, path
}

func dialWizard(tb testing.TB, addr, user string, signer gossh.Signer) (*benchClient, time.Duration) {
	return dialWizardAs(tb, addr, user, signer, false)
}

func dialWizardAs(tb testing.TB, addr, user string, signer gossh.Signer, silent bool) (*benchClient, time.Duration) {
	tb.Helper()
	start := time.Now()
	conn, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{User: user, Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	sess, err := conn.NewSession()
	if err != nil {
		tb.Fatal(err)
	}
	if err := sess.RequestPty("xterm-256color", 40, 120, gossh.TerminalModes{gossh.ECHO: 0}); err != nil {
		tb.Fatal(err)
	}
	c := &benchClient{conn: conn, sess: sess, seen: make(chan struct{}), silent: silent}
	c.in, _ = sess.StdinPipe()
	stdout, _ := sess.StdoutPipe()
	if err := sess.Shell(); err != nil {
		tb.Fatal(err)
	}
	go c.read(stdout)
	select {
	case <-c.seen:
	case <-time.After(30 * time.Second):
		c.mu.Lock()
		tb.Fatalf("no first frame within 30s; got %q", c.out.String())
	}
	return c, time.Since(start)
}

func (c *benchClient) read(r io.Reader) {
	buf := make([]byte, 32*1024)
	seen := false
	for {
		n, err := r.Read(buf)
		if n > 0 {
			chunk := buf[:n]
			if c.silent {
				// answer nothing
			} else if bytes.Contains(chunk, []byte("\x1b]11;?")) {
				c.in.Write([]byte("\x1b]11;rgb:0000/0000/0000\x1b\\"))
			}
			if !c.silent && bytes.Contains(chunk, []byte("\x1b[c")) {
				c.in.Write([]byte("\x1b[?62;22c"))
			}
			c.mu.Lock()
			if !seen {
				c.out.Write(chunk)
				if bytes.Contains(c.out.Bytes(), []byte(firstScreen)) {
					seen = true
					c.out.Reset()
					close(c.seen)
				}
			}
			c.mu.Unlock()
		}
		if err != nil {
			return
		}
	}
}

func (c *benchClient) close() {
	c.sess.Close()
	c.conn.Close()
}

// BenchmarkTimeToFirstFrame: from TCP connect to the wizard's first screen
// over SSH (key exchange, public-key auth, pty, terminal queries, first render).
func BenchmarkTimeToFirstFrame(b *testing.B) { benchFirstFrame(b, false) }

// BenchmarkTimeToFirstFrameSilentTerminal: the same with a terminal that
// answers no queries; wish's renderer waits for its background colour.
func BenchmarkTimeToFirstFrameSilentTerminal(b *testing.B) { benchFirstFrame(b, true) }

func benchFirstFrame(b *testing.B, silent bool) {
	dir := b.TempDir()
	signer, ak := clientKey(b, dir)
	srv, err := New(Options{Listen: "127.0.0.1:0", AuthorizedKeys: ak, Workdir: filepath.Join(dir, "w"), MaxSessions: 1000,
		Log: log.New(io.Discard, "", 0)})
	if err != nil {
		b.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	for i := 0; b.Loop(); i++ {
		c, _ := dialWizardAs(b, srv.Addr().String(), fmt.Sprintf("u%d", i), signer, silent)
		c.close()
	}
}

// BenchmarkIdleSessions opens 50 concurrent wizard sessions against a real
// `ccewiz serve` process and reports its resident memory per idle session
// (goal: < 2 MB) and the time to first frame under that load.
func BenchmarkIdleSessions(b *testing.B) {
	if runtime.GOOS != "linux" {
		b.Skip("reads the server's resident memory from /proc")
	}
	const sessions = 50
	dir := b.TempDir()
	signer, ak := clientKey(b, dir)
	bin := filepath.Join(dir, "ccewiz")
	if out, err := exec.Command("go", "build", "-o", bin, "ccewiz").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, "serve", "--listen", addr, "--authorized-keys", ak, "--workdir", filepath.Join(dir, "w"),
		"--max-sessions", "100")
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	sc := bufio.NewScanner(stderr)
	for sc.Scan() && !strings.Contains(sc.Text(), "listening on") {
	}
	go io.Copy(io.Discard, stderr)

	for b.Loop() {
		time.Sleep(time.Second)
		before := rss(b, cmd.Process.Pid)
		var (
			mu    sync.Mutex
			times []time.Duration
			conns []*benchClient
			wg    sync.WaitGroup
		)
		for i := 0; i < sessions; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c, d := dialWizard(b, addr, fmt.Sprintf("admin%02d", i), signer)
				mu.Lock()
				times, conns = append(times, d), append(conns, c)
				mu.Unlock()
			}()
		}
		wg.Wait()
		time.Sleep(3 * time.Second) // idle: nothing typed, nothing drawn
		after := rss(b, cmd.Process.Pid)
		sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
		b.ReportMetric(float64(after-before)/sessions/(1<<20), "MB/idle-session")
		b.ReportMetric(float64(after)/(1<<20), "MB-rss-at-50")
		b.ReportMetric(float64(times[len(times)/2].Milliseconds()), "ms-first-frame-p50")
		b.ReportMetric(float64(times[len(times)*9/10].Milliseconds()), "ms-first-frame-p90")
		for _, c := range conns {
			c.close()
		}
	}
}

// rss is the resident set size of pid in bytes.
func rss(tb testing.TB, pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		tb.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb * 1024
		}
	}
	tb.Fatal("no VmRSS")
	return 0
}
