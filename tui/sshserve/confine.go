package sshserve

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"

	"ccewiz/secret"
	"ccewiz/steps"
	"ccewiz/steps/ece"
)

// A served session may only write inside its user's folder, and may only
// read passwords from files inside it: the server's own environment
// variables and files are not the remote admin's to use (a {file: /etc/…}
// password would otherwise be sent to an LDAP server of their choosing).

// plainUserName is ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$ without a regexp: the
// compiled {0,63} cost every ccewiz command a millisecond at start-up.
func plainUserName(u string) bool {
	if len(u) == 0 || len(u) > 64 {
		return false
	}
	for i := 0; i < len(u); i++ {
		c := u[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !alnum && (i == 0 || c != '.' && c != '_' && c != '-') {
			return false
		}
	}
	return true
}

// ErrUserName means an SSH user name cannot be used as a folder name.
var ErrUserName = errors.New("user name not usable as a folder name")

// userDir returns <workdir>/<user>, refusing names that are not a plain
// folder name (no separators, no leading dot, no "..").
func userDir(workdir, user string) (string, error) {
	name, err := userFolder(user, runtime.GOOS)
	if err != nil {
		return "", err
	}
	return filepath.Join(workdir, name), nil
}

// userFolder is the folder name, and so the identity, that user has on
// goos. NTFS (and APFS as macOS ships it) fold case, and Windows drops a
// name's trailing dots, so there "Alice", "alice" and "alice." are one
// folder: they must be one user too, or two wizards would share one
// answers file and one key, each thinking it holds them alone. Windows
// also opens a device, not a folder, for CON, NUL, COM1 and the rest.
func userFolder(user, goos string) (string, error) {
	if !plainUserName(user) || strings.Contains(user, "..") {
		return "", fmt.Errorf("%w: %q; connect as letters, digits, '.', '_' or '-' (e.g. ssh alice@host)", ErrUserName, user)
	}
	switch goos {
	case "windows":
		user = strings.ToLower(strings.TrimRight(user, "."))
		base, _, _ := strings.Cut(user, ".")
		if windowsDevice(base) {
			return "", fmt.Errorf("%w: %q is a device name on Windows; connect as another user name (e.g. ssh alice@host)", ErrUserName, user)
		}
	case "darwin":
		user = strings.ToLower(user)
	}
	return user, nil
}

func windowsDevice(name string) bool {
	switch name {
	case "con", "prn", "aux", "nul", "conin$", "conout$":
		return true
	}
	if len(name) == 4 && (strings.HasPrefix(name, "com") || strings.HasPrefix(name, "lpt")) {
		return name[3] >= '0' && name[3] <= '9'
	}
	return false
}

// ErrOutside means a session tried to use a path outside its folder.
var ErrOutside = errors.New("outside this session's folder")

// within reports whether path (absolute, or relative to the server's
// working folder as ApplyFiles would take it) stays inside root once
// symbolic links in its existing part are resolved.
func within(root, path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return err
	}
	// Resolve the longest existing prefix; the rest is created by the write.
	existing, rest := abs, ""
	for {
		if _, err := os.Lstat(existing); err == nil {
			break
		} else if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		parent := filepath.Dir(existing)
		if parent == existing {
			break
		}
		rest = filepath.Join(filepath.Base(existing), rest)
		existing = parent
	}
	real, err := filepath.EvalSymlinks(existing)
	if err != nil {
		return err
	}
	full := filepath.Join(real, rest)
	rel, err := filepath.Rel(realRoot, full)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		// The path is the session's own input; the server's folders are not shown.
		return fmt.Errorf("%s is %w; use a path inside it, e.g. a relative one", path, ErrOutside)
	}
	return nil
}

// checkRefs refuses password sources the remote admin must not use: any
// environment variable (they are the server's), and files outside root.
func checkRefs(env *steps.Env, root string) error {
	var errs []error
	check := func(key string, r secret.Ref) {
		switch {
		case r.Env != "":
			errs = append(errs, fmt.Errorf("%s: env: password sources are not available over ccewiz serve (they would read the server's environment); type the password, or use file: inside your folder", key))
		case r.File != "":
			p := r.File
			if !filepath.IsAbs(p) {
				p = env.Path(p)
			}
			if err := within(root, p); err != nil {
				errs = append(errs, fmt.Errorf("%s: password file %w", key, err))
			}
		}
	}
	walkRefs(reflect.ValueOf(env.Answers), "", check)
	// A flow's own section is no field of Answers: walk each one too, by
	// key, in a fixed order so the message is the same every run.
	secs := steps.SectionValues(env.Answers)
	for _, k := range slices.Sorted(maps.Keys(secs)) {
		walkRefs(reflect.ValueOf(secs[k]), k, check)
	}
	return errors.Join(errs...)
}

