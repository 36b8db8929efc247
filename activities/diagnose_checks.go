package activities

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/dre-dev/dre/internal/warehouse"
)

// DiagnoseFreshness compares the newest value of the freshness column with
// the freshness SLO.
func (d *Diagnosis) DiagnoseFreshness(ctx context.Context, in DiagnoseInput) (Finding, error) {
	if in.FreshnessColumn == "" {
		return skipped(in, CheckFreshness, "no freshness_column in the catalog"), nil
	}
	t, err := d.open(ctx, in, in.FreshnessColumn)
	if err != nil {
		return Finding{}, err
	}
	col := t.quote(in.FreshnessColumn)
	res, nf, err := t.query(ctx, warehouse.Query{SQL: fmt.Sprintf("SELECT MAX(%s) AS latest FROM %s", col, t.table())})
	if err != nil {
		return Finding{}, err
	}
	if nf != nil {
		return t.notFound(CheckFreshness, nf), nil
	}
	latest, ok := asTime(cell(res, 0, 0))
	if !ok {
		return t.finding(CheckFreshness, true, "%s has no rows with a %s", t.ref, in.FreshnessColumn), nil
	}
	lag := time.Since(latest).Round(time.Minute)
	if in.MaxLag > 0 && lag > in.MaxLag {
		return t.finding(CheckFreshness, true, "%s is stale: newest %s is %s old, the SLO allows %s",
			t.ref, in.FreshnessColumn, lag, in.MaxLag), nil
	}
	return t.finding(CheckFreshness, false, "%s is fresh: newest %s is %s old", t.ref, in.FreshnessColumn, lag), nil
}

// DiagnoseNulls measures the null rate of the key columns in the recent
// partitions (the whole table when it is not partitioned).
func (d *Diagnosis) DiagnoseNulls(ctx context.Context, in DiagnoseInput) (Finding, error) {
	columns := sortedKeys(in.MaxNullRates)
	if len(columns) == 0 {
		return skipped(in, CheckNulls, "no completeness SLO in the catalog"), nil
	}
	t, err := d.open(ctx, in, append(columns, optional(in.PartitionColumn)...)...)
	if err != nil {
		return Finding{}, err
	}
	counts := make([]string, len(columns))
	for i, c := range columns {
		counts[i] = fmt.Sprintf("COUNT(%s)", t.quote(c))
	}
	where, params := t.recentFilter(in)
	sql := fmt.Sprintf("SELECT COUNT(*), %s FROM %s%s", strings.Join(counts, ", "), t.table(), where)
	res, nf, err := t.query(ctx, warehouse.Query{SQL: sql, Params: params})
	if err != nil {
		return Finding{}, err
	}
	if nf != nil {
		return t.notFound(CheckNulls, nf), nil
	}
	total := asInt(cell(res, 0, 0))
	if total == 0 {
		return t.finding(CheckNulls, true, "%s has no recent rows to measure null rates on", t.ref), nil
	}
	var bad, good []string
	for i, c := range columns {
		rate := 1 - float64(asInt(cell(res, 0, i+1)))/float64(total)
		line := fmt.Sprintf("%s %.1f%% null (max %.1f%%)", c, 100*rate, 100*in.MaxNullRates[c])
		if rate > in.MaxNullRates[c] {
			bad = append(bad, line)
		} else {
			good = append(good, line)
		}
	}
	if len(bad) > 0 {
		return t.finding(CheckNulls, true, "%s has too many nulls: %s", t.ref, strings.Join(bad, "; ")), nil
	}
	return t.finding(CheckNulls, false, "%s null rates are within SLO: %s", t.ref, strings.Join(good, "; ")), nil
}

