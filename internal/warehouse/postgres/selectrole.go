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

// A rewrite with a select role (warehouse.Rewrite.SelectRole) reads its
// SELECT's rows as that role into a temporary table, inside the rewrite's
// transaction, and then replaces the partition from that table with the
// worker's own privileges; the ledger and the exactly-once transaction are
// unchanged.
//
// The SELECT runs inside a SECURITY DEFINER function owned by the role,
// not after a plain SET ROLE: PostgreSQL checks SET ROLE against the
// session's user, so a SELECT run after SET ROLE could call
// set_config('role', 'none', true) and read as the worker again; inside a
// security-definer function PostgreSQL refuses to change the role at all.
// The function and the table live in the session's temporary schema and
// go with the transaction (the function is dropped at once).
const (
	// roleStageTable holds the rows the role's SELECT produced.
	roleStageTable = "pg_temp.dre_select_rows"
	// roleStageFunc runs the SELECT as its owner, the select role.
	roleStageFunc = "pg_temp.dre_select_as_role"
	// roleStagedSelect is what the rewrite then inserts into the target.
	roleStagedSelect = "SELECT * FROM " + roleStageTable
)

// roleStage is the statements that stage a rewrite's rows as its select
// role, and the SELECT the rewrite then inserts.
type roleStage struct {
	role string
	// setup creates the staging table and function; stmts fill the table.
	setup, stmts []statement
}

// newRoleStage builds the staging statements of r, whose SELECT must be
// one statement; nil when r has no select role.
func newRoleStage(r warehouse.Rewrite) (*roleStage, error) {
	if r.SelectRole == "" {
		return nil, nil
	}
	if err := warehouse.SingleStatement(r.Select); err != nil {
		return nil, fmt.Errorf("rewrite of %s: %w", r.Table, err)
	}
	sel, err := inlineTimes(trimStatement(r.Select), map[string]time.Time{"from": r.Partition.Start, "to": r.Partition.End})
	if err != nil {
		return nil, fmt.Errorf("rewrite of %s: %w", r.Table, err)
	}
	role := quote(r.SelectRole)
	return &roleStage{role: r.SelectRole, setup: []statement{
		{sql: fmt.Sprintf("CREATE TEMPORARY TABLE dre_select_rows (LIKE %s) ON COMMIT DROP", ident(r.Table))},
		{sql: fmt.Sprintf("GRANT INSERT ON %s TO %s", roleStageTable, role)},
		{sql: `CREATE FUNCTION ` + roleStageFunc + `(q text) RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER AS $dre$
DECLARE n bigint;
BEGIN
	EXECUTE 'INSERT INTO ` + roleStageTable + ` ' || q;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END $dre$`},
		{sql: fmt.Sprintf("ALTER FUNCTION %s(text) OWNER TO %s", roleStageFunc, role)},
	}, stmts: []statement{
		{sql: "SELECT " + roleStageFunc + "($1)", args: []any{sel}},
		{sql: "DROP FUNCTION " + roleStageFunc + "(text)"},
	}}, nil
}

// begin opens the rewrite's transaction: without a stage, by queueing
// BEGIN and the statement timeout at the start of b; with one, in a round
// trip of its own that also creates the staging table and function, which
// must exist before b's statements are prepared (pgx prepares a whole
// batch before it runs any of it).
func (s *roleStage) begin(ctx context.Context, conn batcher, b *pgx.Batch, timeout time.Duration) error {
	open := b
	if s != nil {
		open = &pgx.Batch{}
	}
	open.Queue("BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE")
	open.Queue(fmt.Sprintf("SET LOCAL statement_timeout = %d", max(timeout.Milliseconds(), 1)))
	if s == nil {
		return nil
	}
	for _, st := range s.setup {
		open.Queue(st.sql, st.args...)
	}
	return s.refusal(execAll(ctx, conn, open))
}

// opened says whether begin opened the transaction in its own round trip.
func (s *roleStage) opened() bool { return s != nil }

// queue adds the statements that stage the rows to b; a nil stage adds none.
func (s *roleStage) queue(b *pgx.Batch) {
	if s == nil {
		return
	}
	for _, st := range s.stmts {
		b.Queue(st.sql, st.args...)
	}
}

// read consumes the staging statements' results, naming the role when it
// was refused a read.
func (s *roleStage) read(results pgx.BatchResults) error {
	if s == nil {
		return nil
	}
	for range s.stmts {
		if _, err := results.Exec(); err != nil {
			return s.refusal(err)
		}
	}
	return nil
}

// refusal turns a refused privilege into a RoleDeniedError; the SELECT
// reading a table the role may not read is the limit at work, not a
// missing grant of the worker's.
func (s *roleStage) refusal(err error) error {
	if err == nil {
		return nil
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42501" && !strings.Contains(pgErr.Message, "must be ") {
		return &warehouse.RoleDeniedError{Role: s.role, Err: err}
	}
	if errors.As(err, &pgErr) && pgErr.Code == "42501" {
		return fmt.Errorf("staging the SELECT as role %s needs dre's warehouse user to be a member of it (GRANT %s TO <dre's user>): %w", s.role, s.role, err)
	}
	return err
}

// selectOf is the SELECT the rewrite inserts into its table: the staged
// rows when it has a select role, else sel with its arguments.
func (s *roleStage) selectOf(sel string, args []any) (string, []any) {
	if s == nil {
		return sel, args
	}
	return roleStagedSelect, nil
}
