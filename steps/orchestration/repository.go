package orchestration

import (
	"context"
	"fmt"
	"time"

	"ccewiz/steps"
)

// The image repository of the guide's step 2.
const (
	RepositoryURL  = "https://devhub-download.cisco.com/binaries"
	RepositoryName = "ent-platform-release-external"
	DevhubConsole  = "https://devhub-download.cisco.com/console/"
	EULAURL        = "https://software.cisco.com/download/eula"
)

// repositoryStep is Artifactory: a key made on a web page, typed into
// Cloud Connect's CLI. ccewiz never sees the key; it records the day it
// was made, because the key lapses after six months without a login.
type repositoryStep struct{}

func (repositoryStep) ID() string         { return "repository" }
func (repositoryStep) Title() string      { return "Artifactory key and Cloud Connect's image repository" }
func (repositoryStep) ShortTitle() string { return "Image repository" }
func (repositoryStep) GuideStep() string  { return "1–2" }
func (repositoryStep) Intro() string {
	return "Cloud Connect downloads Cisco's patches from Artifactory with an API key made at devhub with a CCO ID that has " +
		"a software-upgrade entitlement. Accept the EULA with that CCO ID first, or `utils image-repository set` fails (CSCvy78680). " +
		"The key lapses unless someone logs in to devhub at least every six months; ccewiz keeps the day, never the key."
}

func (repositoryStep) Fields() []steps.Field {
	f := steps.TextField("orchestration.repository.key_generated", "Key made on", "the day the Artifactory API key was generated, YYYY-MM-DD",
		func(a *steps.Answers) *string { return &Of(a).Repository.KeyGenerated })
	f.Validate = func(_ *steps.Answers, s string) error {
		if s == "" {
			return nil
		}
		if _, err := time.Parse(time.DateOnly, s); err != nil {
			return fmt.Errorf("%q: give the day as YYYY-MM-DD", s)
		}
		return nil
	}
	return []steps.Field{f}
}

func (repositoryStep) Needed(*steps.Answers) (steps.Need, string) {
	return steps.Required, "without the repository Cloud Connect downloads nothing to install"
}

func (s repositoryStep) Plan(_ context.Context, env *steps.Env) (*steps.Plan, error) {
	if errs := steps.ValidateFields(env.Answers, s.Fields()); len(errs) > 0 {
		return nil, steps.BadInput(errs[0])
	}
	pub := orDefault(norm(Of(env.Answers).CloudConnect.Publisher), "<Cloud Connect publisher>")
	return &steps.Plan{Step: s.ID(), Summary: "make the Artifactory key, then set the image repository on " + pub,
		GUI: []steps.GUIEntry{
			{Where: EULAURL + " (with the CCO ID)", Field: "EULA", Value: "accept it first, or the set command fails (CSCvy78680)"},
			{Where: DevhubConsole + " › Manage Download Key", Field: "Generate Key", Value: "then Copy; record today's date in orchestration.repository.key_generated"},
		},
		Commands: []steps.Command{{Host: pub, Shell: "VOS CLI over SSH (publisher only: it is replicated)", Script: "utils image-repository set\n" +
			"#  URL: " + RepositoryURL + "\n#  repository: " + RepositoryName + "\n#  API key: paste it (masked)\n" +
			"utils image-repository show\n# downloads run at 02:00 server time, or 10 minutes after a restart;\n" +
			"# orchestration commands wait for a running download",
			Why: "only Cloud Connect's CLI takes the key"}}}, nil
}

func (repositoryStep) Apply(context.Context, *steps.Env, *steps.Plan) (*steps.Outcome, error) {
	return &steps.Outcome{}, nil
}

func (repositoryStep) Checks() []steps.Check {
	return []steps.Check{
		{ID: "repository.key-age", Title: "The Artifactory key has not lapsed", Run: func(_ context.Context, env *steps.Env) steps.Result {
			return keyAge(Of(env.Answers).Repository.KeyGenerated, env.Now())
		}},
		{ID: "repository.eula", Title: "The EULA is accepted with the CCO ID of the key", Manual: true,
			What: "At " + EULAURL + ", the CCO ID that made the Artifactory key accepted the EULA (without it utils image-repository set fails: CSCvy78680)"},
		{ID: "repository.show", Title: "utils image-repository show names Cisco's repository", Manual: true,
			What: "On the Cloud Connect publisher, `utils image-repository show` gives the URL " + RepositoryURL + " and the repository " + RepositoryName},
	}
}

// keyAge warns a month before the six months run out, and fails after:
// devhub disables a key nobody logged in with for six months.
func keyAge(day string, now time.Time) steps.Result {
	if day == "" {
		return steps.Result{Status: steps.Fail, Detail: "the day the Artifactory key was made is not recorded",
			Fix: "generate the key at " + DevhubConsole + " (Manage Download Key) and answer orchestration.repository.key_generated"}
	}
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return steps.Result{Status: steps.Fail, Detail: fmt.Sprintf("orchestration.repository.key_generated %q is not YYYY-MM-DD", day), Fix: "answer it as YYYY-MM-DD"}
	}
	lapse := t.AddDate(0, 6, 0)
	switch {
	case now.After(lapse):
		return steps.Result{Status: steps.Fail, Detail: fmt.Sprintf("the key made on %s lapsed on %s unless someone logged in to devhub since", day, lapse.Format(time.DateOnly)),
			Fix: "log in to " + DevhubConsole + " with the CCO ID (or make a new key and run utils image-repository set again), then record the day"}
	case now.After(lapse.AddDate(0, -1, 0)):
		return steps.Result{Status: steps.Warn, Detail: fmt.Sprintf("the key made on %s lapses on %s", day, lapse.Format(time.DateOnly)),
			Fix: "log in to " + DevhubConsole + " with the CCO ID before then, and record the day in orchestration.repository.key_generated"}
	}
	return steps.Result{Status: steps.Pass, Detail: fmt.Sprintf("made on %s; log in to devhub before %s to keep it", day, lapse.Format(time.DateOnly))}
}
