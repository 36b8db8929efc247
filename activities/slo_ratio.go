package activities

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/warehouse"
)

// measureRatio runs a ratio SLO's good and total SELECTs over the interval
// ending at at, with its bounds bound as the parameters @from and @to, and
// reads good of total. A total of 0 is no reading: nothing happened in the
// interval, so it neither spends nor earns budget.
func measureRatio(ctx context.Context, t target, o catalog.SLO, at time.Time) (Measurement, error) {
	params := map[string]any{"from": at.Add(-o.Interval.Duration), "to": at}
	var counts [2]int64
	for i, q := range []struct{ key, text string }{{"good", o.Good}, {"total", o.Total}} {
		n, m, err := ratioCount(ctx, t, o.Name, q.key, q.text, params)
		if err != nil {
			return Measurement{}, err
		}
		if m != nil {
			return *m, nil
		}
		counts[i] = n
	}
	good, total := counts[0], counts[1]
	switch {
	case total == 0:
		return Measurement{Detail: fmt.Sprintf("no reading: total counted 0 events between %s and %s", params["from"].(time.Time).Format(time.RFC3339), at.Format(time.RFC3339))}, nil
	case good > total:
		msg := fmt.Sprintf("SLO %s: good (%d) is more than total (%d); good must count a subset of the events total counts", o.Name, good, total)
		return Measurement{}, temporal.NewNonRetryableApplicationError(msg, errInvalidInput, nil)
	}
	detail := fmt.Sprintf("%d of %d good (%.2f%%)", good, total, 100*float64(good)/float64(total))
	return Measurement{Good: good, Total: total, Value: float64(good) / float64(total), Detail: detail}, nil
}

// ratioCount runs one of a ratio SLO's SELECTs and reads its one number;
// a missing table is a bad reading, returned as the Measurement.
func ratioCount(ctx context.Context, t target, name, key, text string, params map[string]any) (int64, *Measurement, error) {
	sql, err := catalog.RatioQuery(text)
	if err != nil {
		msg := fmt.Sprintf("SLO %s: %s: %v (fix it in dre.yaml; dre catalog lint shows where)", name, key, err)
		return 0, nil, temporal.NewNonRetryableApplicationError(msg, errInvalidInput, err)
	}
	res, nf, err := t.query(ctx, warehouse.Query{SQL: sql, Params: params, MaxRows: 2})
	switch {
	case err != nil:
		return 0, nil, err
	case nf != nil:
		m := bad("%s: %v", key, nf)
		return 0, &m, nil
	}
	n, ok := countCell(res)
	if !ok {
		msg := fmt.Sprintf("SLO %s: %s must return one row of one non-negative number; got columns %v, rows %v", name, key, res.Columns, res.Rows)
		return 0, nil, temporal.NewNonRetryableApplicationError(msg, errInvalidInput, nil)
	}
	return n, nil, nil
}

// countCell reads the single number of a one-row, one-column result. A
// NULL (a SUM over no rows) counts 0; numeric types arrive as int64,
// float64 or, for exact decimals, text.
func countCell(res warehouse.QueryResult) (int64, bool) {
	if len(res.Columns) != 1 || len(res.Rows) != 1 {
		return 0, false
	}
	var f float64
	switch v := res.Rows[0][0].(type) {
	case nil:
		return 0, true
	case int64:
		return v, v >= 0
	case float64:
		f = v
	case string:
		var err error
		if f, err = strconv.ParseFloat(v, 64); err != nil {
			return 0, false
		}
	default:
		return 0, false
	}
	return int64(math.Round(f)), f >= 0 && !math.IsInf(f, 0) && !math.IsNaN(f)
}
