package activities

import (
	"context"
	"errors"
	"fmt"
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
// partition, key columns) in the table the warehouse describes.
func (d *Diagnosis) DiagnoseSchema(ctx context.Context, in DiagnoseInput) (Finding, error) {
	if len(in.ExpectedColumns) == 0 {
		return skipped(in, CheckSchema, "the catalog names no columns of this table"), nil
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
	present := map[string]bool{}
	for _, c := range info.Columns {
		present[strings.ToLower(c.Name)] = true
	}
	var missing []string
	for _, c := range in.ExpectedColumns {
		if !present[strings.ToLower(c)] {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return t.finding(CheckSchema, true, "%s has drifted from the catalog: missing column(s) %s",
			t.ref, strings.Join(missing, ", ")), nil
	}
	return t.finding(CheckSchema, false, "%s has every column the catalog names", t.ref), nil
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
