package activities

import (
	"context"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/warehouse"
)

// datasetCheck measures one dataset at one time. It uses the probe and
// the partition statistics of the warehouse contract where it can, so the
// named checks work on every adapter; only completeness and SQL checks
// send SQL text.
type datasetCheck struct {
	conn warehouse.Conn
	ds   catalog.Dataset
	now  time.Time
}

// run dispatches on the check's name.
func (c datasetCheck) run(ctx context.Context, check, sql string) (RunbookCheckResult, error) {
	switch check {
	case "custom":
		return c.query(ctx, sql)
	case CheckPublished:
		return c.published(ctx)
	}
	kind, slo := catalog.SLOKind(check), (*catalog.SLO)(nil)
	for i := range c.ds.SLOs {
		s := &c.ds.SLOs[i]
		if (s.Kind == kind && slo == nil) || s.Name == check {
			kind, slo = s.Kind, s
		}
	}
	switch {
	case kind == catalog.Freshness:
		return c.freshness(ctx, slo)
	case kind == catalog.Volume:
		return c.volume(ctx, slo)
	case slo != nil && kind == catalog.Completeness:
		return c.completeness(ctx, slo)
	case slo != nil && kind == catalog.Custom:
		return c.customSLO(ctx, slo)
	case slo != nil && kind == catalog.Ratio:
		msg := fmt.Sprintf("%s is a ratio SLO, which a runbook cannot check yet; use check: custom with its good and total SQL and expect", slo.Name)
		return RunbookCheckResult{}, temporal.NewNonRetryableApplicationError(msg, errInvalidInput, nil)
	}
	msg := fmt.Sprintf("dataset %s has no %s SLO; add one under slos: in dre.yaml, or use check: custom with sql and expect", c.ds.Name, check)
	return RunbookCheckResult{}, temporal.NewNonRetryableApplicationError(msg, errInvalidInput, nil)
}

// probe reads the table's row count and the newest value of column.
func (c datasetCheck) probe(ctx context.Context, column string) (warehouse.TableProbe, error) {
	ref, err := parseTable(c.ds.Table)
	if err != nil {
		return warehouse.TableProbe{}, err
	}
	p, err := c.conn.ProbeTable(ctx, ref, column)
	if err == nil && !p.Exists {
		err = temporal.NewNonRetryableApplicationError(fmt.Sprintf("table %s of dataset %s does not exist", c.ds.Table, c.ds.Name), "TableNotFound", nil)
	}
	return p, err
}

// freshness passes when the newest data is younger than the SLO's
// threshold (any data at all without an SLO).
func (c datasetCheck) freshness(ctx context.Context, slo *catalog.SLO) (RunbookCheckResult, error) {
	p, err := c.probe(ctx, c.ds.FreshnessColumn)
	if err != nil || p.Latest == nil {
		return RunbookCheckResult{Message: fmt.Sprintf("%s has no data", c.ds.Name)}, err
	}
	lag := c.now.Sub(*p.Latest)
	r := RunbookCheckResult{Lag: lag, Value: lag.Seconds(), Rows: p.Rows, Latest: p.Latest.UTC().Format(time.DateOnly), Passed: true}
	r.Message = fmt.Sprintf("%s is %s old", c.ds.Name, lag.Round(time.Second))
	if slo != nil && lag > slo.Threshold.Duration {
		r.Passed = false
		r.Message += fmt.Sprintf(", over its %s threshold", slo.Threshold)
	}
	return r, nil
}

// volume counts the newest partition (the whole table when unpartitioned)
// against the SLO's bounds (at least one row without an SLO).
func (c datasetCheck) volume(ctx context.Context, slo *catalog.SLO) (RunbookCheckResult, error) {
	if c.ds.Partition == nil {
		p, err := c.probe(ctx, c.ds.FreshnessColumn)
		return c.judgeVolume(p.Rows, "", slo), err
	}
	p, err := c.probe(ctx, c.ds.Partition.Column)
	if err != nil || p.Latest == nil {
		return c.judgeVolume(0, "", slo), err
	}
	ref, _ := warehouse.ParseTableRef(c.ds.Table) // probe parsed it already
	g := c.ds.Partition.Granularity
	part := warehouse.Partition{Column: c.ds.Partition.Column, Start: g.Truncate(*p.Latest), End: g.Next(*p.Latest)}
	stats, err := c.conn.PartitionStats(ctx, ref, part)
	return c.judgeVolume(stats.Rows, part.Start.Format(time.DateOnly), slo), err
}

