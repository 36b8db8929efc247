package cli

import (
	"fmt"
	"io"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/internal/decision"
	"github.com/dre-dev/dre/workflows"
)

// accessDecider is what the user said about who decides and with which key.
type accessDecider struct {
	as, signRef, note string
}

// accessDecision builds the decision to send on request id: signed when a
// key is named (--sign, DRE_SIGNING_KEY) or when ssh-agent runs and --as
// names a person with keys in dre.yaml; unsigned otherwise, which the
// worker accepts only under decisions.allow_unsigned.
func (g *globals) accessDecision(cfg *config.Config, stderr io.Writer, id, action string, who accessDecider) (workflows.AccessDecision, error) {
	ref := who.signRef
	if ref == "" {
		ref, _ = g.opts.Env("DRE_SIGNING_KEY")
	}
	socket, _ := g.opts.Env("SSH_AUTH_SOCK")
	if ref == "" && (socket == "" || !hasKeys(cfg, who.as)) {
		fmt.Fprintf(stderr, "sending an unsigned %s as %s: the worker accepts it only if its dre.yaml sets decisions.allow_unsigned; sign with --sign <key> or DRE_SIGNING_KEY\n",
			action, orDefault(who.as, g.cliActor()))
		return workflows.AccessDecision{By: orDefault(who.as, g.cliActor()), Note: who.note}, nil
	}
	signer, err := decision.OpenSigner(ref, socket)
	if err != nil {
		return workflows.AccessDecision{}, err
	}
	// Closing only drops the agent connection, after the signature is made.
	defer func() { _ = signer.Close() }()
	return signAccessDecision(cfg, signer, id, action, who)
}

// hasKeys reports whether dre.yaml lists keys for the person id.
func hasKeys(cfg *config.Config, id string) bool {
	p, err := cfg.People.Person(id)
	return err == nil && len(p.Keys) > 0
}

// signAccessDecision signs action on request id as who.as, or as the
// owner of the key in dre.yaml when --as is not given.
func signAccessDecision(cfg *config.Config, signer ssh.Signer, id, action string, who accessDecider) (workflows.AccessDecision, error) {
	dataset, ok := workflows.AccessRequestDataset(id)
	if !ok {
		return workflows.AccessDecision{}, fmt.Errorf("%q is not an access request ID (access-request/<dataset>/<requester>/<id>; see dre access list)", id)
	}
	by := who.as
	if by == "" {
		owner, _, err := cfg.People.ByFingerprint(ssh.FingerprintSHA256(signer.PublicKey()))
		if err != nil {
			return workflows.AccessDecision{}, fmt.Errorf("who signs? %w; or say --as <your person ID>", err)
		}
		by = owner.ID
	}
	nonce, err := decision.NewNonce()
	if err != nil {
		return workflows.AccessDecision{}, err
	}
	d := decision.Decision{WorkflowID: id, Action: action, Target: dataset, Decider: by, At: time.Now().UTC(), Nonce: nonce}
	sig, err := decision.Sign(d, signer)
	if err != nil {
		return workflows.AccessDecision{}, err
	}
	return workflows.AccessDecision{By: by, Note: who.note, Signature: sig, At: d.At, Nonce: nonce}, nil
}
