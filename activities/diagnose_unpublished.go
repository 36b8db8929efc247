package activities

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/dre-dev/dre/internal/warehouse"
)

// CheckUnpublished is the Finding.Check of partitions that failed
// write-audit-publish validation and are not yet fixed.
const CheckUnpublished = "unpublished"

// unpublishedLister is implemented by warehouses whose backfill ledger
// records failed validations (PostgreSQL, BigQuery). It is optional: a warehouse
// without it has nothing to report.
type unpublishedLister interface {
	UnpublishedPartitions(ctx context.Context, ref warehouse.TableRef) ([]warehouse.UnpublishedPartition, error)
}

// DiagnoseUnpublished reports the table's partitions whose latest backfill
// failed validation: readers still see their old rows, which the backfill
// was meant to replace.
func (d *Diagnosis) DiagnoseUnpublished(ctx context.Context, in DiagnoseInput) (Finding, error) {
	t, err := d.open(ctx, in)
	if err != nil {
		return Finding{}, err
	}
	lister, ok := t.wh.(unpublishedLister)
	if !ok {
		return skipped(in, CheckUnpublished, "the warehouse keeps no record of failed validations"), nil
	}
	parts, err := lister.UnpublishedPartitions(ctx, t.ref)
	if err != nil {
		return Finding{}, fmt.Errorf("diagnosing %s: %w", t.ref, err)
	}
	if len(parts) == 0 {
		return t.finding(CheckUnpublished, false, "no partition of %s is held back by a failed validation", t.ref), nil
	}
	f := t.finding(CheckUnpublished, true, "%s", UnpublishedSummary(in.Dataset, parts))
	for _, p := range parts {
		f.Partitions = append(f.Partitions, p.Start.Format(time.RFC3339))
	}
	return f, nil
}

// UnpublishedSummary is the one line that names each unpublished partition
// with why it failed and says how to fix them; the triage finding and
// dre catalog check both show it. dataset may be empty when unknown.
func UnpublishedSummary(dataset string, parts []warehouse.UnpublishedPartition) string {
	named := make([]string, len(parts))
	labels := make([]string, len(parts))
	for i, p := range parts {
		labels[i] = partitionLabel(p.Start)
		named[i] = fmt.Sprintf("%s (%s)", labels[i], failureReason(p.Detail))
	}
	if dataset == "" {
		dataset = "<dataset>"
	}
	count := fmt.Sprintf("%d partitions failed validation and are", len(parts))
	if len(parts) == 1 {
		count = "1 partition failed validation and is"
	}
	return fmt.Sprintf("%s unpublished: %s; fix the source and run dre backfill start %s --partitions %s",
		count, strings.Join(named, ", "), dataset, strings.Join(labels, ","))
}

// partitionLabel is a partition start as dre backfill --partitions takes it:
// a date for daily and coarser partitions, the hour otherwise.
func partitionLabel(start time.Time) string {
	start = start.UTC()
	if start.Equal(start.Truncate(24 * time.Hour)) {
		return start.Format(time.DateOnly)
	}
	return start.Format(time.RFC3339)
}

// failureReason keeps the part of a ledger detail that says which checks
// failed, without the verdict prefix and the row counts.
func failureReason(detail string) string {
	reason := strings.TrimPrefix(detail, "audit failed: ")
	if i := strings.Index(reason, "; old rows "); i >= 0 {
		reason = reason[:i]
	}
	if reason == "" {
		return "no detail recorded"
	}
	return reason
}
