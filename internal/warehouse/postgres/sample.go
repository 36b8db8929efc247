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

// smallTable is the row count up to which Sample shuffles the whole table
// instead of sampling it: sorting that many rows by random() is cheaper
// than a second look, and TABLESAMPLE's page-level randomness is coarse on
// a table of few pages.
const smallTable = 20000

// systemFrom is the row count from which Sample picks random pages
// (SYSTEM) rather than random rows (BERNOULLI), which reads every page.
const systemFrom = 2_000_000

// Sample returns up to limit non-NULL values of each column as text (all
// columns when columns is empty), read in a read-only transaction. The
// rows are random: TABLESAMPLE on large tables, a shuffle of small ones,
// so that the sample is not the first rows on disk, often the oldest.
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
		plan, err := planSample(ctx, tx, ref, limit)
		if err != nil {
			return err
		}
		out.Method, out.TableRows = plan.method, plan.rows
		for _, col := range cols {
			if out.Columns[col], err = plan.read(ctx, tx, ref, col, limit); err != nil {
				return err
			}
		}
		return nil
	})
	return out, failure("sampling", ref, "SELECT on "+ref.String(), err)
}

// samplePlan is how Sample chooses rows for one table.
type samplePlan struct {
	// clause follows the table name: a TABLESAMPLE clause or "".
	clause string
	// shuffle orders a small table's rows by random().
	shuffle bool
	method  string
	rows    int64
}

// planSample reads the planner's row estimate, or counts a table never
// analysed (up to smallTable rows, so a count stays cheap), and picks a
// method and a percentage that yields about three times limit rows.
func planSample(ctx context.Context, q querier, ref warehouse.TableRef, limit int) (samplePlan, error) {
	var est float64
	var kind string
	err := q.QueryRow(ctx, `SELECT c.relkind::text, CASE WHEN c.relkind = 'p' THEN
			(SELECT coalesce(sum(greatest(l.reltuples, 0)), -1) FROM pg_partition_tree(c.oid) t JOIN pg_class l ON l.oid = t.relid WHERE t.isleaf)
			ELSE c.reltuples END
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relname = $2`, ref.Schema, ref.Table).Scan(&kind, &est)
	if err != nil {
		return samplePlan{}, err
	}
	if kind != "r" && kind != "p" && kind != "m" { // views and foreign tables cannot be sampled
		return samplePlan{method: "first rows (a view or foreign table cannot be sampled)"}, nil
	}
	rows := int64(est)
	if est < 0 || rows <= smallTable { // never analysed, or small: count what is there
		sql := fmt.Sprintf("SELECT count(*) FROM (SELECT 1 FROM %s LIMIT %d) t", ident(ref), smallTable+1)
		if err := q.QueryRow(ctx, sql).Scan(&rows); err != nil {
			return samplePlan{}, err
		}
	}
	if rows <= smallTable {
		method := fmt.Sprintf("random %d of %d rows", min(int64(limit), rows), rows)
		if rows <= int64(limit) {
			method = fmt.Sprintf("all %d rows", rows)
		}
		return samplePlan{shuffle: true, method: method, rows: rows}, nil
	}
	percent := min(100, 300*float64(limit)/float64(rows))
	method := "BERNOULLI"
	if rows >= systemFrom {
		method = "SYSTEM"
	}
	clause := fmt.Sprintf("TABLESAMPLE %s (%.4f)", method, percent)
	return samplePlan{clause: clause, method: fmt.Sprintf("TABLESAMPLE %s (%.2g%%) of about %d rows", method, percent, rows), rows: rows}, nil
}

// read returns up to limit non-NULL values of one column. A sample that
// finds none in a column that has some (a sparse column, or a stale
// estimate) falls back to a plain read, so an empty result means empty.
func (p samplePlan) read(ctx context.Context, q querier, ref warehouse.TableRef, col string, limit int) ([]string, error) {
	order := ""
	if p.shuffle {
		order = " ORDER BY random()"
	}
	sql := fmt.Sprintf("SELECT %[1]s::text FROM %[2]s %[3]s WHERE %[1]s IS NOT NULL%[4]s LIMIT $1", quote(col), ident(ref), p.clause, order)
	values, err := collectText(ctx, q, sql, limit)
	if err != nil || len(values) > 0 || p.clause == "" {
		return values, err
	}
	return collectText(ctx, q, fmt.Sprintf("SELECT %[1]s::text FROM %[2]s WHERE %[1]s IS NOT NULL LIMIT $1", quote(col), ident(ref)), limit)
}

func collectText(ctx context.Context, q querier, sql string, limit int) ([]string, error) {
	rows, err := q.Query(ctx, sql, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
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
