package certs

import (
	"bytes"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ccewiz/testpeer"

	"github.com/pavlo-v-chernykh/keystore-go/v4"
)

// ccewiz writes JKS itself. Two independent readers check what it writes —
// keytool and keystore-go — on a store keytool made with everything an
// admin's store may hold: a private key entry (which must come back
// byte for byte, still decryptable), aliases in Java's modified UTF-8
// (accents, a character beyond the BMP), and a password beyond Latin-1.
func TestJKSWriterInterop(t *testing.T) {
	needKeytool(t)
	dir := t.TempDir()
	store := filepath.Join(dir, "ad.jks")
	ss := testpeer.NewLeaf(t, "ece.example.com", nil)
	ch := testpeer.NewChain(t, "web1.example.com")
	rootFile, _ := ch.Root.WriteFiles(t, dir, "root")

	// keystore-go reads aliases as plain UTF-8, so it gets the new alias
	// without a character beyond the BMP.
	for _, tc := range []struct{ name, pass, alias string }{
		{"ascii password (keystore-go reads it too)", "s3cret-pw", "intermédiaire"},
		{"password beyond Latin-1", "pässwörd-€", "intermédiaire-🔒"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			os.Remove(store)
			keytool(t, "-genkeypair", "-alias", "server", "-keyalg", "EC", "-dname", "CN=server",
				"-keystore", store, "-storetype", "JKS", "-storepass", tc.pass, "-keypass", tc.pass)
			keytool(t, "-importcert", "-noprompt", "-alias", "autoridade-são-paulo-🔒", "-file", rootFile,
				"-keystore", store, "-storepass", tc.pass)
			orig, _ := os.ReadFile(store)
			before, err := OpenKeystore(orig, []byte(tc.pass))
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := before.Lookup("autoridade-são-paulo-🔒"); !ok {
				t.Fatalf("the alias keytool wrote in modified UTF-8 reads back as %v", aliases(before))
			}

			res, err := ImportFile(store, []byte(tc.pass), []*x509.Certificate{ss.Cert}, ImportOptions{Alias: tc.alias})
			if err != nil || !res.Written {
				t.Fatalf("import: %+v, %v", res, err)
			}
			out := keytool(t, "-list", "-keystore", store, "-storepass", tc.pass)
			for _, want := range []string{"server, ", "autoridade-são-paulo-🔒, ", tc.alias + ", ", "contains 3 entries"} {
				if !strings.Contains(out, want) {
					t.Fatalf("keytool -list after the import lacks %q:\n%s", want, out)
				}
			}
			// The private key still decrypts in Java, under the same password.
			keytool(t, "-certreq", "-alias", "server", "-keystore", store, "-storepass", tc.pass, "-keypass", tc.pass,
				"-file", filepath.Join(dir, "server.csr"))
			written, _ := os.ReadFile(store)
			// The entries Java wrote are carried over byte for byte.
			for _, e := range before.entries {
				if !bytes.Contains(written, e.jks.raw) {
					t.Fatalf("entry %q was re-encoded instead of copied", e.Alias)
				}
			}
			if tc.pass != "s3cret-pw" {
				return
			}
			ks := keystore.New()
			if err := ks.Load(bytes.NewReader(written), []byte(tc.pass)); err != nil {
				t.Fatalf("keystore-go cannot read what ccewiz wrote: %v", err)
			}
			if got := strings.Join(ks.Aliases(), ","); len(ks.Aliases()) != 3 {
				t.Fatalf("keystore-go reads aliases %s", got)
			}
			te, err := ks.GetTrustedCertificateEntry(tc.alias)
			if err != nil || !bytes.Equal(te.Certificate.Content, ss.DER) || te.Certificate.Type != "X.509" {
				t.Fatalf("keystore-go reads the new entry as %+v, %v", te, err)
			}
			pk, err := ks.GetPrivateKeyEntry("server", []byte(tc.pass))
			if err != nil {
				t.Fatalf("keystore-go cannot decrypt the kept private key: %v", err)
			}
			if _, err := x509.ParsePKCS8PrivateKey(pk.PrivateKey); err != nil {
				t.Fatalf("the kept private key does not parse: %v", err)
			}
		})
	}
}

