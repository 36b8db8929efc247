package activities

import (
	"context"
	"fmt"
)

// Audit actions of the access reconciler, one per orphan found.
const (
	AuditOrphanRevoked    = "access.orphan_revoked"
	AuditOrphanReported   = "access.orphan_reported"
	AuditOrphanNotRevoked = "access.orphan_not_revoked"
)

// ReconcileActor is who the audit log names for the reconciler's actions.
const ReconcileActor = "dre:access-reconcile"

// What became of an orphan (OrphanOutcome.Action).
const (
	OrphanRevoked     = "revoked"
	OrphanReported    = "reported"
	OrphanNotRevoked  = "not-revoked"
	OrphanWouldRevoke = "would-revoke"
	OrphanWouldReport = "would-report"
)

// ReconcileRevokeInput is a batch of orphans to act on.
type ReconcileRevokeInput struct {
	Orphans []Orphan `json:"orphans"`
	// DryRun changes and records nothing: outcomes say what would happen.
	DryRun bool `json:"dryRun,omitempty"`
}

// OrphanOutcome is what was done with one orphan.
type OrphanOutcome struct {
	Orphan
	Action string `json:"action"`
	// Error says why a revocation failed (the next pass tries again).
	Error string `json:"error,omitempty"`
	// AuditError says why the audit record was not written.
	AuditError string `json:"auditError,omitempty"`
}

// ReconcileRevoke revokes each orphan, or reports it where the dataset
// says so, and audits each. One revocation that fails does not stop the
// others: it is returned as not-revoked with its reason. Revoking and
// auditing are idempotent (the audit is keyed by the activity), so a
// retried batch does each once.
//
// The running access requests are listed again first: a request approved
// while the pass read the ACLs has granted since, and its grant is no
// orphan. Such grants are left out of the outcomes.
func (a *AccessReconcile) ReconcileRevoke(ctx context.Context, in ReconcileRevokeInput) ([]OrphanOutcome, error) {
	active, err := a.ReconcileListActive(ctx, nil)
	if err != nil {
		return nil, err
	}
	out := make([]OrphanOutcome, 0, len(in.Orphans))
	for i, o := range in.Orphans {
		if explainedByActive(o, active) {
			continue
		}
		res := a.settle(ctx, o, in.DryRun)
		if !in.DryRun {
			res.AuditError = a.audit(ctx, res)
		}
		out = append(out, res)
		heartbeat(ctx, i)
	}
	return out, nil
}

// settle revokes or reports one orphan.
func (a *AccessReconcile) settle(ctx context.Context, o Orphan, dryRun bool) OrphanOutcome {
	switch {
	case dryRun && o.ReportOnly:
		return OrphanOutcome{Orphan: o, Action: OrphanWouldReport}
	case dryRun:
		return OrphanOutcome{Orphan: o, Action: OrphanWouldRevoke}
	case o.ReportOnly:
		return OrphanOutcome{Orphan: o, Action: OrphanReported}
	}
	w, err := a.Warehouses.Warehouse(ctx, o.Warehouse)
	if err == nil {
		a.count()
		err = w.Revoke(ctx, o.Grant)
	}
	if err != nil {
		return OrphanOutcome{Orphan: o, Action: OrphanNotRevoked, Error: err.Error()}
	}
	return OrphanOutcome{Orphan: o, Action: OrphanRevoked}
}

// audit records an outcome and returns why it could not, or "". A log
// that is down must not hold up the other revocations.
func (a *AccessReconcile) audit(ctx context.Context, o OrphanOutcome) string {
	action := map[string]string{OrphanRevoked: AuditOrphanRevoked, OrphanReported: AuditOrphanReported, OrphanNotRevoked: AuditOrphanNotRevoked}[o.Action]
	details := map[string]string{"warehouse": o.Warehouse, "table": o.Grant.Table.String(), "privilege": o.Grant.Privilege}
	if o.Grant.Column != "" {
		details["column"] = o.Grant.Column
	}
	reason := "no standing grant and no running access request gives it"
	if o.Error != "" {
		reason += "; revoking failed: " + o.Error
	}
	_, err := a.Audit.Record(ctx, AuditEntry{Actor: ReconcileActor, Action: action, Target: o.target(), Reason: reason, Details: details})
	if err != nil {
		return err.Error()
	}
	return ""
}

// target names an orphan in the audit log: dataset/principal/privilege[/column].
func (o Orphan) target() string {
	t := fmt.Sprintf("%s/%s/%s", o.Dataset, o.Grant.Principal, o.Grant.Privilege)
	if o.Grant.Column != "" {
		t += "/" + o.Grant.Column
	}
	return t
}
