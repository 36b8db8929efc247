package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
)

// AccessReconcile is one pass of the grant reconciler. It reads the actual
// grants on every PII table, compares them with what should exist (the
// running access requests' grants, the datasets' standing grants, the
// table owner and the superusers) and revokes each orphan, or only
// reports it where the dataset sets access.orphans: report. Each orphan
// is audited and the owners are told in Slack. A grant an access request
// left behind because its workflow was terminated or reset is thus gone
// within one reconcile interval.
//
// The running requests are read before the ACLs and again just before
// revoking, so a request granted during the pass is never taken for an
// orphan. When they cannot be read the pass fails and revokes nothing.
func AccessReconcile(ctx workflow.Context, in AccessReconcileInput) (AccessReconcileReport, error) {
	if err := in.validate(); err != nil {
		return AccessReconcileReport{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrInvalidInput, nil)
	}
	r := newAccessReconcile(ctx, in)
	if err := workflow.SetQueryHandler(ctx, StatusQuery, func() (AccessReconcileReport, error) { return r.report, nil }); err != nil {
		return r.report, err
	}
	r.setStatus(ctx, AccessReconcileReading)
	active, err := r.listActive(ctx)
	if err != nil {
		r.setStatus(ctx, AccessReconcileFailed)
		return r.report, err
	}
	orphans := r.readAll(ctx, active)
	r.setStatus(ctx, AccessReconcileSettling)
	r.settleAll(ctx, orphans)
	r.notifyOwners(ctx)
	r.setStatus(ctx, AccessReconcileDone)
	return r.report, nil
}

// AccessReconcile statuses, also written to DreStatus.
const (
	AccessReconcileReading  = "reading"
	AccessReconcileSettling = "settling"
	AccessReconcileDone     = "done"
	AccessReconcileFailed   = "failed"
)

// Defaults of AccessReconcileInput.
const (
	// DefaultReconcileBatch is the tables read per activity: one ACL
	// statement each on PostgreSQL, small enough to retry cheaply.
	DefaultReconcileBatch = 50
	// MaxReconcileBatch keeps one batch's result far below Temporal's
	// payload limit even when every grant is an orphan.
	MaxReconcileBatch = 500
)

// AccessReconcileInput is one pass over the catalog's PII datasets.
type AccessReconcileInput struct {
	// Datasets are the datasets to reconcile; those without PII columns
	// are left out (see AccessReconcileDatasets).
	Datasets []catalog.Dataset `json:"datasets"`
	// BatchSize is the tables read per activity; 0 means 50.
	BatchSize int `json:"batchSize,omitempty"`
	// DryRun finds the orphans and changes, audits and posts nothing.
	DryRun bool `json:"dryRun,omitempty"`
}

func (in AccessReconcileInput) validate() error {
	if in.BatchSize < 0 || in.BatchSize > MaxReconcileBatch {
		return fmt.Errorf("batch size %d: use 1 to %d tables per activity, or 0 for %d", in.BatchSize, MaxReconcileBatch, DefaultReconcileBatch)
	}
	for _, d := range in.Datasets {
		if d.Name == "" || d.Warehouse == "" || d.Table == "" {
			return errors.New("every dataset to reconcile needs a name, a warehouse and a table; pass the catalog's datasets")
		}
	}
	return nil
}

// AccessReconcileReport is the pass as it stands: the answer to the
// status query and the workflow's result.
type AccessReconcileReport struct {
	WorkflowID string    `json:"workflowId"`
	Status     string    `json:"status"`
	StartedAt  time.Time `json:"startedAt"`
	DryRun     bool      `json:"dryRun,omitempty"`
	// Tables counts the tables read, Grants the grants on them that read PII.
	Tables int `json:"tables"`
	Grants int `json:"grants"`
	// Active counts the running access requests' grants found.
	Active   int                        `json:"active"`
	Orphans  []activities.OrphanOutcome `json:"orphans,omitempty"`
	Skipped  []activities.ReconcileSkip `json:"skipped,omitempty"`
	Failures []string                   `json:"failures,omitempty"`
}

// accessReconcile is the state of one pass.
type accessReconcile struct {
	in     AccessReconcileInput
	byName map[string]catalog.Dataset
	report AccessReconcileReport
}

func newAccessReconcile(ctx workflow.Context, in AccessReconcileInput) *accessReconcile {
	if in.BatchSize == 0 {
		in.BatchSize = DefaultReconcileBatch
	}
	in.Datasets = AccessReconcileDatasets(in.Datasets)
	r := &accessReconcile{in: in, byName: map[string]catalog.Dataset{}, report: AccessReconcileReport{
		WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID, StartedAt: workflow.Now(ctx), DryRun: in.DryRun,
	}}
	for _, d := range in.Datasets {
		r.byName[d.Name] = d
	}
	return r
}

func (r *accessReconcile) setStatus(ctx workflow.Context, status string) {
	r.report.Status = status
	workflow.SetCurrentDetails(ctx, fmt.Sprintf("Access reconcile: %s; %d tables, %d orphans", status, r.report.Tables, len(r.report.Orphans)))
	if err := workflow.UpsertTypedSearchAttributes(ctx, KindKey.ValueSet(KindAccessReconcile), StatusKey.ValueSet(status)); err != nil {
		workflow.GetLogger(ctx).Warn("search attributes not updated", "error", err)
	}
}