// A store keystore-go wrote (trusted and private key entries) opens and
// lists the same in ccewiz.
func TestReadsWhatKeystoreGoWrites(t *testing.T) {
	leaf := testpeer.NewLeaf(t, "dc01.example.com", nil)
	created := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	ks := keystore.New()
	if err := ks.SetTrustedCertificateEntry("mydomaincontroller", keystore.TrustedCertificateEntry{
		CreationTime: created, Certificate: keystore.Certificate{Type: "X.509", Content: leaf.DER},
	}); err != nil {
		t.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(leaf.Key)
	if err != nil {
		t.Fatal(err)
	}
	if err := ks.SetPrivateKeyEntry("server", keystore.PrivateKeyEntry{
		CreationTime: created, PrivateKey: pkcs8,
		CertificateChain: []keystore.Certificate{{Type: "X.509", Content: leaf.DER}},
	}, []byte("changeit")); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := ks.Store(&buf, []byte("changeit")); err != nil {
		t.Fatal(err)
	}
	ours, err := OpenKeystore(buf.Bytes(), []byte("changeit"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"mydomaincontroller": TrustedCertEntry, "server": PrivateKeyEntry}
	for _, e := range ours.Entries() {
		if want[e.Alias] != e.Type || e.SHA256 != Fingerprint(leaf.DER) || !e.Created.Equal(created) {
			t.Fatalf("entry %+v", e)
		}
		delete(want, e.Alias)
	}
	if len(want) != 0 {
		t.Fatalf("entries not read: %v", want)
	}
}

// A version-1 JKS (JDK 1.1: certificates without a type) is rewritten as
// version 2, every entry kept; keytool lists the result.
func TestJKSVersion1IsUpgraded(t *testing.T) {
	needKeytool(t)
	dir := t.TempDir()
	store := filepath.Join(dir, "old.jks")
	keytool(t, "-genkeypair", "-alias", "server", "-keyalg", "EC", "-dname", "CN=server",
		"-keystore", store, "-storetype", "JKS", "-storepass", "changeit", "-keypass", "changeit")
	v2, _ := os.ReadFile(store)
	v1 := toJKSVersion1(t, v2, "changeit")
	os.WriteFile(store, v1, 0o644)
	ss := testpeer.NewLeaf(t, "ece.example.com", nil)
	if _, err := ImportFile(store, []byte("changeit"), []*x509.Certificate{ss.Cert}, ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	lines, n := keytoolList(t, store, "changeit")
	if n != 2 || !strings.HasPrefix(lines[1], "server PrivateKeyEntry") {
		t.Fatalf("keytool lists %d entries after upgrading a version-1 store:\n%s", n, strings.Join(lines, "\n"))
	}
	keytool(t, "-certreq", "-alias", "server", "-keystore", store, "-storepass", "changeit", "-file", filepath.Join(dir, "s.csr"))
}

// toJKSVersion1 re-encodes a version-2 JKS without certificate types.
func toJKSVersion1(t *testing.T, v2 []byte, pass string) []byte {
	t.Helper()
	entries, err := walkJKS(v2)
	if err != nil {
		t.Fatal(err)
	}
	out := binary.BigEndian.AppendUint32(nil, jksMagic)
	out = binary.BigEndian.AppendUint32(out, 1)
	out = binary.BigEndian.AppendUint32(out, uint32(len(entries)))
	for _, e := range entries {
		out = binary.BigEndian.AppendUint32(out, e.tag)
		out, _ = appendJavaUTF(out, e.alias)
		out = binary.BigEndian.AppendUint64(out, uint64(e.created.UnixMilli()))
		if e.tag == jksTagKey {
			out = binary.BigEndian.AppendUint32(out, uint32(len(e.key)))
			out = append(out, e.key...)
			out = binary.BigEndian.AppendUint32(out, uint32(len(e.chain)))
		}
		for _, c := range e.chain {
			out = binary.BigEndian.AppendUint32(out, uint32(len(c)))
			out = append(out, c...)
		}
	}
	return append(out, jksDigest(out, []byte(pass))...)
}

func aliases(ks *Keystore) []string {
	var out []string
	for _, e := range ks.entries {
		out = append(out, e.Alias)
	}
	return out
}

// Java's modified UTF-8, both ways, against what DataOutputStream writes.
func TestJavaUTF(t *testing.T) {
	cases := []struct {
		s    string
		java []byte // DataOutputStream.writeUTF, without the length
	}{
		{"mydomaincontroller", []byte("mydomaincontroller")},
		{"são", []byte{'s', 0xC3, 0xA3, 'o'}},
		{"a\x00b", []byte{'a', 0xC0, 0x80, 'b'}},
		{"€", []byte{0xE2, 0x82, 0xAC}},
		{"🔒", []byte{0xED, 0xA0, 0xBD, 0xED, 0xB4, 0x92}}, // U+1F512 as two surrogates
	}
	for _, tc := range cases {
		enc, err := appendJavaUTF(nil, tc.s)
		if err != nil || !bytes.Equal(enc[2:], tc.java) || int(binary.BigEndian.Uint16(enc)) != len(tc.java) {
			t.Errorf("encode %q = % x, %v; want % x", tc.s, enc, err, tc.java)
		}
		if dec, err := decodeJavaUTF(tc.java); err != nil || dec != tc.s {
			t.Errorf("decode % x = %q, %v; want %q", tc.java, dec, err, tc.s)
		}
	}
	for _, bad := range [][]byte{{0xC3}, {0xE2, 0x82}, {0x80}, {0xFF}, {0}} {
		if _, err := decodeJavaUTF(bad); err == nil {
			t.Errorf("decode % x: no error", bad)
		}
	}
	if _, err := appendJavaUTF(nil, strings.Repeat("é", 40000)); err == nil {
		t.Error("an alias of 80000 bytes was accepted")
	}
}

// An alias Java cannot store is refused before anything is written.
func TestImportRefusesAnAliasJavaCannotStore(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ad.jks")
	ss := testpeer.NewLeaf(t, "dc01.example.com", nil)
	if _, err := ImportFile(path, []byte("changeit"), []*x509.Certificate{ss.Cert}, ImportOptions{Alias: "first", Create: true}); err != nil {
		t.Fatal(err)
	}
	orig, _ := os.ReadFile(path)
	other := testpeer.NewLeaf(t, "dc02.example.com", nil)
	_, err := ImportFile(path, []byte("changeit"), []*x509.Certificate{other.Cert}, ImportOptions{Alias: strings.Repeat("é", 40000)})
	if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "longer than Java allows") || !strings.Contains(err.Error(), "--alias") || len(err.Error()) > 400 {
		t.Fatalf("error %v; want what is wrong and the way out", err)
	}
	if b, _ := os.ReadFile(path); !bytes.Equal(b, orig) {
		t.Fatal("the store changed")
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*")); len(m) != 1 {
		t.Fatalf("files left: %v", m)
	}
}
