package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/dre-dev/dre/internal/warehouse"
)

// RewritePartition replaces the rows of one partition with a SELECT's, in
// one transaction, at most once per (run, table, partition):
//
//  1. an advisory lock on "schema.table/partition start" queues concurrent
//     attempts at the same partition (a retry racing a slow first try);
//  2. a row in dre_meta.backfill_ledger means this run already rewrote
//     the partition: its rows and checksum are returned, nothing is written;
//  3. DELETE the partition's rows, INSERT the SELECT's rows (checksumming
//     them as they are inserted when r.Checksum asks for it);
//  4. record the ledger row, and commit.
//
// The whole transaction takes two round trips (see rewriteTx), half of
// what a bare BEGIN, DELETE, INSERT, COMMIT takes.
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
	res, err := w.rewriteTx(ctx, r, sel, args)
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

// rewriteTx runs the rewrite's transaction as two pipelined batches on
// one connection, because on small partitions round trips, not rows, are
// the cost:
//
//  1. BEGIN, the statement timeout, the advisory lock, the ledger look-up
//     and a DELETE that does nothing when the ledger has the partition;
//  2. one statement that inserts the SELECT's rows and records the ledger
//     row, then COMMIT.
//
// Within a batch the server runs the statements in order and stops at the
// first error, so the lock is held before the ledger is read. On any error
// the transaction is rolled back before the connection goes back to the
// pool.
func (w *Warehouse) rewriteTx(ctx context.Context, r warehouse.Rewrite, sel string, args []any) (res warehouse.RewriteResult, err error) {
	timeout := orDefault(r.Timeout, longTimeout)
	ctx, cancel := context.WithTimeout(ctx, timeout+networkGrace)
	defer cancel()
	conn, err := w.pool.Acquire(ctx)
	if err != nil {
		return res, err
	}
	defer conn.Release()
	defer func() {
		if err != nil {
			rollbackOpen(ctx, conn.Conn())
		}
	}()
	done, applied, err := lockLookupAndDelete(ctx, conn, r, timeout)
	if err != nil {
		return res, err
	}
	if applied {
		return w.alreadyApplied(ctx, conn, r, done)
	}
	return insertAndCommit(ctx, conn, r, sel, args)
}

// batcher is what the pipelined rewrite needs of a pooled connection.
type batcher interface {
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// ledgerRow selects this run's ledger row of the partition from
// $1 (run), $2 (table) and $3 (partition start).
const ledgerRow = `FROM dre_meta.backfill_ledger WHERE run_id = $1 AND table_name = $2 AND partition_start = $3`

// lockLookupAndDelete sends the first batch of rewriteTx. applied reports
// a ledger row: nothing was deleted, and done holds what it recorded.
func lockLookupAndDelete(ctx context.Context, conn batcher, r warehouse.Rewrite, timeout time.Duration) (done warehouse.RewriteResult, applied bool, err error) {
	lockKey := r.Table.String() + "/" + r.Partition.Start.UTC().Format(time.RFC3339Nano)
	del := fmt.Sprintf("DELETE FROM %s WHERE %s AND NOT EXISTS (SELECT 1 %s)",
		ident(r.Table), partitionWhereFrom(r.Partition.Column, 4), ledgerRow)
	b := &pgx.Batch{}
	b.Queue("BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE")
	b.Queue(fmt.Sprintf("SET LOCAL statement_timeout = %d", max(timeout.Milliseconds(), 1)))
	b.Queue(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, lockKey)
	b.Queue(`SELECT rows, checksum `+ledgerRow, r.RunID, r.Table.String(), r.Partition.Start)
	b.Queue(del, r.RunID, r.Table.String(), r.Partition.Start, r.Partition.Start, r.Partition.End)
	results := conn.SendBatch(ctx, b)
	defer results.Close()
	for range 3 {
		if _, err := results.Exec(); err != nil {
			return done, false, err
		}
	}
	done.AlreadyApplied = true
	err = results.QueryRow().Scan(&done.Rows, &done.Checksum)
	applied = err == nil
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return done, false, err
	}
	if _, err := results.Exec(); err != nil {
		return done, false, err
	}
	return done, applied, results.Close()
}

// insertAndCommit sends the second batch of rewriteTx: the INSERT, whose
// rows are counted (and checksummed when asked) in the statement that
// records the ledger row, and COMMIT.
func insertAndCommit(ctx context.Context, conn batcher, r warehouse.Rewrite, sel string, args []any) (warehouse.RewriteResult, error) {
	returning, checksum := "1", "''"
	if r.Checksum {
		returning, checksum = "*", checksumHex("written")
	}
	n := len(args)
	ins := fmt.Sprintf(`WITH written AS (INSERT INTO %s %s RETURNING %s),
		stats AS (SELECT count(*) AS n, %s AS checksum FROM written)
		INSERT INTO dre_meta.backfill_ledger (run_id, table_name, partition_start, partition_end, rows, checksum)
		SELECT $%d, $%d, $%d, $%d, n, checksum FROM stats RETURNING rows, checksum`,
		ident(r.Table), sel, returning, checksum, n+1, n+2, n+3, n+4)
	b := &pgx.Batch{}
	b.Queue(ins, append(args, r.RunID, r.Table.String(), r.Partition.Start, r.Partition.End)...)
	b.Queue("COMMIT")
	results := conn.SendBatch(ctx, b)
	defer results.Close()
	var res warehouse.RewriteResult
	if err := results.QueryRow().Scan(&res.Rows, &res.Checksum); err != nil {
		return res, err
	}
	if _, err := results.Exec(); err != nil {
		return res, err
	}
	return res, results.Close()
}

// alreadyApplied ends the transaction of a partition the ledger shows
// done. A ledger row written without a checksum gets one computed from
// the partition when this attempt asks for it, so that validation has
// something to compare.
func (w *Warehouse) alreadyApplied(ctx context.Context, conn batcher, r warehouse.Rewrite, done warehouse.RewriteResult) (warehouse.RewriteResult, error) {
	if r.Checksum && done.Checksum == "" {
		st, err := scanStats(conn.QueryRow(ctx, partitionStatsSQL(r.Table, r.Partition), r.Partition.Start, r.Partition.End))
		if err != nil {
			return done, err
		}
		done.Checksum = st.Checksum
	}
	_, err := conn.Exec(ctx, "ROLLBACK") // nothing was written
	return done, err
}
