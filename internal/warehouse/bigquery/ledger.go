package bigquery

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"cloud.google.com/go/bigquery"

	"github.com/dre-dev/dre/internal/warehouse"
)

// LedgerDataset is the dataset, in the warehouse's project, where dre keeps
// its backfill ledger and snapshot metadata. It must exist; its tables are
// created on first use.
const LedgerDataset = "dre_meta"

const (
	backfillLedger = "backfill_ledger"
	snapshotMeta   = "snapshot_meta"
)

// metaSchemas are the schemas of dre's own tables.
var metaSchemas = map[string]bigquery.Schema{
	backfillLedger: {
		{Name: "run_id", Type: bigquery.StringFieldType, Required: true},
		{Name: "table_name", Type: bigquery.StringFieldType, Required: true},
		{Name: "partition_id", Type: bigquery.StringFieldType, Required: true},
		{Name: "row_count", Type: bigquery.IntegerFieldType},
		{Name: "checksum", Type: bigquery.StringFieldType},
		{Name: "recorded_at", Type: bigquery.TimestampFieldType},
		// Added with write-audit-publish; NULL in older rows, which were
		// all written.
		{Name: "status", Type: bigquery.StringFieldType, Description: "written, or failed (validation or for good)"},
		{Name: "detail", Type: bigquery.StringFieldType, Description: "why a partition failed: the audit's findings and row counts"},
		{Name: "source_hash", Type: bigquery.StringFieldType, Description: "hash of the backfill's SELECT, for --only missing"},
	},
	snapshotMeta: {
		{Name: "snapshot", Type: bigquery.StringFieldType, Required: true},
		{Name: "source", Type: bigquery.StringFieldType},
		{Name: "meta", Type: bigquery.StringFieldType, Description: "JSON: comment, labels, policy tags, grants"},
		{Name: "taken_at", Type: bigquery.TimestampFieldType},
	},
}

// ledgerKey identifies one partition rewrite of one run.
type ledgerKey struct{ run, table, partition string }

func metaRef(name string) warehouse.TableRef {
	return warehouse.TableRef{Schema: LedgerDataset, Table: name}
}

// ensureMeta creates one of dre's tables unless it is known to exist.
func (w *Warehouse) ensureMeta(ctx context.Context, name string) error {
	w.mu.Lock()
	ready := w.ready[name]
	w.mu.Unlock()
	if ready {
		return nil
	}
	t := w.client.DatasetInProject(w.project, LedgerDataset).Table(name)
	md, err := t.Metadata(ctx)
	if err == nil {
		err = w.addMetaColumns(ctx, name, md)
	}
	if isMissing(err) {
		err = t.Create(ctx, &bigquery.TableMetadata{Schema: metaSchemas[name], Description: "dre's own table: see internal/warehouse/bigquery"})
		if isDuplicate(err) {
			err = nil // created meanwhile by another worker
		}
	}
	if isMissing(err) {
		return fmt.Errorf("dre keeps its ledger in the BigQuery dataset %s.%s, which does not exist: create it once with `bq mk --dataset --location=%s %s:%s`: %w",
			w.project, LedgerDataset, w.location, w.project, LedgerDataset, &warehouse.NotFoundError{Kind: "dataset", Name: LedgerDataset})
	}
	if err != nil {
		return translate(err, tableOp(metaRef(name), "bigquery.tables.create"))
	}
	w.mu.Lock()
	w.ready[name] = true
	w.mu.Unlock()
	return nil
}

// lookupRewrite returns what the ledger recorded as written for key, if
// anything.
func (w *Warehouse) lookupRewrite(ctx context.Context, key ledgerKey) (warehouse.RewriteResult, bool, error) {
	found, ok, err := w.lookupLedger(ctx, key, warehouse.LedgerWritten)
	if ok {
		found.AlreadyApplied = true
	}
	return found, ok, err
}

// lookupLedger returns the row count and checksum of key's ledger row of
// the given status; rows from before the status column count as written.
func (w *Warehouse) lookupLedger(ctx context.Context, key ledgerKey, status string) (warehouse.RewriteResult, bool, error) {
	if err := w.ensureMeta(ctx, backfillLedger); err != nil {
		return warehouse.RewriteResult{}, false, err
	}
	sql := fmt.Sprintf("SELECT row_count, checksum FROM %s WHERE run_id = @run AND table_name = @table AND partition_id = @partition AND IFNULL(status, 'written') = @status LIMIT 1",
		w.qualified(metaRef(backfillLedger)))
	params := append(key.params(), bigquery.QueryParameter{Name: "status", Value: status})
	rows, err := w.read(ctx, "ledger", sql, params, tableOp(metaRef(backfillLedger), "bigquery.tables.getData"))
	if err != nil || len(rows) == 0 {
		return warehouse.RewriteResult{}, false, err
	}
	n, _ := rows[0][0].(int64)
	sum, _ := rows[0][1].(string)
	return warehouse.RewriteResult{Rows: n, Checksum: sum}, true, nil
}

