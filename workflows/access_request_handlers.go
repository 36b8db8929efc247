package workflows

import (
	"errors"
	"fmt"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/internal/authz"
)

// registerHandlers answers the status query and accepts the decisions;
// validators keep bad ones (self-approval, a stranger) out of the history.
func (r *accessRequest) registerHandlers(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, StatusQuery, func() (AccessRequestState, error) { return r.state, nil }); err != nil {
		return err
	}
	updates := []struct {
		name      string
		handler   func(workflow.Context, AccessDecision) (string, error)
		validator func(workflow.Context, AccessDecision) error
	}{
		{AccessApproveUpdate, r.onDecision(AccessApproveUpdate, AccessGranted), r.validateDecision(AccessApproveUpdate)},
		{AccessDenyUpdate, r.onDecision(AccessDenyUpdate, AccessDenied), r.validateDecision(AccessDenyUpdate)},
		{AccessRevokeUpdate, r.onRevoke, r.validateRevoke},
	}
	for _, u := range updates {
		opts := workflow.UpdateHandlerOptions{Validator: u.validator}
		if err := workflow.SetUpdateHandlerWithOptions(ctx, u.name, u.handler, opts); err != nil {
			return err
		}
	}
	return nil
}

// validateDecision enforces separation of duties: only an approver
// decides, and never on a request of their own. Under the worker's policy
// the decider must also prove who they are (see prove).
func (r *accessRequest) validateDecision(action string) func(workflow.Context, AccessDecision) error {
	return func(ctx workflow.Context, d AccessDecision) error {
		switch {
		case r.guard.loading:
			return temporal.NewApplicationError("the request is still loading its policy from the worker; send the decision again in a moment", ErrPolicyLoading)
		case r.decided:
			return fmt.Errorf("the request was already decided by %s: it is %s", r.state.DecidedBy, r.state.Status)
		case r.guard.policy == nil:
			return r.validateLegacyDecision(d)
		}
		who, err := r.prove(ctx, action, d)
		if err != nil {
			r.guard.countRefusal(ctx, "access."+action, "unproven")
			return err
		}
		return r.checkDecider(ctx, action, who)
	}
}

// validateLegacyDecision is the check of runs recorded before the
// worker's policy: the names as given, against the input's approvers.
func (r *accessRequest) validateLegacyDecision(d AccessDecision) error {
	switch {
	case d.By == "":
		return errors.New("say who decides: AccessDecision.By is empty")
	case sameIdentity(d.By, r.in.Requester) || sameIdentity(d.By, r.in.Principal):
		return temporal.NewApplicationError(fmt.Sprintf("%s cannot decide on their own access request (separation of duties); ask another approver: %v",
			d.By, r.in.Dataset.PII.Approvers), ErrSeparationOfDuties)
	case !isApprover(d.By, r.in.Dataset.PII.Approvers):
		return fmt.Errorf("%s is not an approver of %s; its approvers are %v (pii.approvers in the catalog)", d.By, r.in.Dataset.Name, r.in.Dataset.PII.Approvers)
	}
	return nil
}

func (r *accessRequest) onDecision(action, outcome string) func(workflow.Context, AccessDecision) (string, error) {
	return func(ctx workflow.Context, d AccessDecision) (string, error) {
		who, err := r.evidence(ctx, action, d)
		if err != nil {
			return "", err
		}
		r.decided, r.state.DecidedBy, r.note, r.decisionKey = true, who.name, d.Note, who.evidence
		r.state.DecisionKey = who.evidence
		if outcome == AccessDenied {
			r.state.Status = AccessDenied
			return "denied", nil
		}
		return "approved; granting " + r.what(), nil
	}
}

// evidence proves d again in its handler, where the validator accepted
// it, and keeps its nonce. Runs without the worker's policy take By as it
// is, with no evidence.
func (r *accessRequest) evidence(ctx workflow.Context, action string, d AccessDecision) (decider, error) {
	if r.guard.policy == nil {
		return decider{name: d.By}, nil
	}
	who, err := r.prove(ctx, action, d)
	if err != nil {
		return decider{}, err
	}
	r.guard.remember(d.Proof)
	return who, nil
}

// validateRevoke lets the requester or an approver end granted access.
func (r *accessRequest) validateRevoke(ctx workflow.Context, d AccessDecision) error {
	if r.guard.loading {
		return temporal.NewApplicationError("the request is still loading its policy from the worker", ErrPolicyLoading)
	}
	if r.state.Status != AccessGranted || r.ended {
		return fmt.Errorf("only granted access can be revoked; the request is %s", r.state.Status)
	}
	if r.guard.policy == nil {
		if !sameIdentity(d.By, r.in.Requester) && !isApprover(d.By, r.in.Dataset.PII.Approvers) {
			return fmt.Errorf("%s may not revoke this access: only the requester %s or an approver (%v) may", d.By, r.in.Requester, r.in.Dataset.PII.Approvers)
		}
		return nil
	}
	who, err := r.prove(ctx, AccessRevokeUpdate, d)
	if err != nil {
		r.guard.countRefusal(ctx, authz.AccessRevoke, "unproven")
		return err
	}
	return r.checkRevoker(ctx, who)
}

func (r *accessRequest) onRevoke(ctx workflow.Context, d AccessDecision) (string, error) {
	who, err := r.evidence(ctx, AccessRevokeUpdate, d)
	if err != nil {
		return "", err
	}
	r.ended, r.state.EndedBy, r.note, r.endKey = true, who.name, d.Note, who.evidence
	return "revoking " + r.what(), nil
}
