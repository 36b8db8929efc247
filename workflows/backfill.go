package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/internal/catalog"
)

// Backfill statuses, also written to the DreStatus search attribute.
const (
	BackfillPlanning         = "planning"
	BackfillAwaitingApproval = "awaiting-approval"
	// BackfillApproved answers the approve update; it is never the
	// status of a run, which goes on to plan or run at once.
	BackfillApproved   = "approved"
	BackfillRunning    = "running"
	BackfillPaused     = "paused"
	BackfillCancelling = "cancelling"
	// BackfillDone: every partition was written and validated.
	BackfillDone = "done"
	// BackfillPartial: finished under the skip policy with failed partitions.
	BackfillPartial = "partial"
	// BackfillFailed: stopped at a failed partition under the stop policy.
	BackfillFailed    = "failed"
	BackfillCancelled = "cancelled"
	// BackfillPlanned: a dry run's plan, nothing written.
	BackfillPlanned = "planned"
	// BackfillNotApproved: over budget and not approved in time.
	BackfillNotApproved = "not-approved"
)

// Limits and defaults of a backfill.
const (
	// BackfillDefaultConcurrency is the concurrency when none is asked for.
	BackfillDefaultConcurrency = 4
	// BackfillMaxConcurrency caps concurrency so that one backfill cannot
	// exhaust the warehouse's connections.
	BackfillMaxConcurrency = 32
	// backfillDefaultAttempts bounds the attempts at one partition.
	backfillDefaultAttempts = 3
	// backfillPartitionsPerRun bounds one run's history: a partition costs
	// about six events, so a run ends near 3,000, far below the 10,240
	// warning, and continues as new.
	backfillPartitionsPerRun = 500
	// backfillFailuresKept bounds the failures carried and reported in
	// detail; Failed still counts them all.
	backfillFailuresKept = 100
	// backfillDefaultApprovalTimeout is how long an over-budget run waits.
	backfillDefaultApprovalTimeout = 72 * time.Hour
)

// ErrValidationFailed marks a partition that was written but failed its
// validation (the activities package raises it under the same name).
const ErrValidationFailed = "ValidationFailed"

// BackfillFailure is a partition that failed, with why.
type BackfillFailure struct {
	Start  time.Time `json:"start"`
	Reason string    `json:"reason"`
}

// BackfillStatus is the answer to the status query and to every control
// update: progress counts, throughput and an estimate of the end.
type BackfillStatus struct {
	Dataset     string    `json:"dataset"`
	Table       string    `json:"table"`
	Status      string    `json:"status"`
	From        time.Time `json:"from"`
	To          time.Time `json:"to"`
	Total       int       `json:"total"`
	Done        int       `json:"done"`
	Failed      int       `json:"failed"`
	Running     int       `json:"running"`
	Pending     int       `json:"pending"`
	Rows        int64     `json:"rows"`
	Concurrency int       `json:"concurrency"`
	// PartitionsPerSecond and RowsPerSecond are averages since the start.
	PartitionsPerSecond float64           `json:"partitionsPerSecond"`
	RowsPerSecond       float64           `json:"rowsPerSecond"`
	ETA                 time.Duration     `json:"eta"`
	StartedAt           time.Time         `json:"startedAt"`
	Elapsed             time.Duration     `json:"elapsed"`
	Budget              float64           `json:"budget,omitempty"`
	Approver            string            `json:"approver,omitempty"`
	Plan                *BackfillPlan     `json:"plan,omitempty"`
	Failures            []BackfillFailure `json:"failures,omitempty"`
}

// BackfillReport is a finished backfill: its final status, and whether the
// report reached the owner's Slack channel.
type BackfillReport struct {
	BackfillStatus
	// Notified is where the report was posted, or why it was not.
	Notified string `json:"notified,omitempty"`
}

// Backfill rewrites a dataset's partitions in [From, To), each exactly
// once, validated, with bounded concurrency; a dry run only plans. Long
// ranges continue as new every few hundred partitions, carrying progress.
func Backfill(ctx workflow.Context, in BackfillInput) (BackfillReport, error) {
	if err := in.validate(); err != nil {
		return BackfillReport{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrInvalidInput, nil)
	}
	b := newBackfillRun(ctx, in)
	if err := b.registerHandlers(ctx); err != nil {
		return BackfillReport{}, err
	}
	if in.Progress == nil {
		if stop, err := b.prepare(ctx); stop || err != nil {
			return b.finish(ctx), err
		}
	}
	b.setStatus(ctx, b.activeStatus())
	if err := b.execute(ctx); err != nil {
		b.cancelled = true // only a cancelled workflow context ends the loop early
		return b.finish(ctx), err
	}
	if b.shouldContinueAsNew() {
		return BackfillReport{}, b.continueAsNew(ctx)
	}
	return b.finish(ctx), nil
}

// backfillRun is one run's state; the part that outlives the run is in p.
type backfillRun struct {
	in          BackfillInput
	gran        catalog.Granularity
	sel         string
	total       int
	p           BackfillProgress
	status      string
	concurrency int
	// running counts activities in flight (what concurrency bounds),
	// runningParts the partitions in them.
	running      int
	runningParts int
	// batched is false when replaying a run recorded before batching.
	batched bool
	// maxBatch bounds the partitions of one batch (see backfillMaxBatch).
	maxBatch int
	// dispatched counts partitions started by this run, for continue-as-new.
	dispatched   int
	cancelled    bool
	plan         *BackfillPlan
	progressStep int
}

func newBackfillRun(ctx workflow.Context, in BackfillInput) *backfillRun {
	b := &backfillRun{in: in, gran: in.Dataset.Partition.Granularity, status: BackfillPlanning}
	b.sel, _ = in.selectSQL()                   // validated already
	b.in.Validation.SQL, _ = in.validationSQL() // validated already
	if in.Progress == nil {
		in.warnLegacyBounds(ctx)
	}
	b.total = countPartitions(b.gran, in.From, in.To)
	b.concurrency = in.Concurrency
	if b.concurrency == 0 {
		b.concurrency = BackfillDefaultConcurrency
	}
	if in.Progress != nil {
		b.p = *in.Progress
	} else {
		info := workflow.GetInfo(ctx)
		b.p = BackfillProgress{LedgerRun: info.FirstRunID, StartedAt: workflow.Now(ctx), Next: in.From}
		if b.p.LedgerRun == "" {
			b.p.LedgerRun = info.WorkflowExecution.RunID
		}
	}
	b.p.Runs++
	return b
}

// prepare plans and, over budget, waits for approval; stop is true when
// the run should end without writing (a dry run, no approval, cancelled).
func (b *backfillRun) prepare(ctx workflow.Context) (stop bool, err error) {
	b.setStatus(ctx, BackfillPlanning)
	if !b.in.DryRun && b.in.HoldReason != "" && b.p.Approver == "" {
		return b.awaitApproval(ctx, "approval despite: "+b.in.HoldReason)
	}
	if !b.in.DryRun && b.in.Budget <= 0 {
		return false, nil
	}
	if err := b.makePlan(ctx); err != nil {
		return true, err
	}
	if b.in.DryRun {
		b.setStatus(ctx, BackfillPlanned)
		return true, nil
	}
	if b.plan.Amount <= b.in.Budget {
		return false, nil
	}
	return b.awaitApproval(ctx, "approval of the cost over budget")
}

// activeStatus is running or paused.
func (b *backfillRun) activeStatus() string {
	if b.p.Paused {
		return BackfillPaused
	}
	return BackfillRunning
}
