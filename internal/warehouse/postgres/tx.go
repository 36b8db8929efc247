package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Timeouts for calls whose arguments carry none.
const (
	// longTimeout bounds partition rewrites without a Timeout, partition
	// statistics and snapshots: they read or write whole partitions or
	// tables, which can take minutes on large ones.
	longTimeout = 10 * time.Minute
	// networkGrace is how long past the statement timeout the client waits
	// before giving up on a server that stopped answering altogether.
	networkGrace = 10 * time.Second
	// rollbackTimeout bounds the rollback after a failed transaction.
	rollbackTimeout = 5 * time.Second
)

// querier is what the helpers need of a transaction.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// readTx runs fn in a read-only transaction whose statements time out
// after timeout: even a statement that slipped past dre's checks cannot
// write. It ends with ROLLBACK, not COMMIT: there is nothing to commit,
// and rolling back also undoes session settings a query may have changed
// (set_config(..., false)), so no pooled connection keeps them.
func (w *Warehouse) readTx(ctx context.Context, timeout time.Duration, fn func(pgx.Tx) error) error {
	return w.inTx(ctx, "READ ONLY", timeout, fn)
}

// writeTx runs fn in a read-write transaction whose statements time out
// after timeout.
func (w *Warehouse) writeTx(ctx context.Context, timeout time.Duration, fn func(pgx.Tx) error) error {
	return w.inTx(ctx, "READ WRITE", timeout, fn)
}

// scratchMode is a read-write transaction that is always rolled back: for
// temporary objects, which a read-only transaction may not create.
const scratchMode = "READ WRITE, ROLLED BACK"

// scratchTx runs fn in a scratchMode transaction.
func (w *Warehouse) scratchTx(ctx context.Context, timeout time.Duration, fn func(pgx.Tx) error) error {
	return w.inTx(ctx, scratchMode, timeout, fn)
}

// inTx begins the transaction and sets its statement timeout in one round
// trip (SET LOCAL ends with the transaction, so a pooled connection never
// keeps it), runs fn, and commits a READ WRITE transaction or rolls back a
// READ ONLY one.
func (w *Warehouse) inTx(ctx context.Context, mode string, timeout time.Duration, fn func(pgx.Tx) error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout+networkGrace)
	defer cancel()
	access := mode
	if mode == scratchMode {
		access = "READ WRITE"
	}
	begin := fmt.Sprintf("BEGIN ISOLATION LEVEL READ COMMITTED %s; SET LOCAL statement_timeout = %d",
		access, max(timeout.Milliseconds(), 1))
	tx, err := w.pool.BeginTx(ctx, pgx.TxOptions{BeginQuery: begin})
	if err != nil {
		return err
	}
	defer func() {
		// After a commit this is a no-op; after a failure the caller's
		// context may be done, and the connection must still be cleaned.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), rollbackTimeout)
		defer cancel()
		_ = tx.Rollback(rctx)
	}()
	if err := fn(tx); err != nil {
		return err
	}
	if mode != "READ WRITE" {
		return tx.Rollback(ctx)
	}
	return tx.Commit(ctx)
}

// rollbackOpen rolls back a transaction left open on conn by a failed
// pipelined batch. If that fails too, the pool discards the connection
// on release, since it is not idle.
func rollbackOpen(ctx context.Context, conn *pgx.Conn) {
	if conn.PgConn().TxStatus() == 'I' {
		return
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), rollbackTimeout)
	defer cancel()
	_, _ = conn.Exec(rctx, "ROLLBACK")
}

// orDefault returns d when v is zero.
func orDefault[T comparable](v, d T) T {
	var zero T
	if v == zero {
		return d
	}
	return v
}
