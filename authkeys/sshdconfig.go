package authkeys

import (
	"context"
	"fmt"
	"os/exec"
	"path"
	"strings"
)

// Where is the authorized-keys file sshd reads for the logon user, and why.
type Where struct {
	// Path is the file, with __PROGRAMDATA__ and a relative path resolved
	// against ProgramData and the user's profile folder.
	Path string
	// AdminFile: administrators_authorized_keys, whose ACL must allow only
	// Administrators and SYSTEM (sshd ignores it otherwise).
	AdminFile bool
	// Line is the sshd_config line that decided (0: sshd's default).
	Line   int
	Reason string
}

// Decide reads sshd_config as Windows OpenSSH does for a user who is (or
// is not) a member of Administrators: an active "Match Group
// administrators" block with an AuthorizedKeysFile wins for an
// administrator, and then the user's own %USERPROFILE%\.ssh\authorized_keys
// is not read at all — the trap of the seed's step 4. programData is
// C:\ProgramData; profile the user's profile folder (C:\Users\admin).
func Decide(cfg []byte, admin bool, programData, profile string) Where {
	global, globalLine := ".ssh/authorized_keys", 0
	matchAdmins, inMatch := 0, false
	adminFile, adminLine := "", 0
	for i, raw := range strings.Split(strings.ReplaceAll(string(cfg), "\r\n", "\n"), "\n") {
		kw, val := directive(raw)
		switch {
		case kw == "":
		case kw == "match":
			f := strings.Fields(strings.ToLower(val))
			inMatch = true
			if len(f) == 2 && f[0] == "group" && f[1] == "administrators" {
				matchAdmins = i + 1
			} else if matchAdmins != 0 && adminLine == 0 {
				matchAdmins = 0 // another block, before the file was named
			}
		case kw == "authorizedkeysfile" && inMatch && matchAdmins != 0 && adminLine == 0:
			adminFile, adminLine = firstField(val), i+1
		case kw == "authorizedkeysfile" && !inMatch && globalLine == 0:
			global, globalLine = firstField(val), i+1
		}
	}
	if admin && adminLine != 0 {
		return Where{Path: resolve(adminFile, programData, profile), AdminFile: true, Line: adminLine,
			Reason: fmt.Sprintf("the logon user is an administrator and sshd_config's \"Match Group administrators\" block (line %d) names %s (line %d): sshd reads that file for administrators and ignores their own .ssh\\authorized_keys; its ACL must allow only Administrators and SYSTEM",
				matchAdmins, adminFile, adminLine)}
	}
	why := "sshd's default .ssh/authorized_keys in the user's profile"
	if globalLine != 0 {
		why = fmt.Sprintf("sshd_config's AuthorizedKeysFile %s (line %d)", global, globalLine)
	}
	if admin {
		why += "; the \"Match Group administrators\" block is not active"
	} else {
		why += "; the user is not an administrator (Cloud Connect needs one: a domain admin, or a domain user with local admin rights)"
	}
	return Where{Path: resolve(global, programData, profile), Line: globalLine, Reason: "the keys go to " + why}
}

// directive is a config line's lower-case keyword and its value; "" for
// comments and blank lines.
func directive(line string) (string, string) {
	s := strings.TrimSpace(line)
	if s == "" || strings.HasPrefix(s, "#") {
		return "", ""
	}
	kw, val, _ := strings.Cut(strings.Join(strings.Fields(s), " "), " ")
	if k, v, ok := strings.Cut(kw, "="); ok {
		kw, val = k, strings.TrimSpace(v+" "+val)
	}
	return strings.ToLower(kw), strings.TrimSpace(strings.TrimPrefix(val, "="))
}

func firstField(v string) string {
	if f := strings.Fields(v); len(f) > 0 {
		return strings.Trim(f[0], `"`)
	}
	return ""
}

