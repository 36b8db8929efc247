package workflows

import (
	"errors"
	"fmt"
	"slices"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/internal/decision"
)

// Unverified is the evidence recorded for a decision accepted without a
// signature (decisions.allow_unsigned in the worker's dre.yaml).
const Unverified = "unverified"

// ErrUnverifiedDecision marks a decision refused for lack of proof: no
// signature where one is required, or one that does not verify.
const ErrUnverifiedDecision = "UnverifiedDecision"

// refuse is a refusal for lack of proof: sending the same decision again
// cannot succeed.
func refuse(msg string) error {
	return temporal.NewNonRetryableApplicationError(msg, ErrUnverifiedDecision, nil)
}

// ErrPolicyLoading marks a decision that arrived before the request had
// fetched the worker's policy; sending it again shortly succeeds.
const ErrPolicyLoading = "PolicyLoading"

// decider is who sent a decision, as far as it is proven.
type decider struct {
	name     string // AccessDecision.By, or the Slack user
	person   string // their person ID in the directory, "" if unknown
	evidence string // the signing key's fingerprint, or Unverified
	// slack is set when name is a Slack user ID the relay vouched for.
	slack bool
}

func (d decider) verified() bool { return d.evidence != Unverified }

// nameProven reports whether name itself may be matched against the
// approvers and the requester: it is a relayed Slack ID, or nothing is
// verified anyway.
func (d decider) nameProven() bool { return d.slack || !d.verified() }

// prove establishes who sent d for action: a signature verified against
// the worker's directory, a Slack user vouched for by the gateway's
// relay key, or, where dre.yaml allows, the name it gives. It is pure
// (workflow.Now is the history's time), so the handler can run it again
// to record what the validator accepted.
func (r *accessRequest) prove(ctx workflow.Context, action string, d AccessDecision) (decider, error) {
	switch {
	case d.Via == ViaSlack:
		return r.proveSlack(ctx, action, d)
	case d.Via != "":
		return decider{}, fmt.Errorf("decisions come from the CLI (no via) or via %q, not via %q", ViaSlack, d.Via)
	case d.By == "":
		return decider{}, errors.New("say who decides: AccessDecision.By is empty (your person ID under people: in dre.yaml)")
	case d.Signature == "" && !r.policy.AllowUnsigned:
		return decider{}, refuse(fmt.Sprintf(
			"%s's %s is not signed, and the worker's dre.yaml requires signed decisions (decisions.allow_unsigned is off); sign it: dre access %s %s --as <your person ID> --sign <your key> (a key listed under people.<your ID>.keys)",
			d.By, action, action, r.state.WorkflowID))
	case d.Signature == "":
		return decider{name: d.By, person: r.personOf(d.By), evidence: Unverified}, nil
	}
	v, err := r.verify(ctx, action, d, "")
	if err != nil {
		return decider{}, err
	}
	return decider{name: d.By, person: v.Person.ID, evidence: v.Fingerprint}, nil
}

// verify checks d's signature over action on this request, made for
// onBehalfOf, and refuses a nonce already used.
func (r *accessRequest) verify(ctx workflow.Context, action string, d AccessDecision, onBehalfOf string) (decision.Verified, error) {
	signed := decision.Decision{WorkflowID: r.state.WorkflowID, Action: action, Target: r.in.Dataset.Name, Decider: d.By,
		OnBehalfOf: onBehalfOf, At: d.At, Nonce: d.Nonce}
	// Verify is pure (no clock, I/O or randomness; see its doc), which
	// workflowcheck cannot tell from its JSON encoding and crypto.
	//workflowcheck:ignore
	v, err := decision.Verify(signed, d.Signature, r.policy.People, workflow.Now(ctx), decision.DefaultMaxAge)
	if err != nil {
		return v, refuse(fmt.Sprintf("the signature on %s's %s is refused: %v", d.By, action, err))
	}
	if slices.Contains(r.seenNonces, d.Nonce) {
		return v, refuse(fmt.Sprintf(
			"this signed decision was already used on %s (nonce %s): a signature counts once; sign a new decision", r.state.WorkflowID, d.Nonce))
	}
	return v, nil
}

