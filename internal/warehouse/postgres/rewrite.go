package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
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
	stage, err := newRoleStage(r)
	if err != nil {
		return warehouse.RewriteResult{}, err
	}
	res, err := w.rewriteTx(ctx, r, stage, sel, args)
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
//  1. BEGIN, the statement timeout, the advisory lock, the ledger look-up,
//     the DELETE and the INSERT;
//  2. the ledger row, with the INSERT's row count, and COMMIT.
//
// When the look-up finds the partition already rewritten by this run, the
// transaction is rolled back instead, undoing the DELETE and INSERT that
// ran beside it: that wasted work happens only on a retry of a partition
// whose commit was not reported, and it keeps the user's SELECT as written
// (wrapped in a subquery it would lose the table's column types).
//
// A rewrite that asks for the checksum inserts in the second batch
// instead, in one statement that also checksums the rows and records the
// ledger row: hashing needs the rows the INSERT returns, and a plain
// INSERT costs a seventh less than one inside a WITH, so only the
// checksum pays for that.
//
// Within a batch the server runs the statements in order and stops at the
// first error, so the lock is held before the ledger is read. On any error
// the transaction is rolled back before the connection goes back to the
// pool.
//
// With a select role, stage's statements run between the look-up and the
// DELETE and the INSERT reads the rows they staged (see roleStage).
func (w *Warehouse) rewriteTx(ctx context.Context, r warehouse.Rewrite, stage *roleStage, sel string, args []any) (res warehouse.RewriteResult, err error) {
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
	sel, args = stage.selectOf(sel, args)
	insert := &statement{sql: fmt.Sprintf("INSERT INTO %s %s", ident(r.Table), sel), args: args}
	if r.Checksum {
		insert = nil
	}
	first, err := prepareRewrite(ctx, conn, r, timeout, stage, insert)
	switch {
	case err != nil:
		return res, err
	case first.applied:
		return alreadyApplied(ctx, conn, r, first.done)
	case r.Checksum:
		return insertChecksummedAndCommit(ctx, conn, r, sel, args)
	}
	return recordAndCommit(ctx, conn, r, first.inserted)
}

