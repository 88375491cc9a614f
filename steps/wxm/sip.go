package wxm

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/aymanbagabas/go-udiff"

	"ccewiz/javaprops"
	"ccewiz/safefile"
	"ccewiz/steps"
)

// DefaultSIPProperties is sip.properties on a default CVP install.
const DefaultSIPProperties = `C:\Cisco\CVP\conf\sip.properties`

// passwordKey is written by OAMP, encrypted: ccewiz checks that it is
// there and never reads its value into anything it shows.
const passwordKey = "SIP.CloudConnect.password"

// sipKey is one key the Call Server needs, with the value it must have.
type sipKey struct {
	Key   string
	Value func(w *Answers) string
}

// sipKeys are the keys of Cisco's guide, in its order. Five of them are
// spelt "ClouConnect" by Cisco: CVP reads them so, and "correcting" them
// breaks the survey.
var sipKeys = []sipKey{
	{"SIP.CloudConnect.publisherAddress", func(w *Answers) string { return normFQDN(w.CloudConnect.Publisher) }},
	{"SIP.CloudConnect.subscriberAddress", func(w *Answers) string { return normFQDN(w.CloudConnect.Subscriber) }},
	{"SIP.CloudConnect.username", func(w *Answers) string { return w.CVP.Username }},
	{"SIP.CloudConnect.RequestTimeout", fixed("10000")},
	{"SIP.ClouConnect.CreateMeetingApi", fixed("/evapoint/meeting/create")},
	{"SIP.ClouConnect.DeleteMeetingApi", fixed("/evapoint/meeting/end")},
	{"SIP.ClouConnect.StatusApi", fixed("/evapoint/status")},
	{"SIP.ClouConnect.SurveyEndPointApi", fixed("/cherrypoint/surveyendpoint")},
	{"SIP.ClouConnect.AuthTokenApi", fixed("/cherrypoint/authtoken")},
	{"SIP.CloudCherry.CustomerID", fixed("icm")},
	{"SIP.CloudCherry.CustomerEmailID", func(w *Answers) string { return w.CVP.CustomerEmail }},
	{"SIP.CloudCherry.SurveyValidityTime", fixed("300000")},
}

func fixed(v string) func(*Answers) string { return func(*Answers) string { return v } }

// The Call Studio opt-in application's values (the guide's; e-mail and
// mobile come from the caller's answers in the application).
const (
	externalVXML0 = "cc_CustomerId={Data.Element.OptSurvey.cid};Email=<e-mail>;Mobile=<number>;cc_language=en-us"
	externalVXML1 = "Optin={Data.Element.OptSurvey.value}"
)

// sipStep makes every Call Server's sip.properties hold the Cloud Connect
// keys, changing nothing else in it.
type sipStep struct{}

func (sipStep) ID() string         { return "sip" }
func (sipStep) Title() string      { return "CVP Call Servers' sip.properties" }
func (sipStep) ShortTitle() string { return "CVP sip.properties" }
func (sipStep) Intro() string {
	return "OAMP pushes the Cloud Connect details into every Call Server's sip.properties; when a file lacks them, " +
		"the Call Server cannot send the survey's dispatch requests to Cloud Connect. ccewiz adds or corrects each key, " +
		"keeping every other byte of the file, and keeps Cisco's own spelling \"ClouConnect\" of five keys. " +
		"The password key is OAMP's to write: ccewiz only checks that it is there."
}

