package workflows

import (
	"errors"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/authz"
)

// deprecateRules are the authz: rules of the deprecation's updates.
var deprecateRules = map[string]string{
	DeprecateAckUpdate:      authz.DeprecateAck,
	DeprecateVetoUpdate:     authz.DeprecateVeto,
	DeprecateContinueUpdate: authz.DeprecateContinue,
	DeprecateExtendUpdate:   authz.DeprecateExtend,
	DeprecateCancelUpdate:   authz.DeprecateCancel,
}

// DeprecateTarget is the decision.Decision.Target a signed DeprecateAction
// on dataset covers: the dataset, and for an extension its new date, so
// that a signature for one date cannot move the retirement to another.
func DeprecateTarget(dataset string, a DeprecateAction) string {
	if a.Until.IsZero() {
		return dataset
	}
	return dataset + "@" + a.Until.UTC().Format(time.DateOnly)
}

// claim is a, sent as update, as a decision for the guard to prove.
func (d *deprecation) claim(ctx workflow.Context, update string, a DeprecateAction) claim {
	by := a.By
	if d.guard.policy == nil {
		by = legacyDecider(a.By, a.Proof)
	}
	return claim{workflowID: workflow.GetInfo(ctx).WorkflowExecution.ID, action: update,
		target: DeprecateTarget(d.in.Dataset.Name, a), by: by, proof: a.Proof,
		cli: "dre deprecate " + update + " " + d.in.Dataset.Name}
}

// vet proves who sends a and applies the authz rule of update, returning
// the decider's name. Runs recorded before the guard take By as given.
func (d *deprecation) vet(ctx workflow.Context, update string, a DeprecateAction) (string, error) {
	if err := d.guard.ready(); err != nil {
		return "", err
	}
	if d.guard.policy == nil {
		by := legacyDecider(a.By, a.Proof)
		if by == "" {
			return "", errors.New("say who acts: DeprecateAction.By is empty")
		}
		return by, nil
	}
	who, err := d.guard.check(ctx, d.claim(ctx, update, a), deprecateRules[update], d.facts())
	return who.name, err
}

// facts are what the deprecation's rules refer to: the lifecycle's
// approvers and the owner team, from the worker's catalog when it lists
// the dataset (a starter cannot name its own approvers), else the input's.
func (d *deprecation) facts() authz.Facts {
	ds := d.in.Dataset
	if p := d.guard.policy; p != nil && p.Dataset.Lifecycle != nil {
		ds = p.Dataset
	}
	f := authz.Facts{Dataset: d.in.Dataset.Name, OwnerTeam: ds.Owner.Team}
	if ds.Lifecycle != nil {
		f.Approvers = ds.Lifecycle.Approvers
	}
	return f
}

// accepted re-proves a validated decision in its handler and returns who
// decided and the evidence: a key fingerprint, Unverified, or "" in runs
// recorded before the guard.
func (d *deprecation) accepted(ctx workflow.Context, update string, a DeprecateAction) (decider, error) {
	return d.guard.accept(ctx, d.claim(ctx, update, a))
}

// audit writes a decision taken on the deprecation, with its evidence, to
// the audit log. Runs recorded before the guard wrote none, and still
// do not, so that they replay.
func (d *deprecation) audit(ctx workflow.Context, update string, who decider, a DeprecateAction) {
	if d.guard.policy == nil {
		return
	}
	details := map[string]string{"table": d.in.Dataset.Table, "verified_key": who.evidence, "phase": d.s.Phase}
	if !a.Until.IsZero() {
		details["until"] = a.Until.UTC().Format(time.DateOnly)
	}
	auditEntry(ctx, activities.AuditEntry{Actor: who.name, Action: deprecateRules[update], Target: d.in.Dataset.Name,
		Reason: a.Reason, Details: details})
}
