package activities

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/dre-dev/dre/internal/warehouse"
)

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
	want, err := sourceRows(ctx, w, in)
	if err != nil {
		return "", err
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