// batcher is what the pipelined rewrite needs of a pooled connection.
type batcher interface {
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// ledgerRow selects this run's ledger row of the partition from
// $1 (run), $2 (table) and $3 (partition start).
const ledgerRow = `FROM dre_meta.backfill_ledger WHERE run_id = $1 AND table_name = $2 AND partition_start = $3 AND status = 'written'`

// ledgerWritten is the end of an INSERT into the ledger of a written
// partition: a failure an earlier attempt of the run recorded is replaced.
const ledgerWritten = ` ON CONFLICT (run_id, table_name, partition_start) DO UPDATE
	SET rows = EXCLUDED.rows, checksum = EXCLUDED.checksum, source_hash = EXCLUDED.source_hash,
		status = 'written', detail = '', applied_at = now()`

// statement is SQL with its arguments.
type statement struct {
	sql  string
	args []any
}

// firstBatch is what the first batch of rewriteTx found: the ledger row
// (applied, done), or the rows the INSERT wrote when it was in the batch.
type firstBatch struct {
	done     warehouse.RewriteResult
	applied  bool
	inserted int64
}

// prepareRewrite sends the first batch of rewriteTx, with insert at its
// end when it is not nil.
func prepareRewrite(ctx context.Context, conn batcher, r warehouse.Rewrite, timeout time.Duration, stage *roleStage, insert *statement) (firstBatch, error) {
	lockKey := r.Table.String() + "/" + r.Partition.Start.UTC().Format(time.RFC3339Nano)
	del := fmt.Sprintf("DELETE FROM %s WHERE %s", ident(r.Table), partitionWhere(r.Partition.Column))
	b := &pgx.Batch{}
	if err := stage.begin(ctx, conn, b, timeout); err != nil {
		return firstBatch{}, err
	}
	b.Queue(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, lockKey)
	b.Queue(`SELECT rows, checksum `+ledgerRow, r.RunID, r.Table.String(), r.Partition.Start)
	stage.queue(b)
	b.Queue(del, r.Partition.Start, r.Partition.End)
	if insert != nil {
		b.Queue(insert.sql, insert.args...)
	}
	results := conn.SendBatch(ctx, b)
	defer results.Close()
	var out firstBatch
	var err error
	if out.done, out.applied, err = readLedgerAnswer(results, stage.opened()); err != nil {
		return out, err
	}
	if err := stage.read(results); err != nil {
		return out, err
	}
	if _, err := results.Exec(); err != nil {
		return out, err
	}
	if insert != nil {
		tag, err := results.Exec()
		if err != nil {
			return out, err
		}
		out.inserted = tag.RowsAffected()
	}
	return out, results.Close()
}

// recordAndCommit sends the second batch of a rewrite without checksum:
// the ledger row and COMMIT.
func recordAndCommit(ctx context.Context, conn batcher, r warehouse.Rewrite, rows int64) (warehouse.RewriteResult, error) {
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO dre_meta.backfill_ledger (run_id, table_name, partition_start, partition_end, rows, checksum, source_hash)
		VALUES ($1, $2, $3, $4, $5, '', $6)`+ledgerWritten, r.RunID, r.Table.String(), r.Partition.Start, r.Partition.End, rows, r.SourceHash)
	b.Queue("COMMIT")
	return warehouse.RewriteResult{Rows: rows}, execAll(ctx, conn, b)
}

// execAll sends a batch whose statements return no rows, and reports the
// first error.
func execAll(ctx context.Context, conn batcher, b *pgx.Batch) error {
	results := conn.SendBatch(ctx, b)
	defer results.Close()
	for range b.Len() {
		if _, err := results.Exec(); err != nil {
			return err
		}
	}
	return results.Close()
}

// insertChecksummedAndCommit sends the second batch of a rewrite that asks
// for the checksum: one statement inserts the SELECT's rows, counts and
// checksums them and records the ledger row; then COMMIT.
func insertChecksummedAndCommit(ctx context.Context, conn batcher, r warehouse.Rewrite, sel string, args []any) (warehouse.RewriteResult, error) {
	n := len(args)
	ins := fmt.Sprintf(`WITH written AS (INSERT INTO %s %s
		RETURNING *),
		stats AS (SELECT count(*) AS n, %s AS checksum FROM written)
		INSERT INTO dre_meta.backfill_ledger (run_id, table_name, partition_start, partition_end, rows, checksum, source_hash)
		SELECT $%d, $%d, $%d, $%d, n, checksum, $%d FROM stats%s RETURNING rows, checksum`,
		ident(r.Table), trimStatement(sel), checksumHex("written"), n+1, n+2, n+3, n+4, n+5, ledgerWritten)
	b := &pgx.Batch{}
	b.Queue(ins, append(slices.Clip(args), r.RunID, r.Table.String(), r.Partition.Start, r.Partition.End, r.SourceHash)...)
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
// done, rolling back the first batch's DELETE and INSERT. A ledger row
// written without a checksum gets one computed from the partition when
// this attempt asks for it, so that validation has something to compare;
// on the same connection, since waiting for another from the pool could
// wait for ever when every connection is held by a rewrite.
func alreadyApplied(ctx context.Context, conn batcher, r warehouse.Rewrite, done warehouse.RewriteResult) (warehouse.RewriteResult, error) {
	if _, err := conn.Exec(ctx, "ROLLBACK"); err != nil {
		return done, err
	}
	if r.Checksum && done.Checksum == "" {
		st, err := scanStats(conn.QueryRow(ctx, partitionStatsSQL(r.Table, r.Partition), r.Partition.Start, r.Partition.End))
		if err != nil {
			return done, err
		}
		done.Checksum = st.Checksum
	}
	return done, nil
}

// readLedgerAnswer reads the answers a rewrite's first batch opens with:
// the setup statements (BEGIN and the timeout unless opened says an
// earlier round trip sent them, then the lock), then the ledger row of
// this run and partition, if one exists (applied), whose result is then
// the partition's.
func readLedgerAnswer(results pgx.BatchResults, opened bool) (done warehouse.RewriteResult, applied bool, err error) {
	setup := 3
	if opened {
		setup = 1
	}
	for range setup {
		if _, err := results.Exec(); err != nil {
			return done, false, err
		}
	}
	done.AlreadyApplied = true
	err = results.QueryRow().Scan(&done.Rows, &done.Checksum)
	if errors.Is(err, pgx.ErrNoRows) {
		return done, false, nil
	}
	return done, err == nil, err
}
