package cli

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/crypto/ssh"

	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/internal/decision"
	"github.com/dre-dev/dre/workflows"
)

// decider is what the user said about who decides and with which key:
// the --as, --sign and --note flags of every decision command.
type decider struct {
	as, signRef, note string
}

// addDeciderFlags adds --as, --sign and --note to a decision command.
func addDeciderFlags(cmd *cobra.Command, who *decider) {
	addSigningFlags(cmd, who)
	cmd.Flags().StringVar(&who.note, "note", "", "a note for the audit log")
}

// addSigningFlags adds --as and --sign, for decision commands that say
// why in a flag of their own (--reason) or not at all.
func addSigningFlags(cmd *cobra.Command, who *decider) {
	fl := cmd.Flags()
	fl.StringVar(&who.as, "as", "", "your person ID under people: in dre.yaml (default: the signing key's owner; unsigned: cli:$USER)")
	fl.StringVar(&who.signRef, "sign", "", "signing key: SHA256 fingerprint in ssh-agent, .pub file, or private key file (default: DRE_SIGNING_KEY, else ssh-agent's only key)")
}

// signingHelp is the part of a decision command's help that says how the
// decision is signed; the worker checks who may decide.
const signingHelp = `The decision is signed with your SSH key, which dre.yaml lists under
people.<your ID>.keys: --sign (or DRE_SIGNING_KEY) names the key as a
fingerprint (SHA256:... of a key in ssh-agent), a .pub file (its private
half in ssh-agent) or an unencrypted private key file; without either, the
only key in ssh-agent signs when SSH_AUTH_SOCK is set and --as names you.
--as is your person ID under people: in dre.yaml; when signing it defaults
to the owner of the key. The worker verifies the signature and applies
the authz: rules of its dre.yaml (who may take this decision; nobody
approves their own request); the audit log records the key's fingerprint.

Without a key the decision is sent unsigned, as --as (default cli:$USER):
the worker accepts it only if its dre.yaml sets decisions.allow_unsigned
(the demo does), and records it as unverified.`

// proof signs action on workflow id about target: signed when a key is
// named (--sign, DRE_SIGNING_KEY) or when ssh-agent runs and --as names a
// person with keys in dre.yaml; unsigned otherwise, which the worker
// accepts only under decisions.allow_unsigned. It returns who decides.
func (g *globals) proof(cfg *config.Config, stderr io.Writer, id, action, target string, who decider) (string, workflows.Proof, error) {
	ref := who.signRef
	if ref == "" {
		ref, _ = g.opts.Env("DRE_SIGNING_KEY")
	}
	socket, _ := g.opts.Env("SSH_AUTH_SOCK")
	if ref == "" && (socket == "" || !hasKeys(cfg, who.as)) {
		by := orDefault(who.as, g.cliActor())
		fmt.Fprintf(stderr, "sending an unsigned %s as %s: the worker accepts it only if its dre.yaml sets decisions.allow_unsigned; sign with --sign <key> or DRE_SIGNING_KEY\n",
			action, by)
		return by, workflows.Proof{}, nil
	}
	signer, err := decision.OpenSigner(ref, socket)
	if err != nil {
		return "", workflows.Proof{}, err
	}
	// Closing only drops the agent connection, after the signature is made.
	defer func() { _ = signer.Close() }()
	return signProof(cfg, signer, id, action, target, who.as)
}

// hasKeys reports whether dre.yaml lists keys for the person id.
func hasKeys(cfg *config.Config, id string) bool {
	p, err := cfg.People.Person(id)
	return err == nil && len(p.Keys) > 0
}

// signProof signs action on workflow id about target as the person as, or
// as the owner of the key in dre.yaml when as is empty.
func signProof(cfg *config.Config, signer ssh.Signer, id, action, target, as string) (string, workflows.Proof, error) {
	by := as
	if by == "" {
		owner, _, err := cfg.People.ByFingerprint(ssh.FingerprintSHA256(signer.PublicKey()))
		if err != nil {
			return "", workflows.Proof{}, fmt.Errorf("who signs? %w; or say --as <your person ID>", err)
		}
		by = owner.ID
	}
	nonce, err := decision.NewNonce()
	if err != nil {
		return "", workflows.Proof{}, err
	}
	d := decision.Decision{WorkflowID: id, Action: action, Target: target, Decider: by, At: time.Now().UTC(), Nonce: nonce}
	sig, err := decision.Sign(d, signer)
	if err != nil {
		return "", workflows.Proof{}, err
	}
	return by, workflows.Proof{Signature: sig, At: d.At, Nonce: nonce}, nil
}