// resolve makes an sshd_config path a Windows path: __PROGRAMDATA__, and a
// relative path under the user's profile.
func resolve(p, programData, profile string) string {
	p = strings.ReplaceAll(p, "__PROGRAMDATA__", strings.TrimRight(programData, `\/`))
	p = strings.ReplaceAll(p, "%u", path.Base(strings.ReplaceAll(profile, `\`, "/")))
	if !(strings.HasPrefix(p, "/") || len(p) > 1 && p[1] == ':' || strings.HasPrefix(p, `\\`)) {
		p = strings.TrimRight(profile, `\/`) + `\` + p
	}
	sep := `\`
	if strings.HasPrefix(p, "/") {
		sep = "/" // a POSIX sshd (the lab, tests)
	}
	return strings.NewReplacer("/", sep, `\`, sep).Replace(p)
}

// ACLCommand is the icacls command that leaves administrators_authorized_keys
// readable by Administrators and SYSTEM only, as Windows OpenSSH requires
// (it ignores the file otherwise). The well-known SIDs work in every
// Windows language; the group names do not.
func ACLCommand(path string) []string {
	return []string{"icacls", path, "/inheritance:r", "/grant", "*S-1-5-32-544:F", "/grant", "*S-1-5-18:F"}
}

// SetACL runs ACLCommand on path: on the Windows node itself, after the
// file is written.
func SetACL(ctx context.Context, path string) error {
	acl := ACLCommand(path)
	if out, err := exec.CommandContext(ctx, acl[0], acl[1:]...).CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %v: %s (sshd ignores the file until only Administrators and SYSTEM may access it)", strings.Join(acl, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// SetLogging is the guide's troubleshooting change to sshd_config: in the
// "# Logging" section, SyslogFacility LOCAL0 and LogLevel DEBUG, so sshd
// writes C:\ProgramData\ssh\logs\sshd.log. Only those two lines change
// (a commented default is uncommented in place, an active one gets the
// new value); every other byte stays, the line ending of the file too.
// A directive that is missing goes after "# Logging", or first when that
// heading is gone or inside a Match block. It reports whether anything changed.
func SetLogging(cfg []byte) ([]byte, bool) {
	want := []struct{ kw, line string }{{"syslogfacility", "SyslogFacility LOCAL0"}, {"loglevel", "LogLevel DEBUG"}}
	eol := "\n"
	if strings.Contains(string(cfg), "\r\n") {
		eol = "\r\n"
	}
	lines := strings.SplitAfter(string(cfg), "\n")
	done := map[string]bool{}
	inMatch := false
	heading, firstMatch := -1, -1
	for i, raw := range lines {
		body := strings.TrimRight(raw, "\r\n")
		end := raw[len(body):]
		trimmed := strings.TrimSpace(body)
		if kw, _ := directive(body); kw == "match" && !inMatch {
			inMatch, firstMatch = true, i
		}
		if strings.EqualFold(trimmed, "# Logging") && heading < 0 {
			heading = i
		}
		for _, w := range want {
			if done[w.kw] || inMatch {
				continue
			}
			kw, _ := directive(body)
			commented := false
			if kw == "" && strings.HasPrefix(trimmed, "#") {
				kw, _ = directive(strings.TrimPrefix(trimmed, "#"))
				commented = true
			}
			// A commented default is "#LogLevel INFO": the keyword and one
			// value, nothing else (a sentence that names it is a comment).
			if kw != w.kw || commented && len(strings.Fields(strings.TrimPrefix(trimmed, "#"))) != 2 {
				continue
			}
			indent := body[:len(body)-len(strings.TrimLeft(body, " \t"))]
			lines[i] = indent + w.line + end
			done[w.kw] = true
		}
	}
	var missing []string
	for _, w := range want {
		if !done[w.kw] {
			missing = append(missing, w.line+eol)
		}
	}
	if len(missing) > 0 {
		// After the heading, unless it sits inside a Match block (where a
		// directive would apply to that block only): then first in the file.
		at := 0
		if heading >= 0 && (firstMatch < 0 || heading < firstMatch) {
			at = heading + 1
			if !strings.HasSuffix(lines[heading], "\n") {
				lines[heading] += eol
			}
		}
		lines = append(lines[:at], append(missing, lines[at:]...)...)
	}
	out := strings.Join(lines, "")
	return []byte(out), out != string(cfg)
}
