package tui

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"

	"ccewiz/secret"
	"ccewiz/steps"
	"ccewiz/steps/ece"
)

// The model and golden tests run a fixed flow — the real profile step and
// demoStep below — so their screens do not change whenever a step is added
// to steps.Flow(). demoStep uses every field kind, a Visible rule, a
// Default, a password, a plan with every section and an irreversible
// confirmation, a real file write through steps.ApplyFiles, and checks of
// every status. The tmux end-to-end test drives the real flow.
type demoStep struct {
	// blockPlan makes Plan wait for its context (to test Esc).
	blockPlan bool
}

const demoConfig = "out/demo.conf"

func (demoStep) ID() string    { return "demo" }
func (demoStep) Title() string { return "Demo web server change" }
func (demoStep) Intro() string {
	return "A test step: it writes a configuration file next to the answers file and asks for a password it never stores."
}
func (demoStep) Needed(a *steps.Answers) (steps.Need, string) {
	if ece.ProfileOf(a).ECEFQDN == "" {
		return steps.Recommended, "the profile is not filled in yet"
	}
	return steps.Required, "the web server " + ece.ProfileOf(a).ECEFQDN + " needs it"
}

func (demoStep) Fields() []steps.Field {
	name := steps.TextField("certificate.o", "Server name", "a fully qualified name; defaults to the ECE FQDN",
		func(a *steps.Answers) *string { return &ece.CertificateOf(a).O })
	name.Default = func(a *steps.Answers) string { return ece.ProfileOf(a).ECEFQDN }
	name.Validate = func(_ *steps.Answers, v string) error { return steps.ValidateFQDN(v) }
	mode := steps.ChoiceField("certificate.mode", "Certificate mode", "ca shows the OU field", []string{"selfsigned", "ca"},
		func(a *steps.Answers) *string { return &ece.CertificateOf(a).Mode })
	ou := steps.TextField("certificate.ou", "Organisational unit", "only for ca", func(a *steps.Answers) *string { return &ece.CertificateOf(a).OU })
	ou.Visible = func(a *steps.Answers) bool { return ece.CertificateOf(a).Mode == "ca" }
	size := steps.IntField("certificate.key_size", "Key size", "2048 or more", func(a *steps.Answers) *int { return &ece.CertificateOf(a).KeySize })
	size.Validate = func(_ *steps.Answers, v string) error {
		if n := 0; v != "" {
			if _, err := fmt.Sscan(v, &n); err == nil && n < 2048 {
				return fmt.Errorf("%s bits is too small; use 2048 or more", v)
			}
		}
		return nil
	}
	return []steps.Field{
		name, mode, ou, size,
		steps.ListField("certificate.sans", "Extra names", "comma-separated", func(a *steps.Answers) *[]string { return &ece.CertificateOf(a).SANs }),
		steps.BoolField("sso.ssl_enabled", "Use TLS", "", func(a *steps.Answers) *bool { return &ece.SSOOf(a).SSLEnabled }),
		steps.SecretRefField("certificate.pfx_password", "PFX password", "never written to the answers file",
			func(a *steps.Answers) *secret.Ref { return &ece.CertificateOf(a).PFXPassword }),
	}
}

func (d demoStep) Plan(ctx context.Context, env *steps.Env) (*steps.Plan, error) {
	if d.blockPlan {
		env.Stage("connecting to %s:443…", ece.CertificateOf(env.Answers).O)
		<-ctx.Done()
		return nil, ctx.Err()
	}
	pw, err := env.Secret("certificate.pfx_password", ece.CertificateOf(env.Answers).PFXPassword, "PFX password")
	if err != nil {
		return nil, err
	}
	path := env.Path(demoConfig)
	old, _ := os.ReadFile(path)
	data := []byte("server_name = " + ece.CertificateOf(env.Answers).O + "\nkey_size = " + fmt.Sprint(ece.CertificateOf(env.Answers).KeySize) + "\n")
	fc := steps.FileChange{Path: path, Action: steps.Create, Why: "the web server reads its name from here", Backup: true, Data: data,
		BaseSHA256: steps.SHA256Hex(old)}
	if old != nil {
		fc.Action = steps.Modify
		fc.Diff = "--- " + demoConfig + "\n+++ " + demoConfig + "\n-" + strings.TrimSpace(strings.SplitN(string(old), "\n", 2)[0]) + "\n+server_name = " + ece.CertificateOf(env.Answers).O
	}
	return &steps.Plan{Step: "demo", Summary: "write the server configuration and a protected key",
		Files: []steps.FileChange{fc,
			{Path: env.Path("out/demo.key"), Action: steps.Create, Why: "the private key", Sensitive: true, Data: []byte("KEY " + pw.Reveal())}},
		Keystore: []steps.KeystoreChange{{Keystore: "ads/cacerts", Alias: "ece-web", Subject: "CN=" + ece.CertificateOf(env.Answers).O, SHA256: "AB:CD", Action: "add"}},
		Commands: []steps.Command{{Host: "web1", Shell: "powershell", Script: "iisreset /restart", Why: "IIS reads the binding at start"}},
		GUI:      []steps.GUIEntry{{Where: "ECE › Partition › Security", Field: "Server name", Value: ece.CertificateOf(env.Answers).O}},
		Notes:    []string{"the key is written with mode 0600"},
		Irreversible: &steps.Irreversible{What: "ECE keeps the first server name it is saved with.",
			Confirm: ece.CertificateOf(env.Answers).O},
	}, nil
}

