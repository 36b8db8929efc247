package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/authz"
)

// PIITagTarget is the decision.Decision.Target a signed PIITagRequest
// covers: the dataset's column and, when given, the kind to tag it with.
func PIITagTarget(r PIITagRequest) string {
	target := r.Dataset + "/" + r.Column
	if r.Kind != "" {
		target += "=" + string(r.Kind)
	}
	return target
}

// claim is r as a decision for the guard to prove.
func (s *piiScan) claim(r PIITagRequest) claim {
	by := r.Approver
	if s.guard.policy == nil {
		by = legacyDecider(r.Approver, r.Proof)
	}
	return claim{workflowID: s.id, action: PIIScanTagUpdate, target: PIITagTarget(r), by: by, proof: r.Proof,
		cli: "dre pii tag " + s.id + " " + r.Dataset + " " + r.Column}
}

// tagFacts are what the pii.tag rule refers to: the dataset's
// pii.approvers and owner team, the worker's catalog's once loaded.
func (s *piiScan) tagFacts(dataset string) authz.Facts {
	ds := s.byName[dataset]
	return authz.Facts{Dataset: dataset, OwnerTeam: s.guard.ownerTeamOf(dataset, ds.Owner.Team), Approvers: s.approvers(dataset)}
}

// approvers are dataset's pii.approvers: the worker's catalog's once the
// offers are made, the input's in runs recorded before.
func (s *piiScan) approvers(dataset string) []string {
	return s.guard.approversOf(dataset, s.byName[dataset].PII.Approvers)
}

// loadDeciders takes the approvers and owner teams of the datasets with
// offers from the worker's catalog, before their owners are told.
func (s *piiScan) loadDeciders(ctx workflow.Context) error {
	var datasets []string
	for _, d := range s.scans {
		if len(d.Untagged) > 0 {
			datasets = append(datasets, d.Dataset)
		}
	}
	return s.guard.loadDeciders(ctx, datasets)
}

// auditTag writes an approved and verified tag with its evidence. Runs
// recorded before the guard wrote none, and still do not, so that they
// replay.
func (s *piiScan) auditTag(ctx workflow.Context, t PIITagged) {
	if s.guard.policy == nil {
		return
	}
	auditEntry(ctx, activities.AuditEntry{Actor: t.Approver, Action: authz.PIITag, Target: t.Dataset + "/" + t.Column,
		Details: map[string]string{"kind": string(t.Kind), "table": s.byName[t.Dataset].Table, "scan": s.id, "verified_key": t.VerifiedKey}})
}