// ledgerRow is what one ledger row records besides its key.
type ledgerRow struct {
	status     string
	rows       int64
	checksum   string
	sourceHash string
	detail     string
}

// recordRewrite writes the ledger row of a written partition.
func (w *Warehouse) recordRewrite(ctx context.Context, key ledgerKey, res warehouse.RewriteResult, sourceHash string) error {
	return w.recordLedger(ctx, key, ledgerRow{status: warehouse.LedgerWritten, rows: res.Rows, checksum: res.Checksum, sourceHash: sourceHash})
}

// recordLedger writes a ledger row. Its job ID depends on the key and the
// status only, so two inserts of the same row cannot both run: the second
// finds the first's job (409) and waits for it. If that ID belongs to a
// job that failed, and no row made it, the row is inserted under a fresh ID.
func (w *Warehouse) recordLedger(ctx context.Context, key ledgerKey, row ledgerRow) error {
	sql := fmt.Sprintf("INSERT INTO %s (run_id, table_name, partition_id, row_count, checksum, recorded_at, status, detail, source_hash) VALUES (@run, @table, @partition, @rows, @checksum, @at, @status, @detail, @source)",
		w.qualified(metaRef(backfillLedger)))
	params := append(key.params(),
		bigquery.QueryParameter{Name: "rows", Value: row.rows},
		bigquery.QueryParameter{Name: "checksum", Value: row.checksum},
		bigquery.QueryParameter{Name: "at", Value: time.Now().UTC()},
		bigquery.QueryParameter{Name: "status", Value: row.status},
		bigquery.QueryParameter{Name: "detail", Value: row.detail},
		bigquery.QueryParameter{Name: "source", Value: row.sourceHash})
	o := tableOp(metaRef(backfillLedger), "bigquery.tables.updateData")
	err := w.exec(ctx, ledgerJobID(w.project, key, row.status), "ledger", sql, params, o)
	if err == nil || isPermanent(err) {
		return err
	}
	if _, found, lerr := w.lookupLedger(ctx, key, row.status); lerr == nil && found {
		return nil
	}
	return w.exec(ctx, "", "ledger", sql, params, o)
}

// ledgerJobID is the job ID of a ledger insert. A written row keeps the
// ID it had before statuses existed, so that an upgrade in the middle of
// a run still finds the insert an earlier version made.
func ledgerJobID(project string, key ledgerKey, status string) string {
	parts := []string{project, key.run, key.table, key.partition}
	if status != warehouse.LedgerWritten {
		parts = append(parts, status)
	}
	return hashID("dre_ledger_", parts...)
}

func (k ledgerKey) params() []bigquery.QueryParameter {
	return []bigquery.QueryParameter{
		{Name: "run", Value: k.run},
		{Name: "table", Value: k.table},
		{Name: "partition", Value: k.partition},
	}
}

// isPermanent reports errors a second try would meet again.
func isPermanent(err error) bool {
	var nf *warehouse.NotFoundError
	var pe *warehouse.PermissionError
	return errors.As(err, &nf) || errors.As(err, &pe)
}

// addMetaColumns adds to one of dre's tables the columns a later version
// of dre declared (all NULLABLE, which BigQuery allows adding in place).
func (w *Warehouse) addMetaColumns(ctx context.Context, name string, md *bigquery.TableMetadata) error {
	want := metaSchemas[name]
	if len(md.Schema) >= len(want) {
		return nil
	}
	u := bigquery.TableMetadataToUpdate{Schema: append(slices.Clone(md.Schema), want[len(md.Schema):]...)}
	// A stale etag (another worker adding them meanwhile) fails this
	// call; the retry reads the table again and finds them.
	_, err := w.client.DatasetInProject(w.project, LedgerDataset).Table(name).Update(ctx, u, md.ETag)
	return err
}

// RecordFailure records in the ledger that the run failed the partition
// for good, with why; reprocess mode "failed" redoes such partitions. The
// failure of an audit is recorded by RewriteAudited under the same job
// ID, so a partition's failure is recorded once.
func (w *Warehouse) RecordFailure(ctx context.Context, r warehouse.Rewrite, reason string) error {
	if err := r.Table.Validate(); err != nil {
		return err
	}
	target, err := w.targetPartition(ctx, r.Table, r.Partition)
	if err != nil {
		return err
	}
	if err := w.ensureMeta(ctx, backfillLedger); err != nil {
		return err
	}
	key := ledgerKey{run: r.RunID, table: r.Table.String(), partition: target.decorator}
	return w.recordLedger(ctx, key, ledgerRow{status: warehouse.LedgerFailed, sourceHash: r.SourceHash, detail: reason})
}
