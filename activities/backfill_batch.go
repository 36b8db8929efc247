package activities

import (
	"context"
	"errors"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/warehouse"
)

// RewritePartitionsInput is a batch of consecutive partitions of one
// backfill, rewritten one after another by one activity so that a small
// partition does not pay a Temporal round trip of its own.
type RewritePartitionsInput struct {
	Warehouse   string                `json:"warehouse"`
	Table       string                `json:"table"`
	Partitions  []warehouse.Partition `json:"partitions"`
	Select      string                `json:"select"`
	SourceTable string                `json:"sourceTable,omitempty"`
	RunID       string                `json:"runId"`
	Validation  BackfillValidation    `json:"validation,omitzero"`
	// MaxAttempts bounds the attempts at each partition: a transient
	// failure fails the activity (Temporal retries it with backoff) until
	// the partition has used them up, then it is reported as failed.
	MaxAttempts int `json:"maxAttempts"`
	// Publish, Checks and UniqueKey are RewritePartitionInput's.
	Publish   string              `json:"publish,omitempty"`
	Checks    *catalog.Validation `json:"checks,omitempty"`
	UniqueKey []string            `json:"uniqueKey,omitempty"`
	// StopOnFailure ends the batch at its first failed partition (the
	// stop policy); the partitions after it are left out of the result.
	StopOnFailure bool `json:"stopOnFailure,omitempty"`
	// Dataset labels the partitions and rows the worker counts.
	Dataset string `json:"dataset,omitempty"`
	// SelectRole is RewritePartitionInput's.
	SelectRole string `json:"selectRole,omitempty"`
}

// PartitionOutcome is what happened to one partition of a batch.
type PartitionOutcome struct {
	Start time.Time `json:"start"`
	RewritePartitionResult
	// Failure is why the partition failed for good, "" when it was written.
	Failure     string `json:"failure,omitempty"`
	FailureType string `json:"failureType,omitempty"`
	// Elapsed is the time its rewrite and validation took, so the workflow
	// can size the next batches.
	Elapsed time.Duration `json:"elapsed"`
}

// RewritePartitionsResult holds one outcome per partition attempted, in
// order; under StopOnFailure it ends at the failed one.
type RewritePartitionsResult struct {
	Outcomes []PartitionOutcome `json:"outcomes"`
}

// batchProgress is the heartbeat of a batch: the partitions finished so
// far, and the failed attempts at the next one. A retried batch resumes
// from it instead of asking the ledger about every finished partition.
type batchProgress struct {
	Outcomes []PartitionOutcome `json:"outcomes"`
	Tries    int                `json:"tries,omitempty"`
}

// RewritePartitions rewrites a batch of partitions in order, each one
// committed on its own through the warehouse ledger (so exactly once per
// run and partition), heartbeating the finished ones every few seconds.
// A permanent failure is recorded and the batch goes on (or stops, under
// StopOnFailure); a transient one fails the activity for Temporal to
// retry, which resumes after the partitions already finished.
func (b *Backfills) RewritePartitions(ctx context.Context, in RewritePartitionsInput) (RewritePartitionsResult, error) {
	var prog batchProgress
	if activity.HasHeartbeatDetails(ctx) {
		// Unreadable details only cost a ledger look-up per partition.
		_ = activity.GetHeartbeatDetails(ctx, &prog)
	}
	ref, w, err := b.target(ctx, in.Warehouse, in.Table)
	if err != nil {
		return RewritePartitionsResult{}, err
	}
	in.SelectRole = b.selectRole(in.Dataset, in.SelectRole)
	hb := startBatchHeartbeat(ctx, prog)
	defer hb.stop()
	for i := hb.next(); i < len(in.Partitions); i++ {
		out, err := rewriteTimed(ctx, w, ref, in, i)
		if err != nil && ctx.Err() != nil {
			return RewritePartitionsResult{}, err // cancelled or timed out: not the partition's fault
		}
		if err != nil && retryable(err) && hb.retry(max(1, in.MaxAttempts)) {
			return RewritePartitionsResult{}, err
		}
		hb.finished(out)
		if out.Failure != "" && out.Audit == nil {
			// An audit records its own failure, in its transaction.
			recordFailure(ctx, w, rewriteOf(ctx, ref, oneOf(in, i)), out.Failure)
		}
		if out.Failure != "" && in.StopOnFailure {
			break
		}
	}
	return RewritePartitionsResult{Outcomes: hb.outcomes()}, nil
}