func (sipStep) Fields() []steps.Field {
	files := steps.ListField("wxm.cvp.sip_properties", "Call Servers' sip.properties",
		`comma-separated paths as this machine reaches them, e.g. \\cvp1\c$\Cisco\CVP\conf\sip.properties`,
		func(a *steps.Answers) *[]string { return &Of(a).CVP.SIPProperties })
	files.Default = func(*steps.Answers) string { return DefaultSIPProperties }
	files.Validate = func(_ *steps.Answers, v string) error {
		if len(steps.SplitList(v)) == 0 {
			return fmt.Errorf("give the path of at least one sip.properties (default %s)", DefaultSIPProperties)
		}
		return nil
	}
	user := steps.TextField("wxm.cvp.username", "Cloud Connect user", "the Cloud Connect application user, as entered in NOAMP › Integration › Cloud Connect",
		func(a *steps.Answers) *string { return &Of(a).CVP.Username })
	user.Validate = func(_ *steps.Answers, v string) error {
		if strings.TrimSpace(v) == "" {
			return fmt.Errorf("give the Cloud Connect application user (the one NOAMP › Integration › Cloud Connect has)")
		}
		return nil
	}
	mail := steps.TextField("wxm.cvp.customer_email", "Customer e-mail ID", "SIP.CloudCherry.CustomerEmailID: the address in WxM's onboarding mail",
		func(a *steps.Answers) *string { return &Of(a).CVP.CustomerEmail })
	mail.Validate = func(_ *steps.Answers, v string) error {
		if at := strings.Index(v, "@"); at <= 0 || at == len(v)-1 || strings.ContainsAny(v, " \t\r\n") {
			return fmt.Errorf("%q is not an e-mail address; give the one in WxM's onboarding mail", v)
		}
		return nil
	}
	return []steps.Field{files, user, mail}
}

func (sipStep) Needed(*steps.Answers) (steps.Need, string) {
	return steps.Required, "without these keys no Call Server can send a survey to Cloud Connect"
}

// sipFiles are the files named, or the default one.
func sipFiles(w *Answers) []string {
	if len(w.CVP.SIPProperties) == 0 {
		return []string{DefaultSIPProperties}
	}
	return w.CVP.SIPProperties
}

// sipWant is every key with its value for these answers; a key whose
// answer is missing is a bad input, named.
func sipWant(w *Answers) ([][2]string, error) {
	var out [][2]string
	for _, k := range sipKeys {
		v := k.Value(w)
		if v == "" {
			return nil, steps.BadInput(fmt.Errorf("%s needs an answer first: %s", k.Key, answerFor(k.Key)))
		}
		out = append(out, [2]string{k.Key, v})
	}
	return out, nil
}

func answerFor(key string) string {
	switch key {
	case "SIP.CloudConnect.publisherAddress":
		return "wxm.cloud_connect.publisher (step Prerequisites)"
	case "SIP.CloudConnect.subscriberAddress":
		return "wxm.cloud_connect.subscriber (step Prerequisites)"
	case "SIP.CloudConnect.username":
		return "wxm.cvp.username"
	case "SIP.CloudCherry.CustomerEmailID":
		return "wxm.cvp.customer_email"
	}
	return "nothing to answer"
}

// readSIP reads one sip.properties, bounded, with a message that says
// where the file is when it is not there.
func readSIP(env *steps.Env, path string) ([]byte, *javaprops.File, error) {
	data, err := safefile.Read(env.Path(path), safefile.MaxSmall)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil, steps.BadInput(fmt.Errorf("read %s: no such file; sip.properties is %s on a default CVP install (from another machine: \\\\cvp1\\c$\\Cisco\\CVP\\conf\\sip.properties); set wxm.cvp.sip_properties", path, DefaultSIPProperties))
	case errors.Is(err, fs.ErrPermission):
		return nil, nil, fmt.Errorf("read %s: permission denied; run as an administrator of that Call Server", path)
	case err != nil:
		return nil, nil, fmt.Errorf("read %s: %w", path, err)
	}
	f, err := javaprops.Parse(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w; fix that line first (the Call Server cannot read the file either)", path, err)
	}
	return data, f, nil
}

// shown is the file as ccewiz may show it in a diff: the password's value
// masked, and CRLF shown as LF (the file keeps its own line endings).
func shown(data []byte) string {
	f, err := javaprops.Parse(data)
	if err != nil {
		return ""
	}
	if _, ok := f.Get(passwordKey); ok {
		f.Set(passwordKey, "********")
	}
	return strings.ReplaceAll(string(f.Bytes()), "\r\n", "\n")
}

