package orchestration

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/aymanbagabas/go-udiff"

	"ccewiz/authkeys"
	"ccewiz/certs"
	"ccewiz/secret"
	"ccewiz/steps"
)

// windowsStep puts Cloud Connect's SSH keys on every Windows node. ccewiz
// fetches both keys from the Cloud Connect API (its TLS judged as Java
// would, against the certificates of the VOS step), keeps them in one
// file, and writes each node's key file itself where it reaches the node's
// C:\ProgramData\ssh (ccewiz running there, or the admin share); for the
// other nodes it prints a PowerShell script doing the same.
type windowsStep struct{}

func (windowsStep) ID() string         { return "windows" }
func (windowsStep) Title() string      { return "Cloud Connect's SSH key on every Windows node" }
func (windowsStep) ShortTitle() string { return "Windows onboarding" }
func (windowsStep) GuideStep() string  { return "4" }
func (windowsStep) Intro() string {
	return "Cloud Connect logs on to every Windows node over OpenSSH with its own key, as the logon user of the prerequisites. " +
		"For an administrator, the default sshd_config's \"Match Group administrators\" block makes sshd read " +
		"C:\\ProgramData\\ssh\\administrators_authorized_keys (Administrators and SYSTEM only) and ignore the user's own file. " +
		"Only the `ssh-rsa … root@localhost` part of each key goes in, one per line, nothing trailing."
}

func (windowsStep) Fields() []steps.Field {
	kf := steps.TextField("orchestration.keys_file", "Keys file", "where both Cloud Connect keys are kept (default orchestration/cloudconnect.keys)",
		func(a *steps.Answers) *string { return &Of(a).KeysFile })
	dbg := steps.BoolField("orchestration.sshd_debug_log", "sshd debug log", "troubleshooting: SyslogFacility LOCAL0 and LogLevel DEBUG in each node's sshd_config (log: C:\\ProgramData\\ssh\\logs\\sshd.log)",
		func(a *steps.Answers) *bool { return &Of(a).SSHDDebugLog })
	return []steps.Field{kf, dbg}
}

// debugLog plans the troubleshooting change of a reachable node's
// sshd_config, byte for byte but its two logging lines.
func debugLog(h winHost) (*steps.FileChange, error) {
	path := filepath.Join(h.SSHDir, "sshd_config")
	old, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", h.Name, err)
	}
	out, changed := authkeys.SetLogging(old)
	if !changed {
		return &steps.FileChange{Path: path, Action: steps.Unchanged, Why: "sshd already logs at DEBUG to LOCAL0"}, nil
	}
	return &steps.FileChange{Path: path, Action: steps.Modify, Data: out, Backup: true, BaseSHA256: steps.SHA256Hex(old),
		Why:  h.Name + ": SyslogFacility LOCAL0 and LogLevel DEBUG, so sshd writes C:\\ProgramData\\ssh\\logs\\sshd.log (restart sshd)",
		Diff: udiff.Unified(path, path+" (debug log)", string(old), string(out))}, nil
}

func (windowsStep) Needed(a *steps.Answers) (steps.Need, string) {
	if len(Of(a).Windows) == 0 {
		return steps.NotNeeded, "no Windows node is listed (orchestration.windows)"
	}
	return steps.Required, "Cloud Connect reaches the Windows nodes only with its key"
}

// anchors are the certificates the key API is trusted with: the VOS step's
// files, else (no VOS cluster) what the node presents now, on first use.
func anchors(ctx context.Context, env *steps.Env, node string) ([]*x509.Certificate, string, error) {
	path := CertFile(env, node)
	if b, err := certs.ReadBundleFiles(path); err == nil {
		return b.Certs, "trusted with " + path, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, "", err
	}
	sv, err := fetchServed(ctx, env, node)
	if err != nil {
		return nil, "", err
	}
	var cs []*x509.Certificate
	for _, p := range sv.Import {
		cs = append(cs, p.Cert)
	}
	return cs, fmt.Sprintf("trusted on first use: %s presents SHA-256 %s (no %s yet)", node, certs.Fingerprint(sv.Chain[0].Raw), path), nil
}

