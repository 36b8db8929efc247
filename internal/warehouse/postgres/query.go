package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/dre-dev/dre/internal/warehouse"
)

// readStatement reports whether sql starts like a query. It is the first
// of three guards, there for a clear message: Query also wraps the text in
// a subquery, which PostgreSQL's grammar allows only for queries, and runs
// it in a read-only transaction, which refuses writes hidden in functions
// or WITH clauses.
func readStatement(sql string) bool {
	return slices.Contains([]string{"SELECT", "WITH", "VALUES", "TABLE"}, firstKeyword(sql))
}

// Query runs a read-only statement with a timeout, reading at most
// MaxRows+1 rows: the LIMIT lets the server stop early, and the extra row
// says whether there were more.
func (w *Warehouse) Query(ctx context.Context, q warehouse.Query) (warehouse.QueryResult, error) {
	if err := warehouse.SingleStatement(q.SQL); err != nil {
		return warehouse.QueryResult{}, fmt.Errorf("query: %w", err)
	}
	sql, args, err := bindParams(q.SQL, q.Params)
	if err != nil {
		return warehouse.QueryResult{}, fmt.Errorf("query: %w", err)
	}
	if !readStatement(sql) {
		return warehouse.QueryResult{}, fmt.Errorf("query: only SELECT, WITH, VALUES and TABLE statements run here, not %s", firstKeyword(sql))
	}
	maxRows := orDefault(q.MaxRows, warehouse.DefaultMaxRows)
	// The newline keeps a trailing -- comment from swallowing the ")".
	capped := fmt.Sprintf("SELECT * FROM (%s\n) AS dre_query LIMIT %d", trimStatement(sql), maxRows+1)
	var res warehouse.QueryResult
	err = w.readTx(ctx, orDefault(q.Timeout, warehouse.DefaultTimeout), func(tx pgx.Tx) error {
		var err error
		res, err = collect(ctx, tx, capped, args, maxRows)
		return err
	})
	return res, failure("query", warehouse.TableRef{}, "SELECT on the tables the query reads", err)
}

// collect reads up to maxRows rows, noting whether there were more.
func collect(ctx context.Context, tx pgx.Tx, sql string, args []any, maxRows int) (warehouse.QueryResult, error) {
	rows, err := tx.Query(ctx, sql, args...)
	if err != nil {
		return warehouse.QueryResult{}, err
	}
	defer rows.Close()
	res := warehouse.QueryResult{Columns: []string{}, Rows: [][]any{}}
	for _, f := range rows.FieldDescriptions() {
		res.Columns = append(res.Columns, f.Name)
	}
	for rows.Next() {
		if len(res.Rows) == maxRows {
			res.Truncated = true
			break
		}
		values, err := rows.Values()
		if err != nil {
			return res, err
		}
		for i, v := range values {
			values[i] = plainValue(v)
		}
		res.Rows = append(res.Rows, values)
	}
	rows.Close()
	return res, rows.Err()
}

// trimStatement drops trailing blanks and semicolons.
func trimStatement(sql string) string {
	return strings.TrimRight(sql, " \t\r\n\f;")
}

// explainable are the statements EXPLAIN accepts that dre may estimate.
var explainable = []string{"SELECT", "WITH", "VALUES", "TABLE", "INSERT", "UPDATE", "DELETE", "MERGE"}

// EstimateCost asks the planner, with EXPLAIN without ANALYZE, which
// plans a statement and runs nothing, even for a DELETE; it does so in a
// read-only transaction regardless (with q.PlanAs, one rolled back, as the
// role: see explainJSON). Units are the planner's cost units.
func (w *Warehouse) EstimateCost(ctx context.Context, q warehouse.Query) (warehouse.Cost, error) {
	sql, _, err := bindParams(q.SQL, q.Params)
	if err != nil {
		return warehouse.Cost{}, fmt.Errorf("estimate: %w", err)
	}
	if !slices.Contains(explainable, firstKeyword(sql)) {
		return warehouse.Cost{}, fmt.Errorf("estimate: cannot estimate a %s statement", firstKeyword(sql))
	}
	plan, err := w.explainJSON(ctx, q, "", nil)
	if err != nil {
		return warehouse.Cost{}, failure("estimate", warehouse.TableRef{}, "SELECT on the tables the statement reads", err)
	}
	var plans []struct {
		Plan struct {
			TotalCost float64 `json:"Total Cost"`
			PlanRows  float64 `json:"Plan Rows"`
		} `json:"Plan"`
	}
	if err := json.Unmarshal(plan, &plans); err != nil || len(plans) == 0 {
		return warehouse.Cost{}, fmt.Errorf("estimate: unreadable plan %.200s", plan)
	}
	return warehouse.Cost{Rows: int64(plans[0].Plan.PlanRows), Units: plans[0].Plan.TotalCost}, nil
}