// DiagnoseSchema looks for the columns the catalog names (PII, freshness,
// partition, key columns) in the table the warehouse describes and, when
// the state database keeps snapshots, reports the columns added, dropped,
// retyped or changed in nullability since the last look (schemaDrift).
func (d *Diagnosis) DiagnoseSchema(ctx context.Context, in DiagnoseInput) (Finding, error) {
	if len(in.ExpectedColumns) == 0 && d.Snapshots == nil {
		return skipped(in, CheckSchema, "the catalog names no columns of this table and no state database keeps its shape"), nil
	}
	t, err := d.open(ctx, in)
	if err != nil {
		return Finding{}, err
	}
	info, err := t.wh.Describe(ctx, t.ref)
	if nf := (*warehouse.NotFoundError)(nil); errors.As(err, &nf) {
		return t.notFound(CheckSchema, nf), nil
	}
	if err != nil {
		return Finding{}, fmt.Errorf("describing %s: %w", t.ref, err)
	}
	var problems []string
	if missing := missingColumns(info.Columns, in.ExpectedColumns); len(missing) > 0 {
		problems = append(problems, "missing column(s) "+strings.Join(missing, ", ")+" the catalog names")
	}
	note := ""
	if d.Snapshots != nil {
		changes, since, err := d.schemaDrift(ctx, in.Warehouse+":"+t.ref.String(), info.Columns)
		if err != nil {
			return Finding{}, fmt.Errorf("comparing %s with its schema snapshot: %w", t.ref, err)
		}
		problems = append(problems, changes...)
		note = " (" + since + ")"
	}
	if len(problems) > 0 {
		return t.finding(CheckSchema, true, "%s has drifted: %s%s", t.ref, strings.Join(problems, "; "), note), nil
	}
	return t.finding(CheckSchema, false, "%s has the expected columns%s", t.ref, note), nil
}

// missingColumns are the expected columns not in the table.
func missingColumns(columns []warehouse.Column, expected []string) []string {
	present := map[string]bool{}
	for _, c := range columns {
		present[strings.ToLower(c.Name)] = true
	}
	var missing []string
	for _, c := range expected {
		if !present[strings.ToLower(c)] {
			missing = append(missing, c)
		}
	}
	return missing
}

// DiagnoseDuplicates counts keys that occur more than once, when the
// catalog declares a unique key.
func (d *Diagnosis) DiagnoseDuplicates(ctx context.Context, in DiagnoseInput) (Finding, error) {
	if len(in.UniqueKey) == 0 {
		return skipped(in, CheckDuplicates, "no unique key declared"), nil
	}
	t, err := d.open(ctx, in, append(slices.Clone(in.UniqueKey), optional(in.PartitionColumn)...)...)
	if err != nil {
		return Finding{}, err
	}
	where, params := t.recentFilter(in)
	keys := t.quoteAll(in.UniqueKey)
	sql := fmt.Sprintf("SELECT COUNT(*), COALESCE(SUM(n), 0) FROM (SELECT COUNT(*) AS n FROM %s%s GROUP BY %s HAVING COUNT(*) > 1) AS dups",
		t.table(), where, keys)
	res, nf, err := t.query(ctx, warehouse.Query{SQL: sql, Params: params})
	if err != nil {
		return Finding{}, err
	}
	if nf != nil {
		return t.notFound(CheckDuplicates, nf), nil
	}
	dupKeys, rows := asInt(cell(res, 0, 0)), asInt(cell(res, 0, 1))
	key := strings.Join(in.UniqueKey, ", ")
	if dupKeys > 0 {
		return t.finding(CheckDuplicates, true, "%s has %d duplicated key(s) (%s) over %d rows", t.ref, dupKeys, key, rows), nil
	}
	return t.finding(CheckDuplicates, false, "%s has no duplicated key (%s)", t.ref, key), nil
}

// recentFilter limits a scan to the previous and the current partition, so
// a diagnosis of a large table reads little.
func (t target) recentFilter(in DiagnoseInput) (string, map[string]any) {
	if in.PartitionColumn == "" || !in.Granularity.Valid() {
		return "", nil
	}
	now := time.Now().UTC()
	since := in.Granularity.Truncate(now)
	since = in.Granularity.Truncate(since.Add(-time.Nanosecond))
	return fmt.Sprintf(" WHERE %s >= @since", t.quote(in.PartitionColumn)), map[string]any{"since": since}
}

// cell returns the value at row r, column c of a result, nil when absent.
func cell(res warehouse.QueryResult, r, c int) any {
	if r >= len(res.Rows) || c >= len(res.Rows[r]) {
		return nil
	}
	return res.Rows[r][c]
}

// asTime reads a timestamp or date cell.
func asTime(v any) (time.Time, bool) {
	t, ok := v.(time.Time)
	return t, ok && !t.IsZero()
}

// asInt reads a count, which adapters return as int64 (or float64 when the
// warehouse computes it as a float).
func asInt(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case float64:
		return int64(x)
	}
	return 0
}

// sortedKeys makes the order of generated SQL and summaries stable.
func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// optional is a one-element list for a non-empty name, else empty.
func optional(name string) []string {
	if name == "" {
		return nil
	}
	return []string{name}
}
