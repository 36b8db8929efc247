package gateway

import (
	"fmt"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/dre-dev/dre/internal/decision"
	"github.com/dre-dev/dre/internal/people"
	"github.com/dre-dev/dre/workflows"
)

// SlackRelay signs the decisions Slack users make, with the gateway's
// own key, after the gateway verified Slack's request signature. The
// workflows accept a Slack user's identity only under this signature,
// so a Temporal client that merely claims a Slack user counts for nothing.
type SlackRelay struct {
	// ID is the people: entry holding the relay's public key
	// (decisions.slack_relay).
	ID     string
	Signer ssh.Signer
}

// NewSlackRelay opens the relay key (gateway.signing_key, an unencrypted
// OpenSSH private key) and checks that dre.yaml lists it under people.id.
func NewSlackRelay(id string, privateKey []byte, dir *people.Directory) (*SlackRelay, error) {
	if id == "" {
		return nil, fmt.Errorf("gateway.signing_key is set but decisions.slack_relay is not: name the people: entry that lists the key's public half")
	}
	signer, err := ssh.ParsePrivateKey(privateKey)
	if err != nil {
		return nil, fmt.Errorf("gateway.signing_key: want an unencrypted OpenSSH private key (ssh-keygen -t ed25519 -N ''): %w", err)
	}
	fp := ssh.FingerprintSHA256(signer.PublicKey())
	owner, _, err := dir.ByFingerprint(fp)
	if err != nil || owner.ID != id {
		return nil, fmt.Errorf("gateway.signing_key's public key %s is not listed under people.%s.keys (decisions.slack_relay); add its .pub line there", fp, id)
	}
	return &SlackRelay{ID: id, Signer: signer}, nil
}

// Decide returns a Slack user's decision on an access request, signed by
// the relay for that user and workspace.
func (r *SlackRelay) Decide(workflowID, action string, d workflows.AccessDecision, now time.Time) (workflows.AccessDecision, error) {
	dataset, ok := workflows.AccessRequestDataset(workflowID)
	if !ok {
		return d, fmt.Errorf("%q is not an access request ID", workflowID)
	}
	nonce, err := decision.NewNonce()
	if err != nil {
		return d, err
	}
	signed := decision.Decision{WorkflowID: workflowID, Action: action, Target: dataset, Decider: r.ID,
		OnBehalfOf: workflows.SlackOnBehalfOf(d.SlackTeam, d.SlackUser), At: now.UTC(), Nonce: nonce}
	sig, err := decision.Sign(signed, r.Signer)
	if err != nil {
		return d, err
	}
	d.By, d.Signature, d.At, d.Nonce = r.ID, sig, signed.At, nonce
	return d, nil
}
