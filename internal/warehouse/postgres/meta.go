package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/dre-dev/dre/internal/warehouse"
)

// metaTables are dre's own tables in the warehouse (see the package doc).
var metaTables = []string{
	"dre_meta.backfill_ledger", "dre_meta.table_labels", "dre_meta.snapshots", "dre_meta.usage_observations",
}

// metaDDL creates the dre_meta tables. Each is keyed by table name rather
// than OID, because OIDs change on dump and restore and on Restore; the
// lifecycle methods keep the names in step in the same transaction as the
// DDL that changes them.
const metaDDL = `
CREATE SCHEMA IF NOT EXISTS dre_meta;
CREATE TABLE IF NOT EXISTS dre_meta.backfill_ledger (
	run_id          text        NOT NULL,
	table_name      text        NOT NULL,
	partition_start timestamptz NOT NULL,
	partition_end   timestamptz NOT NULL,
	rows            bigint      NOT NULL,
	checksum        text        NOT NULL,
	applied_at      timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (run_id, table_name, partition_start)
);
ALTER TABLE dre_meta.backfill_ledger
	ADD COLUMN IF NOT EXISTS source_hash text NOT NULL DEFAULT '',
	ADD COLUMN IF NOT EXISTS status      text NOT NULL DEFAULT 'written',
	ADD COLUMN IF NOT EXISTS detail      text NOT NULL DEFAULT '';
CREATE TABLE IF NOT EXISTS dre_meta.table_labels (
	schema_name text NOT NULL,
	table_name  text NOT NULL,
	key         text NOT NULL,
	value       text NOT NULL,
	PRIMARY KEY (schema_name, table_name, key)
);
CREATE TABLE IF NOT EXISTS dre_meta.snapshots (
	schema_name   text        NOT NULL,
	table_name    text        NOT NULL,
	source_schema text        NOT NULL,
	source_table  text        NOT NULL,
	taken_at      timestamptz NOT NULL DEFAULT now(),
	meta          jsonb       NOT NULL,
	PRIMARY KEY (schema_name, table_name)
);
CREATE TABLE IF NOT EXISTS dre_meta.usage_observations (
	schema_name text        NOT NULL,
	table_name  text        NOT NULL,
	observed_at timestamptz NOT NULL,
	scans       bigint      NOT NULL,
	PRIMARY KEY (schema_name, table_name, observed_at)
);
ALTER TABLE dre_meta.usage_observations
	ADD COLUMN IF NOT EXISTS statement_calls bigint NOT NULL DEFAULT 0;`

// metaMissing counts the dre_meta tables that do not exist, plus one when
// the ledger predates its status column (added with write-audit-publish
// and the reprocess modes) and one when the usage observations predate
// their statement_calls column (added with pg_stat_statements); metaDDL
// adds them.
const metaMissing = `SELECT count(*) FILTER (WHERE to_regclass(name) IS NULL)
	+ CASE WHEN EXISTS (SELECT 1 FROM pg_attribute
		WHERE attrelid = to_regclass('dre_meta.backfill_ledger') AND attname = 'status' AND NOT attisdropped)
	THEN 0 ELSE 1 END
	+ CASE WHEN EXISTS (SELECT 1 FROM pg_attribute
		WHERE attrelid = to_regclass('dre_meta.usage_observations') AND attname = 'statement_calls' AND NOT attisdropped)
	THEN 0 ELSE 1 END
	FROM unnest($1::text[]) AS t(name)`

// ensureMeta creates the dre_meta tables unless they exist. It looks
// before it creates: CREATE SCHEMA IF NOT EXISTS needs CREATE on the
// database even when the schema exists, and an administrator may have
// created dre_meta for a user that lacks it. Concurrent creators (several
// workers starting at once) queue on an advisory lock.
func (w *Warehouse) ensureMeta(ctx context.Context) error {
	w.metaMu.Lock()
	defer w.metaMu.Unlock()
	if w.metaReady {
		return nil
	}
	var missing int
	err := w.pool.QueryRow(ctx, metaMissing, metaTables).Scan(&missing)
	if err == nil && missing > 0 {
		err = w.writeTx(ctx, warehouse.DefaultTimeout, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('dre_meta', 0))`); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, metaDDL)
			return err
		})
	}
	if err != nil {
		return failure("creating dre's tables in schema dre_meta", warehouse.TableRef{},
			"CREATE on the database, or an administrator creating schema dre_meta owned by dre's user", err)
	}
	w.metaReady = true
	return nil
}

// hasMeta reports whether the dre_meta tables exist, for read paths, which
// never create them.
func (w *Warehouse) hasMeta(ctx context.Context, q querier) (bool, error) {
	w.metaMu.Lock()
	ready := w.metaReady
	w.metaMu.Unlock()
	if ready {
		return true, nil
	}
	var exists bool
	err := q.QueryRow(ctx, `SELECT to_regclass('dre_meta.table_labels') IS NOT NULL`).Scan(&exists)
	return exists, err
}

// labels reads a table's labels; nil when it has none.
func (w *Warehouse) labels(ctx context.Context, q querier, ref warehouse.TableRef) (map[string]string, error) {
	if ok, err := w.hasMeta(ctx, q); err != nil || !ok {
		return nil, err
	}
	rows, err := q.Query(ctx, `SELECT key, value FROM dre_meta.table_labels WHERE schema_name = $1 AND table_name = $2`, ref.Schema, ref.Table)
	if err != nil {
		return nil, err
	}
	var labels map[string]string
	var key, value string
	_, err = pgx.ForEachRow(rows, []any{&key, &value}, func() error {
		if labels == nil {
			labels = map[string]string{}
		}
		labels[key] = value
		return nil
	})
	return labels, err
}

// renameMeta makes dre's records about table from follow it to its new
// name to. It runs in the transaction that renames the table.
func renameMeta(ctx context.Context, q querier, from, to warehouse.TableRef) error {
	for _, table := range metaTables[1:] {
		_, err := q.Exec(ctx, "UPDATE "+table+` SET schema_name = $3, table_name = $4 WHERE schema_name = $1 AND table_name = $2`,
			from.Schema, from.Table, to.Schema, to.Table)
		if err != nil {
			return err
		}
	}
	return nil
}

// forgetMeta deletes dre's records about a dropped table, in the
// transaction that drops it. Ledger rows stay: they are the history of
// what each backfill run did.
func forgetMeta(ctx context.Context, q querier, ref warehouse.TableRef) error {
	for _, table := range metaTables[1:] {
		_, err := q.Exec(ctx, "DELETE FROM "+table+` WHERE schema_name = $1 AND table_name = $2`, ref.Schema, ref.Table)
		if err != nil {
			return err
		}
	}
	return nil
}
