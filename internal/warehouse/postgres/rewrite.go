package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dre-dev/dre/internal/warehouse"
)

// RewritePartition replaces the rows of one partition with a SELECT's, in
// one transaction, at most once per (run, table, partition):
//
//  1. an advisory lock on "schema.table/partition start" queues concurrent
//     attempts at the same partition (a retry racing a slow first try);
//  2. a row in dre_meta.backfill_ledger means this run already rewrote
//     the partition: its rows and checksum are returned, nothing is written;
//  3. DELETE the partition's rows, INSERT the SELECT's rows, checksumming
//     them as they are inserted;
//  4. record the ledger row, and commit.
//
// A crash anywhere before the commit rolls everything back, ledger row
// included, so the next attempt starts afresh. The SELECT reads the
// partition bounds as @from and @to, and its columns fill the table's in
// order.
func (w *Warehouse) RewritePartition(ctx context.Context, r warehouse.Rewrite) (warehouse.RewriteResult, error) {
	sel, args, err := rewriteSelect(r)
	if err != nil {
		return warehouse.RewriteResult{}, err
	}
	if err := w.ensureMeta(ctx); err != nil {
		return warehouse.RewriteResult{}, err
	}
	var res warehouse.RewriteResult
	err = w.writeTx(ctx, orDefault(r.Timeout, longTimeout), func(tx pgx.Tx) error {
		var err error
		res, err = rewriteIn(ctx, tx, r, sel, args)
		return err
	})
	return res, failure("rewriting a partition of", r.Table, "SELECT, INSERT and DELETE on "+r.Table.String()+" and SELECT on the tables the backfill reads", err)
}

// rewriteSelect validates a rewrite and binds its SELECT's parameters.
func rewriteSelect(r warehouse.Rewrite) (string, []any, error) {
	if err := validatePartition(r.Table, r.Partition); err != nil {
		return "", nil, err
	}
	if r.RunID == "" || strings.TrimSpace(r.Select) == "" {
		return "", nil, fmt.Errorf("rewrite of %s: RunID and Select are required", r.Table)
	}
	sel, args, err := bindParams(r.Select, map[string]any{"from": r.Partition.Start, "to": r.Partition.End})
	if err != nil {
		return "", nil, fmt.Errorf("rewrite of %s: %w", r.Table, err)
	}
	if !readStatement(sel) {
		return "", nil, fmt.Errorf("rewrite of %s: Select must be a SELECT statement", r.Table)
	}
	return sel, args, nil
}

// rewriteIn does the rewrite inside the transaction.
func rewriteIn(ctx context.Context, tx pgx.Tx, r warehouse.Rewrite, sel string, args []any) (warehouse.RewriteResult, error) {
	start := r.Partition.Start.UTC().Format(time.RFC3339Nano)
	lockKey := r.Table.String() + "/" + start
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, lockKey); err != nil {
		return warehouse.RewriteResult{}, err
	}
	if done, err := ledgerLookup(ctx, tx, r); err == nil || !errors.Is(err, pgx.ErrNoRows) {
		return done, err
	}
	del := fmt.Sprintf("DELETE FROM %s WHERE %s", ident(r.Table), partitionWhere(r.Partition.Column))
	if _, err := tx.Exec(ctx, del, r.Partition.Start, r.Partition.End); err != nil {
		return warehouse.RewriteResult{}, err
	}
	ins := fmt.Sprintf("WITH written AS (INSERT INTO %s %s RETURNING *) SELECT %s FROM written", ident(r.Table), sel, checksumOf("written"))
	st, err := scanStats(tx.QueryRow(ctx, ins, args...))
	if err != nil {
		return warehouse.RewriteResult{}, err
	}
	_, err = tx.Exec(ctx, `INSERT INTO dre_meta.backfill_ledger (run_id, table_name, partition_start, partition_end, rows, checksum)
		VALUES ($1, $2, $3, $4, $5, $6)`, r.RunID, r.Table.String(), r.Partition.Start, r.Partition.End, st.Rows, st.Checksum)
	return warehouse.RewriteResult{Rows: st.Rows, Checksum: st.Checksum}, err
}

// ledgerLookup returns what this run wrote to the partition before, or
// pgx.ErrNoRows when it has not.
func ledgerLookup(ctx context.Context, tx pgx.Tx, r warehouse.Rewrite) (warehouse.RewriteResult, error) {
	res := warehouse.RewriteResult{AlreadyApplied: true}
	err := tx.QueryRow(ctx, `SELECT rows, checksum FROM dre_meta.backfill_ledger
		WHERE run_id = $1 AND table_name = $2 AND partition_start = $3`,
		r.RunID, r.Table.String(), r.Partition.Start).Scan(&res.Rows, &res.Checksum)
	return res, err
}
