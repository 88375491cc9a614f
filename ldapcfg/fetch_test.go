package ldapcfg

import (
	"context"
	"crypto/x509"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ccewiz/certs"
	"ccewiz/secret"
	"ccewiz/testpeer"
)

func TestFetchCert(t *testing.T) {
	dc := testpeer.StartSlapd(t, testpeer.SlapdOptions{})
	selfSigned := testpeer.NewLeaf(t, "dc3.example.local", nil, testpeer.IPs("127.0.0.1"))
	lone := testpeer.StartSlapd(t, testpeer.SlapdOptions{Name: "dc3.example.local", Leaf: selfSigned})
	silent := silentServer(t)

	tests := []struct {
		name     string
		addr     string
		dial     DialFunc
		mode     string
		leaf     *x509.Certificate
		n        int
		errMatch []error
	}{
		{name: "ldaps", addr: "dc1.example.local:636", dial: dc.Dial, mode: "ldaps", leaf: dc.Leaf.Cert, n: 2},
		{name: "StartTLS on 389", addr: "dc1.example.local:389", dial: dc.Dial, mode: "StartTLS", leaf: dc.Leaf.Cert, n: 2},
		{name: "self-signed DC", addr: "dc3.example.local:636", dial: lone.Dial, mode: "ldaps", leaf: selfSigned.Cert, n: 1},
		{name: "silent server", addr: "dc1.example.local:636", dial: dialTo(silent), errMatch: []error{ErrTimeout}},
		{name: "plain port asked for TLS", addr: "dc1.example.local:636", dial: dialTo(dc.PlainAddr), errMatch: []error{ErrNotTLS, ErrClosed}}, // slapd hangs up on a TLS hello
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := FetchCert(context.Background(), tt.addr, FetchOptions{Dial: tt.dial, Timeout: 2 * time.Second})
			if tt.errMatch != nil {
				if !errors.Is(err, tt.errMatch[0]) && (len(tt.errMatch) < 2 || !errors.Is(err, tt.errMatch[1])) {
					t.Fatalf("got %v, want %v", err, tt.errMatch)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if f.Mode != tt.mode || len(f.Chain) != tt.n || !f.Chain[0].Equal(tt.leaf) {
				t.Fatalf("mode %s, %d certificates, leaf %s", f.Mode, len(f.Chain), f.Certs[0].Subject)
			}
			if f.Certs[0].SHA256 != certs.Fingerprint(tt.leaf.Raw) || f.Certs[0].NotAfter.IsZero() || len(f.Certs[0].DNSNames) == 0 {
				t.Fatalf("description: %+v", f.Certs[0])
			}
			if !strings.Contains(f.Notice, "trust on first use") {
				t.Fatalf("notice %q does not say it is trust on first use", f.Notice)
			}
		})
	}

	t.Run("refused", func(t *testing.T) {
		p := testpeer.StartSlapd(t, testpeer.SlapdOptions{})
		p.Stop()
		_, err := FetchCert(context.Background(), "dc1.example.local:636", FetchOptions{Dial: p.Dial})
		if !errors.Is(err, ErrRefused) {
			t.Fatalf("got %v", err)
		}
	})
	for _, bad := range []string{"dc1.example.local", "dc1.example.local:x", "dc1.example.local:70000"} {
		if _, err := FetchCert(context.Background(), bad, FetchOptions{}); err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("FetchCert(%q): %v", bad, err)
		}
	}
}

func TestPick(t *testing.T) {
	ch := testpeer.NewChain(t, "dc1.example.local")
	self := testpeer.NewLeaf(t, "dc3.example.local", nil)
	tests := []struct {
		name   string
		chain  []*x509.Certificate
		choice string
		want   *x509.Certificate
		err    string
	}{
		{"default is the leaf", []*x509.Certificate{ch.Leaf.Cert, ch.Intermediate.Cert}, "", ch.Leaf.Cert, ""},
		{"leaf", []*x509.Certificate{ch.Leaf.Cert, ch.Intermediate.Cert}, TrustLeaf, ch.Leaf.Cert, ""},
		{"issuing CA", []*x509.Certificate{ch.Leaf.Cert, ch.Intermediate.Cert, ch.Root.Cert}, TrustCA, ch.Intermediate.Cert, ""},
		{"CA not sent", []*x509.Certificate{ch.Leaf.Cert}, TrustCA, nil, "sent only"},
		{"wrong CA sent", []*x509.Certificate{ch.Leaf.Cert, ch.Root.Cert}, TrustCA, nil, "sent only"},
		{"self-signed has no CA", []*x509.Certificate{self.Cert}, TrustCA, nil, "self-signed"},
		{"a CA file on its own", []*x509.Certificate{ch.Intermediate.Cert}, TrustCA, ch.Intermediate.Cert, ""},
		{"unknown choice", []*x509.Certificate{ch.Leaf.Cert}, "root", nil, `choose leaf`},
		{"nothing", nil, TrustLeaf, nil, "no certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Pick(tt.chain, tt.choice)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("got %v, want error containing %q", err, tt.err)
				}
				return
			}
			if err != nil || !got.Equal(tt.want) {
				t.Fatalf("got %v, %v", got.Subject, err)
			}
		})
	}
}

