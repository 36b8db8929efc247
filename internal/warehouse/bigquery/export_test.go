package bigquery

import (
	"context"
	"fmt"

	"github.com/dre-dev/dre/internal/warehouse"
)

// Crash points of CrashAuditAt.
const (
	CrashAfterStaging    = "after staging"
	CrashAfterValidation = "after validation"
	CrashDuringSwap      = "during the swap"
)

// CrashAuditAt runs RewriteAudited's steps up to point and stops there,
// as a worker killed at that point would: after staging, the staging
// table holds the new rows; after validation, the audit query has run
// too; during the swap, the copy job has been inserted (the stand-in runs
// it at once) but neither the ledger row nor the staging table's drop
// followed.
func (w *Warehouse) CrashAuditAt(ctx context.Context, r warehouse.Rewrite, a warehouse.Audit, point string) error {
	md, err := w.metadata(ctx, r.Table)
	if err != nil {
		return err
	}
	target, err := partitionOf(md, r.Table, r.Partition)
	if err != nil {
		return err
	}
	p := newPublication(w.project, r, target)
	if err := w.stage(ctx, p, md); err != nil || point == CrashAfterStaging {
		return err
	}
	found, err := w.audit(ctx, p, a)
	if err != nil || point == CrashAfterValidation {
		return err
	}
	if !found.audit.Passed {
		return fmt.Errorf("the audit failed, nothing to publish: %s", found.audit.Summary())
	}
	return w.publish(ctx, p, 0)
}

// StagingTable is the staging table of a rewrite of the partition with
// the given decorator.
func StagingTable(project string, r warehouse.Rewrite, decorator string) warehouse.TableRef {
	return newPublication(project, r, partitionTarget{decorator: decorator}).staging
}

// PublishJobID is the n-th ID of the copy job that publishes the partition.
func PublishJobID(project string, r warehouse.Rewrite, decorator string, n int) string {
	return publishJobID(newPublication(project, r, partitionTarget{decorator: decorator}), n)
}
