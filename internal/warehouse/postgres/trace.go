package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/dre-dev/dre/internal/warehouse"
)

// TraceSelect tells which table columns feed each column of a SELECT,
// from the planner's own account: EXPLAIN (VERBOSE) prints every
// expression of the plan's result with each column qualified by the alias
// of the scan it comes from, and each table scan names its table and
// alias. Nothing runs.
//
// It traces what the planner flattens into table scans: joins, WHERE,
// expressions, aggregates, window functions, subqueries and CTEs that are
// inlined. A column computed through what it cannot see into is marked
// Untraced, never guessed: a subquery or CTE kept apart (a Subquery Scan,
// a CTE Scan), a scalar subquery (a SubPlan), a UNION, INTERSECT or
// EXCEPT, rows of a function or of VALUES, and partitioned or inherited
// tables (their rows arrive through an Append).
func (w *Warehouse) TraceSelect(ctx context.Context, q warehouse.Query) ([]warehouse.OutputColumn, error) {
	sql, _, err := bindParams(q.SQL, q.Params)
	if err != nil {
		return nil, fmt.Errorf("trace: %w", err)
	}
	if !readStatement(sql) {
		return nil, fmt.Errorf("trace: only a SELECT can be traced, not %s", firstKeyword(sql))
	}
	var names []string
	err = w.readTx(ctx, orDefault(q.Timeout, warehouse.DefaultTimeout), func(tx pgx.Tx) error {
		// Parsing and describing plans nothing, so runs nothing.
		desc, err := tx.Conn().Prepare(ctx, "", trimStatement(sql))
		if err != nil {
			return err
		}
		for _, f := range desc.Fields {
			names = append(names, f.Name)
		}
		return nil
	})
	var plan []byte
	if err == nil {
		// Wrapped, the statement's range table has two entries at least,
		// which makes EXPLAIN qualify every column; the planner removes the
		// wrapper again when it adds nothing.
		wrap := func(sql string) string { return "SELECT * FROM (" + trimStatement(sql) + "\n) AS dre_traced" }
		plan, err = w.explainJSON(ctx, q, "VERBOSE, ", wrap)
	}
	if err != nil {
		return nil, failure("trace", warehouse.TableRef{}, "SELECT on the tables the statement reads", err)
	}
	var plans []struct {
		Plan planNode `json:"Plan"`
	}
	if err := json.Unmarshal(plan, &plans); err != nil || len(plans) == 0 {
		return nil, fmt.Errorf("trace: unreadable plan %.200s", plan)
	}
	return traceOutputs(plans[0].Plan, names), nil
}

// planNode is the part of an EXPLAIN (FORMAT JSON) node tracing reads.
type planNode struct {
	NodeType string     `json:"Node Type"`
	Relation string     `json:"Relation Name"`
	Schema   string     `json:"Schema"`
	Alias    string     `json:"Alias"`
	Output   []string   `json:"Output"`
	Plans    []planNode `json:"Plans"`
	Subplan  string     `json:"Subplan Name"`
}

// opaqueNodes hide which of their inputs a result column comes from.
var opaqueNodes = []string{"Append", "Merge Append", "SetOp", "Recursive Union"}

// planScan is what a walk of the plan found.
type planScan struct {
	tables   map[string]warehouse.TableRef // scan alias to its table
	others   map[string]string             // other aliases to their node type
	opaque   string                        // an opaqueNodes type in the plan
	subplans bool
}

// walk records n and its children.
func (s *planScan) walk(n planNode) {
	switch {
	case n.Relation != "" && n.Alias != "":
		s.tables[n.Alias] = warehouse.TableRef{Schema: n.Schema, Table: n.Relation}
	case n.Alias != "":
		s.others[n.Alias] = n.NodeType
	}
	if slices.Contains(opaqueNodes, n.NodeType) && s.opaque == "" {
		s.opaque = n.NodeType
	}
	if n.Subplan != "" {
		s.subplans = true
	}
	for _, c := range n.Plans {
		s.walk(c)
	}
}

// traceOutputs maps the top node's outputs, one per result column named
// in names (outputs beyond them are sort keys), to their sources.
func traceOutputs(top planNode, names []string) []warehouse.OutputColumn {
	s := &planScan{tables: map[string]warehouse.TableRef{}, others: map[string]string{}}
	s.walk(top)
	out := make([]warehouse.OutputColumn, len(names))
	for i, name := range names {
		out[i].Name = name
		switch {
		case s.opaque != "":
			out[i].Untraced = "the plan merges rows through " + s.opaque + " (a UNION, or a partitioned table), whose branches dre does not trace"
		case i >= len(top.Output):
			out[i].Untraced = "the plan shows no expression for it"
		default:
			out[i].Sources, out[i].Untraced = s.sources(top.Output[i])
		}
	}
	return out
}

// sources resolves the column references of one output expression.
func (s *planScan) sources(expr string) ([]warehouse.ColumnRef, string) {
	refs, hidden := columnRefs(expr)
	if hidden && s.subplans {
		return nil, fmt.Sprintf("%s is computed by a subquery, which dre does not trace", expr)
	}
	var out []warehouse.ColumnRef
	for _, r := range refs {
		t, ok := s.tables[r.alias]
		if !ok {
			kind := s.others[r.alias]
			if kind == "" {
				kind = "a relation the plan does not name"
			}
			return nil, fmt.Sprintf("%s reads %s.%s from %s, which dre does not trace", expr, r.alias, r.column, kind)
		}
		c := warehouse.ColumnRef{Table: t, Column: r.column}
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out, ""
}
