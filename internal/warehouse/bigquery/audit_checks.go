package bigquery

import (
	"context"
	"fmt"
	"math"
	"strings"

	"cloud.google.com/go/bigquery"

	"github.com/dre-dev/dre/internal/warehouse"
)

// auditExampleLen bounds the example of a violation kept in reports.
const auditExampleLen = 200

// audited is what the audit found: the findings with both row counts,
// and the staged rows' statistics (the checksum only when asked for).
type audited struct {
	audit warehouse.AuditResult
	stats warehouse.PartitionStats
}

// Rows of the audit query that are not checks, by their check_index.
const (
	oldRowsIndex = iota
	newRowsIndex
	sourceRowsIndex
	firstCheckIndex
)

// audit runs the checks against the staged rows in one query (one job,
// where a query per check would pay BigQuery's job latency each time),
// then the comparisons that need checksums.
func (w *Warehouse) audit(ctx context.Context, p publication, a warehouse.Audit) (audited, error) {
	sql, params, err := w.auditQuery(p, a)
	if err != nil {
		return audited{}, err
	}
	rows, err := w.read(ctx, "audit", sql, params, tableOp(p.r.Table, "bigquery.tables.getData"))
	if err != nil {
		return audited{}, err
	}
	counts, examples := map[int64]int64{}, map[int64]string{}
	for _, row := range rows {
		i, _ := row[0].(int64)
		counts[i], _ = row[1].(int64)
		examples[i], _ = row[2].(string)
	}
	var out audited
	out.audit.OldRows, out.audit.NewRows = counts[oldRowsIndex], counts[newRowsIndex]
	out.stats.Rows = out.audit.NewRows
	if a.CountSource {
		out.audit.Findings = append(out.audit.Findings, rowcountFinding(out.audit.NewRows, counts[sourceRowsIndex], a.Tolerance))
	}
	if p.r.Checksum || a.CompareTable != nil {
		if err := w.compare(ctx, p, a, &out); err != nil {
			return out, err
		}
	}
	for i, c := range a.Checks {
		k := int64(firstCheckIndex + i)
		out.audit.Findings = append(out.audit.Findings, warehouse.CheckFinding{Name: c.Name, Violations: counts[k], Example: shorten(examples[k], auditExampleLen)})
	}
	out.audit.Passed = true
	for _, f := range out.audit.Findings {
		out.audit.Passed = out.audit.Passed && f.Violations == 0
	}
	return out, nil
}

// auditQuery is one SELECT of (check_index, violations, example) rows:
// the partition's old rows, the staged rows, the source's rows when
// counted, then one row per check. StagedRows names the staged rows.
func (w *Warehouse) auditQuery(p publication, a warehouse.Audit) (string, []bigquery.QueryParameter, error) {
	col := quoteColumn(p.r.Partition.Column)
	parts := []string{
		fmt.Sprintf("SELECT %d AS check_index, COUNT(*) AS violations, CAST(NULL AS STRING) AS example FROM %s AS t WHERE t.%s >= @from AND t.%s < @to",
			oldRowsIndex, w.qualified(p.r.Table), col, col),
		fmt.Sprintf("SELECT %d, COUNT(*), CAST(NULL AS STRING) FROM %s", newRowsIndex, warehouse.StagedRows),
	}
	if a.CountSource {
		parts = append(parts, fmt.Sprintf("SELECT %d, COUNT(*), CAST(NULL AS STRING) FROM (%s) AS source", sourceRowsIndex, trimStatement(p.r.Select)))
	}
	params := boundParams(p.target.fieldType, p.r.Partition)
	for i, c := range a.Checks {
		sql, ps, err := checkQuery(firstCheckIndex+i, c, w.qualified(p.staging))
		if err != nil {
			return "", nil, fmt.Errorf("check %s: %w", c.Name, err)
		}
		parts, params = append(parts, sql), append(params, ps...)
	}
	with := fmt.Sprintf("WITH %s AS (SELECT * FROM %s)\n", warehouse.StagedRows, w.qualified(p.staging))
	return with + strings.Join(parts, "\nUNION ALL\n"), params, nil
}

