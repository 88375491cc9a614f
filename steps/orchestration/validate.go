package orchestration

import (
	"context"
	"fmt"
	"net"
	"os"

	"golang.org/x/crypto/ssh"

	"ccewiz/authkeys"
	"ccewiz/steps"
)

// validateStep closes the flow: every check above again, the logon with
// Cloud Connect's key where ccewiz holds it, and Cloud Connect's own
// `utils deployment test-connection` as the manual item.
type validateStep struct{}

func (validateStep) ID() string            { return "validate" }
func (validateStep) Title() string         { return "Validation: every node ready for orchestration" }
func (validateStep) ShortTitle() string    { return "Validation" }
func (validateStep) GuideStep() string     { return "6" }
func (validateStep) Fields() []steps.Field { return nil }
func (validateStep) Checks() []steps.Check { return validateStep{}.ChecksFor(nil) }
func (validateStep) Intro() string {
	return "Cloud Connect's `utils deployment test-connection` tests every onboarded node. ccewiz first re-runs every check of the flow, " +
		"and where it holds a key Cloud Connect's key file lists (orchestration.proof_key: the lab's), logs on to each Windows node with it."
}

func (validateStep) Needed(*steps.Answers) (steps.Need, string) {
	return steps.Required, "the flow is done when Cloud Connect reaches every node"
}

func (s validateStep) Plan(context.Context, *steps.Env) (*steps.Plan, error) {
	return &steps.Plan{Step: s.ID(), Summary: "nothing to change: the checks below are the validation"}, nil
}

func (validateStep) Apply(context.Context, *steps.Env, *steps.Plan) (*steps.Outcome, error) {
	return &steps.Outcome{}, nil
}

func (validateStep) ChecksFor(a *steps.Answers) []steps.Check {
	var out []steps.Check
	if a != nil {
		for _, h := range windowsHosts(Of(a)) {
			out = append(out, steps.Check{ID: "validate." + h.Name + ".login", Title: "Cloud Connect's key logs on to " + h.Name, Run: func(ctx context.Context, env *steps.Env) steps.Result {
				return checkLogin(ctx, env, h)
			}})
		}
	}
	return append(out, steps.Check{ID: "validate.test-connection", Title: "utils deployment test-connection succeeds", Manual: true,
		What: "On the Cloud Connect publisher, `utils deployment test-connection` reports every VOS and Windows node as reachable"})
}

func checkLogin(ctx context.Context, env *steps.Env, h winHost) steps.Result {
	o := Of(env.Answers)
	if o.ProofKey == "" {
		return steps.Result{Status: steps.Skip, Detail: "ccewiz holds no private key Cloud Connect's key file lists (orchestration.proof_key); windows." + h.Name + ".sshd and utils deployment test-connection prove the rest"}
	}
	pem, err := os.ReadFile(env.Path(o.ProofKey))
	if err != nil {
		return steps.Result{Status: steps.Fail, Detail: err.Error(), Fix: "give orchestration.proof_key as a readable OpenSSH private key, or remove it"}
	}
	signer, err := ssh.ParsePrivateKey(pem)
	if err != nil {
		return steps.Result{Status: steps.Fail, Detail: fmt.Sprintf("%s: %v", o.ProofKey, err), Fix: "orchestration.proof_key must be an unencrypted OpenSSH or PEM private key"}
	}
	login, err := authkeys.ProveLogin(ctx, net.JoinHostPort(h.Name, "22"), sshUser(o.WindowsUser), signer, env.Dial)
	if err != nil {
		return steps.Result{Status: steps.Fail, Detail: err.Error(),
			Fix: "ccewiz apply --flow orchestration --step windows (or its script on " + h.Name + "), then Restart-Service sshd there; on Windows, check the key file's ACL"}
	}
	return steps.Result{Status: steps.Pass, Detail: fmt.Sprintf("logged on to %s as %s with %s (%s, host key %s)", login.Addr, login.User, ssh.FingerprintSHA256(signer.PublicKey()), login.Server, login.HostKey)}
}