// remember keeps a signed decision's nonce, so it cannot be sent again.
func (r *accessRequest) remember(d AccessDecision) {
	if d.Signature != "" {
		r.seenNonces = append(r.seenNonces, d.Nonce)
	}
}

// checkDecider applies the policy to an approval or denial: an approver
// of the dataset, never the requester.
func (r *accessRequest) checkDecider(who decider) error {
	if r.isRequester(who) {
		return temporal.NewApplicationError(fmt.Sprintf("%s cannot decide on their own access request (separation of duties); ask another approver: %v",
			who.name, r.in.Dataset.PII.Approvers), ErrSeparationOfDuties)
	}
	if !r.isPolicyApprover(who) {
		return fmt.Errorf("%s is not an approver of %s; its approvers are %v (pii.approvers in the worker's dre.yaml, resolved through people: and groups:)",
			who.name, r.in.Dataset.Name, r.in.Dataset.PII.Approvers)
	}
	return nil
}

// checkRevoker lets the requester or an approver end granted access.
func (r *accessRequest) checkRevoker(who decider) error {
	requester := who.person != "" && who.person == r.personOf(r.in.Requester) ||
		who.nameProven() && sameIdentity(who.name, r.in.Requester)
	if !requester && !r.isPolicyApprover(who) {
		return fmt.Errorf("%s may not revoke this access: only the requester %s or an approver (%v) may", who.name, r.in.Requester, r.in.Dataset.PII.Approvers)
	}
	return nil
}

// proveSlack establishes the Slack user behind a decision made in Slack.
// Any Temporal client can claim a Slack user, so the claim counts only
// when signed by the relay key (decisions.slack_relay), which only the
// gateway holds and uses after verifying Slack's request signature; an
// unsigned claim counts only under decisions.allow_unsigned.
func (r *accessRequest) proveSlack(ctx workflow.Context, action string, d AccessDecision) (decider, error) {
	if d.SlackUser == "" {
		return decider{}, fmt.Errorf("a decision via Slack names its Slack user; this one names none")
	}
	if ws := r.policy.SlackWorkspaces; len(ws) > 0 && !slices.Contains(ws, d.SlackTeam) {
		return decider{}, fmt.Errorf("the Slack workspace %q is not one of dre's (slack.workspaces %v): its users cannot decide here", d.SlackTeam, ws)
	}
	person, err := r.slackPerson(d)
	if err != nil {
		return decider{}, err
	}
	if d.Signature == "" {
		if !r.policy.AllowUnsigned {
			return decider{}, refuse(fmt.Sprintf(
				"%s's %s from Slack is not signed by the gateway, and the worker's dre.yaml requires signed decisions; give the gateway a key (gateway.signing_key, listed under the people: entry decisions.slack_relay names), or decide with dre access %s --sign",
				d.SlackUser, action, action))
		}
		return decider{name: d.SlackUser, person: person, evidence: Unverified}, nil
	}
	if r.policy.SlackRelay == "" || d.By != r.policy.SlackRelay {
		return decider{}, refuse(fmt.Sprintf(
			"only the gateway's relay (decisions.slack_relay: %q) may pass on a Slack user's decision; this one is signed as %s", r.policy.SlackRelay, d.By))
	}
	v, err := r.verify(ctx, action, d, SlackOnBehalfOf(d.SlackTeam, d.SlackUser))
	if err != nil {
		return decider{}, err
	}
	return decider{name: d.SlackUser, person: person, slack: true,
		evidence: v.Fingerprint + " (relay " + d.By + " for Slack " + SlackOnBehalfOf(d.SlackTeam, d.SlackUser) + ")"}, nil
}

// slackPerson is the person with d's Slack user ID, "" if nobody; a person
// pinned to another workspace (slack_team) is refused.
func (r *accessRequest) slackPerson(d AccessDecision) (string, error) {
	p, err := r.policy.People.BySlackUser(d.SlackUser)
	if err != nil {
		return "", nil // known by the Slack ID alone, which approvers may list
	}
	if p.SlackTeam != "" && p.SlackTeam != d.SlackTeam {
		return "", fmt.Errorf("the Slack user %s is people.%s of workspace %s, but this decision comes from workspace %q", d.SlackUser, p.ID, p.SlackTeam, d.SlackTeam)
	}
	return p.ID, nil
}
