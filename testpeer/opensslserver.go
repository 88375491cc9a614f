package testpeer

import (
	"bufio"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// OpenSSLServer runs `openssl s_server` on a free loopback port with args
// (certificate, key, ciphers…) and returns its address: a TLS server that
// speaks what crypto/tls will not (DHE suites, say). It stops with the test.
func OpenSSLServer(t testing.TB, args ...string) string {
	t.Helper()
	Need(t, "openssl")
	for attempt := 0; attempt < 3; attempt++ {
		port, err := freePort()
		if err != nil {
			t.Fatal(err)
		}
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		cmd := exec.Command("openssl", append([]string{"s_server", "-accept", addr, "-naccept", "100", "-quiet"}, args...)...)
		out, _ := cmd.StdoutPipe()
		cmd.Stderr = cmd.Stdout
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		lines := make(chan string, 16)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
				c.Close()
				go func() {
					for range lines {
					}
				}()
				return addr
			}
			select {
			case l, ok := <-lines:
				if !ok || strings.Contains(l, "in use") {
					deadline = time.Time{}
				}
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
	t.Fatal("openssl s_server did not start")
	return ""
}
