package bigquery

import (
	"context"
	"fmt"
	"slices"
	"time"

	"cloud.google.com/go/bigquery"

	"github.com/dre-dev/dre/internal/warehouse"
)

// LedgerEntries lists what every backfill run recorded about the
// partitions of a table starting in [from, to), oldest record first; none
// when no backfill ever ran here.
func (w *Warehouse) LedgerEntries(ctx context.Context, ref warehouse.TableRef, from, to time.Time) ([]warehouse.LedgerEntry, error) {
	all, err := w.ledgerOf(ctx, ref)
	return slices.DeleteFunc(all, func(e warehouse.LedgerEntry) bool {
		return e.Start.Before(from) || !e.Start.Before(to)
	}), err
}

// UnpublishedPartitions lists the table's partitions whose latest ledger
// row is a failure (write-audit-publish validation, or a rewrite that
// failed for good) and that no later backfill wrote, oldest first.
func (w *Warehouse) UnpublishedPartitions(ctx context.Context, ref warehouse.TableRef) ([]warehouse.UnpublishedPartition, error) {
	all, err := w.ledgerOf(ctx, ref)
	if err != nil {
		return nil, err
	}
	latest := map[time.Time]warehouse.LedgerEntry{}
	for _, e := range all { // oldest first: the last one per partition wins
		latest[e.Start] = e
	}
	var out []warehouse.UnpublishedPartition
	for _, e := range latest {
		if e.Status == warehouse.LedgerFailed {
			out = append(out, warehouse.UnpublishedPartition{Start: e.Start, RunID: e.RunID, Detail: e.Detail, At: e.At})
		}
	}
	slices.SortFunc(out, func(a, b warehouse.UnpublishedPartition) int { return a.Start.Compare(b.Start) })
	return out, nil
}

// ledgerOf reads every ledger row of a table, oldest first. It creates
// nothing: without the ledger table, or without its status column (a
// ledger from before write-audit-publish), there is nothing to read.
func (w *Warehouse) ledgerOf(ctx context.Context, ref warehouse.TableRef) ([]warehouse.LedgerEntry, error) {
	if err := ref.Validate(); err != nil {
		return nil, err
	}
	ledger := metaRef(backfillLedger)
	md, err := w.table(ledger).Metadata(ctx)
	if isMissing(err) {
		return nil, nil
	}
	if err != nil {
		return nil, translate(err, tableOp(ledger, "bigquery.tables.get"))
	}
	cols := "'written', '', ''"
	if fieldType(md.Schema, "status") != "" {
		cols = "IFNULL(status, 'written'), IFNULL(source_hash, ''), IFNULL(detail, '')"
	}
	sql := fmt.Sprintf("SELECT run_id, partition_id, %s, recorded_at FROM %s WHERE table_name = @table ORDER BY recorded_at, partition_id",
		cols, w.qualified(ledger))
	rows, err := w.read(ctx, "ledger", sql, []bigquery.QueryParameter{{Name: "table", Value: ref.String()}},
		tableOp(ledger, "bigquery.tables.getData"))
	if err != nil {
		return nil, err
	}
	out := make([]warehouse.LedgerEntry, 0, len(rows))
	for _, row := range rows {
		e, ok := ledgerEntry(row)
		if ok {
			out = append(out, e)
		}
	}
	return out, nil
}

// ledgerEntry reads one ledger row; a partition ID that is not a time
// partition's (which dre never writes) is skipped.
func ledgerEntry(row []bigquery.Value) (warehouse.LedgerEntry, bool) {
	var e warehouse.LedgerEntry
	e.RunID, _ = row[0].(string)
	id, _ := row[1].(string)
	e.Status, _ = row[2].(string)
	e.SourceHash, _ = row[3].(string)
	e.Detail, _ = row[4].(string)
	at, _ := row[5].(time.Time)
	e.At = at.UTC()
	start, ok := partitionStart(id)
	e.Start = start
	return e, ok
}

// partitionStart reads a partition ID (20260102, 2026010215, 202601,
// 2026) back into the partition's start.
func partitionStart(id string) (time.Time, bool) {
	for _, layout := range decoratorLayouts {
		if len(layout) == len(id) {
			t, err := time.Parse(layout, id)
			return t, err == nil
		}
	}
	return time.Time{}, false
}
