// Package steps is the wizard's engine, without a user interface: what a
// step is — what it asks (fields), what it would change (a Plan), how it
// changes it (Apply) and how it proves the result (Checks) — flows as
// ordered steps, and the loop that runs them. The integrations are flows
// in packages of their own (steps/ece, steps/orchestration, steps/wxm).
// The TUI, `check`, `apply` and `serve` all drive this package; it must
// never import Bubble Tea or print to a terminal. Long work takes a
// context so a UI can cancel it.
package steps

import (
	"context"
	"errors"
	"io/fs"
	"time"

	"ccewiz/secret"
)

// Status is the verdict of one check.
type Status string

const (
	Pass   Status = "pass"
	Warn   Status = "warn"
	Fail   Status = "fail"
	Skip   Status = "skip"
	Manual Status = "manual" // a person must look; Detail says exactly where
)

// Result is one line of a validation run. Its JSON form is the stable
// schema of `ccewiz check --format json`.
type Result struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Status Status `json:"status"`
	Detail string `json:"detail"`
	Fix    string `json:"fix"`
	// Confirmed is set on a Manual result the admin ticked.
	Confirmed bool `json:"confirmed,omitempty"`
	// Elapsed is how long the check ran (JUnit's time attribute).
	Elapsed time.Duration `json:"-"`
}

// Check is one automated or manual verification of a step.
type Check struct {
	ID    string // "<step>.<check>", stable: users pass it to --only/--skip
	Title string
	// Manual checks have no Run: a person looks at What and ticks it off.
	Manual bool
	What   string
	// Run performs the check. It must honour ctx (the runner sets a timeout)
	// and return a Result whose ID and Title may be left empty (the runner fills them).
	Run func(ctx context.Context, env *Env) Result
}

// FieldKind tells a UI which input to draw.
type FieldKind string

const (
	Text   FieldKind = "text"
	Choice FieldKind = "choice" // one of Options
	Bool   FieldKind = "bool"   // "true"/"false"
	List   FieldKind = "list"   // comma-separated in Get/Set
	Int    FieldKind = "int"
	// SecretField is typed into a masked input and kept in Env.Secrets only;
	// Get/Set handle the Ref (where the password comes from), never the value.
	SecretField FieldKind = "secret"
)

// Field is one thing a step asks. Key is the dotted answers-file path
// (profile.ece_fqdn) — the same name the CLI flags and the docs use.
type Field struct {
	Key     string
	Label   string
	Help    string
	Kind    FieldKind
	Options []string
	// Get returns the current answer as text; Set parses and stores it
	// (an error is a message for the user: what is wrong and how to fix it).
	Get func(a *Answers) string
	Set func(a *Answers, v string) error
	// Default proposes a value from earlier answers (the FQDN flows into the
	// certificate CN, spog_config.js and the inventory). May be nil.
	Default func(a *Answers) string
	// Validate checks a value in the context of the other answers before Set. May be nil.
	Validate func(a *Answers, v string) error
	// Visible hides fields that do not apply (site only for 4000/12000 agents). Nil = always.
	Visible func(a *Answers) bool
	// InForce, for a password field with no source of its own, says what is
	// used instead (another answer's source, a default). May be nil.
	InForce func(a *Answers) string
}

// Need says whether a step must be done for this deployment.
type Need string

const (
	Required    Need = "required"
	Recommended Need = "recommended"
	Optional    Need = "optional"
	NotNeeded   Need = "not-needed"
)

// Step is one room of the wizard.
type Step interface {
	ID() string    // short, stable: "profile", "certificate", "sso", "spog", "trust", "inventory", "integration", "validate"
	Title() string // "ECE web server certificate"
	// Intro is a few sentences: what this step is for and what goes wrong without it.
	Intro() string
	Fields() []Field
	// Needed decides from the answers whether the step applies, and why.
	Needed(a *Answers) (Need, string)
	// Plan works out the changes without making them. It may read files
	// and dial servers; it writes nothing.
	Plan(ctx context.Context, env *Env) (*Plan, error)
	// Apply makes the changes of a Plan this step produced. It re-verifies
	// what it wrote and reports every file with its backup.
	Apply(ctx context.Context, env *Env, p *Plan) (*Outcome, error)
	Checks() []Check
}

// DynamicChecks is implemented by steps whose checks depend on the answers
// (one per file or per server). Checks() then returns one check covering
// them all; runners call ChecksOf, which prefers ChecksFor.
type DynamicChecks interface {
	ChecksFor(a *Answers) []Check
}

// ChecksOf returns the checks of st for these answers.
func ChecksOf(st Step, a *Answers) []Check {
	if d, ok := st.(DynamicChecks); ok && a != nil {
		return d.ChecksFor(a)
	}
	return st.Checks()
}

// Plan is what a step would change, for the user to review before Apply.
type Plan struct {
	Step     string           `json:"step"`
	Summary  string           `json:"summary,omitempty"`
	Files    []FileChange     `json:"files,omitempty"`
	Keystore []KeystoreChange `json:"keystore,omitempty"`
	Commands []Command        `json:"commands,omitempty"`
	Remote   []RemoteChange   `json:"remote,omitempty"` // changes through a server's API
	GUI      []GUIEntry       `json:"gui,omitempty"`
	Notes    []string         `json:"notes,omitempty"`
	// Irreversible, when set, means the user must type Confirm exactly before Apply.
	Irreversible *Irreversible `json:"irreversible,omitempty"`
	// Blocked lists, for an irreversible plan, the earlier steps that are not
	// done or fail a check now (PlanStep sets it): while it is not empty no
	// driver takes the confirmation.
	Blocked []Blocker `json:"blocked,omitempty"`
	// Private is the step's own state between Plan and Apply (a generated key, a parsed chain).
	Private any `json:"-"`
}

