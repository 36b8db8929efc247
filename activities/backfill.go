package activities

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/dre-dev/dre/internal/catalog"
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
	// Catalog is the worker's dre.yaml catalog, which says which role a
	// dataset's backfill SELECTs run as (backfill.select_role) and which
	// columns hold PII; nil trusts the dataset the workflow was given.
	Catalog *catalog.Catalog
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
	// Dataset labels the partitions and rows the worker counts.
	Dataset string `json:"dataset,omitempty"`
	// Publish is catalog.PublishWAP to write, audit and publish; anything
	// else replaces the partition directly and validates it afterwards.
	Publish string `json:"publish,omitempty"`
	// Checks are the dataset's checks, which a WAP rewrite runs against
	// the staged rows; UniqueKey is what validation.unique checks.
	Checks    *catalog.Validation `json:"checks,omitempty"`
	UniqueKey []string            `json:"uniqueKey,omitempty"`
	// SelectRole is the role the SELECT runs as (see CheckSelect); the
	// worker's catalog entry for Dataset overrides it.
	SelectRole string `json:"selectRole,omitempty"`
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
	in.SelectRole = b.selectRole(in.Dataset, in.SelectRole)
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
	rw := rewriteOf(ctx, ref, in)
	if in.Publish == catalog.PublishWAP {
		return rewriteAudited(ctx, w, in, rw)
	}
	res, err := w.RewritePartition(ctx, rw)
	if err != nil {
		return RewritePartitionResult{}, backfillFailure(err)
	}
	checked, err := validatePartition(ctx, w, ref, in, res)
	if err != nil {
		return RewritePartitionResult{}, backfillFailure(err)
	}
	meterRewrite(ctx, in.Dataset, res)
	return RewritePartitionResult{RewriteResult: res, Validated: checked}, nil
}

