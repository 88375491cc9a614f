package steps

import (
	"runtime/debug"
	"testing"
)

func TestDescribeBuild(t *testing.T) {
	cases := []struct {
		bi   debug.BuildInfo
		want string
	}{
		{debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.4.0"}}, "v1.4.0, go1.26.8"},
		{debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "07623c7a1b2c3d4e5f60718293a4b5c6d7e8f901"}, {Key: "vcs.time", Value: "2026-12-04T20:15:00Z"},
			{Key: "vcs.modified", Value: "true"}}}, "(devel) (rev 07623c7a1b2c, 2026-12-04T20:15:00Z, modified), go1.26.8"},
		{debug.BuildInfo{GoVersion: "go1.26.8"}, "(devel), go1.26.8"},
	}
	for _, c := range cases {
		if got := describeBuild(&c.bi); got != c.want {
			t.Errorf("describeBuild = %q, want %q", got, c.want)
		}
	}
}