var refType = reflect.TypeOf(secret.Ref{})

func walkRefs(v reflect.Value, key string, f func(string, secret.Ref)) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			walkRefs(v.Elem(), key, f)
		}
	case reflect.Struct:
		if v.Type() == refType {
			f(key, v.Interface().(secret.Ref))
			return
		}
		for i := 0; i < v.NumField(); i++ {
			ft := v.Type().Field(i)
			if !ft.IsExported() {
				continue
			}
			name := strings.Split(ft.Tag.Get("yaml"), ",")[0]
			if name == "" {
				name = strings.ToLower(ft.Name)
			}
			walkRefs(v.Field(i), strings.TrimPrefix(key+"."+name, "."), f)
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			walkRefs(v.Index(i), fmt.Sprintf("%s[%d]", key, i), f)
		}
	}
}

// confine wraps every step so its plans, changes and checks run only when
// the session's password sources are allowed and every file a plan writes
// is inside root.
func confine(flow []steps.Step, root string) []steps.Step {
	out := make([]steps.Step, len(flow))
	for i, s := range flow {
		out[i] = confinedStep{Step: s, root: root}
	}
	return out
}

type confinedStep struct {
	steps.Step
	root string
}

// checkPaths refuses answers that name files outside root: a session reads
// and writes only its own folder.
func checkPaths(env *steps.Env, root string) error {
	if env.Answers == nil {
		return nil
	}
	var errs []error
	for key, ps := range ece.LocalPaths(env.Answers) {
		for _, p := range ps {
			if p == "" {
				continue
			}
			if strings.Contains(key, "own JAVA_HOME cacerts") {
				// Never the server's own path in a session's message.
				if within(root, p) != nil {
					errs = append(errs, fmt.Errorf("trust: an ADS named in the profile is this server itself, whose cacerts a session may not use; give that ADS a trust.stores entry with a path inside your folder, or leave the import to the printed keytool commands"))
				}
				continue
			}
			if err := within(root, env.Path(p)); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", key, err))
			}
		}
	}
	return errors.Join(errs...)
}

// checkAnswers refuses password sources and answers naming files outside
// the session's folder.
func (c confinedStep) checkAnswers(env *steps.Env) error {
	if err := errors.Join(checkRefs(env, c.root), checkPaths(env, c.root)); err != nil {
		return steps.BadInput(err)
	}
	return nil
}

// checkPlan refuses a plan that writes outside the session's folder.
func (c confinedStep) checkPlan(p *steps.Plan) error {
	if p == nil {
		return nil
	}
	for _, f := range p.Files {
		if f.Action == steps.Unchanged {
			continue
		}
		if err := within(c.root, f.Path); err != nil {
			return steps.BadInput(fmt.Errorf("%s would write %w", c.ID(), err))
		}
	}
	return nil
}

func (c confinedStep) Plan(ctx context.Context, env *steps.Env) (*steps.Plan, error) {
	if err := c.checkAnswers(env); err != nil {
		return nil, err
	}
	p, err := c.Step.Plan(ctx, env)
	if err != nil {
		return p, err
	}
	// Refuse at plan time too, so the admin never reviews a change that cannot happen.
	return p, c.checkPlan(p)
}

func (c confinedStep) Apply(ctx context.Context, env *steps.Env, p *steps.Plan) (*steps.Outcome, error) {
	if err := c.checkAnswers(env); err != nil {
		return nil, err
	}
	if err := c.checkPlan(p); err != nil {
		return nil, err
	}
	return c.Step.Apply(ctx, env, p)
}

// Checks and ChecksFor both wrap: the runners ask ChecksFor when a step
// has per-file or per-server checks (steps.ChecksOf), so the wrapper must
// answer it too or those checks would run unguarded — or not at all.
func (c confinedStep) Checks() []steps.Check { return c.wrap(c.Step.Checks()) }

func (c confinedStep) ChecksFor(a *steps.Answers) []steps.Check {
	return c.wrap(steps.ChecksOf(c.Step, a))
}

func (c confinedStep) wrap(cs []steps.Check) []steps.Check {
	cs = append([]steps.Check(nil), cs...)
	for i := range cs {
		run := cs[i].Run
		if run == nil {
			continue
		}
		cs[i].Run = func(ctx context.Context, env *steps.Env) steps.Result {
			if err := c.checkAnswers(env); err != nil {
				return steps.Result{Status: steps.Fail, Detail: err.Error(),
					Fix: "over ccewiz serve, type passwords in the wizard, and keep every file (password files, certificates, keystores, spog_config.js copies) in your own folder"}
			}
			return run(ctx, env)
		}
	}
	return cs
}
