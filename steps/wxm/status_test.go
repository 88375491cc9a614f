package wxm

import (
	"strings"
	"testing"
)

func TestParseStatus(t *testing.T) {
	cases := []struct {
		body string
		up   bool
		said string
		err  string
	}{
		{`{"status":"UP","details":{"wxm":"CONNECTED"}}`, true, "UP", ""},
		{`{"status":"DOWN"}`, false, "DOWN", ""},
		{`{"cherrypoint":{"state":"running"}}`, true, "running", ""},
		{`"UP"`, true, "UP", ""},
		{"healthy\n", true, "healthy", ""},
		{`{"version":"12.6"}`, false, "", "no status value"},
		{`<html>Service Unavailable</html>`, false, "", "neither JSON nor a single word"},
		{"", false, "", "empty"},
	}
	for _, c := range cases {
		st, err := ParseStatus([]byte(c.body))
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: %v, want %q", c.body, err, c.err)
			}
			continue
		}
		if err != nil || st.Up != c.up || st.Said != c.said {
			t.Errorf("%q: %+v %v, want up=%v said=%q", c.body, st, err, c.up, c.said)
		}
	}
}

// FuzzParseStatus: any answer is read or refused with a reason, never a
// panic; a state read as up is one of the words that mean up.
func FuzzParseStatus(f *testing.F) {
	for _, s := range []string{`{"status":"UP"}`, `{"cherrypoint":{"state":"DOWN"}}`, `"UP"`, "<html/>", `{"status":1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := ParseStatus(b)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an error without a message")
			}
			return
		}
		if st.Up != (state(st.Said, nil).Up) {
			t.Fatalf("%q read as up=%v from %q", b, st.Up, st.Said)
		}
	})
}
