package workflows

import (
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/warehouse"
)

// execute dispatches partitions in order, at most concurrency at a time,
// until the range is done, the run's share is used up, a stop is asked
// for, or a failure stops it; it always waits for running partitions.
func (b *backfillRun) execute(ctx workflow.Context) error {
	// Runs recorded before batching rewrote one partition per activity;
	// they replay on that path.
	b.batched = workflow.GetVersion(ctx, backfillBatchChange, workflow.DefaultVersion, 1) == 1
	b.maxBatch = backfillMaxBatchBefore
	if b.batched && workflow.GetVersion(ctx, backfillMaxBatchChange, workflow.DefaultVersion, 1) == 1 {
		b.maxBatch = backfillMaxBatch
	}
	for {
		if err := workflow.Await(ctx, func() bool { return b.canDispatch() || b.finished() }); err != nil {
			return err
		}
		if b.finished() {
			return nil
		}
		b.dispatch(ctx)
	}
}

func (b *backfillRun) hasNext() bool { return b.p.Next.Before(b.in.To) }

// stopping is true once nothing more may start: cancelled, or failed
// under the stop policy.
func (b *backfillRun) stopping() bool {
	return b.cancelled || (b.p.Failed > 0 && b.in.OnFailure != BackfillSkip)
}

func (b *backfillRun) runShareUsed() bool { return b.shareLeft() <= 0 }

func (b *backfillRun) canDispatch() bool {
	return !b.p.Paused && !b.stopping() && b.hasNext() && !b.runShareUsed() && b.running < b.concurrency
}

// finished is true when nothing runs and nothing more will start in this run.
func (b *backfillRun) finished() bool {
	return b.running == 0 && (b.stopping() || !b.hasNext() || b.runShareUsed())
}

func (b *backfillRun) shouldContinueAsNew() bool {
	return !b.stopping() && b.hasNext()
}

// dispatch starts the next batch (or, on the pre-batching path, the next
// partition) in its own coroutine.
func (b *backfillRun) dispatch(ctx workflow.Context) {
	if b.batched {
		parts := b.nextBatch()
		b.running++
		b.runningParts += len(parts)
		b.dispatched += len(parts)
		workflow.Go(ctx, func(ctx workflow.Context) { b.rewriteBatch(ctx, parts) })
		return
	}
	p := warehouse.Partition{Column: b.in.Dataset.Partition.Column, Start: b.p.Next, End: b.gran.Next(b.p.Next)}
	b.p.Next = p.End
	b.running++
	b.runningParts++
	b.dispatched++
	workflow.Go(ctx, func(ctx workflow.Context) { b.rewrite(ctx, p) })
}

// rewrite runs one partition's activity and records the outcome; runs
// recorded before batching take this path.
func (b *backfillRun) rewrite(ctx workflow.Context, p warehouse.Partition) {
	attempts := b.in.MaxAttempts
	if attempts == 0 {
		attempts = backfillDefaultAttempts
	}
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Hour,
		HeartbeatTimeout:    time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute,
			MaximumAttempts: int32(attempts),
		},
		Summary: "rewrite " + PartitionLabel(b.gran, p.Start),
	})
	in := activities.RewritePartitionInput{
		Warehouse: b.in.Dataset.Warehouse, Table: b.in.Dataset.Table, Partition: p,
		Select: b.sel, SourceTable: b.in.sourceTable(), RunID: b.p.LedgerRun, Validation: b.in.Validation,
	}
	var a *activities.Backfills
	var res activities.RewritePartitionResult
	err := workflow.ExecuteActivity(ctx, a.RewritePartition, in).Get(ctx, &res)
	b.running--
	b.runningParts--
	defer b.meterBackfill(ctx, b.p)
	if err != nil {
		b.recordFailure(p.Start, failureReason(err))
	} else {
		b.p.Done++
		b.p.Rows += res.Rows
	}
	b.publishProgress(ctx)
}

// recordFailure counts a failed partition and keeps its reason.
func (b *backfillRun) recordFailure(start time.Time, reason string) {
	b.p.Failed++
	if len(b.p.Failures) >= backfillFailuresKept {
		return
	}
	b.p.Failures = append(b.p.Failures, BackfillFailure{Start: start, Reason: reason})
}

// failureReason is an activity error as people should read it: the
// application error's message, without Temporal's wrapping.
func failureReason(err error) string {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return app.Message()
	}
	return err.Error()
}

// continueAsNew hands the progress to a fresh run once every update
// handler has finished, so no accepted update is lost.
func (b *backfillRun) continueAsNew(ctx workflow.Context) error {
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return err
	}
	next := b.in
	progress := b.p
	next.Progress = &progress
	next.Concurrency = b.concurrency
	return workflow.NewContinueAsNewError(ctx, BackfillWorkflowName, next)
}
