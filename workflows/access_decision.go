package workflows

import (
	"fmt"

	"github.com/dre-dev/dre/internal/authz"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
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
	name     string // the decision's By, or the Slack user
	person   string // their person ID in the directory, "" if unknown
	evidence string // the signing key's fingerprint, or Unverified
	// slack is set when name is a Slack user ID the relay vouched for.
	slack bool
	// pagerDuty is set for a PagerDuty user's decision (name is
	// pagerduty:<user>), relayed by the gateway or unverified.
	pagerDuty bool
	// slackGroups are the Slack user groups the relay signed the Slack
	// user into (Proof.SlackGroups).
	slackGroups []string
}

// authzDecider is d as the authz: policy sees it.
func (d decider) authzDecider() authz.Decider {
	return authz.Decider{Person: d.person, Name: d.name, NameCounts: d.nameProven(), PagerDuty: d.pagerDuty, SlackGroups: d.slackGroups}
}

func (d decider) verified() bool { return d.evidence != Unverified }

// nameProven reports whether name itself may be matched against the
// approvers and the requester: it is a relayed Slack ID, or nothing is
// verified anyway.
func (d decider) nameProven() bool { return d.slack || !d.verified() }

// claim is d as a decision on this request, for the guard to prove.
func (r *accessRequest) claim(action string, d AccessDecision) claim {
	return claim{workflowID: r.state.WorkflowID, action: action, target: r.in.Dataset.Name, by: d.By, proof: d.Proof,
		cli: "dre access " + action + " " + r.state.WorkflowID}
}

// prove establishes who sent d for action (see decisionGuard.prove).
func (r *accessRequest) prove(ctx workflow.Context, action string, d AccessDecision) (decider, error) {
	return r.guard.prove(ctx, r.claim(action, d))
}

// checkDecider applies the policy to an approval or denial: by default an
// approver of the dataset (authz: may say otherwise), never the requester
// or someone acting as the request's principal.
func (r *accessRequest) checkDecider(ctx workflow.Context, action string, who decider) error {
	if r.isRequester(who) {
		r.guard.countRefusal(ctx, "access."+action, authz.ReasonSelfApproval)
		return temporal.NewApplicationError(fmt.Sprintf("%s cannot decide on their own access request (separation of duties); ask another approver: %v",
			who.name, r.in.Dataset.PII.Approvers), ErrSeparationOfDuties)
	}
	return r.guard.authorize(ctx, "access."+action, who, r.facts())
}

// checkRevoker lets the requester or an approver end granted access, by
// default (authz rule access.revoke).
func (r *accessRequest) checkRevoker(ctx workflow.Context, who decider) error {
	return r.guard.authorize(ctx, authz.AccessRevoke, who, r.facts())
}

// facts are what the authz rules of this request refer to.
func (r *accessRequest) facts() authz.Facts {
	return authz.Facts{Dataset: r.in.Dataset.Name, OwnerTeam: r.in.Dataset.Owner.Team,
		Approvers: r.in.Dataset.PII.Approvers, Requester: r.in.Requester}
}