func TestReadCertFile(t *testing.T) {
	ch := testpeer.NewChain(t, "dc1.example.local")
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name string
		path string
		want []*x509.Certificate
		err  string
	}{
		{"Base-64 .cer as the guide asks", write("domainctl.cer", ch.Leaf.PEM()), []*x509.Certificate{ch.Leaf.Cert}, ""},
		{"DER .cer", write("domainctl-der.cer", ch.Leaf.DER), []*x509.Certificate{ch.Leaf.Cert}, ""},
		{"chain in reverse order comes back leaf first",
			write("chain.crt", append(append(ch.Root.PEM(), ch.Intermediate.PEM()...), ch.Leaf.PEM()...)),
			[]*x509.Certificate{ch.Leaf.Cert, ch.Intermediate.Cert, ch.Root.Cert}, ""},
		{"a key is not a certificate", write("dc.key", ch.Leaf.KeyPEM()), nil, "no certificate"},
		{"missing", filepath.Join(dir, "nope.cer"), nil, "nope.cer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, found, err := ReadCertFile(tt.path)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("got %v, want error containing %q", err, tt.err)
				}
				return
			}
			if err != nil || len(got) != len(tt.want) || len(found) == 0 {
				t.Fatalf("got %d certificates, %v, %v", len(got), found, err)
			}
			for i := range got {
				if !got[i].Equal(tt.want[i]) {
					t.Fatalf("certificate %d is %s, want %s", i, got[i].Subject, tt.want[i].Subject)
				}
			}
		})
	}
}

// TestKeystoreWithKeytool checks the AD keystore with the JDK's keytool,
// the tool the guide uses and the JDK ECE opens it with.
func TestKeystoreWithKeytool(t *testing.T) {
	testpeer.Need(t, "keytool")
	keytool, _ := exec.LookPath("keytool")
	ch := testpeer.NewChain(t, "dc1.example.local")
	pw := secret.New("MyP@ssword")
	p, err := PlanKeystore(nil, pw, ch.Leaf.Cert)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "mydomain.jks")
	if err := os.WriteFile(path, p.Data, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(keytool, "-list", "-v", "-keystore", path, "-storepass", pw.Reveal()).CombinedOutput()
	if err != nil {
		t.Fatalf("keytool -list: %v\n%s", err, out)
	}
	for _, want := range []string{"Keystore type: JKS", "Alias name: " + KeystoreAlias, "trustedCertEntry", certs.Fingerprint(ch.Leaf.Cert.Raw)} {
		if !strings.Contains(string(out), want) {
			t.Errorf("keytool -list lacks %q:\n%s", want, out)
		}
	}
	out, err = exec.Command(keytool, "-list", "-keystore", path, "-storepass", "wrong-pass").CombinedOutput()
	if err == nil {
		t.Errorf("keytool opened the keystore with a wrong password:\n%s", out)
	}

	// The DC renewed its certificate: the alias is replaced, not duplicated.
	renewed := testpeer.NewLeaf(t, "dc1.example.local", ch.Intermediate)
	p2, err := PlanKeystore(p.Data, pw, renewed.Cert)
	if err != nil {
		t.Fatal(err)
	}
	ks, err := OpenKeystore(path, p2.Data, pw)
	if err != nil || ks.Len() != 1 {
		t.Fatalf("after renewal: %v, %d entries", err, ks.Len())
	}
	if err := TrustsChain(ks, path, []*x509.Certificate{renewed.Cert, ch.Intermediate.Cert}, "dc1.example.local", time.Now()); err != nil {
		t.Fatal(err)
	}
	var te *TrustError
	if err := TrustsChain(ks, path, []*x509.Certificate{ch.Leaf.Cert}, "dc1.example.local", time.Now()); !errors.As(err, &te) {
		t.Fatalf("the replaced certificate is still trusted: %v", err)
	}
	if _, err := OpenKeystore(path, p2.Data, secret.New("wrong-pass")); err == nil || !strings.Contains(err.Error(), "wrong password") {
		t.Fatalf("wrong password: %v", err)
	}
	if _, err := PlanKeystore(nil, secret.New("short"), ch.Leaf.Cert); err == nil {
		t.Fatal("a 5-character store password was accepted; keytool refuses it")
	}
}
