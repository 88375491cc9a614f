package ece

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"ccewiz/certs"
	"ccewiz/steps"
	"ccewiz/testpeer"
)

// TestECECertificateFindsStepOnesFile: the inventory looks for ECE's
// certificate where the certificate step wrote it, even when the FQDN was
// typed in capitals or with a final dot (the step writes ece.example.com.crt).
func TestECECertificateFindsStepOnesFile(t *testing.T) {
	dir := t.TempDir()
	a := steps.NewAnswers()
	ProfileOf(a).ECEFQDN = "ECE.Example.com."
	CertificateOf(a).OutDir = "out"
	env := steps.NewEnv(a, filepath.Join(dir, "ccewiz.yaml"))

	leaf := testpeer.NewLeaf(t, "ece.example.com", nil)
	written := filepath.Join(dir, "out", "ece.example.com.crt")
	if got := eceCertFile(env); got != written || filepath.Dir(got) != CertOutDir(env) {
		t.Fatalf("eceCertFile = %s, want %s", got, written)
	}
	os.MkdirAll(filepath.Dir(written), 0o755)
	if err := os.WriteFile(written, certs.CertPEM(leaf.Cert), 0o644); err != nil {
		t.Fatal(err)
	}
	c, source, err := ECECertificate(context.Background(), env, "")
	if err != nil || source != written || !c.Equal(leaf.Cert) {
		t.Fatalf("ECECertificate = %v from %q, %v; want the certificate from %s", c != nil, source, err, written)
	}
}
