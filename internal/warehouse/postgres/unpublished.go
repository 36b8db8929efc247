package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/dre-dev/dre/internal/warehouse"
)

// latestFailed keeps, per partition, only the newest ledger row, and
// returns it when that row is a failure: a later written row (any run)
// means the partition has been fixed since.
const latestFailed = `SELECT partition_start, run_id, detail, applied_at FROM (
	SELECT DISTINCT ON (partition_start) partition_start, run_id, status, detail, applied_at
	FROM dre_meta.backfill_ledger WHERE table_name = $1
	ORDER BY partition_start, applied_at DESC) latest
WHERE status = 'failed' ORDER BY partition_start`

// UnpublishedPartitions lists the table's partitions whose latest backfill
// failed validation and that no later backfill wrote, oldest first; none
// when no backfill ever ran here or the ledger predates write-audit-publish.
func (w *Warehouse) UnpublishedPartitions(ctx context.Context, ref warehouse.TableRef) ([]warehouse.UnpublishedPartition, error) {
	if err := ref.Validate(); err != nil {
		return nil, err
	}
	var out []warehouse.UnpublishedPartition
	err := w.readTx(ctx, longTimeout, func(tx pgx.Tx) error {
		var hasStatus bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass('dre_meta.backfill_ledger') AND attname = 'status' AND NOT attisdropped)`).Scan(&hasStatus); err != nil || !hasStatus {
			return err
		}
		rows, err := tx.Query(ctx, latestFailed, ref.String())
		if err != nil {
			return err
		}
		var p warehouse.UnpublishedPartition
		_, err = pgx.ForEachRow(rows, []any{&p.Start, &p.RunID, &p.Detail, &p.At}, func() error {
			p.Start, p.At = p.Start.UTC(), p.At.UTC()
			out = append(out, p)
			return nil
		})
		return err
	})
	return out, failure("reading the failed partitions of", ref, "SELECT on dre_meta.backfill_ledger", err)
}
