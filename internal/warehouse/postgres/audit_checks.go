package postgres

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/dre-dev/dre/internal/warehouse"
)

// auditExampleLen bounds the example of a violation kept in reports.
const auditExampleLen = 200

// checkStatements builds each check's query over the partition's new
// rows: one row of (violations, an example violation as text).
func checkStatements(table warehouse.TableRef, p warehouse.Partition, checks []warehouse.Check) ([]statement, error) {
	out := make([]statement, 0, len(checks))
	for _, c := range checks {
		st, err := checkStatement(p, c)
		if err != nil {
			return nil, fmt.Errorf("check %s: %w", c.Name, err)
		}
		out = append(out, stagedRows(table, p, st))
	}
	return out, nil
}

// stagedRows binds StagedRows to the partition's rows as the transaction
// sees them (the new ones), as a CTE before the check's query; the
// partition bounds are the parameters after the check's own.
func stagedRows(table warehouse.TableRef, p warehouse.Partition, st statement) statement {
	cte := fmt.Sprintf("WITH %s AS (SELECT * FROM %s WHERE %s) ", warehouse.StagedRows, ident(table), partitionWhereFrom(p.Column, len(st.args)+1))
	return statement{sql: cte + st.sql, args: append(slices.Clip(st.args), p.Start, p.End)}
}

// checkStatement builds one check's query over StagedRows.
func checkStatement(p warehouse.Partition, c warehouse.Check) (statement, error) {
	staged := warehouse.StagedRows
	cols, err := quotedColumns(c.Columns)
	if err != nil {
		return statement{}, err
	}
	switch c.Kind {
	case warehouse.CheckNotNull:
		if len(cols) != 1 {
			return statement{}, fmt.Errorf("not_null checks one column, got %d", len(cols))
		}
		return statement{sql: fmt.Sprintf("SELECT count(*), min(s::text) FROM %s AS s WHERE %s IS NULL", staged, cols[0])}, nil
	case warehouse.CheckUnique:
		if len(cols) == 0 {
			return statement{}, fmt.Errorf("unique needs the unique_key's columns")
		}
		key := strings.Join(cols, ", ")
		return statement{sql: fmt.Sprintf("SELECT count(*), min(k) FROM (SELECT ROW(%s)::text AS k FROM %s GROUP BY %s HAVING count(*) > 1) AS d", key, staged, key)}, nil
	case warehouse.CheckAcceptedValues:
		if len(cols) != 1 {
			return statement{}, fmt.Errorf("accepted_values checks one column, got %d", len(cols))
		}
		return statement{sql: fmt.Sprintf("SELECT count(*), min(%s::text) FROM %s WHERE %s IS NOT NULL AND %s::text <> ALL($1::text[])", cols[0], staged, cols[0], cols[0]),
			args: []any{c.Values}}, nil
	case warehouse.CheckSQL:
		sel, args, err := bindParams(c.SQL, map[string]any{"from": p.Start, "to": p.End})
		if err != nil {
			return statement{}, err
		}
		if !readStatement(sel) {
			return statement{}, fmt.Errorf("the check must be a SELECT returning the violating rows")
		}
		return statement{sql: fmt.Sprintf("SELECT count(*), min(v::text) FROM (%s) AS v", trimStatement(sel)), args: args}, nil
	}
	return statement{}, fmt.Errorf("unknown check kind %q; use %s, %s, %s or %s", c.Kind,
		warehouse.CheckNotNull, warehouse.CheckUnique, warehouse.CheckAcceptedValues, warehouse.CheckSQL)
}

// quotedColumns validates and quotes column names.
func quotedColumns(names []string) ([]string, error) {
	out := make([]string, len(names))
	for i, n := range names {
		if err := warehouse.ValidIdentifier(n); err != nil {
			return nil, err
		}
		out[i] = quote(n)
	}
	return out, nil
}

// queueComparisons queues the comparisons with the source that
// validation rowcount and checksum ask for.
func queueComparisons(b *pgx.Batch, p auditPlan) {
	if p.a.CountSource {
		b.Queue(fmt.Sprintf("SELECT count(*) FROM (%s) AS source", trimStatement(p.sel)), p.args...)
	}
	if p.a.CompareTable != nil {
		b.Queue(partitionStatsSQL(*p.a.CompareTable, p.r.Partition), p.r.Partition.Start, p.r.Partition.End)
	}
}

// readComparisons reads the answers queueComparisons queued into findings.
func readComparisons(results pgx.BatchResults, p auditPlan, out *staging) error {
	if p.a.CountSource {
		var want int64
		if err := results.QueryRow().Scan(&want); err != nil {
			return err
		}
		f := warehouse.CheckFinding{Name: "rowcount"}
		if diff := math.Abs(float64(out.stats.Rows - want)); diff > p.a.Tolerance*float64(want) {
			f.Violations = int64(diff)
			f.Example = fmt.Sprintf("%d staged vs %d from the source", out.stats.Rows, want)
		}
		out.audit.Findings = append(out.audit.Findings, f)
	}
	if p.a.CompareTable != nil {
		want, err := scanStats(results.QueryRow())
		if err != nil {
			return err
		}
		f := warehouse.CheckFinding{Name: "checksum vs " + p.a.CompareTable.String()}
		if want != out.stats {
			f.Violations = max(1, int64(math.Abs(float64(want.Rows-out.stats.Rows))))
			f.Example = fmt.Sprintf("%d rows (checksum %s) staged vs %d (checksum %s)", out.stats.Rows, out.stats.Checksum, want.Rows, want.Checksum)
		}
		out.audit.Findings = append(out.audit.Findings, f)
	}
	return nil
}

// readChecks reads each check's answer and settles whether the audit
// passed.
func readChecks(results pgx.BatchResults, checks []warehouse.Check, a *warehouse.AuditResult) error {
	for _, c := range checks {
		f := warehouse.CheckFinding{Name: c.Name}
		var example *string
		if err := results.QueryRow().Scan(&f.Violations, &example); err != nil {
			return fmt.Errorf("check %s: %w", c.Name, err)
		}
		if example != nil {
			f.Example = truncate(*example, auditExampleLen)
		}
		a.Findings = append(a.Findings, f)
	}
	a.Passed = true
	for _, f := range a.Findings {
		a.Passed = a.Passed && f.Violations == 0
	}
	return nil
}

// truncate shortens s to at most n bytes, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
