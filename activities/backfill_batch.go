package activities

import (
	"context"
	"errors"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

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
	// StopOnFailure ends the batch at its first failed partition (the
	// stop policy); the partitions after it are left out of the result.
	StopOnFailure bool `json:"stopOnFailure,omitempty"`
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
// run and partition), heartbeating the finished ones. A permanent failure
// is recorded and the batch goes on (or stops, under StopOnFailure); a
// transient one fails the activity for Temporal to retry, which resumes
// after the partitions already finished.
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
	hb := startBatchHeartbeat(ctx, prog)
	defer hb.stop()
	for i := len(prog.Outcomes); i < len(in.Partitions); i++ {
		out, err := rewriteTimed(ctx, w, ref, in, i)
		if err != nil && ctx.Err() != nil {
			return RewritePartitionsResult{}, err // cancelled or timed out: not the partition's fault
		}
		if err != nil && retryable(err) && prog.Tries+1 < max(1, in.MaxAttempts) {
			prog.Tries++
			hb.set(prog)
			return RewritePartitionsResult{}, err
		}
		prog.Outcomes = append(prog.Outcomes, out)
		prog.Tries = 0
		hb.set(prog)
		if out.Failure != "" && in.StopOnFailure {
			break
		}
	}
	return RewritePartitionsResult{Outcomes: prog.Outcomes}, nil
}

// rewriteTimed rewrites partition i of the batch and turns a failure into
// an outcome, also returning the error so the caller can decide to retry.
func rewriteTimed(ctx context.Context, w warehouse.Warehouse, ref warehouse.TableRef, in RewritePartitionsInput, i int) (PartitionOutcome, error) {
	one := RewritePartitionInput{
		Warehouse: in.Warehouse, Table: in.Table, Partition: in.Partitions[i], Select: in.Select,
		SourceTable: in.SourceTable, RunID: in.RunID, Validation: in.Validation,
	}
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

// retryable is false for the errors backfillFailure marked permanent.
func retryable(err error) bool {
	var app *temporal.ApplicationError
	return !errors.As(err, &app) || !app.NonRetryable()
}

// batchHeartbeat sends the latest progress now and then: on every set
// (the SDK throttles those) and on a timer, so that a long statement
// still proves the worker alive.
type batchHeartbeat struct {
	ctx  context.Context
	mu   sync.Mutex
	prog batchProgress
	done chan struct{}
}

func startBatchHeartbeat(ctx context.Context, prog batchProgress) *batchHeartbeat {
	h := &batchHeartbeat{ctx: ctx, prog: prog, done: make(chan struct{})}
	activity.RecordHeartbeat(ctx, prog)
	go h.tick()
	return h
}

func (h *batchHeartbeat) tick() {
	t := time.NewTicker(backfillHeartbeatGap)
	defer t.Stop()
	for {
		select {
		case <-h.done:
			return
		case <-h.ctx.Done():
			return
		case <-t.C:
			h.mu.Lock()
			activity.RecordHeartbeat(h.ctx, h.prog)
			h.mu.Unlock()
		}
	}
}

// set records new progress; the slice is copied so the ticker never reads
// one the batch is appending to.
func (h *batchHeartbeat) set(p batchProgress) {
	p.Outcomes = append([]PartitionOutcome(nil), p.Outcomes...)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.prog = p
	activity.RecordHeartbeat(h.ctx, p)
}

func (h *batchHeartbeat) stop() { close(h.done) }
