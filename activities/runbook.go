package activities

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/warehouse"
)

// runbookWarehouses opens a warehouse by its dre.yaml name. The runbook
// activities need the probe as well as the contract, hence Conn.
type runbookWarehouses interface {
	Get(ctx context.Context, name string) (warehouse.Conn, error)
}

// statementExecer is implemented by adapters that can run a statement
// which writes (postgres.Warehouse.Exec). It is deliberately not part of
// warehouse.Warehouse: only approved runbook SQL steps may write freely.
type statementExecer interface {
	Exec(ctx context.Context, q warehouse.Query) (int64, error)
}

// Runbooks runs the warehouse steps of runbooks: checks and SQL.
type Runbooks struct {
	Warehouses runbookWarehouses
}

// RunbookCheckInput asks for one check of a dataset. Check is freshness,
// volume, completeness, custom or the name of one of the dataset's SLOs;
// SQL is a custom check's statement, templates already rendered.
type RunbookCheckInput struct {
	Dataset catalog.Dataset `json:"dataset"`
	Check   string          `json:"check"`
	SQL     string          `json:"sql,omitempty"`
}

// RunbookCheckResult is what a check measured; which fields are set
// depends on the check (see runbooks.ResultFields). Passed is the SLO's
// verdict; a runbook's expect may override it.
type RunbookCheckResult struct {
	Passed   bool           `json:"passed"`
	Value    float64        `json:"value"`
	Lag      time.Duration  `json:"lag,omitempty"`
	Rows     int64          `json:"rows"`
	NullRate float64        `json:"nullRate,omitempty"`
	Latest   string         `json:"latest,omitempty"`
	AsOf     string         `json:"asOf"`
	Row      map[string]any `json:"row,omitempty"`
	Message  string         `json:"message"`
}

// RunCheck measures a dataset as a runbook's check step asks. It only
// reads. Configuration problems (unknown warehouse or SLO, bad SQL
// shape) are non-retryable; connection problems follow the step's retries.
func (r *Runbooks) RunCheck(ctx context.Context, in RunbookCheckInput) (RunbookCheckResult, error) {
	conn, err := r.open(ctx, in.Dataset.Warehouse)
	if err != nil {
		return RunbookCheckResult{}, err
	}
	c := datasetCheck{conn: conn, ds: in.Dataset, now: time.Now().UTC()}
	res, err := c.run(ctx, in.Check, in.SQL)
	res.AsOf = c.now.Format(time.DateOnly)
	return res, err
}

// RunbookSQLInput is a rendered statement with its parameters, written
// $1, $2, ... as in runbook files.
type RunbookSQLInput struct {
	Warehouse string        `json:"warehouse"`
	Statement string        `json:"statement"`
	Params    []any         `json:"params,omitempty"`
	Timeout   time.Duration `json:"timeout,omitempty"`
}

// RunbookSQLResult is how many rows a statement returned or affected, and
// the first row returned.
type RunbookSQLResult struct {
	Rows int64          `json:"rows"`
	Row  map[string]any `json:"row,omitempty"`
}

// RunSQL runs a runbook's sql step. Queries (SELECT, WITH, VALUES, TABLE)
// run read-only through the warehouse contract; anything else needs an
// adapter with Exec and is not idempotent, so the workflow's lint-enforced
// approval is what guards it. Values arrive only as Params, and a text of
// more than one statement is refused before any warehouse sees it.
func (r *Runbooks) RunSQL(ctx context.Context, in RunbookSQLInput) (RunbookSQLResult, error) {
	if err := warehouse.SingleStatement(in.Statement); err != nil {
		msg := fmt.Sprintf("sql step on warehouse %s: %v", in.Warehouse, err)
		return RunbookSQLResult{}, temporal.NewNonRetryableApplicationError(msg, errInvalidInput, err)
	}
	conn, err := r.open(ctx, in.Warehouse)
	if err != nil {
		return RunbookSQLResult{}, err
	}
	q := warehouse.Query{SQL: namedParams(in.Statement), Params: paramMap(in.Params), Timeout: in.Timeout}
	if isQuery(in.Statement) {
		res, err := conn.Query(ctx, q)
		if err != nil {
			return RunbookSQLResult{}, fmt.Errorf("warehouse %s: %w", in.Warehouse, err)
		}
		return RunbookSQLResult{Rows: int64(len(res.Rows)), Row: firstRow(res)}, nil
	}
	execer, ok := conn.(statementExecer)
	if !ok {
		msg := fmt.Sprintf("warehouse %s runs only queries (SELECT, WITH, VALUES, TABLE) from runbooks; run this statement by hand", in.Warehouse)
		return RunbookSQLResult{}, temporal.NewNonRetryableApplicationError(msg, errInvalidInput, nil)
	}
	n, err := execer.Exec(ctx, q)
	if err != nil {
		return RunbookSQLResult{}, fmt.Errorf("warehouse %s: %w", in.Warehouse, err)
	}
	return RunbookSQLResult{Rows: n}, nil
}

// open returns the warehouse called name; an unknown name is final.
func (r *Runbooks) open(ctx context.Context, name string) (warehouse.Conn, error) {
	conn, err := r.Warehouses.Get(ctx, name)
	var unknown *warehouse.UnknownWarehouseError
	if errors.As(err, &unknown) {
		return nil, temporal.NewNonRetryableApplicationError(err.Error(), errUnknownWarehouse, err)
	}
	return conn, err
}

// isQuery reports whether a statement only reads, judged by its first word.
func isQuery(sql string) bool {
	fields := strings.Fields(strings.TrimLeft(sql, "( \t\r\n"))
	if len(fields) == 0 {
		return false
	}
	switch strings.ToUpper(fields[0]) {
	case "SELECT", "WITH", "VALUES", "TABLE":
		return true
	}
	return false
}

// firstRow returns the first row of res by column name, or nil.
func firstRow(res warehouse.QueryResult) map[string]any {
	if len(res.Rows) == 0 {
		return nil
	}
	row := make(map[string]any, len(res.Columns))
	for i, col := range res.Columns {
		row[col] = res.Rows[0][i]
	}
	return row
}
