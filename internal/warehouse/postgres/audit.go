package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dre-dev/dre/internal/warehouse"
)

// RewriteAudited replaces one partition by write-audit-publish, at most
// once per (run, table, partition), in one transaction of pipelined
// batches (see stageAndCheck):
//
//  1. the advisory lock and the ledger look-up, as RewritePartition does;
//     the partition's current row count; the SELECT's rows into a
//     temporary table shaped like the target (StagingName, dropped at the
//     end of the transaction), which no other session can read; and
//     every check against it;
//  2. if every check passed: DELETE the partition, INSERT the staged rows,
//     record the ledger row and COMMIT; if not: record the failure in the
//     ledger and COMMIT, leaving the partition as it was.
//
// Being one transaction, it needs no cleanup: a crash at any point (after
// staging, after the checks, during the swap) rolls everything back,
// staging table included, and the next attempt starts afresh; what
// committed is either the published rows with their ledger row, or the
// recorded failure with the old rows untouched.
func (w *Warehouse) RewriteAudited(ctx context.Context, r warehouse.Rewrite, a warehouse.Audit) (warehouse.RewriteResult, error) {
	p, err := newAuditPlan(r, a)
	if err != nil {
		return warehouse.RewriteResult{}, err
	}
	if err := w.ensureMeta(ctx); err != nil {
		return warehouse.RewriteResult{}, err
	}
	res, err := w.auditTx(ctx, p)
	return res, failure("auditing a partition of", r.Table, "SELECT, INSERT and DELETE on "+r.Table.String()+", TEMPORARY on the database and SELECT on the tables the backfill reads", err)
}

// auditPlan is one audited rewrite's statements.
type auditPlan struct {
	r      warehouse.Rewrite
	a      warehouse.Audit
	sel    string
	args   []any
	staged string
	checks []statement
}

// checksummed is true when the staged rows' checksum is asked for: by
// the rewrite, or to compare them with a source table. Hashing every row
// costs as much as a fifth of a small partition's rewrite.
func (p auditPlan) checksummed() bool { return p.r.Checksum || p.a.CompareTable != nil }

// newAuditPlan validates an audited rewrite and builds its statements.
func newAuditPlan(r warehouse.Rewrite, a warehouse.Audit) (auditPlan, error) {
	sel, args, err := rewriteSelect(r)
	if err != nil {
		return auditPlan{}, err
	}
	staged := warehouse.StagingName(r.Table)
	checks, err := checkStatements(staged, r.Partition, a.Checks)
	return auditPlan{r: r, a: a, sel: sel, args: args, staged: staged, checks: checks}, err
}

// auditTx runs the two batches of RewriteAudited on one connection.
func (w *Warehouse) auditTx(ctx context.Context, p auditPlan) (res warehouse.RewriteResult, err error) {
	timeout := orDefault(p.r.Timeout, longTimeout)
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
	found, err := stageAndCheck(ctx, conn, p, timeout)
	switch {
	case err != nil:
		return res, err
	case found.applied:
		return alreadyApplied(ctx, conn, p.r, found.done)
	case !found.audit.Passed:
		return warehouse.RewriteResult{Rows: found.audit.NewRows, Audit: &found.audit}, recordAuditFailure(ctx, conn, p.r, found.audit)
	}
	res = warehouse.RewriteResult{Rows: found.audit.NewRows, Checksum: found.stats.Checksum, Audit: &found.audit}
	return res, publishStaged(ctx, conn, p, found)
}

// staging is what the first batch found.
type staging struct {
	done    warehouse.RewriteResult
	applied bool
	audit   warehouse.AuditResult
	// stats are the staged rows' count and checksum.
	stats warehouse.PartitionStats
}

// stageAndCheck sends the first two batches: lock, ledger look-up, old
// row count and the staging table's creation; then, unless the ledger
// shows the partition done, the staged rows, their statistics, the
// source comparisons and the checks. They are two batches because pgx
// prepares a batch's statements before running any, and the second's
// need the staging table to exist.
func stageAndCheck(ctx context.Context, conn batcher, p auditPlan, timeout time.Duration) (staging, error) {
	out, err := lockAndCreate(ctx, conn, p, timeout)
	if err != nil || out.applied {
		return out, err
	}
	b := &pgx.Batch{}
	b.Queue(fmt.Sprintf("INSERT INTO %s %s", quote(p.staged), p.sel), p.args...)
	if p.checksummed() {
		b.Queue(fmt.Sprintf("SELECT %s FROM %s AS s", checksumOf("s"), quote(p.staged)))
	}
	queueComparisons(b, p)
	for _, c := range p.checks {
		b.Queue(c.sql, c.args...)
	}
	results := conn.SendBatch(ctx, b)
	defer results.Close()
	tag, err := results.Exec()
	if err != nil {
		return out, err
	}
	out.stats.Rows = tag.RowsAffected()
	if p.checksummed() {
		if out.stats, err = scanStats(results.QueryRow()); err != nil {
			return out, err
		}
	}
	out.audit.NewRows = out.stats.Rows
	if err := readComparisons(results, p, &out); err != nil {
		return out, err
	}
	if err := readChecks(results, p.a.Checks, &out.audit); err != nil {
		return out, err
	}
	return out, results.Close()
}

