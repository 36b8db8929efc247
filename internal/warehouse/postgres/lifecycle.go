package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/dre-dev/dre/internal/warehouse"
)

// Move renames a table and/or moves it to another schema, creating that
// schema if needed, in one transaction that also carries dre's labels and
// records along. It renames before it moves, so a soft delete into an
// archive schema under a dated name never collides with a table of the
// same name already archived.
func (w *Warehouse) Move(ctx context.Context, from, to warehouse.TableRef) error {
	if err := validateRefs(from, to); err != nil {
		return err
	}
	if err := w.ensureMeta(ctx); err != nil {
		return err
	}
	err := w.writeTx(ctx, warehouse.DefaultTimeout, func(tx pgx.Tx) error {
		if _, err := relation(ctx, tx, from); err != nil {
			return err
		}
		if err := ensureSchema(ctx, tx, to.Schema); err != nil {
			return err
		}
		at := from
		if to.Table != from.Table {
			if _, err := tx.Exec(ctx, fmt.Sprintf("ALTER TABLE %s RENAME TO %s", ident(at), quote(to.Table))); err != nil {
				return err
			}
			at.Table = to.Table
		}
		if to.Schema != from.Schema {
			if _, err := tx.Exec(ctx, fmt.Sprintf("ALTER TABLE %s SET SCHEMA %s", ident(at), quote(to.Schema))); err != nil {
				return err
			}
		}
		return renameMeta(ctx, tx, from, to)
	})
	return failure("moving", from, "ownership of "+from.String()+" and CREATE on schema "+to.Schema, err)
}

// ensureSchema creates a schema unless it exists, looking first because
// CREATE SCHEMA IF NOT EXISTS needs CREATE on the database either way.
func ensureSchema(ctx context.Context, q querier, schema string) error {
	var exists bool
	if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)`, schema).Scan(&exists); err != nil || exists {
		return err
	}
	_, err := q.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+quote(schema))
	return err
}

func validateRefs(refs ...warehouse.TableRef) error {
	for _, r := range refs {
		if err := r.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// Drop drops a table, and dre's labels and records about it; the ledger
// keeps its history.
func (w *Warehouse) Drop(ctx context.Context, ref warehouse.TableRef) error {
	if err := ref.Validate(); err != nil {
		return err
	}
	err := w.writeTx(ctx, warehouse.DefaultTimeout, func(tx pgx.Tx) error {
		if _, err := relation(ctx, tx, ref); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DROP TABLE "+ident(ref)); err != nil {
			return err
		}
		if ok, err := w.hasMeta(ctx, tx); err != nil || !ok {
			return err
		}
		return forgetMeta(ctx, tx, ref)
	})
	return failure("dropping", ref, "ownership of "+ref.String(), err)
}

// copyTable creates dst with src's columns, NOT NULL and CHECK
// constraints and column comments (so PII tags travel with the data), and
// copies the rows. Defaults are left behind on purpose: a serial column's
// default would tie dst to src's sequence and block dropping src.
func copyTable(ctx context.Context, tx pgx.Tx, src, dst warehouse.TableRef) error {
	if err := ensureSchema(ctx, tx, dst.Schema); err != nil {
		return err
	}
	create := fmt.Sprintf("CREATE TABLE %s (LIKE %s INCLUDING COMMENTS INCLUDING CONSTRAINTS)", ident(dst), ident(src))
	if _, err := tx.Exec(ctx, create); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, fmt.Sprintf("INSERT INTO %s SELECT * FROM %s", ident(dst), ident(src)))
	return err
}

// Snapshot copies src to dst and records src's metadata (comment, labels,
// PII tags, grants) in dre_meta.snapshots, in one transaction. The copy
// gets no grants: a snapshot of PII data is readable by its owner only.
func (w *Warehouse) Snapshot(ctx context.Context, src, dst warehouse.TableRef) error {
	if err := validateRefs(src, dst); err != nil {
		return err
	}
	if err := w.ensureMeta(ctx); err != nil {
		return err
	}
	err := w.writeTx(ctx, longTimeout, func(tx pgx.Tx) error {
		meta, err := w.metadata(ctx, tx, src)
		if err != nil {
			return err
		}
		if err := copyTable(ctx, tx, src, dst); err != nil {
			return err
		}
		if err := setComment(ctx, tx, dst, "dre snapshot of "+src.String()); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO dre_meta.snapshots (schema_name, table_name, source_schema, source_table, meta)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (schema_name, table_name) DO UPDATE
			SET source_schema = excluded.source_schema, source_table = excluded.source_table, taken_at = now(), meta = excluded.meta`,
			dst.Schema, dst.Table, src.Schema, src.Table, meta)
		return err
	})
	return failure("snapshotting", src, "SELECT on "+src.String()+" and CREATE on schema "+dst.Schema, err)
}
