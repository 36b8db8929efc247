package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/dre-dev/dre/internal/warehouse"
)

// maxSample bounds Sample's limit: PII detection needs a handful of
// values per column, not a table dump.
const maxSample = 10000

// Sample returns up to limit non-NULL values of each column as text (all
// columns when columns is empty), read in a read-only transaction.
func (w *Warehouse) Sample(ctx context.Context, ref warehouse.TableRef, columns []string, limit int) (warehouse.Sample, error) {
	if err := validateSample(ref, columns, limit); err != nil {
		return warehouse.Sample{}, err
	}
	out := warehouse.Sample{Columns: map[string][]string{}}
	err := w.readTx(ctx, warehouse.DefaultTimeout, func(tx pgx.Tx) error {
		cols, err := sampleColumns(ctx, tx, ref, columns)
		if err != nil {
			return err
		}
		for _, col := range cols {
			sql := fmt.Sprintf("SELECT %[1]s::text FROM %[2]s WHERE %[1]s IS NOT NULL LIMIT $1", quote(col), ident(ref))
			rows, err := tx.Query(ctx, sql, limit)
			if err != nil {
				return err
			}
			if out.Columns[col], err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
				return err
			}
		}
		return nil
	})
	return out, failure("sampling", ref, "SELECT on "+ref.String(), err)
}

func validateSample(ref warehouse.TableRef, columns []string, limit int) error {
	if err := ref.Validate(); err != nil {
		return err
	}
	for _, c := range columns {
		if err := warehouse.ValidIdentifier(c); err != nil {
			return err
		}
	}
	if limit < 1 || limit > maxSample {
		return fmt.Errorf("sample of %s: limit %d is not between 1 and %d", ref, limit, maxSample)
	}
	return nil
}

// sampleColumns checks the table exists and returns the columns to
// sample: those asked for, or all of them.
func sampleColumns(ctx context.Context, q querier, ref warehouse.TableRef, asked []string) ([]string, error) {
	oid, err := relation(ctx, q, ref)
	if err != nil || len(asked) > 0 {
		return asked, err
	}
	cols, err := columns(ctx, q, oid)
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	return names, err
}
