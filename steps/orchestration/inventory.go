package orchestration

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/aymanbagabas/go-udiff"

	"ccewiz/inventoryconf"
	"ccewiz/steps"
)

// inventoryStep writes inventory.conf from the answers — or keeps the one
// the admin exported and edited when it passes the checker — and prints
// the export and import dialogues of Cloud Connect's CLI.
type inventoryStep struct{}

func (inventoryStep) ID() string         { return "inventory" }
func (inventoryStep) Title() string      { return "inventory.conf: the deployment as Cloud Connect sees it" }
func (inventoryStep) ShortTitle() string { return "inventory.conf" }
func (inventoryStep) GuideStep() string  { return "5" }
func (inventoryStep) Intro() string {
	return "Cloud Connect learns the deployment from inventory.conf: YAML, indentation-sensitive, LF line endings, Windows " +
		"components in upper case, a case-sensitive deploymentType. Export it with `utils system inventory export`, edit it, " +
		"and import it with `utils system inventory import` — or let ccewiz write it from the answers in the export's own layout."
}

func (inventoryStep) Fields() []steps.Field {
	f := steps.TextField("orchestration.inventory_file", "inventory.conf", "the file to write, or the exported and edited one to check (default orchestration/inventory.conf)",
		func(a *steps.Answers) *string { return &Of(a).InventoryFile })
	srv := steps.TextField("orchestration.sftp.server", "SFTP server", "IP or FQDN of the SFTP server export and import use",
		func(a *steps.Answers) *string { return &Of(a).SFTP.Server })
	user := steps.TextField("orchestration.sftp.user", "SFTP user", "a user with read/write access there",
		func(a *steps.Answers) *string { return &Of(a).SFTP.User })
	dir := steps.TextField("orchestration.sftp.dir", "SFTP folder", "in UNIX form, e.g. /voice/ipcc/enterprise/orchestration",
		func(a *steps.Answers) *string { return &Of(a).SFTP.Dir })
	dir.Validate = func(_ *steps.Answers, s string) error {
		if s != "" && (strings.Contains(s, `\`) || !strings.HasPrefix(s, "/")) {
			return fmt.Errorf("%q: the folder is in UNIX form, e.g. /voice/ipcc/enterprise/orchestration", s)
		}
		return nil
	}
	return []steps.Field{f, srv, user, dir}
}

func (inventoryStep) Needed(*steps.Answers) (steps.Need, string) {
	return steps.Required, "orchestration patches only what inventory.conf lists"
}

func (s inventoryStep) Plan(_ context.Context, env *steps.Env) (*steps.Plan, error) {
	if errs := steps.ValidateFields(env.Answers, s.Fields()); len(errs) > 0 {
		return nil, steps.BadInput(errs[0])
	}
	o := Of(env.Answers)
	want, err := inventoryconf.Write(Inventory(o))
	if err != nil {
		return nil, steps.BadInput(fmt.Errorf("the answers do not make a valid inventory.conf: %w (step Prerequisites)", err))
	}
	path := inventoryFile(env)
	p := &steps.Plan{Step: s.ID()}
	old, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		p.Files = []steps.FileChange{{Path: path, Action: steps.Create, Data: want, Mode: 0o644, Why: "written from the answers in the export's layout", Verify: verifyInventory(o)}}
	case err != nil:
		return nil, err
	default:
		if _, fs := inventoryconf.Check(old, expect(o)); len(fs) == 0 {
			p.Files = []steps.FileChange{{Path: path, Action: steps.Unchanged, Why: "it passes every check and lists every node of the answers"}}
		} else {
			p.Files = []steps.FileChange{{Path: path, Action: steps.Modify, Data: want, Backup: true, BaseSHA256: steps.SHA256Hex(old), Verify: verifyInventory(o),
				Why:  fmt.Sprintf("%d problem(s), the first: %s — written again from the answers (the old file is backed up)", len(fs), fs[0]),
				Diff: udiff.Unified(path, path+" (from the answers)", string(old), string(want))}}
		}
	}
	p.Summary = fmt.Sprintf("%s: %d VOS and %d Windows node(s), %s", path, len(expect(o).VOS), len(expect(o).Windows), o.Deployment.Type)
	p.Commands = []steps.Command{{Host: orDefault(norm(o.CloudConnect.Publisher), "<Cloud Connect publisher>"), Shell: "VOS CLI over SSH",
		Script: "# copy " + path + " to the SFTP server first, as inventory.conf in the folder below\nutils system inventory import\n" +
			"#  SFTP server: " + orDefault(o.SFTP.Server, "<IP or FQDN>") + "\n#  user: " + orDefault(o.SFTP.User, "<SFTP user>") + "\n#  password: type it\n" +
			"#  folder: " + orDefault(o.SFTP.Dir, "/voice/ipcc/enterprise/orchestration") + "\n#  replace the current inventory? yes\n" +
			"# to start from Cloud Connect's own file instead: utils system inventory export (same values),\n#  edit it, and ccewiz orchestration inventory check inventory.conf",
		Why: "only Cloud Connect's CLI imports the inventory"}}
	return p, nil
}

func verifyInventory(o *Answers) func([]byte) error {
	return func(b []byte) error {
		if _, fs := inventoryconf.Check(b, expect(o)); len(fs) > 0 {
			return fmt.Errorf("inventory.conf would not pass its own check: %s", fs[0])
		}
		return nil
	}
}

func (inventoryStep) Apply(_ context.Context, env *steps.Env, p *steps.Plan) (*steps.Outcome, error) {
	return steps.ApplyFiles(env, p)
}

func (inventoryStep) Checks() []steps.Check {
	return []steps.Check{
		{ID: "inventory.file", Title: "inventory.conf passes every check and lists every node", Run: func(_ context.Context, env *steps.Env) steps.Result {
			path := inventoryFile(env)
			data, err := os.ReadFile(path)
			if err != nil {
				return steps.Result{Status: steps.Fail, Detail: err.Error(), Fix: "ccewiz apply --flow orchestration --step inventory writes it from the answers"}
			}
			_, fs := inventoryconf.Check(data, expect(Of(env.Answers)))
			if len(fs) == 0 {
				return steps.Result{Status: steps.Pass, Detail: path + " is clean and lists every node of the answers"}
			}
			var lines []string
			for i, f := range fs {
				if i == 5 {
					lines = append(lines, fmt.Sprintf("… and %d more", len(fs)-5))
					break
				}
				lines = append(lines, f.String())
			}
			return steps.Result{Status: steps.Fail, Detail: path + ": " + strings.Join(lines, "\n"),
				Fix: fs[0].Fix + " (or ccewiz apply --flow orchestration --step inventory writes it from the answers)"}
		}},
		{ID: "inventory.imported", Title: "Cloud Connect imported inventory.conf", Manual: true,
			What: "`utils system inventory import` on the Cloud Connect publisher ended with success after answering yes to replace the inventory"},
	}
}