func (c datasetCheck) judgeVolume(rows int64, latest string, slo *catalog.SLO) RunbookCheckResult {
	r := RunbookCheckResult{Rows: rows, Value: float64(rows), Latest: latest, Passed: rows > 0}
	if slo != nil {
		r.Passed = rows >= slo.MinRows && (slo.MaxRows == 0 || rows <= slo.MaxRows)
	}
	r.Message = fmt.Sprintf("%s has %d rows in its newest partition", c.ds.Name, rows)
	return r
}

// completeness measures the share of NULLs in the SLO's column.
func (c datasetCheck) completeness(ctx context.Context, slo *catalog.SLO) (RunbookCheckResult, error) {
	if err := warehouse.ValidIdentifier(slo.Column); err != nil {
		return RunbookCheckResult{}, temporal.NewNonRetryableApplicationError(err.Error(), errInvalidInput, err)
	}
	sql := fmt.Sprintf("SELECT count(*) AS total, count(*) - count(%s) AS nulls FROM %s", slo.Column, c.ds.Table)
	res, err := c.conn.Query(ctx, warehouse.Query{SQL: sql})
	if err != nil {
		return RunbookCheckResult{}, fmt.Errorf("completeness of %s: %w", c.ds.Name, err)
	}
	total, nulls := number(res.Rows[0][0]), number(res.Rows[0][1])
	r := RunbookCheckResult{Rows: int64(total), Passed: true}
	if total > 0 {
		r.NullRate = nulls / total
	}
	r.Value, r.Passed = r.NullRate, r.NullRate <= slo.MaxNullRate
	r.Message = fmt.Sprintf("%.2f%% of %s.%s is NULL (at most %.2f%% allowed)", 100*r.NullRate, c.ds.Name, slo.Column, 100*slo.MaxNullRate)
	if c.ds.Partition != nil {
		if p, err := c.probe(ctx, c.ds.Partition.Column); err == nil && p.Latest != nil {
			r.Latest = p.Latest.UTC().Format(time.DateOnly)
		}
	}
	return r, nil
}

// customSLO runs an SLO's SQL, which returns good and total.
func (c datasetCheck) customSLO(ctx context.Context, slo *catalog.SLO) (RunbookCheckResult, error) {
	r, err := c.query(ctx, slo.SQL)
	if err != nil {
		return r, err
	}
	good, total := number(r.Row["good"]), number(r.Row["total"])
	if total > 0 {
		r.Value = good / total
	}
	r.Passed = total == 0 || r.Value >= slo.Objective
	r.Message = fmt.Sprintf("%s: %g of %g good", slo.Name, good, total)
	return r, nil
}

// query runs a custom check's statement; the runbook's expect judges it.
func (c datasetCheck) query(ctx context.Context, sql string) (RunbookCheckResult, error) {
	if strings.TrimSpace(sql) == "" {
		return RunbookCheckResult{}, temporal.NewNonRetryableApplicationError("a custom check needs sql", errInvalidInput, nil)
	}
	res, err := c.conn.Query(ctx, warehouse.Query{SQL: namedParams(sql)})
	if err != nil {
		return RunbookCheckResult{}, fmt.Errorf("check on %s: %w", c.ds.Name, err)
	}
	r := RunbookCheckResult{Rows: int64(len(res.Rows)), Row: firstRow(res), Passed: true}
	r.Message = fmt.Sprintf("%d rows", len(res.Rows))
	return r, nil
}

// number reads a count or a numeric column as a float.
func number(v any) float64 {
	switch n := v.(type) {
	case int64:
		return float64(n)
	case int:
		return float64(n)
	case float64:
		return n
	}
	return 0
}
