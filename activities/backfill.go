package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/dre-dev/dre/internal/warehouse"
)

// Error types of the backfill activities; the values must match the
// workflows package's (see errInvalidInput).
const (
	errTableNotFound    = "TableNotFound"
	errPermissionDenied = "PermissionDenied"
	errValidationFailed = "ValidationFailed"
	// backfillHeartbeatGap is well inside the batch heartbeat timeout
	// (20s in the workflow), so a slow statement never looks like a lost worker.
	backfillHeartbeatGap = 5 * time.Second
)

// warehouseSource finds a warehouse by its dre.yaml name; the registry in
// internal/warehouse satisfies it. Declared here so the backfill
// activities depend on nothing else of the registry.
type warehouseSource interface {
	Warehouse(ctx context.Context, name string) (warehouse.Warehouse, error)
}

// Backfills rewrites and validates partitions, and estimates what that costs.
type Backfills struct {
	Warehouses warehouseSource
}

// RewritePartitionInput is one partition of a backfill.
type RewritePartitionInput struct {
	Warehouse string              `json:"warehouse"`
	Table     string              `json:"table"`
	Partition warehouse.Partition `json:"partition"`
	// Select produces the partition's rows, reading @from and @to.
	Select string `json:"select"`
	// SourceTable is the table Select copies from, when it is a copy; the
	// checksum validation then compares the partition with it.
	SourceTable string `json:"sourceTable,omitempty"`
	// RunID keys the warehouse ledger, with the partition.
	RunID      string             `json:"runId"`
	Validation BackfillValidation `json:"validation,omitzero"`
}

// RewritePartitionResult is what the rewrite wrote and how it was checked.
type RewritePartitionResult struct {
	warehouse.RewriteResult
	// Validated says what the validation compared, "" when there was none.
	Validated string `json:"validated,omitempty"`
}

// RewritePartition replaces one partition with the rows of the SELECT, at
// most once per (RunID, partition) through the warehouse ledger, then
// validates it. It heartbeats while the warehouse works so that a lost
// worker is noticed long before the start-to-close timeout.
func (b *Backfills) RewritePartition(ctx context.Context, in RewritePartitionInput) (RewritePartitionResult, error) {
	ref, w, err := b.target(ctx, in.Warehouse, in.Table)
	if err != nil {
		return RewritePartitionResult{}, err
	}
	defer keepHeartbeating(ctx, in.Partition.Start)()
	return rewriteOne(ctx, w, ref, in)
}

// target resolves the warehouse and the table a backfill writes to.
func (b *Backfills) target(ctx context.Context, name, table string) (warehouse.TableRef, warehouse.Warehouse, error) {
	ref, err := warehouse.ParseTableRef(table)
	if err != nil {
		return ref, nil, backfillFailure(err)
	}
	w, err := b.Warehouses.Warehouse(ctx, name)
	if err != nil {
		return ref, nil, backfillFailure(err)
	}
	return ref, w, nil
}

// rewriteOne rewrites and validates one partition; its errors are already
// classified by backfillFailure.
func rewriteOne(ctx context.Context, w warehouse.Warehouse, ref warehouse.TableRef, in RewritePartitionInput) (RewritePartitionResult, error) {
	res, err := w.RewritePartition(ctx, warehouse.Rewrite{
		Table: ref, Partition: in.Partition, Select: in.Select,
		RunID: in.RunID, Attempt: int(activity.GetInfo(ctx).Attempt),
		Checksum: in.Validation.Kind == ValidateChecksum,
	})
	if err != nil {
		return RewritePartitionResult{}, backfillFailure(err)
	}
	checked, err := validatePartition(ctx, w, ref, in, res)
	if err != nil {
		return RewritePartitionResult{}, backfillFailure(err)
	}
	return RewritePartitionResult{RewriteResult: res, Validated: checked}, nil
}

// keepHeartbeating heartbeats now and every backfillHeartbeatGap until the
// returned stop function is called.
func keepHeartbeating(ctx context.Context, details any) (stop func()) {
	activity.RecordHeartbeat(ctx, details)
	done := make(chan struct{})
	go everyGap(ctx, done, func() { activity.RecordHeartbeat(ctx, details) })
	return func() { close(done) }
}

// everyGap calls beat every backfillHeartbeatGap until done is closed or
// ctx ends.
func everyGap(ctx context.Context, done <-chan struct{}, beat func()) {
	t := time.NewTicker(backfillHeartbeatGap)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-ctx.Done():
			return
		case <-t.C:
			beat()
		}
	}
}

// EstimatePartitionsInput asks what rewriting some partitions would cost.
type EstimatePartitionsInput struct {
	Warehouse  string                `json:"warehouse"`
	Select     string                `json:"select"`
	Partitions []warehouse.Partition `json:"partitions"`
}

// EstimatePartitionsResult holds one estimate per partition, in order.
type EstimatePartitionsResult struct {
	Costs []warehouse.Cost `json:"costs"`
}

// EstimatePartitions estimates the SELECT of each partition without
// running it (EXPLAIN, or a BigQuery dry run).
func (b *Backfills) EstimatePartitions(ctx context.Context, in EstimatePartitionsInput) (EstimatePartitionsResult, error) {
	w, err := b.Warehouses.Warehouse(ctx, in.Warehouse)
	if err != nil {
		return EstimatePartitionsResult{}, backfillFailure(err)
	}
	out := EstimatePartitionsResult{Costs: make([]warehouse.Cost, 0, len(in.Partitions))}
	for i, p := range in.Partitions {
		q := warehouse.Query{SQL: in.Select, Params: partitionParams(p)}
		cost, err := w.EstimateCost(ctx, q)
		if err != nil {
			return EstimatePartitionsResult{}, backfillFailure(fmt.Errorf("estimating partition %s: %w", p.Start.Format(time.RFC3339), err))
		}
		out.Costs = append(out.Costs, cost)
		activity.RecordHeartbeat(ctx, i)
	}
	return out, nil
}

// partitionParams binds a partition's bounds as @from and @to.
func partitionParams(p warehouse.Partition) map[string]any {
	return map[string]any{"from": p.Start, "to": p.End}
}

// backfillFailure makes the errors no retry can fix non-retryable, so a
// missing table or a typo in a warehouse name fails at once instead of
// after every attempt; everything else is left to the retry policy.
func backfillFailure(err error) error {
	var (
		notFound *warehouse.NotFoundError
		badName  *warehouse.InvalidIdentifierError
		unknown  *warehouse.UnknownWarehouseError
		denied   *warehouse.PermissionError
		invalid  *validationError
	)
	switch {
	case errors.As(err, &notFound):
		return temporal.NewNonRetryableApplicationError(err.Error(), errTableNotFound, err)
	case errors.As(err, &badName):
		return temporal.NewNonRetryableApplicationError(err.Error(), errInvalidInput, err)
	case errors.As(err, &unknown):
		return temporal.NewNonRetryableApplicationError(err.Error(), errUnknownWarehouse, err)
	case errors.As(err, &denied):
		return temporal.NewNonRetryableApplicationError(err.Error(), errPermissionDenied, err)
	case errors.As(err, &invalid):
		return temporal.NewNonRetryableApplicationError(err.Error(), errValidationFailed, err)
	}
	return err
}
