package activities

import (
	"context"
	"fmt"
	"strings"

	"go.temporal.io/sdk/temporal"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/warehouse"
)

// wapWarehouse is a warehouse that can write, audit and publish a partition
// (PostgreSQL, BigQuery); declared here because only this activity needs it.
type wapWarehouse interface {
	RewriteAudited(ctx context.Context, r warehouse.Rewrite, a warehouse.Audit) (warehouse.RewriteResult, error)
}

// failureRecorder is a warehouse whose ledger records failed partitions,
// for reprocess mode "failed".
type failureRecorder interface {
	RecordFailure(ctx context.Context, r warehouse.Rewrite, reason string) error
}

// rewriteAudited rewrites a partition by write-audit-publish: a partition
// whose new rows fail an audit is not published, keeps its rows, and
// fails permanently with the audit's findings and both row counts.
func rewriteAudited(ctx context.Context, w warehouse.Warehouse, in RewritePartitionInput, rw warehouse.Rewrite) (RewritePartitionResult, error) {
	a, ok := w.(wapWarehouse)
	if !ok {
		msg := fmt.Sprintf("write-audit-publish is not available on warehouse %q yet; publish directly (--publish direct, or validation.mode: direct in dre.yaml)", in.Warehouse)
		return RewritePartitionResult{}, temporal.NewNonRetryableApplicationError(msg, errInvalidInput, nil)
	}
	audit, err := buildAudit(in, rw)
	if err != nil {
		return RewritePartitionResult{}, backfillFailure(err)
	}
	res, err := a.RewriteAudited(ctx, rw, audit)
	if err != nil {
		return RewritePartitionResult{}, backfillFailure(err)
	}
	out := RewritePartitionResult{RewriteResult: res, Validated: "published earlier by this run"}
	if res.Audit == nil {
		return out, nil
	}
	out.Validated = res.Audit.Summary()
	if !res.Audit.Passed {
		return out, backfillFailure(&validationError{fmt.Sprintf("partition %s not published, it keeps its rows: %s",
			in.Partition.Start.Format("2006-01-02T15:04"), out.Validated)})
	}
	return out, nil
}

// buildAudit turns the run's validation and the dataset's checks into
// the audit of one partition.
func buildAudit(in RewritePartitionInput, rw warehouse.Rewrite) (warehouse.Audit, error) {
	var a warehouse.Audit
	switch in.Validation.Kind {
	case ValidateRowCount:
		a.CountSource, a.Tolerance = true, in.Validation.Tolerance
	case ValidateChecksum:
		if in.SourceTable != "" {
			src, err := tableRef(in.SourceTable)
			if err != nil {
				return a, err
			}
			a.CompareTable = &src
		}
	case ValidateSQL:
		return a, &validationError{"with write-audit-publish, declare SQL checks under validation.sql in dre.yaml: they read the staged rows as {{ .Table }}"}
	}
	checks, err := datasetChecks(in.Checks, in.UniqueKey, warehouse.StagedRows)
	a.Checks = checks
	return a, err
}

// datasetChecks lists a dataset's checks of dre.yaml, SQL ones rendered
// against the staging table.
func datasetChecks(v *catalog.Validation, uniqueKey []string, staged string) ([]warehouse.Check, error) {
	if v == nil {
		return nil, nil
	}
	var out []warehouse.Check
	for _, col := range v.NotNull {
		out = append(out, warehouse.Check{Name: "not_null(" + col + ")", Kind: warehouse.CheckNotNull, Columns: []string{col}})
	}
	if v.Unique {
		out = append(out, warehouse.Check{Name: "unique(" + strings.Join(uniqueKey, ", ") + ")", Kind: warehouse.CheckUnique, Columns: uniqueKey})
	}
	for _, col := range v.AcceptedColumns() {
		out = append(out, warehouse.Check{Name: "accepted_values(" + col + ")", Kind: warehouse.CheckAcceptedValues,
			Columns: []string{col}, Values: v.AcceptedValues[col]})
	}
	for _, c := range v.SQL {
		sql, err := catalog.ExpandCheck(c.Select, staged, "@from", "@to")
		if err != nil {
			return nil, &validationError{fmt.Sprintf("validation.sql %s: %v", c.Name, err)}
		}
		out = append(out, warehouse.Check{Name: c.Name, Kind: warehouse.CheckSQL, SQL: sql})
	}
	return out, nil
}

// recordFailure notes a partition that failed for good in the ledger,
// where the warehouse keeps one. It is best effort: the workflow's report
// has the failure anyway, and only reprocess mode "failed" reads it.
func recordFailure(ctx context.Context, w warehouse.Warehouse, rw warehouse.Rewrite, reason string) {
	if r, ok := w.(failureRecorder); ok {
		_ = r.RecordFailure(ctx, rw, reason)
	}
}
