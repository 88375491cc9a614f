package authkeys

import (
	"fmt"
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