// fetchKeys asks both nodes for their keys.
func fetchKeys(ctx context.Context, env *steps.Env) ([]authkeys.Key, []string, error) {
	o := Of(env.Answers)
	if o.CloudConnect.AppUser == "" {
		return nil, nil, steps.BadInput(errors.New("orchestration.cloud_connect.app_user is not answered (step Prerequisites)"))
	}
	pass, err := env.Secret("orchestration.cloud_connect.app_password", o.CloudConnect.AppPassword, "password of the Cloud Connect application user "+o.CloudConnect.AppUser)
	if err != nil {
		return nil, nil, err
	}
	var keys []authkeys.Key
	var notes []string
	for _, n := range nodes(o) {
		an, how, err := anchors(ctx, env, n)
		if err != nil {
			return nil, nil, err
		}
		k, err := FetchKey(ctx, env, n, o.CloudConnect.AppUser, pass, an)
		if err != nil {
			return nil, nil, err
		}
		keys = append(keys, k)
		notes = append(notes, fmt.Sprintf("%s: %s key %s, %s", n, k.Type, k.SHA256, how))
	}
	return keys, notes, nil
}

// FetchKey asks one Cloud Connect node (host or host:port) for its key
// with the application user, its TLS judged as Java would with anchors as
// the store. A refused login is bad input (exit 2).
func FetchKey(ctx context.Context, env *steps.Env, node, user string, pass secret.Secret, anchors []*x509.Certificate) (authkeys.Key, error) {
	host := node
	if h, _, err := net.SplitHostPort(node); err == nil {
		host = h
	}
	client := env.HTTPClient(certs.Java17().TLSConfig(anchors, host, certs.HTTPSCheck, env.Now))
	defer client.CloseIdleConnections()
	k, err := authkeys.Fetch(ctx, client, node, user, pass)
	if errors.Is(err, authkeys.ErrLogin) {
		return k, steps.BadInput(err)
	}
	return k, err
}

