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
// Steps 1–3's DELETE travel in one batch and 3's INSERT with 4 in one
// statement, so a rewrite costs four round trips, as many as a bare
// BEGIN, DELETE, INSERT, COMMIT.
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

// rewriteIn does the rewrite inside the transaction in two round trips,
// because on small partitions round trips, not rows, are the cost:
//
//  1. one batch takes the advisory lock, reads the ledger and deletes the
//     partition's rows unless the ledger shows this run already rewrote it;
//  2. one statement inserts the SELECT's rows, checksums them and records
//     the ledger row.
func rewriteIn(ctx context.Context, tx pgx.Tx, r warehouse.Rewrite, sel string, args []any) (warehouse.RewriteResult, error) {
	done, applied, err := lockLookupAndDelete(ctx, tx, r)
	if err != nil || applied {
		return done, err
	}
	n := len(args)
	ins := fmt.Sprintf(`WITH written AS (INSERT INTO %s %s RETURNING *),
		stats AS (SELECT %s AS n, %s AS checksum FROM written)
		INSERT INTO dre_meta.backfill_ledger (run_id, table_name, partition_start, partition_end, rows, checksum)
		SELECT $%d, $%d, $%d, $%d, n, checksum FROM stats RETURNING rows, checksum`,
		ident(r.Table), sel, "count(*)", checksumHex("written"), n+1, n+2, n+3, n+4)
	args = append(args, r.RunID, r.Table.String(), r.Partition.Start, r.Partition.End)
	var res warehouse.RewriteResult
	err = tx.QueryRow(ctx, ins, args...).Scan(&res.Rows, &res.Checksum)
	return res, err
}

// lockLookupAndDelete runs step 1 of rewriteIn as one pgx batch; the
// statements run in order on the server, so the lock is held before the
// ledger is read. applied reports a ledger row: nothing was deleted.
func lockLookupAndDelete(ctx context.Context, tx pgx.Tx, r warehouse.Rewrite) (warehouse.RewriteResult, bool, error) {
	lockKey := r.Table.String() + "/" + r.Partition.Start.UTC().Format(time.RFC3339Nano)
	const ledgerRow = `FROM dre_meta.backfill_ledger WHERE run_id = $1 AND table_name = $2 AND partition_start = $3`
	del := fmt.Sprintf("DELETE FROM %s WHERE %s AND NOT EXISTS (SELECT 1 %s)",
		ident(r.Table), partitionWhereFrom(r.Partition.Column, 4), ledgerRow)
	b := &pgx.Batch{}
	b.Queue(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, lockKey)
	b.Queue(`SELECT rows, checksum `+ledgerRow, r.RunID, r.Table.String(), r.Partition.Start)
	b.Queue(del, r.RunID, r.Table.String(), r.Partition.Start, r.Partition.Start, r.Partition.End)
	results := tx.SendBatch(ctx, b)
	defer results.Close()
	if _, err := results.Exec(); err != nil {
		return warehouse.RewriteResult{}, false, err
	}
	done := warehouse.RewriteResult{AlreadyApplied: true}
	err := results.QueryRow().Scan(&done.Rows, &done.Checksum)
	applied := err == nil
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return warehouse.RewriteResult{}, false, err
	}
	if _, err := results.Exec(); err != nil {
		return warehouse.RewriteResult{}, false, err
	}
	return done, applied, results.Close()
}
