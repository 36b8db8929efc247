package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dre-dev/dre/internal/warehouse"
)

// LedgerEntries lists what every backfill run recorded about the
// partitions of a table starting in [from, to), oldest record first; none
// when no backfill ever ran here.
func (w *Warehouse) LedgerEntries(ctx context.Context, ref warehouse.TableRef, from, to time.Time) ([]warehouse.LedgerEntry, error) {
	if err := ref.Validate(); err != nil {
		return nil, err
	}
	var out []warehouse.LedgerEntry
	err := w.readTx(ctx, longTimeout, func(tx pgx.Tx) error {
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT to_regclass('dre_meta.backfill_ledger') IS NOT NULL`).Scan(&exists); err != nil || !exists {
			return err
		}
		var hasStatus bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'dre_meta.backfill_ledger'::regclass AND attname = 'status' AND NOT attisdropped)`).Scan(&hasStatus); err != nil {
			return err
		}
		cols := `'written', '', ''`
		if hasStatus {
			cols = `status, source_hash, detail`
		}
		rows, err := tx.Query(ctx, `SELECT run_id, partition_start, `+cols+`, applied_at FROM dre_meta.backfill_ledger
			WHERE table_name = $1 AND partition_start >= $2 AND partition_start < $3 ORDER BY applied_at, partition_start`, ref.String(), from, to)
		if err != nil {
			return err
		}
		var e warehouse.LedgerEntry
		_, err = pgx.ForEachRow(rows, []any{&e.RunID, &e.Start, &e.Status, &e.SourceHash, &e.Detail, &e.At}, func() error {
			e.Start, e.At = e.Start.UTC(), e.At.UTC()
			out = append(out, e)
			return nil
		})
		return err
	})
	return out, failure("reading the backfill ledger of", ref, "SELECT on dre_meta.backfill_ledger", err)
}

// RecordFailure records in the ledger that the run failed the partition
// for good, with why; reprocess mode "failed" redoes such partitions.
func (w *Warehouse) RecordFailure(ctx context.Context, r warehouse.Rewrite, reason string) error {
	if err := validatePartition(r.Table, r.Partition); err != nil {
		return err
	}
	if err := w.ensureMeta(ctx); err != nil {
		return err
	}
	b := &pgx.Batch{}
	queueLedgerFailure(b, r, 0, reason)
	err := w.writeTx(ctx, warehouse.DefaultTimeout, func(tx pgx.Tx) error {
		return tx.SendBatch(ctx, b).Close()
	})
	return failure("recording a failed partition of", r.Table, "INSERT and UPDATE on dre_meta.backfill_ledger", err)
}