// nodeKeyFile is where sshd on h reads the logon user's keys, decided from
// its sshd_config; "" with the reason when ccewiz cannot reach the node's
// folder.
func nodeKeyFile(h winHost, user string) (authkeys.Where, error) {
	if h.SSHDir == "" {
		return authkeys.Where{}, nil
	}
	cfg, err := os.ReadFile(filepath.Join(h.SSHDir, "sshd_config"))
	if err != nil {
		return authkeys.Where{}, fmt.Errorf("%s: read its sshd_config: %w (is OpenSSH Server installed there?)", h.Name, err)
	}
	// The profile is not reachable from here; an administrator's keys go
	// to ProgramData, which is.
	w := authkeys.Decide(cfg, true, filepath.Dir(h.SSHDir), `C:\Users\`+profileName(user))
	if w.AdminFile {
		w.Path = filepath.Join(h.SSHDir, filepath.Base(strings.ReplaceAll(w.Path, `\`, "/")))
	}
	return w, nil
}

// profileName is the profile folder Windows gives a logon name:
// admin@example.local and EXAMPLE\admin both log on to C:\Users\admin.
func profileName(user string) string {
	u := strings.TrimSpace(user)
	if i := strings.LastIndex(u, `\`); i >= 0 {
		u = u[i+1:]
	}
	u, _, _ = strings.Cut(u, "@")
	return u
}

func (s windowsStep) Plan(ctx context.Context, env *steps.Env) (*steps.Plan, error) {
	o := Of(env.Answers)
	if strings.TrimSpace(o.WindowsUser) == "" {
		return nil, steps.BadInput(errors.New("orchestration.windows_user is not answered (step Prerequisites)"))
	}
	keys, notes, err := fetchKeys(ctx, env)
	if err != nil {
		return nil, err
	}
	p := &steps.Plan{Step: s.ID(), Notes: notes}
	kf, err := steps.PlanWrite(keysFile(env), authkeys.Lines(keys), 0o644, "Cloud Connect's keys, one per line: what every Windows node's key file must hold")
	if err != nil {
		return nil, err
	}
	p.Files = append(p.Files, kf)
	written, scripted := 0, 0
	var aclTargets []string // local administrators_authorized_keys files (ccewiz runs on Windows)
	for _, h := range windowsHosts(o) {
		w, err := nodeKeyFile(h, o.WindowsUser)
		if err != nil {
			return nil, steps.BadInput(err)
		}
		if w.Path == "" {
			p.Commands = append(p.Commands, installScript(h, o.WindowsUser, keys))
			scripted++
			if o.SSHDDebugLog {
				p.Notes = append(p.Notes, h.Name+": for the debug log, in C:\\ProgramData\\ssh\\sshd_config's # Logging section set SyslogFacility LOCAL0 and LogLevel DEBUG, then Restart-Service sshd")
			}
			continue
		}
		if o.SSHDDebugLog {
			fc, err := debugLog(h)
			if err != nil {
				return nil, err
			}
			p.Files = append(p.Files, *fc)
		}
		if !w.AdminFile {
			p.Notes = append(p.Notes, fmt.Sprintf("%s: %s — ccewiz cannot reach that profile from here; run the script there", h.Name, w.Reason))
			p.Commands = append(p.Commands, installScript(h, o.WindowsUser, keys))
			scripted++
			continue
		}
		old, err := os.ReadFile(w.Path)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		m := authkeys.Merge(old, keys)
		fc, err := steps.PlanWrite(w.Path, m.Data, 0o600, fmt.Sprintf("%s: %s; %d key(s) to add, %d other line(s) kept", h.Name, w.Reason, len(m.Added), m.Kept))
		if err != nil {
			return nil, err
		}
		p.Files = append(p.Files, fc)
		if fc.Action != steps.Unchanged && runtime.GOOS == "windows" && !strings.HasPrefix(w.Path, `\\`) {
			// ccewiz runs on this node: it sets the ACL itself after the write.
			aclTargets = append(aclTargets, w.Path)
			written++
		} else if fc.Action != steps.Unchanged {
			acl := authkeys.ACLCommand(`C:\ProgramData\ssh\administrators_authorized_keys`)
			p.Commands = append(p.Commands, steps.Command{Host: h.Name, Shell: "powershell (as an administrator)",
				Script: strings.Join(acl, " ") + "\nRestart-Service sshd", Why: "sshd ignores administrators_authorized_keys unless only Administrators and SYSTEM may access it"})
			written++
		}
	}
	if len(aclTargets) > 0 {
		p.Private = aclTargets
		p.Notes = append(p.Notes, "after writing, ccewiz sets the ACL of "+strings.Join(aclTargets, ", ")+" to Administrators and SYSTEM (icacls), then restart sshd: Restart-Service sshd")
	}
	p.Summary = fmt.Sprintf("%d Cloud Connect key(s); %d node key file(s) to write here, %d node(s) by script", len(keys), written, scripted)
	return p, nil
}

// installScript does on a node what ccewiz does where it reaches one:
// decide the file from sshd_config, merge without doubling, back up, set
// the ACL, restart sshd. The keys come from Cloud Connect's API and hold
// only base64 and "root@localhost", so single quotes hold them safely.
func installScript(h winHost, user string, keys []authkeys.Key) steps.Command {
	var b strings.Builder
	fmt.Fprintf(&b, "# On %s, in PowerShell as %s (an administrator)\n$keys = @(\n", h.Name, user)
	for _, k := range keys {
		fmt.Fprintf(&b, "  '%s'\n", strings.ReplaceAll(k.Line, "'", "''"))
	}
	b.WriteString(`)
$cfg = Get-Content "$env:ProgramData\ssh\sshd_config"
$me = [Security.Principal.WindowsPrincipal][Security.Principal.WindowsIdentity]::GetCurrent()
$admin = $me.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)
$match = $cfg | Where-Object { $_ -match '^\s*Match\s+Group\s+administrators\s*$' }
if ($admin -and $match) { $file = "$env:ProgramData\ssh\administrators_authorized_keys" }
else { $file = "$env:USERPROFILE\.ssh\authorized_keys"; New-Item -ItemType Directory -Force (Split-Path $file) | Out-Null }
$old = @()
if (Test-Path $file) { Copy-Item $file ("$file.ccewiz-" + (Get-Date -Format yyyyMMdd-HHmmss) + ".bak"); $old = @(Get-Content $file) }
$have = $old | ForEach-Object { ($_ -split '\s+')[1] }
$new = $old + @($keys | Where-Object { $have -notcontains ($_ -split ' ')[1] })
[IO.File]::WriteAllLines($file, [string[]]$new)
if ($file -like "$env:ProgramData*") { icacls $file /inheritance:r /grant '*S-1-5-32-544:F' /grant '*S-1-5-18:F' }
Write-Output "keys in $file"
Restart-Service sshd`)
	return steps.Command{Host: h.Name, Shell: "powershell", Script: b.String(),
		Why: "ccewiz does not reach this node's C:\\ProgramData\\ssh (answer orchestration.windows[].ssh_dir_a/_b to let it write the file itself)"}
}

// Apply writes the files; on the Windows node itself it also sets the ACL
// sshd requires of administrators_authorized_keys.
func (windowsStep) Apply(ctx context.Context, env *steps.Env, p *steps.Plan) (*steps.Outcome, error) {
	out, err := steps.ApplyFiles(env, p)
	if err != nil {
		return out, err
	}
	targets, _ := p.Private.([]string)
	for _, t := range targets {
		if err := authkeys.SetACL(ctx, t); err != nil {
			return out, err
		}
		out.Notes = append(out.Notes, "ACL of "+t+": Administrators and SYSTEM only")
	}
	return out, nil
}

func (s windowsStep) Checks() []steps.Check { return s.ChecksFor(nil) }

// ChecksFor: the keys file holds both nodes' current keys; per node, sshd
// answers and offers public-key logons to the user, and the key file
// ccewiz can read holds exactly Cloud Connect's keys.
func (windowsStep) ChecksFor(a *steps.Answers) []steps.Check {
	out := []steps.Check{{ID: "windows.keys", Title: "The keys file holds both Cloud Connect nodes' current keys", Run: checkKeysFile}}
	if a == nil {
		return out
	}
	for _, h := range windowsHosts(Of(a)) {
		out = append(out, steps.Check{ID: "windows." + h.Name + ".sshd", Title: "sshd on " + h.Name + " offers public-key logons", Run: func(ctx context.Context, env *steps.Env) steps.Result {
			return checkOffer(ctx, env, h)
		}})
		if h.SSHDir != "" {
			out = append(out, steps.Check{ID: "windows." + h.Name + ".file", Title: "The key file on " + h.Name + " holds Cloud Connect's keys", Run: func(ctx context.Context, env *steps.Env) steps.Result {
				return checkNodeFile(ctx, env, h)
			}})
		}
	}
	return out
}

func readKeys(env *steps.Env) ([]authkeys.Key, error) {
	data, err := os.ReadFile(keysFile(env))
	if err != nil {
		return nil, err
	}
	return authkeys.ParseKeys(data, keysFile(env))
}

func checkKeysFile(ctx context.Context, env *steps.Env) steps.Result {
	have, err := readKeys(env)
	if err != nil {
		return steps.Result{Status: steps.Fail, Detail: err.Error(), Fix: "ccewiz apply --flow orchestration --step windows fetches both keys"}
	}
	want, _, err := fetchKeys(ctx, env)
	if err != nil {
		return steps.Result{Status: steps.Fail, Detail: "cannot ask Cloud Connect for its keys: " + err.Error(), Fix: "check the application user, its password and that both nodes answer on 8445"}
	}
	if string(authkeys.Lines(have)) != string(authkeys.Lines(want)) {
		return steps.Result{Status: steps.Fail, Detail: keysFile(env) + " does not hold the keys Cloud Connect serves now (reinstalled, or a node missing)",
			Fix: "ccewiz apply --flow orchestration --step windows, then install the keys on every Windows node again"}
	}
	var fps []string
	for _, k := range want {
		fps = append(fps, k.Source+" "+k.SHA256)
	}
	return steps.Result{Status: steps.Pass, Detail: strings.Join(fps, ", ")}
}

func checkOffer(ctx context.Context, env *steps.Env, h winHost) steps.Result {
	user := Of(env.Answers).WindowsUser
	addr := net.JoinHostPort(h.Name, "22")
	o, err := authkeys.ProbeOffer(ctx, addr, sshUser(user), env.Dial)
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &dnsErr):
		return steps.Result{Status: steps.Fail, Detail: err.Error(), Fix: "add " + h.Name + " to DNS (Cloud Connect must resolve it too), or map " + addr + " in the answers file's resolve section"}
	case err != nil:
		return steps.Result{Status: steps.Fail, Detail: err.Error(), Fix: "on " + h.Name + ": Start-Service sshd; Set-Service sshd -StartupType Automatic; open TCP 22 from Cloud Connect"}
	case !o.PublicKey:
		return steps.Result{Status: steps.Fail, Detail: fmt.Sprintf("%s (%s) does not offer public-key logons to %s", addr, o.Server, user),
			Fix: "in C:\\ProgramData\\ssh\\sshd_config set PubkeyAuthentication yes (and do not deny the user), then Restart-Service sshd"}
	}
	return steps.Result{Status: steps.Pass, Detail: fmt.Sprintf("%s: %s, host key %s, public-key logons offered to %s", addr, o.Server, o.HostKey, user)}
}

// sshUser is the name sshd takes: OpenSSH for Windows accepts
// user@domain as given.
func sshUser(u string) string { return strings.TrimSpace(u) }

func checkNodeFile(_ context.Context, env *steps.Env, h winHost) steps.Result {
	w, err := nodeKeyFile(h, Of(env.Answers).WindowsUser)
	if err != nil {
		return steps.Result{Status: steps.Fail, Detail: err.Error(), Fix: "check orchestration.windows[].ssh_dir for " + h.Name}
	}
	keys, err := readKeys(env)
	if err != nil {
		return steps.Result{Status: steps.Fail, Detail: err.Error(), Fix: "ccewiz apply --flow orchestration --step windows"}
	}
	data, err := os.ReadFile(w.Path)
	if err != nil {
		return steps.Result{Status: steps.Fail, Detail: fmt.Sprintf("%s: %v (%s)", h.Name, err, w.Reason), Fix: "ccewiz apply --flow orchestration --step windows writes it"}
	}
	missing, others := authkeys.Holds(data, keys)
	switch {
	case len(missing) > 0:
		return steps.Result{Status: steps.Fail, Detail: fmt.Sprintf("%s lacks %d of Cloud Connect's keys (%s)", w.Path, len(missing), w.Reason),
			Fix: "ccewiz apply --flow orchestration --step windows, then Restart-Service sshd on " + h.Name}
	case others > 0:
		return steps.Result{Status: steps.Warn, Detail: fmt.Sprintf("%s holds Cloud Connect's keys and %d other key(s)", w.Path, others),
			Fix: "remove keys that should not log on to " + h.Name + " as an administrator"}
	}
	return steps.Result{Status: steps.Pass, Detail: fmt.Sprintf("%s holds exactly Cloud Connect's %d key(s) (%s)", w.Path, len(keys), w.Reason)}
}
