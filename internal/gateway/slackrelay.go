package gateway

import (
	"context"
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
	// Groups returns the Slack user groups named under groups: in dre.yaml
	// that user is in, looked up in Slack (cached a few minutes); the relay
	// signs them into the decision, since workflows cannot ask Slack
	// themselves. Nil vouches for no group.
	Groups func(ctx context.Context, user string) []string
}

// slackGroupsTimeout bounds the Slack lookups of one decision's groups.
const slackGroupsTimeout = 5 * time.Second

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
	by, p, err := r.Sign(workflowID, action, dataset, d.SlackTeam, d.SlackUser, now)
	if err != nil {
		return d, err
	}
	d.By, d.Proof = by, p
	return d, nil
}

// Sign returns the proof of a decision the Slack user of team made on
// workflowID about target, signed by the relay for them, and the relay's
// person ID, which the decision names as its By. A nil relay (no
// gateway.signing_key) returns the unsigned proof and the Slack user,
// which workers accept only under decisions.allow_unsigned.
func (r *SlackRelay) Sign(workflowID, action, target, team, user string, now time.Time) (string, workflows.Proof, error) {
	unsigned := workflows.Proof{Via: workflows.ViaSlack, SlackUser: user, SlackTeam: team}
	if r == nil {
		return user, unsigned, nil
	}
	unsigned.SlackGroups = r.groupsOf(user)
	return r.signFor(workflowID, action, target, workflows.SlackOnBehalfOfIn(team, user, unsigned.SlackGroups), unsigned, now)
}

// groupsOf returns the Slack user groups the relay vouches user is in.
func (r *SlackRelay) groupsOf(user string) []string {
	if r.Groups == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), slackGroupsTimeout)
	defer cancel()
	return r.Groups(ctx, user)
}

// SignPagerDuty is Sign for an ack or resolve the PagerDuty user agent
// made, which the gateway learnt from a webhook whose signature it checked.
func (r *SlackRelay) SignPagerDuty(workflowID, action, target, agent string, now time.Time) (string, workflows.Proof, error) {
	unsigned := workflows.Proof{Via: workflows.ViaPagerDuty, PagerDutyAgent: agent}
	if r == nil {
		return workflows.PagerDutyOnBehalfOf(agent), unsigned, nil
	}
	return r.signFor(workflowID, action, target, workflows.PagerDutyOnBehalfOf(agent), unsigned, now)
}

// signFor signs the decision for onBehalfOf and adds the signature to p.
func (r *SlackRelay) signFor(workflowID, action, target, onBehalfOf string, p workflows.Proof, now time.Time) (string, workflows.Proof, error) {
	nonce, err := decision.NewNonce()
	if err != nil {
		return "", workflows.Proof{}, err
	}
	signed := decision.Decision{WorkflowID: workflowID, Action: action, Target: target, Decider: r.ID,
		OnBehalfOf: onBehalfOf, At: now.UTC(), Nonce: nonce}
	sig, err := decision.Sign(signed, r.Signer)
	if err != nil {
		return "", workflows.Proof{}, err
	}
	p.Signature, p.At, p.Nonce = sig, signed.At, nonce
	return r.ID, p, nil
}
