package logdoctor

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzZipBundle: a .zip of logs from a customer is read, or refused as
// not a readable .zip; a crafted one never panics or hangs the scan.
func FuzzZipBundle(f *testing.F) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("eService/logs/eg_log_app1.log")
	w.Write([]byte("2026-11-23 10:00:00 ERROR javax.naming.PartialResultException: Unprocessed Continuation Reference(s)\n"))
	w, _ = zw.Create("../../evil\x1b[2J.log")
	w.Write([]byte("PKIX path building failed\n"))
	zw.Close()
	f.Add(buf.Bytes())
	f.Add(buf.Bytes()[:buf.Len()/2])
	f.Add([]byte("PK\x05\x06" + string(make([]byte, 18))))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "bundle.zip")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		Scan(ctx, []string{p}, Options{Local: time.UTC, Workers: 1})
		if ctx.Err() != nil {
			t.Fatal("the scan of a small .zip did not end")
		}
	})
}
