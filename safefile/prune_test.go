package safefile

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

func TestPruneBackupsKeepsTheNewest(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ca.cer")
	t0 := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	// Real backups through Replace (the first write makes the file, the
	// rest a backup each): eleven in one second, so counters .1 … .10, which
	// sort wrongly as text, then two later ones.
	times := []time.Time{t0.Add(time.Hour)}
	for i := 0; i < 11; i++ {
		times = append(times, t0)
	}
	times = append(times, t0.Add(2*time.Hour), t0.Add(3*time.Hour))
	for i, at := range times {
		if _, err := Replace(path, []byte{byte('a' + i)}, Options{Perm: 0o600, Now: func() time.Time { return at }}); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(path+".ccewiz-notastamp.bak", nil, 0o600) // not ours: left alone
	b := func(at time.Time, suffix string) string { return BackupName(path, at) + suffix }
	want := []string{b(t0, "")}
	for i := 1; i <= 10; i++ {
		want = append(want, b(t0, fmt.Sprintf(".%d", i)))
	}
	want = append(want, b(t0.Add(2*time.Hour), ""), b(t0.Add(3*time.Hour), ""))
	if got := Backups(path); !reflect.DeepEqual(got, want) {
		t.Fatalf("Backups =\n%q\nwant\n%q", got, want)
	}
	removed, err := PruneBackups(path, 3)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(removed, want[:10]) {
		t.Fatalf("removed %q, want %q", removed, want[:10])
	}
	if got := Backups(path); !reflect.DeepEqual(got, want[10:]) {
		t.Fatalf("left %q, want %q", got, want[10:])
	}
	if b, _ := os.ReadFile(want[10]); string(b) != "k" { // what the last write in that second replaced
		t.Fatalf("newest same-second backup holds %q", b)
	}
	if _, err := os.Stat(path + ".ccewiz-notastamp.bak"); err != nil {
		t.Fatal("a file that is not one of our backups was removed")
	}
	if b, _ := os.ReadFile(path); string(b) != "n" {
		t.Fatalf("live file %q", b)
	}
	if removed, _ := PruneBackups(path, 3); len(removed) != 0 {
		t.Fatalf("second prune removed %q", removed)
	}
}

// A backup made after a prune sorts after the ones kept, even in the same
// second as the pruned ones.
func TestBackupAfterPruneSortsLast(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dc.cer")
	at := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	now := func() time.Time { return at }
	for i := 0; i < 6; i++ {
		if _, err := Replace(path, []byte{byte('0' + i)}, Options{Perm: 0o600, Now: now}); err != nil {
			t.Fatal(err)
		}
		if _, err := PruneBackups(path, 2); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for _, b := range Backups(path) {
		data, _ := os.ReadFile(b)
		got = append(got, string(data))
	}
	if want := []string{"3", "4"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("backups hold %q, want %q (the two versions before the live one)", got, want)
	}
}