// Empty reports whether the plan changes nothing and asks nothing of the admin.
func (p *Plan) Empty() bool {
	if p == nil {
		return true
	}
	for _, f := range p.Files {
		if f.Action != Unchanged {
			return false
		}
	}
	for _, r := range p.Remote {
		if r.Action != Unchanged {
			return false
		}
	}
	return len(p.Commands) == 0 && len(p.GUI) == 0 && p.Irreversible == nil
}

// FileAction is what happens to one file.
type FileAction string

const (
	Create    FileAction = "create"
	Modify    FileAction = "modify"
	Unchanged FileAction = "unchanged"
)

// FileChange is one file a plan writes. Data is the complete new content.
type FileChange struct {
	Path   string      `json:"path"`
	Action FileAction  `json:"action"`
	Why    string      `json:"why,omitempty"`
	Backup bool        `json:"backup"`         // a timestamped backup is made first
	Diff   string      `json:"diff,omitempty"` // unified diff for text files
	Mode   fs.FileMode `json:"mode,omitempty"` // for new files; existing files keep theirs, except an owner-only Sensitive file (a key), which is always written owner-only
	// Secret content (a private key, a PFX) is never shown, only described.
	Sensitive bool   `json:"sensitive,omitempty"`
	Data      []byte `json:"-"`
	// BaseSHA256 is the hex digest of the file when planned; ApplyFiles refuses
	// to overwrite a file that changed since.
	BaseSHA256 string `json:"-"`
	// Verify checks the bytes before they are written (re-open a keystore,
	// re-parse a file); safefile then proves the disk holds exactly them.
	Verify func(content []byte) error `json:"-"`
	// Locked: the run holds the file's lock since before this plan read it
	// (PlanLocked); ApplyFiles writes it without taking the lock again.
	Locked bool `json:"-"`
}

// KeystoreChange is one entry a plan adds to (or finds in) a Java keystore.
type KeystoreChange struct {
	Keystore string `json:"keystore"`
	Alias    string `json:"alias"`
	Subject  string `json:"subject"`
	SHA256   string `json:"sha256"`
	Action   string `json:"action"` // add, replace, present
}

// Command is something the admin runs on another machine because ccewiz cannot.
type Command struct {
	Host   string `json:"host" yaml:"host"`
	Shell  string `json:"shell" yaml:"shell"` // powershell, cmd, sh
	Script string `json:"script" yaml:"script"`
	Why    string `json:"why,omitempty" yaml:"why,omitempty"`
}

// GUIEntry is a value to type into a GUI ccewiz cannot drive.
type GUIEntry struct {
	Where string `json:"where" yaml:"where"` // "ECE › Administration › Partition: default › Security › …"
	Field string `json:"field" yaml:"field"`
	Value string `json:"value" yaml:"value"`
}

// Irreversible guards a change that cannot be undone.
type Irreversible struct {
	What    string `json:"what"`
	Confirm string `json:"confirm"` // the exact text the user must type
}

// Outcome is what Apply did. Apply never edits the answers (a UI may run it
// in the background while the admin edits them): what it has to record goes
// here, and the driver calls Record on the goroutine that owns the answers.
type Outcome struct {
	Written []Written `json:"written,omitempty"`
	Results []Result  `json:"results,omitempty"`
	Notes   []string  `json:"notes,omitempty"`
	// Confirmed is the admin's confirmation of a permanent change (the
	// integration step's Save), for the driver to record (RecordIn).
	Confirmed *Confirmation `json:"confirmed,omitempty"`
}

// Confirmation is when the admin confirmed a permanent change, and the
// value they typed to confirm it (the integration step: the Application
// Instance). The engine keeps it under flows.<id>.confirmed.<step>.
type Confirmation struct {
	At       string `json:"at" yaml:"at"` // RFC 3339
	Instance string `json:"instance" yaml:"instance,omitempty"`
}

// Written is one file Apply wrote and where the previous version went.
type Written struct {
	Path   string `json:"path" yaml:"path"`
	Backup string `json:"backup,omitempty" yaml:"backup,omitempty"`
}

// ErrBadInput marks errors caused by what the user gave (exit code 2).
var ErrBadInput = errors.New("bad input")

// BadInput wraps err so callers can tell user mistakes (exit 2) from failures (exit 1).
func BadInput(err error) error {
	if err == nil {
		return nil
	}
	return &badInput{err}
}

type badInput struct{ err error }

func (b *badInput) Error() string        { return b.err.Error() }
func (b *badInput) Unwrap() []error      { return []error{b.err, ErrBadInput} }
func (b *badInput) Is(target error) bool { return target == ErrBadInput }

// Env is what steps get from whoever drives them.
type Env struct {
	Answers *Answers
	// AnswersPath is the answers file; relative paths in it resolve from its folder.
	AnswersPath string
	// Secrets caches passwords typed in this session, by field key. Never saved.
	Secrets map[string]secret.Secret
	// Prompt asks for a password when neither the cache nor the Ref has one. May be nil (headless).
	Prompt secret.Prompter
	// Progress receives the current stage ("connecting to dc1.example.local:3269…"). May be nil.
	Progress func(stage string)
	// Now is the clock (tests fix it).
	Now func() time.Time
	// Timeout bounds each network operation.
	Timeout time.Duration
	// User is who drives this session (the OS user; serve: the SSH user),
	// recorded with what they confirm.
	User string
	// Flow is the flow the step runs in, for a step that needs its siblings
	// (an irreversible step's guard). Drivers set it; nil outside a flow.
	Flow []Step
	// FlowID names the flow, so its progress and ticks are its own
	// (FlowProgress, FlowTicks); "" is the ECE flow.
	FlowID string
}
