package steps

import (
	"runtime/debug"
	"strings"
)

// Version is ccewiz's version as the binary knows it from its build
// information: the module version (v1.2.3 when installed from a tag,
// "(devel)" from a checkout), then the VCS revision and time, and
// "modified" for a build from a tree with uncommitted changes. The report
// carries it, so a partner can tell which ccewiz judged a deployment.
func Version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown (built without module information)"
	}
	return describeBuild(bi)
}

func describeBuild(bi *debug.BuildInfo) string {
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, at string
	modified := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	var extra []string
	if rev != "" {
		extra = append(extra, "rev "+rev[:min(12, len(rev))])
	}
	if at != "" {
		extra = append(extra, at)
	}
	if modified {
		extra = append(extra, "modified")
	}
	if len(extra) > 0 {
		v += " (" + strings.Join(extra, ", ") + ")"
	}
	return v + ", " + bi.GoVersion
}