func (s sipStep) Plan(_ context.Context, env *steps.Env) (*steps.Plan, error) {
	w := Of(env.Answers)
	want, err := sipWant(w)
	if err != nil {
		return nil, err
	}
	p := &steps.Plan{Step: s.ID()}
	changed := 0
	for _, path := range sipFiles(w) {
		old, f, err := readSIP(env, path)
		if err != nil {
			return nil, err
		}
		var set []string
		for _, kv := range want {
			if f.Set(kv[0], kv[1]) {
				set = append(set, kv[0])
			}
		}
		fc := steps.FileChange{Path: env.Path(path), Action: steps.Unchanged, Why: "every Cloud Connect key already has its value"}
		if len(set) > 0 {
			changed++
			newData := f.Bytes()
			fc = steps.FileChange{Path: env.Path(path), Action: steps.Modify, Backup: true, Data: newData,
				BaseSHA256: steps.SHA256Hex(old), Verify: verifySIP(want, old),
				Why:  fmt.Sprintf("adds or corrects %d of the %d Cloud Connect keys (the diff shows which); every other line stays as it is", len(set), len(want)),
				Diff: udiff.Unified(path, path+" (patched)", shown(old), shown(newData))}
		}
		p.Files = append(p.Files, fc)
		if _, ok := f.Get(passwordKey); !ok {
			p.Notes = append(p.Notes, fmt.Sprintf("%s has no %s: in NOAMP › Integration › Cloud Connect, save the Cloud Connect user and password for this Call Server — OAMP writes the password encrypted; ccewiz never writes it", path, passwordKey))
		}
	}
	p.Summary = fmt.Sprintf("%d of %d sip.properties to change", changed, len(p.Files))
	noamp := "NOAMP › Integration › Cloud Connect"
	p.GUI = append(p.GUI,
		steps.GUIEntry{Where: noamp, Field: "Device", Value: "CVP Call Server (each)"},
		steps.GUIEntry{Where: noamp, Field: "Publisher", Value: normFQDN(w.CloudConnect.Publisher) + " (the FQDN, not the IP address)"},
		steps.GUIEntry{Where: noamp, Field: "Subscriber", Value: normFQDN(w.CloudConnect.Subscriber)},
		steps.GUIEntry{Where: noamp, Field: "User name / password", Value: w.CVP.Username + " / its password (OAMP writes it encrypted into sip.properties)"},
		steps.GUIEntry{Where: "Call Studio › the opt-in application › External VXML 0", Field: "value", Value: externalVXML0},
		steps.GUIEntry{Where: "Call Studio › the opt-in application › External VXML 1", Field: "value", Value: externalVXML1})
	if changed > 0 {
		p.GUI = append(p.GUI, steps.GUIEntry{Where: "each changed Call Server › Services (services.msc)", Field: "Cisco CVP CallServer", Value: "Restart — the Call Server reads sip.properties only at start"})
	}
	return p, nil
}

// verifySIP is the check the new bytes pass before they are written: Java
// reads every wanted value from them, and the password line is untouched.
func verifySIP(want [][2]string, old []byte) func([]byte) error {
	return func(b []byte) error {
		f, err := javaprops.Parse(b)
		if err != nil {
			return err
		}
		if problems := missing(f, want); len(problems) > 0 {
			return fmt.Errorf("the patched file still lacks %s", strings.Join(problems, "; "))
		}
		o, _ := javaprops.Parse(old)
		ov, had := o.Get(passwordKey)
		if nv, has := f.Get(passwordKey); had != has || ov != nv {
			return errors.New("the patch changed " + passwordKey + ", which is OAMP's to write")
		}
		return nil
	}
}

// missing says, key by key, what f lacks of want; never a value of the
// password key.
func missing(f *javaprops.File, want [][2]string) []string {
	var out []string
	for _, kv := range want {
		got, ok := f.Get(kv[0])
		switch {
		case !ok:
			out = append(out, kv[0]+" is missing")
		case got != kv[1]:
			out = append(out, fmt.Sprintf("%s is %q, not %q", kv[0], got, kv[1]))
		}
	}
	return out
}

