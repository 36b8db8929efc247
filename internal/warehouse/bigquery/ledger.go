package bigquery

import (
	"context"
	"errors"
	"fmt"
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
	_, err := t.Metadata(ctx)
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

// lookupRewrite returns what the ledger recorded for key, if anything.
func (w *Warehouse) lookupRewrite(ctx context.Context, key ledgerKey) (warehouse.RewriteResult, bool, error) {
	if err := w.ensureMeta(ctx, backfillLedger); err != nil {
		return warehouse.RewriteResult{}, false, err
	}
	sql := fmt.Sprintf("SELECT row_count, checksum FROM %s WHERE run_id = @run AND table_name = @table AND partition_id = @partition LIMIT 1",
		w.qualified(metaRef(backfillLedger)))
	rows, err := w.read(ctx, "ledger", sql, key.params(), tableOp(metaRef(backfillLedger), "bigquery.tables.getData"))
	if err != nil || len(rows) == 0 {
		return warehouse.RewriteResult{}, false, err
	}
	n, _ := rows[0][0].(int64)
	sum, _ := rows[0][1].(string)
	return warehouse.RewriteResult{Rows: n, Checksum: sum, AlreadyApplied: true}, true, nil
}

// recordRewrite writes the ledger row. Its job ID depends on the key only,
// so two inserts of the same row cannot both run. If that ID belongs to a
// job that failed, and no row made it, the row is inserted under a fresh ID.
func (w *Warehouse) recordRewrite(ctx context.Context, key ledgerKey, res warehouse.RewriteResult) error {
	sql := fmt.Sprintf("INSERT INTO %s (run_id, table_name, partition_id, row_count, checksum, recorded_at) VALUES (@run, @table, @partition, @rows, @checksum, @at)",
		w.qualified(metaRef(backfillLedger)))
	params := append(key.params(),
		bigquery.QueryParameter{Name: "rows", Value: res.Rows},
		bigquery.QueryParameter{Name: "checksum", Value: res.Checksum},
		bigquery.QueryParameter{Name: "at", Value: time.Now().UTC()})
	o := tableOp(metaRef(backfillLedger), "bigquery.tables.updateData")
	err := w.exec(ctx, hashID("dre_ledger_", w.project, key.run, key.table, key.partition), "ledger", sql, params, o)
	if err == nil || isPermanent(err) {
		return err
	}
	if _, found, lerr := w.lookupRewrite(ctx, key); lerr == nil && found {
		return nil
	}
	return w.exec(ctx, "", "ledger", sql, params, o)
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
