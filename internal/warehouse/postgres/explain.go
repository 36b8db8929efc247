package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dre-dev/dre/internal/warehouse"
)

// explainAsRoleFunc runs an EXPLAIN as its owner, a select role.
const explainAsRoleFunc = "pg_temp.dre_explain_as_role"

// explainJSON returns EXPLAIN (options, FORMAT JSON) of q's statement as
// shape makes it (nil: as it is) from q.SQL with its parameters bound.
// Planning evaluates IMMUTABLE functions of constants, so with q.PlanAs it
// plans as that role, inside a security-definer function the role owns
// (as a select role's rewrite reads; see roleStage), in a transaction
// that is rolled back; the parameters are then written in as literals.
func (w *Warehouse) explainJSON(ctx context.Context, q warehouse.Query, options string, shape func(string) string) ([]byte, error) {
	if shape == nil {
		shape = trimStatement
	}
	var plan []byte
	timeout := orDefault(q.Timeout, warehouse.DefaultTimeout)
	if q.PlanAs == "" {
		sql, args, err := bindParams(q.SQL, q.Params)
		if err != nil {
			return nil, err
		}
		explain := "EXPLAIN (" + options + "FORMAT JSON) " + shape(sql)
		err = w.readTx(ctx, timeout, func(tx pgx.Tx) error { return tx.QueryRow(ctx, explain, args...).Scan(&plan) })
		return plan, err
	}
	if err := warehouse.SingleStatement(q.SQL); err != nil {
		return nil, err
	}
	inlined, err := inlineTimes(q.SQL, timeParams(q.Params))
	if err != nil {
		return nil, err
	}
	explain := "EXPLAIN (" + options + "FORMAT JSON) " + shape(inlined)
	err = w.scratchTx(ctx, timeout, func(tx pgx.Tx) error {
		for _, st := range []string{
			`CREATE FUNCTION ` + explainAsRoleFunc + `(q text) RETURNS json LANGUAGE plpgsql SECURITY DEFINER AS $dre$
DECLARE p json;
BEGIN
	EXECUTE q INTO p;
	RETURN p;
END $dre$`,
			fmt.Sprintf("ALTER FUNCTION %s(text) OWNER TO %s", explainAsRoleFunc, quote(q.PlanAs)),
		} {
			if _, err := tx.Exec(ctx, st); err != nil {
				return err
			}
		}
		return tx.QueryRow(ctx, "SELECT "+explainAsRoleFunc+"($1)", explain).Scan(&plan)
	})
	return plan, (&roleStage{role: q.PlanAs}).refusal(err)
}

// timeParams keeps the time values of params, the only ones a statement
// run through EXECUTE can have written into it.
func timeParams(params map[string]any) map[string]time.Time {
	out := map[string]time.Time{}
	for k, v := range params {
		if t, ok := v.(time.Time); ok {
			out[k] = t
		}
	}
	return out
}
