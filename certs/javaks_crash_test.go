package certs

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"ccewiz/safefile"
	"ccewiz/testpeer"
)

// The crash tests re-run this test binary as a child that imports into a
// store and dies (os.Exit, no cleanup, no deferred calls) at one stage of
// safefile.Replace, or writes under a file-size limit (a full disk). The
// parent then checks that the store is the original or — only once the
// rename happened — the complete new store.
const (
	envCrashStage = "CCEWIZ_KS_CRASH_STAGE"
	envCrashStore = "CCEWIZ_KS_CRASH_STORE"
	envCrashCert  = "CCEWIZ_KS_CRASH_CERT"
	envFileLimit  = "CCEWIZ_KS_FILE_LIMIT"
)

const (
	exitCrashed = 3
	exitFailed  = 5
)

// TestKeystoreWriterChild is the child process; run alone it does nothing.
func TestKeystoreWriterChild(t *testing.T) {
	store := os.Getenv(envCrashStore)
	if store == "" {
		return
	}
	if stage := os.Getenv(envCrashStage); stage != "" {
		safefile.SetTestHook(func(s safefile.Stage) error {
			if string(s) == stage {
				os.Exit(exitCrashed)
			}
			return nil
		})
	}
	if lim := os.Getenv(envFileLimit); lim != "" {
		n, _ := strconv.ParseUint(lim, 10, 64)
		if err := limitFileSize(n); err != nil {
			fmt.Println("limit:", err)
			os.Exit(1)
		}
	}
	pemData, _ := os.ReadFile(os.Getenv(envCrashCert))
	blk, _ := pem.Decode(pemData)
	if blk == nil {
		fmt.Println("no PEM certificate in", os.Getenv(envCrashCert))
		os.Exit(1)
	}
	c, _ := x509.ParseCertificate(blk.Bytes)
	_, err := ImportFile(store, []byte("changeit"), []*x509.Certificate{c}, ImportOptions{FQDN: "ece.example.com"})
	if err != nil {
		fmt.Println(err)
		os.Exit(exitFailed)
	}
	os.Exit(0)
}

func runWriterChild(t *testing.T, env ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKeystoreWriterChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, string(out)
	case errors.As(err, &ee):
		return ee.ExitCode(), string(out)
	}
	t.Fatalf("run child: %v", err)
	return 0, ""
}

func crashSetup(t *testing.T) (dir, store, certFile string, orig []byte, leaf *testpeer.Cert) {
	t.Helper()
	dir = t.TempDir()
	store = filepath.Join(dir, "cacerts")
	orig = copyFile(t, jdkCacerts(t), store, 0o644)
	leaf = testpeer.NewLeaf(t, "ece.example.com", nil)
	certFile, _ = leaf.WriteFiles(t, dir, "ece")
	return
}

func TestKeystoreSurvivesKillAtEveryStage(t *testing.T) {
	stages := []safefile.Stage{safefile.StageBackedUp, safefile.StageTempWritten, safefile.StageTempSynced, safefile.StageRenamed}
	for _, st := range stages {
		t.Run(string(st), func(t *testing.T) {
			dir, store, certFile, orig, leaf := crashSetup(t)
			code, out := runWriterChild(t, envCrashStore+"="+store, envCrashCert+"="+certFile, envCrashStage+"="+string(st))
			if code != exitCrashed {
				t.Fatalf("child exit %d, want %d (killed at %s):\n%s", code, exitCrashed, st, out)
			}
			now, err := os.ReadFile(store)
			if err != nil {
				t.Fatalf("the store is gone after a kill at %s: %v", st, err)
			}
			ks, err := OpenKeystore(now, []byte("changeit"))
			if err != nil {
				t.Fatalf("the store does not open after a kill at %s: %v", st, err)
			}
			if st == safefile.StageRenamed {
				origKS, _ := OpenKeystore(orig, []byte("changeit"))
				if ks.Len() != origKS.Len()+1 {
					t.Fatalf("after the rename the store has %d entries, want %d", ks.Len(), origKS.Len()+1)
				}
				if _, ok := ks.Contains(leaf.Cert); !ok {
					t.Fatal("after the rename the new certificate is missing")
				}
			} else if !bytes.Equal(now, orig) {
				t.Fatalf("a kill at %s changed the store", st)
			}
			// Every backup is a file of its own holding the original (by
			// inode and content); the killed run's is named only once its
			// rename happened, and the next import settles it.
			for _, b := range safefile.Backups(store) {
				testpeer.CheckBackup(t, store, b, orig)
			}
			if code, out := runWriterChild(t, envCrashStore+"="+store, envCrashCert+"="+certFile); code != 0 {
				t.Fatalf("the next import after a kill at %s: exit %d\n%s", st, code, out)
			}
			baks := safefile.Backups(store)
			if len(baks) != 1 {
				// The next import finds the certificate present after a
				// rename and writes nothing; before one, it writes once.
				t.Fatalf("after the next import: backups %v, want 1", baks)
			}
			testpeer.CheckBackup(t, store, baks[0], orig)
			if left, _ := filepath.Glob(filepath.Join(dir, ".cacerts.*.ccewiz-pending")); len(left) > 0 {
				t.Errorf("the killed run's link is left unsettled: %v", left)
			}
		})
	}
}

// A full disk (a file-size limit on the writer) while writing the backup or
// the new store: an error that says so, the original intact, nothing left over.
func TestKeystoreSurvivesFullDisk(t *testing.T) {
	if !canLimitFileSize {
		t.Skip("no file-size limit on this OS")
	}
	_, _, _, orig, _ := crashSetup(t)
	cases := []struct {
		name  string
		limit int
	}{
		{"backup does not fit", len(orig) / 2},
		{"new store does not fit", len(orig) + 100},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir, store, certFile, orig, _ := crashSetup(t)
			code, out := runWriterChild(t, envCrashStore+"="+store, envCrashCert+"="+certFile, envFileLimit+"="+strconv.Itoa(tc.limit))
			if code != exitFailed {
				t.Fatalf("child exit %d, want %d (a write error):\n%s", code, exitFailed, out)
			}
			t.Logf("child: %s", strings.TrimSpace(out))
			if !strings.Contains(out, "disk full") {
				t.Errorf("the error does not suggest a full disk:\n%s", out)
			}
			if now, _ := os.ReadFile(store); !bytes.Equal(now, orig) {
				t.Fatal("the store changed")
			}
			ents, _ := os.ReadDir(dir)
			for _, e := range ents {
				if strings.Contains(e.Name(), "ccewiz-tmp") {
					t.Errorf("temporary file %s left behind", e.Name())
				}
				if strings.HasPrefix(e.Name(), ".") {
					t.Errorf("%s left behind", e.Name())
				}
			}
			for _, b := range safefile.Backups(store) {
				testpeer.CheckBackup(t, store, b, orig)
			}
		})
	}
}
