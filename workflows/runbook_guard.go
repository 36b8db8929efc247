package workflows

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/authz"
	"github.com/dre-dev/dre/internal/catalog"
)

// RunbookApprovalTarget is the decision.Decision.Target a signed
// RunbookApproval covers: the step and the verdict, so that a signature
// for one step, or for a rejection, cannot decide another step or approve.
func RunbookApprovalTarget(a RunbookApproval) string {
	verdict := "reject"
	if a.Approve {
		verdict = "approve"
	}
	return a.Step + "=" + verdict
}

// approvalRule is the authz: rule of a decision on step: overriding the
// SLO freeze for the reserved step slo-freeze, a runbook approval otherwise.
func approvalRule(step string) string {
	if step == RunbookFreezeStep {
		return authz.BackfillOverride
	}
	return authz.RunbookApprove
}

// claim is a as a decision for the guard to prove.
func (r *runbookRun) claim(a RunbookApproval) claim {
	by := a.By
	if r.guard.policy == nil {
		by = legacyDecider(a.By, a.Proof)
	}
	return claim{workflowID: r.workflowID, action: RunbookApproveUpdate, target: RunbookApprovalTarget(a), by: by, proof: a.Proof,
		cli: "dre runbook approve " + r.workflowID + " --step " + a.Step}
}

// approvalFacts are what the rules of a decision on a waiting step refer
// to: the step's approvers, the target dataset's owner team, and whoever
// started the run, who may not approve it.
func (r *runbookRun) approvalFacts(p *pendingApproval) authz.Facts {
	ds, _ := r.approverDataset()
	return authz.Facts{Dataset: r.in.Dataset, OwnerTeam: ds.Owner.Team, Approvers: p.approvers, Requester: r.requester()}
}

// requester is whoever asked for the work: the outermost run's requester
// in a called runbook, else this run's.
func (r *runbookRun) requester() string {
	if r.in.CallerRequester != "" {
		return r.in.CallerRequester
	}
	return r.in.Requester
}

// approverDataset is the target dataset whose owner "owner" in a list of
// approvers stands for: the worker's catalog entry once the run checks
// decisions against the worker's dre.yaml and the catalog lists it (a
// starter cannot name its own approvers), else the run's input.
func (r *runbookRun) approverDataset() (catalog.Dataset, error) {
	if p := r.guard.policy; p != nil && p.Dataset.Name == r.in.Dataset && p.Dataset.Warehouse != "" {
		return p.Dataset, nil
	}
	return r.owner()
}

// auditApproval writes a decided approval with its evidence. Runs
// recorded before the guard wrote none, and still do not, so that they
// replay.
func (r *runbookRun) auditApproval(ctx workflow.Context, step string, p *pendingApproval) {
	if r.guard.policy == nil || p.decision == nil {
		return
	}
	auditEntry(ctx, activities.AuditEntry{Actor: p.who.name, Action: approvalRule(step), Target: r.workflowID + "/" + step,
		Details: map[string]string{
			"runbook": r.in.Runbook.Name, "dataset": r.in.Dataset, "requester": r.requester(),
			"approved": strconv.FormatBool(p.decision.Approve), "verified_key": p.who.evidence,
		}})
}

// vetApproval proves who sends a and applies the rule of its step; runs
// recorded before the guard check the name against the approvers.
func (r *runbookRun) vetApproval(ctx workflow.Context, a RunbookApproval, p *pendingApproval) error {
	if err := r.guard.ready(); err != nil {
		return err
	}
	if r.guard.policy == nil {
		if by := legacyDecider(a.By, a.Proof); by == "" || !slices.Contains(p.approvers, by) {
			return fmt.Errorf("%q may not decide step %s; its approvers are %s", by, a.Step, strings.Join(p.approvers, ", "))
		}
		return nil
	}
	_, err := r.guard.check(ctx, r.claim(a), approvalRule(a.Step), r.approvalFacts(p))
	return err
}