// checkQuery is one check's row of the audit query, in GoogleSQL. The
// structured checks read the staging table (staged, a qualified name)
// directly; SQL checks read it as StagedRows.
func checkQuery(index int, c warehouse.Check, staged string) (string, []bigquery.QueryParameter, error) {
	for _, col := range c.Columns {
		if err := warehouse.ValidIdentifier(col); err != nil {
			return "", nil, err
		}
	}
	head := fmt.Sprintf("SELECT %d, COUNT(*), ", index)
	switch c.Kind {
	case warehouse.CheckNotNull:
		if len(c.Columns) != 1 {
			return "", nil, fmt.Errorf("not_null checks one column, got %d", len(c.Columns))
		}
		return head + fmt.Sprintf("MIN(TO_JSON_STRING(s)) FROM %s AS s WHERE s.%s IS NULL", staged, quoteColumn(c.Columns[0])), nil, nil
	case warehouse.CheckUnique:
		if len(c.Columns) == 0 {
			return "", nil, fmt.Errorf("unique needs the unique_key's columns")
		}
		return head + fmt.Sprintf("MIN(d.k) FROM (SELECT %s AS k FROM %s GROUP BY %s HAVING COUNT(*) > 1) AS d",
			keyText(c.Columns), staged, quotedList(c.Columns)), nil, nil
	case warehouse.CheckAcceptedValues:
		if len(c.Columns) != 1 {
			return "", nil, fmt.Errorf("accepted_values checks one column, got %d", len(c.Columns))
		}
		return acceptedQuery(head, index, c, staged)
	case warehouse.CheckSQL:
		if !isReadStatement(c.SQL) {
			return "", nil, fmt.Errorf("the check must be a SELECT returning the violating rows")
		}
		// No example: the violating rows' columns are the check's own,
		// and naming none of them, only TO_JSON_STRING of the subquery's
		// row could show one, which the stand-in cannot run.
		return head + fmt.Sprintf("CAST(NULL AS STRING) FROM (%s) AS v", trimStatement(c.SQL)), nil, nil
	}
	return "", nil, fmt.Errorf("unknown check kind %q; use %s, %s, %s or %s", c.Kind,
		warehouse.CheckNotNull, warehouse.CheckUnique, warehouse.CheckAcceptedValues, warehouse.CheckSQL)
}

// acceptedQuery counts the non-NULL values outside the list, which goes
// in as one STRING parameter per value.
func acceptedQuery(head string, index int, c warehouse.Check, staged string) (string, []bigquery.QueryParameter, error) {
	col := quoteColumn(c.Columns[0])
	outside := "TRUE" // no value is accepted
	var params []bigquery.QueryParameter
	if len(c.Values) > 0 {
		marks := make([]string, len(c.Values))
		for j, v := range c.Values {
			name := fmt.Sprintf("accepted_%d_%d", index, j)
			marks[j] = "@" + name
			params = append(params, bigquery.QueryParameter{Name: name, Value: v})
		}
		outside = fmt.Sprintf("CAST(%s AS STRING) NOT IN (%s)", col, strings.Join(marks, ", "))
	}
	return head + fmt.Sprintf("MIN(CAST(%s AS STRING)) FROM %s WHERE %s IS NOT NULL AND %s", col, staged, col, outside), params, nil
}

// keyText renders a key as text for the example: (a, b), NULL parts
// written NULL.
func keyText(cols []string) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = fmt.Sprintf("IFNULL(CAST(%s AS STRING), 'NULL')", quoteColumn(c))
	}
	return "'(' || " + strings.Join(parts, " || ', ' || ") + " || ')'"
}

func quotedList(cols []string) string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = quoteColumn(c)
	}
	return strings.Join(out, ", ")
}

// rowcountFinding compares the staged rows with the source's count,
// allowing tolerance (0.01: 1%) of difference.
func rowcountFinding(staged, want int64, tolerance float64) warehouse.CheckFinding {
	f := warehouse.CheckFinding{Name: "rowcount"}
	if diff := math.Abs(float64(staged - want)); diff > tolerance*float64(want) {
		f.Violations = int64(diff)
		f.Example = fmt.Sprintf("%d staged vs %d from the source", staged, want)
	}
	return f
}

// compare checksums the staged rows and, for validation checksum, the
// same partition of the table to compare with.
func (w *Warehouse) compare(ctx context.Context, p publication, a warehouse.Audit, out *audited) error {
	staged, err := w.checksum(ctx, p.staging, "TRUE", nil)
	if err != nil {
		return err
	}
	out.stats = staged
	if a.CompareTable == nil {
		return nil
	}
	want, err := w.partitionStats(ctx, *a.CompareTable, p.r.Partition, p.target.fieldType)
	if err != nil {
		return err
	}
	f := warehouse.CheckFinding{Name: "checksum vs " + a.CompareTable.String()}
	if want != staged {
		f.Violations = max(1, int64(math.Abs(float64(want.Rows-staged.Rows))))
		f.Example = fmt.Sprintf("%d rows (checksum %s) staged vs %d (checksum %s)", staged.Rows, staged.Checksum, want.Rows, want.Checksum)
	}
	out.audit.Findings = append(out.audit.Findings, f)
	return nil
}

// shorten cuts s to at most n bytes, marking the cut.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// isReadStatement reports whether a check's SQL is one statement that
// starts like a query. The audit runs it inside a subquery of one SELECT,
// which BigQuery cannot make write; the single-statement rule keeps a
// "; DELETE ..." from turning the audit into a script.
func isReadStatement(sql string) bool {
	if warehouse.SingleStatement(sql) != nil {
		return false
	}
	words := strings.Fields(strings.TrimLeft(sql, " \t\r\n("))
	return len(words) > 0 && (strings.EqualFold(words[0], "SELECT") || strings.EqualFold(words[0], "WITH"))
}

// trimStatement drops trailing blanks and semicolons.
func trimStatement(sql string) string {
	return strings.TrimRight(sql, " \t\r\n\f;")
}