func (sipStep) Apply(_ context.Context, env *steps.Env, p *steps.Plan) (*steps.Outcome, error) {
	return steps.ApplyFiles(env, p)
}

func (s sipStep) Checks() []steps.Check { return s.ChecksFor(nil) }

// ChecksFor checks each file on its own: the report says which Call
// Server is wrong.
func (sipStep) ChecksFor(a *steps.Answers) []steps.Check {
	files := []string{DefaultSIPProperties}
	if a != nil {
		files = sipFiles(Of(a))
	}
	var out []steps.Check
	for i, path := range files {
		id := "sip.keys"
		if len(files) > 1 {
			id = fmt.Sprintf("sip.keys.%d", i+1)
		}
		out = append(out, steps.Check{ID: id, Title: "sip.properties has every Cloud Connect key: " + path, Run: func(_ context.Context, env *steps.Env) steps.Result {
			return checkSIP(env, path)
		}})
	}
	return append(out,
		steps.Check{ID: "sip.noamp", Title: "OAMP has Cloud Connect for every Call Server", Manual: true,
			What: "NOAMP › Integration › Cloud Connect: each CVP Call Server with the publisher and subscriber FQDNs and the Cloud Connect user, saved without “Internal Server Error” (that error means OAMP and the Call Server do not trust each other's certificates)"},
		steps.Check{ID: "sip.callstudio", Title: "The opt-in application passes the caller's answers", Manual: true,
			What: "Call Studio: External VXML 0 = " + externalVXML0 + "; External VXML 1 = " + externalVXML1 + "; the application deployed (deployapp) on every VXML Server"},
		steps.Check{ID: "sip.restarted", Title: "Every Call Server restarted since sip.properties changed", Manual: true,
			What: "Services › Cisco CVP CallServer restarted on each Call Server after its sip.properties changed — it reads the file only at start"})
}

func checkSIP(env *steps.Env, path string) steps.Result {
	want, err := sipWant(Of(env.Answers))
	if err != nil {
		return steps.Result{Status: steps.Fail, Detail: err.Error(), Fix: "answer it: ccewiz wizard --flow wxm"}
	}
	_, f, err := readSIP(env, path)
	var se *javaprops.SyntaxError
	switch {
	case errors.As(err, &se):
		return steps.Result{Status: steps.Fail, Detail: err.Error(), Fix: fmt.Sprintf("correct line %d of %s by hand (the Call Server cannot read the file as it is), then run the check again", se.Line, path)}
	case err != nil:
		return steps.Result{Status: steps.Fail, Detail: err.Error(), Fix: "set wxm.cvp.sip_properties to each Call Server's sip.properties"}
	}
	problems := missing(f, want)
	// A "corrected" spelling is ignored by CVP: say so, it is the usual trap.
	for _, kv := range want {
		if fixedSpelling := strings.Replace(kv[0], "ClouConnect", "CloudConnect", 1); fixedSpelling != kv[0] {
			if _, ok := f.Get(fixedSpelling); ok {
				if _, has := f.Get(kv[0]); !has {
					problems = append(problems, fmt.Sprintf("%s is there, but CVP reads Cisco's spelling %s", fixedSpelling, kv[0]))
				}
			}
		}
	}
	_, hasPassword := f.Get(passwordKey)
	if !hasPassword {
		problems = append(problems, passwordKey+" is missing (OAMP writes it)")
	}
	if len(problems) > 0 {
		var fixes []string
		if len(problems) > 1 || hasPassword {
			fixes = append(fixes, "ccewiz apply --flow wxm --step sip, then restart the Cisco CVP CallServer service")
		}
		if !hasPassword {
			fixes = append(fixes, "in NOAMP › Integration › Cloud Connect, save the Cloud Connect user and password for this Call Server (OAMP writes the password encrypted)")
		}
		fix := strings.Join(fixes, "; and ")
		return steps.Result{Status: steps.Fail, Detail: strings.Join(problems, "; "), Fix: fix}
	}
	return steps.Result{Status: steps.Pass, Detail: fmt.Sprintf("all %d keys, the password set by OAMP", len(want)+1)}
}
