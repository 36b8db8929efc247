package bigquery

import (
	"context"
	"fmt"

	"cloud.google.com/go/bigquery"

	"github.com/dre-dev/dre/internal/warehouse"
)

// PartitionStats counts the rows of [p.Start, p.End) and checksums them:
// the XOR of the fingerprints of each row's JSON form does not depend on
// row order, so a rewrite can be compared with its source.
func (w *Warehouse) PartitionStats(ctx context.Context, ref warehouse.TableRef, p warehouse.Partition) (warehouse.PartitionStats, error) {
	if err := ref.Validate(); err != nil {
		return warehouse.PartitionStats{}, err
	}
	if err := warehouse.ValidIdentifier(p.Column); err != nil {
		return warehouse.PartitionStats{}, err
	}
	md, err := w.metadata(ctx, ref)
	if err != nil {
		return warehouse.PartitionStats{}, err
	}
	t := fieldType(md.Schema, p.Column)
	if t == "" {
		return warehouse.PartitionStats{}, &warehouse.NotFoundError{Kind: "column", Name: ref.String() + "." + p.Column}
	}
	return w.partitionStats(ctx, ref, p, t)
}

// partitionStats runs the statistics query, with the bounds typed like the
// partition column.
func (w *Warehouse) partitionStats(ctx context.Context, ref warehouse.TableRef, p warehouse.Partition, t bigquery.FieldType) (warehouse.PartitionStats, error) {
	col := "t." + quoteColumn(p.Column)
	return w.checksum(ctx, ref, col+" >= @from AND "+col+" < @to", boundParams(t, p))
}

// checksum counts the rows of ref that match where (SQL built here, over
// alias t) and XORs the fingerprints of their JSON forms.
func (w *Warehouse) checksum(ctx context.Context, ref warehouse.TableRef, where string, params []bigquery.QueryParameter) (warehouse.PartitionStats, error) {
	sql := fmt.Sprintf("SELECT COUNT(*) AS row_count, BIT_XOR(FARM_FINGERPRINT(TO_JSON_STRING(t))) AS checksum FROM %s AS t WHERE %s",
		w.qualified(ref), where)
	rows, err := w.read(ctx, "stats", sql, params, tableOp(ref, "bigquery.tables.getData"))
	if err != nil {
		return warehouse.PartitionStats{}, err
	}
	if len(rows) != 1 || len(rows[0]) != 2 {
		return warehouse.PartitionStats{}, fmt.Errorf("checksum of %s: want one row of two columns, got %d rows", ref, len(rows))
	}
	count, _ := rows[0][0].(int64)
	// BIT_XOR over no rows is NULL; zero is the XOR of nothing.
	sum, _ := rows[0][1].(int64)
	return warehouse.PartitionStats{Rows: count, Checksum: fmt.Sprintf("%016x", uint64(sum))}, nil
}
