package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/warehouse"
)

// Batching: one activity rewrites several consecutive partitions, each
// committed on its own through the warehouse ledger, because a Temporal
// round trip per partition (~8 ms on a tuned server, ~47 ms on a default
// one) costs as much as a small partition's SQL.
const (
	// backfillBatchChange is the GetVersion ID of the change to batches.
	backfillBatchChange = "backfill-batches"
	// backfillBatchTarget is the warehouse work one batch aims at: long
	// enough to hide the round trip, short enough that pause and cancel,
	// which let running batches finish, still answer within seconds.
	backfillBatchTarget = 1500 * time.Millisecond
	// backfillFirstBatch is the batch size before any partition was timed.
	backfillFirstBatch = 2
	// backfillMaxBatch bounds a batch's payload (a few hundred bytes per
	// partition in, out and in heartbeats) and its retry cost.
	backfillMaxBatch = 256
	// backfillMaxBatchBefore is the bound runs recorded before
	// backfillMaxBatchChange keep on replay.
	backfillMaxBatchBefore = 64
	// backfillMaxBatchChange is the GetVersion ID of the raise from 64 to
	// 256: at concurrency 1 each batch ends with a workflow task before the
	// next starts, an idle gap that fewer, longer batches pay less often.
	backfillMaxBatchChange = "backfill-max-batch-256"
	// backfillBatchHeartbeat notices a lost worker; the activity heartbeats
	// its progress every 5s.
	backfillBatchHeartbeat = 20 * time.Second
	// backfillCrashRetries are attempts beyond the partitions' own, spent
	// by worker crashes and heartbeat timeouts that no partition caused.
	backfillCrashRetries = 2
)

// batchSize is how many partitions the next activity gets: enough for
// about backfillBatchTarget of work, but never so many that the last
// partitions of the run queue behind one slot while others idle.
func (b *backfillRun) batchSize() int {
	n := b.in.PartitionsPerActivity
	if n == 0 {
		n = backfillFirstBatch
		if b.p.PartitionTime > 0 {
			n = int(backfillBatchTarget / b.p.PartitionTime)
		}
	}
	left := countPartitionsUpTo(b.gran, b.p.Next, b.in.To, b.shareLeft())
	spread := (left + b.concurrency - 1) / b.concurrency
	return max(1, min(n, b.maxBatch, spread))
}

// shareLeft is how many partitions this run may still dispatch.
func (b *backfillRun) shareLeft() int {
	limit := b.in.PartitionsPerRun
	if limit == 0 {
		limit = backfillPartitionsPerRun
	}
	return limit - b.dispatched
}

// countPartitionsUpTo counts the partitions of [from, to), stopping at limit.
func countPartitionsUpTo(g catalog.Granularity, from, to time.Time, limit int) int {
	n := 0
	for start := from; start.Before(to) && n < limit; start = g.Next(start) {
		n++
	}
	return n
}

// nextBatch takes the next partitions off the range.
func (b *backfillRun) nextBatch() []warehouse.Partition {
	n := b.batchSize()
	parts := make([]warehouse.Partition, 0, n)
	for len(parts) < n && b.hasNext() {
		p := warehouse.Partition{Column: b.in.Dataset.Partition.Column, Start: b.p.Next, End: b.gran.Next(b.p.Next)}
		parts = append(parts, p)
		b.p.Next = p.End
	}
	return parts
}

// rewriteBatch runs one batch's activity and records each partition's
// outcome. Partitions the batch left out (it stopped at a failure under
// the stop policy) stay pending; if the whole activity failed, each
// partition without an outcome is reported failed with its error.
func (b *backfillRun) rewriteBatch(ctx workflow.Context, parts []warehouse.Partition) {
	attempts := b.in.MaxAttempts
	if attempts == 0 {
		attempts = backfillDefaultAttempts
	}
	first, last := PartitionLabel(b.gran, parts[0].Start), PartitionLabel(b.gran, parts[len(parts)-1].Start)
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Hour * time.Duration(len(parts)),
		HeartbeatTimeout:    backfillBatchHeartbeat,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute,
			MaximumAttempts: int32(attempts*len(parts) + backfillCrashRetries),
		},
		Summary: fmt.Sprintf("rewrite %s to %s (%d partitions)", first, last, len(parts)),
	})
	in := activities.RewritePartitionsInput{
		Warehouse: b.in.Dataset.Warehouse, Table: b.in.Dataset.Table, Partitions: parts,
		Select: b.sel, SourceTable: b.in.sourceTable(), RunID: b.p.LedgerRun, Validation: b.in.Validation,
		MaxAttempts: attempts, StopOnFailure: b.in.OnFailure != BackfillSkip,
	}
	var a *activities.Backfills
	var res activities.RewritePartitionsResult
	err := workflow.ExecuteActivity(ctx, a.RewritePartitions, in).Get(ctx, &res)
	b.running--
	b.runningParts -= len(parts)
	before := b.p
	b.recordBatch(parts, res.Outcomes, err)
	b.meterBackfill(ctx, before)
	b.learn(res.Outcomes)
	b.publishProgress(ctx)
}

// recordBatch counts each partition of a finished batch.
func (b *backfillRun) recordBatch(parts []warehouse.Partition, outcomes []activities.PartitionOutcome, err error) {
	for i, p := range parts {
		switch {
		case i < len(outcomes) && outcomes[i].Failure != "":
			b.recordFailure(p.Start, outcomes[i].Failure)
		case i < len(outcomes):
			b.p.Done++
			b.p.Rows += outcomes[i].Rows
		case err != nil:
			b.recordFailure(p.Start, failureReason(err))
		}
	}
}

// learn folds the batch's partition times into the running average that
// sizes the next batches; halving the weight of the past lets a warehouse
// that slows down (or speeds up) be followed within a few batches.
func (b *backfillRun) learn(outcomes []activities.PartitionOutcome) {
	if len(outcomes) == 0 {
		return
	}
	var sum time.Duration
	for _, o := range outcomes {
		sum += o.Elapsed
	}
	avg := max(sum/time.Duration(len(outcomes)), time.Millisecond)
	if b.p.PartitionTime > 0 {
		avg = (b.p.PartitionTime + avg) / 2
	}
	b.p.PartitionTime = avg
}
