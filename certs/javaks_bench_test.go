package certs

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"

	"ccewiz/testpeer"
)

// BenchmarkImportFile is ImportFile into a copy of the JDK's cacerts: open
// and verify, add, encode, re-open the new bytes, backup, atomic write with
// fsync, read back. scripts/bench-keystore.sh compares the whole process
// with keytool.
func BenchmarkImportFile(b *testing.B) {
	src := jdkCacerts(b)
	orig, err := os.ReadFile(src)
	if err != nil {
		b.Fatal(err)
	}
	leaf := testpeer.NewLeaf(b, "ece.example.com", nil)
	dir := b.TempDir()
	path := filepath.Join(dir, "cacerts")
	for b.Loop() {
		b.StopTimer()
		os.WriteFile(path, orig, 0o644)
		b.StartTimer()
		res, err := ImportFile(path, []byte("changeit"), []*x509.Certificate{leaf.Cert}, ImportOptions{FQDN: "ece.example.com"})
		if err != nil || !res.Written {
			b.Fatal(err)
		}
		b.StopTimer()
		os.Remove(res.Backup)
		b.StartTimer()
	}
}

// BenchmarkOpenKeystore is the integrity check and listing of the JDK's cacerts.
func BenchmarkOpenKeystore(b *testing.B) {
	orig, err := os.ReadFile(jdkCacerts(b))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := OpenKeystore(orig, []byte("changeit")); err != nil {
			b.Fatal(err)
		}
	}
}