// rewriteOf is the warehouse's rewrite of one partition.
func rewriteOf(ctx context.Context, ref warehouse.TableRef, in RewritePartitionInput) warehouse.Rewrite {
	return warehouse.Rewrite{
		Table: ref, Partition: in.Partition, Select: in.Select,
		RunID: in.RunID, Attempt: int(activity.GetInfo(ctx).Attempt),
		Checksum: in.Validation.Kind == ValidateChecksum, SourceHash: warehouse.SourceHash(in.Select),
		SelectRole: in.SelectRole,
	}
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
	// Dataset and SelectRole are RewritePartitionInput's: the estimate
	// plans the SELECT as the select role, since planning runs some of it.
	Dataset    string `json:"dataset,omitempty"`
	SelectRole string `json:"selectRole,omitempty"`
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
	role := b.selectRole(in.Dataset, in.SelectRole)
	for i, p := range in.Partitions {
		q := warehouse.Query{SQL: in.Select, Params: partitionParams(p), PlanAs: role}
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
		limited  *warehouse.RoleDeniedError
		invalid  *validationError
	)
	switch {
	case errors.As(err, &limited):
		return temporal.NewNonRetryableApplicationError(err.Error(), errPermissionDenied, err)
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

// Validation kinds of BackfillValidation.Kind.
const (
	// ValidateRowCount compares the partition's rows with the source's.
	ValidateRowCount = "rowcount"
	// ValidateChecksum compares the partition's content checksum with what
	// the rewrite inserted and, for a copy, with the source table's.
	ValidateChecksum = "checksum"
	// ValidateSQL runs a custom assertion.
	ValidateSQL = "sql"
)

// BackfillValidation is how each partition is checked after its rewrite.
// A rewrite that passes the warehouse but fails validation is permanent:
// retrying would find the same rows.
type BackfillValidation struct {
	// Kind is "", ValidateRowCount, ValidateChecksum or ValidateSQL.
	Kind string `json:"kind,omitempty"`
	// Tolerance is the relative row count difference allowed with
	// ValidateRowCount: 0.01 accepts 1% more or fewer rows than the source.
	Tolerance float64 `json:"tolerance,omitempty"`
	// SQL, with ValidateSQL, is a SELECT reading @from and @to that
	// returns no rows for a good partition; each row it returns is a
	// violation (the convention of dbt tests).
	SQL string `json:"sql,omitempty"`
}

// validationError is a partition that was written but failed validation.
type validationError struct{ msg string }

func (e *validationError) Error() string { return e.msg }

// validatePartition checks a rewritten partition and says what it compared.
func validatePartition(ctx context.Context, w warehouse.Warehouse, ref warehouse.TableRef, in RewritePartitionInput, res warehouse.RewriteResult) (string, error) {
	v := in.Validation
	switch v.Kind {
	case "":
		return "", nil
	case ValidateSQL:
		return validateAssertion(ctx, w, in)
	case ValidateRowCount, ValidateChecksum:
	default:
		return "", &validationError{fmt.Sprintf("unknown validation %q; use %s, %s or %s", v.Kind, ValidateRowCount, ValidateChecksum, ValidateSQL)}
	}
	got, err := w.PartitionStats(ctx, ref, in.Partition)
	if err != nil {
		return "", err
	}
	if v.Kind == ValidateChecksum {
		return validateChecksum(ctx, w, in, res, got)
	}
	want := res.Rows
	if in.SelectRole == "" {
		// Counting the SELECT again would read it as dre's user; under a
		// select role the rewrite's own count of what the role read stands.
		if want, err = sourceRows(ctx, w, in); err != nil {
			return "", err
		}
	}
	if math.Abs(float64(got.Rows-want)) > v.Tolerance*float64(want) {
		return "", &validationError{fmt.Sprintf("partition %s has %d rows, the source %d (tolerance %.2f%%)",
			in.Partition.Start.Format("2006-01-02T15:04"), got.Rows, want, 100*v.Tolerance)}
	}
	return fmt.Sprintf("rows %d vs source %d", got.Rows, want), nil
}

// validateChecksum compares the partition with what was inserted and, for
// a copy, with the source partition.
func validateChecksum(ctx context.Context, w warehouse.Warehouse, in RewritePartitionInput, res warehouse.RewriteResult, got warehouse.PartitionStats) (string, error) {
	if got.Checksum != res.Checksum || got.Rows != res.Rows {
		return "", &validationError{fmt.Sprintf("partition %s changed after its rewrite: %d rows (checksum %s), %d written (checksum %s); is something else writing to %s?",
			in.Partition.Start.Format("2006-01-02T15:04"), got.Rows, got.Checksum, res.Rows, res.Checksum, in.Table)}
	}
	if in.SourceTable == "" {
		return "checksum " + got.Checksum + " as written", nil
	}
	src, err := tableRef(in.SourceTable)
	if err != nil {
		return "", err
	}
	want, err := w.PartitionStats(ctx, src, in.Partition)
	if err != nil {
		return "", err
	}
	if want != got {
		return "", &validationError{fmt.Sprintf("partition %s differs from %s: %d rows (checksum %s) vs %d (checksum %s)",
			in.Partition.Start.Format("2006-01-02T15:04"), in.SourceTable, got.Rows, got.Checksum, want.Rows, want.Checksum)}
	}
	return "checksum " + got.Checksum + " matches " + in.SourceTable, nil
}

// sourceRows counts the rows the SELECT produces for the partition.
func sourceRows(ctx context.Context, w warehouse.Warehouse, in RewritePartitionInput) (int64, error) {
	sel := strings.TrimRight(strings.TrimSpace(in.Select), ";")
	q := warehouse.Query{SQL: "SELECT count(*) FROM (" + sel + ") AS source", Params: partitionParams(in.Partition), MaxRows: 1}
	res, err := w.Query(ctx, q)
	if err != nil {
		return 0, fmt.Errorf("counting the source rows: %w", err)
	}
	if len(res.Rows) != 1 || len(res.Rows[0]) != 1 {
		return 0, fmt.Errorf("counting the source rows returned %d rows", len(res.Rows))
	}
	n, ok := res.Rows[0][0].(int64)
	if !ok {
		return 0, fmt.Errorf("counting the source rows returned %T, not an integer", res.Rows[0][0])
	}
	return n, nil
}

// validateAssertion runs the custom SQL; any row it returns fails the partition.
func validateAssertion(ctx context.Context, w warehouse.Warehouse, in RewritePartitionInput) (string, error) {
	q := warehouse.Query{SQL: in.Validation.SQL, Params: partitionParams(in.Partition), MaxRows: 5}
	res, err := w.Query(ctx, q)
	if err != nil {
		return "", fmt.Errorf("running the validation SQL (check validation.sql): %w", err)
	}
	if len(res.Rows) > 0 {
		return "", &validationError{fmt.Sprintf("partition %s fails the validation SQL: first violation %v",
			in.Partition.Start.Format("2006-01-02T15:04"), res.Rows[0])}
	}
	return "validation SQL returned no rows", nil
}

// tableRef parses a table name, as a permanent error when it is malformed.
func tableRef(name string) (warehouse.TableRef, error) {
	ref, err := warehouse.ParseTableRef(name)
	if err != nil {
		return ref, &validationError{err.Error()}
	}
	return ref, nil
}