func (demoStep) Apply(_ context.Context, env *steps.Env, p *steps.Plan) (*steps.Outcome, error) {
	if err := os.MkdirAll(env.Path("out"), 0o755); err != nil {
		return nil, err
	}
	return steps.ApplyFiles(env, p)
}

func (demoStep) Checks() []steps.Check {
	return []steps.Check{
		{ID: "demo.file", Title: "Configuration file written", Run: func(_ context.Context, env *steps.Env) steps.Result {
			b, err := os.ReadFile(env.Path(demoConfig))
			if err != nil {
				return steps.Result{Status: steps.Fail, Detail: err.Error(), Fix: "apply the demo step"}
			}
			return steps.Result{Status: steps.Pass, Detail: strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0])}
		}},
		{ID: "demo.size", Title: "Key size", Run: func(_ context.Context, env *steps.Env) steps.Result {
			if ece.CertificateOf(env.Answers).KeySize < 3072 {
				return steps.Result{Status: steps.Warn, Detail: "2048-bit keys are the minimum", Fix: "use 3072 bits for new certificates"}
			}
			return steps.Result{Status: steps.Pass}
		}},
		{ID: "demo.look", Title: "Server name shown in ECE", Manual: true, What: "ECE › Partition › Security shows the server name"},
	}
}

func testFlow(d demoStep) []steps.Step { return []steps.Step{ece.NewProfileStep(), d} }

// profileAnswers is a complete, valid profile (a 2000-agent model).
func profileAnswers() *steps.Answers {
	a := steps.NewAnswers()
	*ece.ProfileOf(a) = ece.Profile{PCCEVersion: "12.5(1)", PCCEES: 7, ECEVersion: "12.5(1)", ECEES: 1,
		DeploymentModel: 2000, ECEShape: "400-single", LoadBalancer: "none", ECEFQDN: "ece.example.com",
		WebServers: []string{"ece.example.com"}, AppServers: []string{"ece.example.com"},
		ServicesServers: []string{"ece.example.com"}, AdminDataServers: []string{"aw1a.example.com"}}
	return a
}

// fixedNow keeps report timestamps and backup names stable.
func fixedNow() time.Time { return time.Date(2026, 11, 23, 5, 0, 0, 0, time.UTC) }

// testModel builds a model over the fixed flow in a fresh folder (the
// working directory, so paths on screen are relative and stable).
func testModel(t testing.TB, a *steps.Answers, d demoStep, w, h int) *Model {
	t.Helper()
	if tt, ok := t.(*testing.T); ok {
		tt.Chdir(t.TempDir())
	}
	env := steps.NewEnv(a, "ccewiz.yaml")
	env.Now = fixedNow
	env.Timeout = 2 * time.Second
	// drive runs commands one after the other, so a step cannot wait for
	// a password typed later: answer as a headless run would.
	// TestPasswordPrompt covers the prompt with the real Bubble Tea loop.
	env.Prompt = func(label string) (secret.Secret, error) {
		return secret.Secret{}, fmt.Errorf("%s: %w", label, secret.ErrNotGiven)
	}
	return newModel(Options{Env: env, Flow: testFlow(d), NoColor: true, Width: w, Height: h})
}

// drive feeds msgs to m and runs the commands they return synchronously,
// feeding their messages back, until nothing is left: a deterministic
// stand-in for the Bubble Tea loop (spinner ticks are dropped).
func drive(t testing.TB, m *Model, msgs ...tea.Msg) {
	t.Helper()
	n := 0
	var feed func(msg tea.Msg)
	feed = func(msg tea.Msg) {
		if n++; n > 10000 {
			t.Fatal("drive: the model keeps producing messages")
		}
		_, cmd := m.Update(msg)
		// A key's consequences finish before the next key, as when a person waits for the screen.
		for _, out := range runCmd(cmd) {
			feed(out)
		}
	}
	for _, msg := range msgs {
		feed(msg)
	}
}

func runCmd(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	switch msg := msg.(type) {
	case tea.BatchMsg:
		var out []tea.Msg
		for _, c := range msg {
			out = append(out, runCmd(c)...)
		}
		return out
	case tea.QuitMsg:
		return nil
	case nil:
		return nil
	}
	if _, tick := msg.(spinner.TickMsg); tick {
		return nil
	}
	return []tea.Msg{msg}
}

func keys(s ...any) []tea.Msg {
	var out []tea.Msg
	for _, k := range s {
		switch k := k.(type) {
		case tea.KeyType:
			out = append(out, tea.KeyMsg{Type: k})
		case string:
			for _, r := range k {
				out = append(out, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
			}
		}
	}
	return out
}

// slowApply is the demo step with an Apply that ignores its context: it
// writes a file after the wizard stopped waiting for it.
type slowApply struct{ demoStep }

func (slowApply) Apply(context.Context, *steps.Env, *steps.Plan) (*steps.Outcome, error) {
	time.Sleep(300 * time.Millisecond)
	return &steps.Outcome{Written: []steps.Written{{Path: "out/late.conf", Backup: "out/late.conf.bak"}}}, nil
}