// rewriteTimed rewrites partition i of the batch and turns a failure into
// an outcome, also returning the error so the caller can decide to retry.
func rewriteTimed(ctx context.Context, w warehouse.Warehouse, ref warehouse.TableRef, in RewritePartitionsInput, i int) (PartitionOutcome, error) {
	one := oneOf(in, i)
	start := time.Now()
	res, err := rewriteOne(ctx, w, ref, one)
	out := PartitionOutcome{Start: one.Partition.Start, RewritePartitionResult: res, Elapsed: time.Since(start)}
	if err != nil {
		out.Failure = err.Error()
		var app *temporal.ApplicationError
		if errors.As(err, &app) {
			out.Failure, out.FailureType = app.Message(), app.Type()
		}
	}
	return out, err
}

// oneOf is partition i of the batch as a single rewrite.
func oneOf(in RewritePartitionsInput, i int) RewritePartitionInput {
	return RewritePartitionInput{
		Warehouse: in.Warehouse, Table: in.Table, Partition: in.Partitions[i], Select: in.Select,
		SourceTable: in.SourceTable, RunID: in.RunID, Validation: in.Validation,
		Publish: in.Publish, Checks: in.Checks, UniqueKey: in.UniqueKey, Dataset: in.Dataset, SelectRole: in.SelectRole,
	}
}

// retryable is false for the errors backfillFailure marked permanent.
func retryable(err error) bool {
	var app *temporal.ApplicationError
	return !errors.As(err, &app) || !app.NonRetryable()
}

// batchHeartbeat keeps a batch's progress and heartbeats it on a timer,
// so that a long statement still proves the worker alive. A finished
// partition is not heartbeated at once: the SDK sends at most one
// heartbeat per 80% of the heartbeat timeout anyway, yet it encodes the
// details on every call, which over a batch of hundreds of partitions
// would cost more than their SQL. What the last heartbeat missed, a retry
// learns from the ledger instead.
type batchHeartbeat struct {
	ctx  context.Context
	mu   sync.Mutex
	prog batchProgress
	done chan struct{}
}

func startBatchHeartbeat(ctx context.Context, prog batchProgress) *batchHeartbeat {
	h := &batchHeartbeat{ctx: ctx, prog: prog, done: make(chan struct{})}
	activity.RecordHeartbeat(ctx, prog)
	go everyGap(ctx, h.done, h.beat)
	return h
}

// beat heartbeats the progress so far.
func (h *batchHeartbeat) beat() {
	h.mu.Lock()
	defer h.mu.Unlock()
	activity.RecordHeartbeat(h.ctx, h.prog) // encodes before it returns
}

// next is the index of the first partition without an outcome.
func (h *batchHeartbeat) next() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.prog.Outcomes)
}

// finished records a partition's outcome.
func (h *batchHeartbeat) finished(out PartitionOutcome) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.prog.Outcomes = append(h.prog.Outcomes, out)
	h.prog.Tries = 0
}

// retry counts a failed attempt at the next partition and heartbeats it
// at once, since the activity is about to fail; it reports whether the
// partition has attempts left, false when this one was its last.
func (h *batchHeartbeat) retry(maxAttempts int) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.prog.Tries+1 >= maxAttempts {
		return false
	}
	h.prog.Tries++
	activity.RecordHeartbeat(h.ctx, h.prog)
	return true
}

// outcomes is a copy of the outcomes so far.
func (h *batchHeartbeat) outcomes() []PartitionOutcome {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]PartitionOutcome(nil), h.prog.Outcomes...)
}

func (h *batchHeartbeat) stop() { close(h.done) }
