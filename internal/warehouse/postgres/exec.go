package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/dre-dev/dre/internal/warehouse"
)

// Exec runs one statement that may write, such as a runbook's approved
// REVOKE or UPDATE, in a read-write transaction with a timeout, and
// returns the rows it affected. It is not part of warehouse.Warehouse:
// only the runbook activity uses it, through a narrow interface, so that
// no other code path gains a way to run arbitrary writes.
func (w *Warehouse) Exec(ctx context.Context, q warehouse.Query) (int64, error) {
	// Without parameters pgx sends the text over the simple protocol,
	// which would run every statement in it.
	if err := warehouse.SingleStatement(q.SQL); err != nil {
		return 0, fmt.Errorf("exec: %w", err)
	}
	sql, args, err := bindParams(q.SQL, q.Params)
	if err != nil {
		return 0, fmt.Errorf("exec: %w", err)
	}
	var affected int64
	err = w.writeTx(ctx, orDefault(q.Timeout, warehouse.DefaultTimeout), func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, trimStatement(sql), args...)
		affected = tag.RowsAffected()
		return err
	})
	return affected, failure("exec", warehouse.TableRef{}, "the privileges the statement needs", err)
}
