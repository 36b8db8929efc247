package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dre-dev/dre/internal/warehouse"
)

// RewriteAudited replaces one partition by write-audit-publish, at most
// once per (run, table, partition). The staging area is the transaction
// itself: the new rows are written in place of the old ones but stay
// invisible to every other session until COMMIT, which is the publish.
// It takes two pipelined batches, as RewritePartition does:
//
//  1. the advisory lock and the ledger look-up; a savepoint; DELETE the
//     partition's rows and INSERT the SELECT's (the old and new row
//     counts); then every check, reading the new rows as StagedRows;
//  2. if every check passed: the ledger row and COMMIT; if not: ROLLBACK
//     TO the savepoint, which restores the old rows, the failure in the
//     ledger, and COMMIT.
//
// Being one transaction, it needs no cleanup and leaves nothing behind: a
// crash at any point (after staging, after the checks, during the
// publish) rolls everything back and the next attempt starts afresh;
// what commits is either the new rows with their ledger row, or the
// recorded failure with the old rows untouched. Staging in place writes
// the rows once, where a staging table would write them twice, which
// keeps the audit's cost to its checks (see BenchmarkRewriteAudited).
func (w *Warehouse) RewriteAudited(ctx context.Context, r warehouse.Rewrite, a warehouse.Audit) (warehouse.RewriteResult, error) {
	p, err := newAuditPlan(r, a)
	if err != nil {
		return warehouse.RewriteResult{}, err
	}
	if err := w.ensureMeta(ctx); err != nil {
		return warehouse.RewriteResult{}, err
	}
	res, err := w.auditTx(ctx, p)
	return res, failure("auditing a partition of", r.Table, "SELECT, INSERT and DELETE on "+r.Table.String()+" and SELECT on the tables the backfill reads", err)
}

// auditPlan is one audited rewrite's statements.
type auditPlan struct {
	r      warehouse.Rewrite
	a      warehouse.Audit
	sel    string
	args   []any
	checks []statement
	// stage reads the SELECT as the select role, when there is one.
	stage *roleStage
}

// checksummed is true when the new rows' checksum is asked for: by the
// rewrite, or to compare them with a source table. Hashing every row
// costs as much as a fifth of a small partition's rewrite.
func (p auditPlan) checksummed() bool { return p.r.Checksum || p.a.CompareTable != nil }

// newAuditPlan validates an audited rewrite and builds its statements.
func newAuditPlan(r warehouse.Rewrite, a warehouse.Audit) (auditPlan, error) {
	sel, args, err := rewriteSelect(r)
	if err != nil {
		return auditPlan{}, err
	}
	stage, err := newRoleStage(r)
	if err != nil {
		return auditPlan{}, err
	}
	sel, args = stage.selectOf(sel, args)
	checks, err := checkStatements(r.Table, r.Partition, a.Checks)
	return auditPlan{r: r, a: a, sel: sel, args: args, checks: checks, stage: stage}, err
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
	}
	res = warehouse.RewriteResult{Rows: found.audit.NewRows, Checksum: found.stats.Checksum, Audit: &found.audit}
	return res, execAll(ctx, conn, publishBatch(p, found))
}

// staging is what the first batch found.
type staging struct {
	done    warehouse.RewriteResult
	applied bool
	audit   warehouse.AuditResult
	// stats are the new rows' count and, when asked for, checksum.
	stats warehouse.PartitionStats
}

// stagingSavepoint is where a failed audit rolls back to.
const stagingSavepoint = "dre_before_staging"

// stageAndCheck sends the first batch and reads its answers in the order
// they were queued.
func stageAndCheck(ctx context.Context, conn batcher, p auditPlan, timeout time.Duration) (staging, error) {
	b := &pgx.Batch{}
	if err := p.stage.begin(ctx, conn, b, timeout); err != nil {
		return staging{}, err
	}
	results := conn.SendBatch(ctx, stageBatch(b, p))
	defer results.Close()
	var out staging
	var err error
	if out.done, out.applied, err = readLedgerAnswer(results, p.stage.opened()); err != nil {
		return out, err
	}
	if err := p.stage.read(results); err != nil {
		return out, err
	}
	if err := readStaging(results, p, &out); err != nil {
		return out, err
	}
	if err := readComparisons(results, p, &out); err != nil {
		return out, err
	}
	if err := readChecks(results, p.a.Checks, &out.audit); err != nil {
		return out, err
	}
	return out, results.Close()
}

// stageBatch completes b, the first batch (which opens the transaction
// or follows the round trip that did): lock, ledger look-up, savepoint,
// the rewrite in place, and the audit's queries.
func stageBatch(b *pgx.Batch, p auditPlan) *pgx.Batch {
	r := p.r
	b.Queue(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, r.Table.String()+"/"+r.Partition.Start.UTC().Format(time.RFC3339Nano))
	b.Queue(`SELECT rows, checksum `+ledgerRow, r.RunID, r.Table.String(), r.Partition.Start)
	p.stage.queue(b)
	b.Queue("SAVEPOINT " + stagingSavepoint)
	b.Queue(fmt.Sprintf("DELETE FROM %s WHERE %s", ident(r.Table), partitionWhere(r.Partition.Column)), r.Partition.Start, r.Partition.End)
	b.Queue(fmt.Sprintf("INSERT INTO %s %s", ident(r.Table), p.sel), p.args...)
	if p.checksummed() {
		b.Queue(partitionStatsSQL(r.Table, r.Partition), r.Partition.Start, r.Partition.End)
	}
	queueComparisons(b, p)
	for _, c := range p.checks {
		b.Queue(c.sql, c.args...)
	}
	return b
}

// readStaging reads the savepoint, the DELETE's and INSERT's row counts
// and, when asked for, the new rows' statistics.
func readStaging(results pgx.BatchResults, p auditPlan, out *staging) error {
	if _, err := results.Exec(); err != nil {
		return err
	}
	deleted, err := results.Exec()
	if err != nil {
		return err
	}
	inserted, err := results.Exec()
	if err != nil {
		return err
	}
	out.audit.OldRows, out.audit.NewRows = deleted.RowsAffected(), inserted.RowsAffected()
	out.stats.Rows = out.audit.NewRows
	if p.checksummed() {
		out.stats, err = scanStats(results.QueryRow())
	}
	return err
}

// publishBatch is the second batch: the ledger row and COMMIT when the
// audit passed; otherwise the old rows back, the failure in the ledger,
// and COMMIT.
func publishBatch(p auditPlan, found staging) *pgx.Batch {
	r := p.r
	b := &pgx.Batch{}
	if !found.audit.Passed {
		b.Queue("ROLLBACK TO SAVEPOINT " + stagingSavepoint)
		queueLedgerFailure(b, r, found.audit.NewRows, found.audit.Summary())
		b.Queue("COMMIT")
		return b
	}
	b.Queue(`INSERT INTO dre_meta.backfill_ledger (run_id, table_name, partition_start, partition_end, rows, checksum, source_hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`+ledgerWritten,
		r.RunID, r.Table.String(), r.Partition.Start, r.Partition.End, found.stats.Rows, found.stats.Checksum, r.SourceHash)
	b.Queue("COMMIT")
	return b
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
