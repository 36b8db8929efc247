package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/dre-dev/dre/internal/warehouse"
)

// Crash points of CrashAuditAt.
const (
	CrashAfterStaging    = "after staging"
	CrashAfterValidation = "after validation"
	CrashDuringSwap      = "during the swap"
)

// CrashAuditAt runs RewriteAudited's own steps up to point, calls
// meanwhile (what readers see then), then cuts the connection without a
// word to the server, as a worker killed with kill -9 does: no ROLLBACK,
// no Terminate message. During the swap means with the ledger row written
// but not committed (for a failed audit: the old rows restored and the
// failure recorded, not committed).
func (w *Warehouse) CrashAuditAt(ctx context.Context, r warehouse.Rewrite, a warehouse.Audit, point string, meanwhile func()) error {
	p, err := newAuditPlan(r, a)
	if err != nil {
		return err
	}
	if point == CrashAfterStaging {
		p.checks, p.a = nil, warehouse.Audit{} // the new rows written, nothing checked yet
	}
	if err := w.ensureMeta(ctx); err != nil {
		return err
	}
	pooled, err := w.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	conn := pooled.Hijack()
	defer conn.PgConn().Conn().Close() //nolint:errcheck // the cut is the point
	defer meanwhile()
	found, err := stageAndCheck(ctx, conn, p, longTimeout)
	if err != nil || point != CrashDuringSwap {
		return err
	}
	publish := publishBatch(p, found) // a failed audit's: back to the savepoint, the failure in the ledger
	swap := &pgx.Batch{}
	for _, q := range publish.QueuedQueries[:len(publish.QueuedQueries)-1] { // all but COMMIT
		swap.Queue(q.SQL, q.Arguments...)
	}
	return execAll(ctx, conn, swap)
}

// ReadsTable exposes readsTable, the rule for which logged statements read
// a table.
func ReadsTable(ref warehouse.TableRef, query string) bool { return readsTable(ref)(query) }
