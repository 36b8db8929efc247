package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/dre-dev/dre/internal/warehouse"
)

// relation returns the OID of the table (or view) ref names, or a
// *warehouse.NotFoundError. It matches names exactly, as stored, so no
// quoting or search_path is involved.
func relation(ctx context.Context, q querier, ref warehouse.TableRef) (uint32, error) {
	var oid uint32
	err := q.QueryRow(ctx, `SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')`,
		ref.Schema, ref.Table).Scan(&oid)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, &warehouse.NotFoundError{Kind: "table", Name: ref.String()}
	}
	return oid, err
}

// Describe returns a table's columns, exact row count, size, comment,
// labels and PII tags. PostgreSQL does not record when a table's data last
// changed, so LastModified stays zero; nor does it say how dre partitions
// a table, so Partitioning is nil (the catalog declares it).
func (w *Warehouse) Describe(ctx context.Context, ref warehouse.TableRef) (warehouse.TableInfo, error) {
	if err := ref.Validate(); err != nil {
		return warehouse.TableInfo{}, err
	}
	info := warehouse.TableInfo{Ref: ref}
	err := w.readTx(ctx, warehouse.DefaultTimeout, func(tx pgx.Tx) error {
		oid, err := relation(ctx, tx, ref)
		if err != nil {
			return err
		}
		if info.Columns, err = columns(ctx, tx, oid); err != nil {
			return err
		}
		err = tx.QueryRow(ctx, `SELECT coalesce(obj_description($1, 'pg_class'), ''), pg_total_relation_size($1)`, oid).
			Scan(&info.Comment, &info.Bytes)
		if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM "+ident(ref)).Scan(&info.Rows); err != nil {
			return err
		}
		info.Labels, err = w.labels(ctx, tx, ref)
		return err
	})
	return info, failure("describing", ref, "SELECT on "+ref.String(), err)
}

// columns lists a table's columns in order, splitting each comment into
// its PII tag and the human part (see the package doc).
func columns(ctx context.Context, q querier, oid uint32) ([]warehouse.Column, error) {
	rows, err := q.Query(ctx, `SELECT attname, format_type(atttypid, atttypmod), NOT attnotnull,
			coalesce(col_description(attrelid, attnum), '')
		FROM pg_attribute WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped ORDER BY attnum`, oid)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (warehouse.Column, error) {
		var c warehouse.Column
		var comment string
		err := row.Scan(&c.Name, &c.Type, &c.Nullable, &comment)
		c.PII, c.Comment = splitColumnComment(comment)
		return c, err
	})
}

// Metadata returns what Restore puts back: comment, labels, PII tags and
// every grant.
func (w *Warehouse) Metadata(ctx context.Context, ref warehouse.TableRef) (warehouse.TableMeta, error) {
	if err := ref.Validate(); err != nil {
		return warehouse.TableMeta{}, err
	}
	var meta warehouse.TableMeta
	err := w.readTx(ctx, warehouse.DefaultTimeout, func(tx pgx.Tx) error {
		var err error
		meta, err = w.metadata(ctx, tx, ref)
		return err
	})
	return meta, failure("reading the metadata of", ref, "", err)
}

// metadata reads ref's metadata inside a transaction.
func (w *Warehouse) metadata(ctx context.Context, q querier, ref warehouse.TableRef) (warehouse.TableMeta, error) {
	var meta warehouse.TableMeta
	oid, err := relation(ctx, q, ref)
	if err != nil {
		return meta, err
	}
	cols, err := columns(ctx, q, oid)
	if err != nil {
		return meta, err
	}
	for _, c := range cols {
		if c.PII != "" {
			if meta.PII == nil {
				meta.PII = map[string]string{}
			}
			meta.PII[c.Name] = c.PII
		}
	}
	if err := q.QueryRow(ctx, `SELECT coalesce(obj_description($1, 'pg_class'), '')`, oid).Scan(&meta.Comment); err != nil {
		return meta, err
	}
	if meta.Labels, err = w.labels(ctx, q, ref); err != nil {
		return meta, err
	}
	meta.Grants, err = grants(ctx, q, ref, oid)
	return meta, err
}