// lockAndCreate sends the first batch of stageAndCheck.
func lockAndCreate(ctx context.Context, conn batcher, p auditPlan, timeout time.Duration) (staging, error) {
	r := p.r
	b := &pgx.Batch{}
	b.Queue("BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE")
	b.Queue(fmt.Sprintf("SET LOCAL statement_timeout = %d", max(timeout.Milliseconds(), 1)))
	b.Queue(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, r.Table.String()+"/"+r.Partition.Start.UTC().Format(time.RFC3339Nano))
	b.Queue(`SELECT rows, checksum `+ledgerRow, r.RunID, r.Table.String(), r.Partition.Start)
	b.Queue(fmt.Sprintf("SELECT count(*) FROM %s WHERE %s", ident(r.Table), partitionWhere(r.Partition.Column)), r.Partition.Start, r.Partition.End)
	b.Queue(fmt.Sprintf("CREATE TEMPORARY TABLE %s (LIKE %s INCLUDING DEFAULTS) ON COMMIT DROP", quote(p.staged), ident(r.Table)))
	results := conn.SendBatch(ctx, b)
	defer results.Close()
	var out staging
	for range 3 {
		if _, err := results.Exec(); err != nil {
			return out, err
		}
	}
	out.done.AlreadyApplied = true
	err := results.QueryRow().Scan(&out.done.Rows, &out.done.Checksum)
	out.applied = err == nil
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return out, err
	}
	if err := results.QueryRow().Scan(&out.audit.OldRows); err != nil {
		return out, err
	}
	if _, err := results.Exec(); err != nil {
		return out, err
	}
	return out, results.Close()
}

// publishStaged sends the second batch of a passed audit: the swap and
// the ledger row, committed together.
func publishStaged(ctx context.Context, conn batcher, p auditPlan, found staging) error {
	return execAll(ctx, conn, swapBatch(p, found))
}

// swapBatch is the second batch of a passed audit.
func swapBatch(p auditPlan, found staging) *pgx.Batch {
	r := p.r
	b := &pgx.Batch{}
	b.Queue(fmt.Sprintf("DELETE FROM %s WHERE %s", ident(r.Table), partitionWhere(r.Partition.Column)), r.Partition.Start, r.Partition.End)
	b.Queue(fmt.Sprintf("INSERT INTO %s SELECT * FROM %s", ident(r.Table), quote(p.staged)))
	b.Queue(`INSERT INTO dre_meta.backfill_ledger (run_id, table_name, partition_start, partition_end, rows, checksum, source_hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`+ledgerWritten,
		r.RunID, r.Table.String(), r.Partition.Start, r.Partition.End, found.stats.Rows, found.stats.Checksum, r.SourceHash)
	b.Queue("COMMIT")
	return b
}

// recordAuditFailure ends a failed audit: the failure goes in the ledger
// and the transaction commits without having touched the partition.
func recordAuditFailure(ctx context.Context, conn batcher, r warehouse.Rewrite, a warehouse.AuditResult) error {
	b := &pgx.Batch{}
	queueLedgerFailure(b, r, a.NewRows, a.Summary())
	b.Queue("COMMIT")
	return execAll(ctx, conn, b)
}

// queueLedgerFailure queues the ledger row of a partition that failed for
// good. It replaces a written row only after a direct rewrite that failed
// its validation: any other failure comes from the partition's last
// attempt, which would have found the row and succeeded.
func queueLedgerFailure(b *pgx.Batch, r warehouse.Rewrite, rows int64, detail string) {
	b.Queue(`INSERT INTO dre_meta.backfill_ledger (run_id, table_name, partition_start, partition_end, rows, checksum, source_hash, status, detail)
		VALUES ($1, $2, $3, $4, $5, '', $6, 'failed', $7)
		ON CONFLICT (run_id, table_name, partition_start) DO UPDATE
		SET rows = EXCLUDED.rows, detail = EXCLUDED.detail, source_hash = EXCLUDED.source_hash,
			status = 'failed', applied_at = now()`,
		r.RunID, r.Table.String(), r.Partition.Start, r.Partition.End, rows, r.SourceHash, detail)
}
