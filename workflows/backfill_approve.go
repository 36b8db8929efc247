package workflows

import (
	"bytes"
	"encoding/json"

	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/authz"
)

// BackfillApproval is the argument of BackfillApproveUpdate: who approves
// the spend or the override of an SLO freeze, proven by Proof (signed over
// decision.Decision{WorkflowID, Action "approve", Target: the dataset}).
// The worker's authz rule backfill.approve (over budget) or
// backfill.override_freeze (held by a freeze) says who may; the requester
// never may.
type BackfillApproval struct {
	By   string `json:"by"`
	Note string `json:"note,omitempty"`
	Proof
}

// UnmarshalJSON also takes the bare approver name that clients sent
// before approvals were proven, so recorded histories replay.
func (a *BackfillApproval) UnmarshalJSON(data []byte) error {
	if bytes.HasPrefix(bytes.TrimSpace(data), []byte(`"`)) {
		*a = BackfillApproval{}
		return json.Unmarshal(data, &a.By)
	}
	type plain BackfillApproval // without this method
	return json.Unmarshal(data, (*plain)(a))
}

// Audit actions of backfill decisions.
const (
	AuditBackfillApproved       = "backfill.approved"
	AuditBackfillFreezeOverride = "backfill.freeze-overridden"
)

// claim is a as a decision on this backfill, for the guard to prove.
func (b *backfillRun) claim(a BackfillApproval) claim {
	return claim{workflowID: b.id, action: BackfillApproveUpdate, target: b.in.Dataset.Name, by: a.By, proof: a.Proof,
		cli: "dre backfill approve " + b.in.Dataset.Name}
}

// approvalFacts are what the approval rules refer to: the dataset's owner
// team, its approvers (PII and lifecycle) and the requester, who may not
// approve their own run.
func (b *backfillRun) approvalFacts() authz.Facts {
	f := b.guard.ownerFacts()
	ds := b.guard.policy.Dataset
	f.Approvers = append(f.Approvers, ds.PII.Approvers...)
	if ds.Lifecycle != nil {
		f.Approvers = append(f.Approvers, ds.Lifecycle.Approvers...)
	}
	f.Requester = b.in.Requester
	return f
}

// auditApproval records who approved, what for, and the evidence.
func (b *backfillRun) auditApproval(ctx workflow.Context, who decider, note string) {
	action := AuditBackfillApproved
	if b.approvalRule == authz.BackfillOverride {
		action = AuditBackfillFreezeOverride
	}
	e := activities.AuditEntry{Actor: who.name, Action: action, Target: b.in.Dataset.Name, Reason: b.approvalWhy,
		Details: map[string]string{"workflow_id": workflow.GetInfo(ctx).WorkflowExecution.ID, "verified_key": who.evidence, "note": note,
			"requester": b.in.Requester}}
	workflow.Go(ctx, func(ctx workflow.Context) { auditEntry(ctx, e) })
}

// backfillRecheckVersion marks runs that check the SLO freeze again at the
// start of every continued run, not only the first.
const backfillRecheckVersion = "backfill-rechecks-freeze"

// recheckFreeze holds a continued run (the next batch of partitions) when
// the dataset's error budget ran out since the backfill started, unless
// someone already approved it: a long backfill must not keep writing
// through a freeze that began halfway.
//
// Only the workflow's own continue-as-new carries progress; progress a
// client put in a new start is not trusted to have been approved.
func (b *backfillRun) recheckFreeze(ctx workflow.Context) (stop bool, err error) {
	if b.in.DryRun || workflow.GetVersion(ctx, backfillRecheckVersion, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return false, nil
	}
	if workflow.GetInfo(ctx).ContinuedExecutionRunID == "" {
		b.p.Approver = "" // a client's progress: its approval proves nothing
	}
	if b.p.Approver != "" {
		return false, nil
	}
	if reason := b.holdReason(ctx); reason != "" {
		return b.awaitApproval(ctx, authz.BackfillOverride, "approval despite: "+reason)
	}
	return false, nil
}
