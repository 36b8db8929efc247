package activities

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/temporal"
)

// CheckPublished is the runbook check that passes when no partition of the
// dataset is held back by a failed write-audit-publish validation: what a
// wait step polls to hold downstream work behind the circuit breaker.
const CheckPublished = "published"

// published reads the dataset's unpublished partitions from the backfill
// ledger, as the circuit breaker does; the message names them, with why
// and the backfill that redoes them. Value and Rows are their count.
func (c datasetCheck) published(ctx context.Context) (RunbookCheckResult, error) {
	ref, err := parseTable(c.ds.Table)
	if err != nil {
		return RunbookCheckResult{}, err
	}
	lister, ok := c.conn.(unpublishedLister)
	if !ok {
		msg := fmt.Sprintf("warehouse %s keeps no record of failed validations, so check: %s cannot tell; it works on PostgreSQL and BigQuery", c.ds.Warehouse, CheckPublished)
		return RunbookCheckResult{}, temporal.NewNonRetryableApplicationError(msg, errInvalidInput, nil)
	}
	parts, err := lister.UnpublishedPartitions(ctx, ref)
	if err != nil {
		return RunbookCheckResult{}, fmt.Errorf("reading the unpublished partitions of %s: %w", c.ds.Name, err)
	}
	if len(parts) == 0 {
		return RunbookCheckResult{Passed: true, Message: fmt.Sprintf("no partition of %s is held back by a failed validation", c.ds.Name)}, nil
	}
	n := int64(len(parts))
	return RunbookCheckResult{Value: float64(n), Rows: n, Message: UnpublishedSummary(c.ds.Name, parts)}, nil
}
