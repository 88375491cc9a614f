package certs

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"ccewiz/secret"
	"ccewiz/testpeer"
)

// TestPFXOpenSSL opens our PFX with the real openssl: the password works,
// the key and the whole chain are inside, and the algorithms are the
// 3DES/SHA-1 ones Windows Server 2016 imports.
func TestPFXOpenSSL(t *testing.T) {
	ch := testpeer.NewChain(t, "ece.example.com")
	chain := BuildChain(ch.Leaf.Cert, []*x509Cert{ch.Root.Cert, ch.Intermediate.Cert})
	pw := secret.New("S3cret pass'word")
	data, err := EncodePFX(ch.Leaf.Key, chain, pw)
	if err != nil {
		t.Fatal(err)
	}
	p := writeFile(t, t.TempDir(), "ece.example.com.pfx", data)
	env := []string{"CCEWIZ_TEST_PFX_PW=" + pw.Reveal()}
	args := []string{"pkcs12", "-info", "-in", p, "-passin", "env:CCEWIZ_TEST_PFX_PW", "-nodes"}
	out, err := openssl(t, env, args...)
	if err != nil {
		// Some OpenSSL 3 builds need the legacy provider for any PBE; ours must open with it at least.
		out, err = openssl(t, env, append(args, "-legacy")...)
	}
	if err != nil {
		t.Fatalf("openssl pkcs12 -info: %v\n%s", err, out)
	}
	for _, want := range []string{"pbeWithSHA1And3-KeyTripleDES-CBC", "MAC: sha1", "BEGIN PRIVATE KEY", "subject=CN = ece.example.com",
		"CN = ccewiz Test Issuing CA", "CN = ccewiz Test Root CA"} {
		if !strings.Contains(out, want) {
			t.Errorf("openssl pkcs12 -info lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "AES-256") || strings.Contains(out, "PBES2") {
		t.Errorf("PFX uses PBES2/AES, which Windows Server 2016 cannot import:\n%s", out)
	}
	if strings.Count(out, "BEGIN CERTIFICATE") != 3 {
		t.Errorf("want 3 certificates in the PFX:\n%s", out)
	}
	// A wrong password is refused by openssl and by us.
	if out, err := openssl(t, []string{"CCEWIZ_TEST_PFX_PW=wrong"}, args...); err == nil {
		t.Errorf("openssl opened the PFX with a wrong password:\n%s", out)
	}
	if _, _, err := DecodePFX(data, secret.New("wrong")); !errors.Is(err, ErrPFXPassword) {
		t.Errorf("DecodePFX wrong password: %v", err)
	}
	key, back, err := DecodePFX(data, pw)
	if err != nil || !KeyMatches(back.Leaf, key) || len(back.CACerts()) != 2 || back.Root == nil {
		t.Fatalf("DecodePFX: %v, chain %+v", err, back)
	}
	if !PFXHolds(data, pw, chain) || PFXHolds(data, pw, BuildChain(ch.Root.Cert, nil)) {
		t.Fatal("PFXHolds is wrong")
	}
	// The leaf alone is not enough: a PFX from before a CA change must be replaced.
	if PFXHolds(data, pw, BuildChain(ch.Leaf.Cert, nil)) || VerifyPFX(pw, BuildChain(ch.Leaf.Cert, nil))(data) == nil {
		t.Fatal("PFXHolds accepts a PFX whose chain differs")
	}
}

// TestPFXFromOpenSSL reads a PFX made by openssl (what an admin may bring).
func TestPFXFromOpenSSL(t *testing.T) {
	ch := testpeer.NewChain(t, "ece.example.com")
	dir := t.TempDir()
	crt, key := ch.Leaf.WriteFiles(t, dir, "leaf")
	ca := writeFile(t, dir, "ca.pem", CertPEM(ch.Intermediate.Cert, ch.Root.Cert))
	p := dir + "/o.pfx"
	mustOpenssl(t, "pkcs12", "-export", "-in", crt, "-inkey", key, "-certfile", ca, "-out", p, "-passout", "pass:pw1234")
	data := readFile(t, p)
	k, c, err := DecodePFX(data, secret.New("pw1234"))
	if err != nil || !KeyMatches(c.Leaf, k) || len(c.Intermediates) != 1 || c.Root == nil {
		t.Fatalf("DecodePFX(openssl PFX): %v %+v", err, c)
	}
}

func TestEncodePFXRefuses(t *testing.T) {
	ch := testpeer.NewChain(t, "ece.example.com")
	chain := BuildChain(ch.Leaf.Cert, nil)
	if _, err := EncodePFX(ch.Leaf.Key, chain, secret.Secret{}); err == nil || !strings.Contains(err.Error(), "password is required") {
		t.Errorf("empty password: %v", err)
	}
	if _, err := EncodePFX(ch.Root.Key, chain, secret.New("x")); !errors.Is(err, ErrKeyMismatch) {
		t.Errorf("wrong key: %v", err)
	}
}

// TestPFXKeytool: Java's keytool (the JDK on the ECE and PCCE servers)
// opens our PFX too and sees one key entry with the whole chain.
func TestPFXKeytool(t *testing.T) {
	testpeer.Need(t, "keytool")
	kt, _ := exec.LookPath("keytool")
	ch := testpeer.NewChain(t, "ece.example.com")
	data, err := EncodePFX(ch.Leaf.Key, BuildChain(ch.Leaf.Cert, []*x509Cert{ch.Intermediate.Cert, ch.Root.Cert}), secret.New("kt-Pass-1"))
	if err != nil {
		t.Fatal(err)
	}
	p := writeFile(t, t.TempDir(), "ece.pfx", data)
	cmd := exec.Command(kt, "-list", "-v", "-storetype", "PKCS12", "-keystore", p, "-storepass:env", "CCEWIZ_KT_PW")
	cmd.Env = append(os.Environ(), "CCEWIZ_KT_PW=kt-Pass-1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("keytool -list: %v\n%s", err, out)
	}
	for _, want := range []string{"PrivateKeyEntry", "Certificate chain length: 3", "CN=ece.example.com"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("keytool output lacks %q:\n%s", want, out)
		}
	}
}
