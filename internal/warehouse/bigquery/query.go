package bigquery

import (
	"context"
	"fmt"
	"sort"
	"time"

	"cloud.google.com/go/bigquery"
	"google.golang.org/api/iterator"

	"github.com/dre-dev/dre/internal/warehouse"
)

// queryOp is how a query's errors are reported: BigQuery's message names
// the table, and a query needs bigquery.jobs.create at least.
var queryOp = op{permission: "bigquery.jobs.create"}

// Query runs a read-only statement. BigQuery first dry-runs it to learn
// its statement type (see the package doc); then it runs as a job (not
// the jobs.query fast path, which has no job timeout) bounded by
// JobTimeout, so BigQuery itself stops it when the time is up, and at most
// MaxRows+1 rows are read, the last only to set Truncated.
func (w *Warehouse) Query(ctx context.Context, q warehouse.Query) (warehouse.QueryResult, error) {
	// BigQuery runs a text of several statements as a script; the dry
	// run below would refuse it too, but less clearly.
	if err := warehouse.SingleStatement(q.SQL); err != nil {
		return warehouse.QueryResult{}, fmt.Errorf("query: %w", err)
	}
	params, err := queryParams(q.Params)
	if err != nil {
		return warehouse.QueryResult{}, err
	}
	stats, err := w.dryRun(ctx, q.SQL, params)
	if err != nil {
		return warehouse.QueryResult{}, err
	}
	if stats.StatementType != "SELECT" {
		return warehouse.QueryResult{}, &ReadOnlyError{StatementType: stats.StatementType}
	}
	timeout := timeoutOr(q.Timeout)
	ctx, cancel := context.WithTimeout(ctx, timeout+queryGrace)
	defer cancel()
	res, err := w.runQuery(ctx, q, params, timeout)
	if err != nil && ctx.Err() == context.DeadlineExceeded {
		return res, fmt.Errorf("query still running %s past its %s timeout: %w", queryGrace, timeout, context.DeadlineExceeded)
	}
	return res, translate(err, queryOp)
}

// runQuery runs the query job and reads its rows.
func (w *Warehouse) runQuery(ctx context.Context, q warehouse.Query, params []bigquery.QueryParameter, timeout time.Duration) (warehouse.QueryResult, error) {
	bq := w.client.Query(q.SQL)
	bq.Parameters = params
	bq.JobTimeout = timeout
	bq.Labels = jobLabels("query")
	bq.JobID = newJobID("dre_query_")
	job, err := w.startJob(ctx, bq.JobID, func() (*bigquery.Job, error) { return bq.Run(ctx) })
	if err != nil {
		return warehouse.QueryResult{}, err
	}
	it, err := job.Read(ctx)
	if err != nil {
		return warehouse.QueryResult{}, err
	}
	maxRows := q.MaxRows
	if maxRows <= 0 {
		maxRows = warehouse.DefaultMaxRows
	}
	return collect(it, maxRows)
}

// queryGrace is how long Query waits past the timeout for BigQuery to stop
// the job (JobTimeout) before it stops waiting itself.
const queryGrace = 10 * time.Second

// EstimateCost dry-runs the statement: BigQuery reports the bytes it would
// scan, which is what on-demand pricing bills, and runs nothing.
func (w *Warehouse) EstimateCost(ctx context.Context, q warehouse.Query) (warehouse.Cost, error) {
	params, err := queryParams(q.Params)
	if err != nil {
		return warehouse.Cost{}, err
	}
	stats, err := w.dryRun(ctx, q.SQL, params)
	if err != nil {
		return warehouse.Cost{}, err
	}
	return warehouse.Cost{Bytes: stats.TotalBytesProcessed}, nil
}

// dryRun validates a statement and returns BigQuery's statistics for it.
func (w *Warehouse) dryRun(ctx context.Context, sql string, params []bigquery.QueryParameter) (*bigquery.QueryStatistics, error) {
	q := w.client.Query(sql)
	q.Parameters = params
	q.DryRun = true
	job, err := q.Run(ctx)
	if err != nil {
		return nil, translate(err, queryOp)
	}
	status := job.LastStatus()
	if status == nil || status.Statistics == nil {
		return nil, fmt.Errorf("BigQuery dry run returned no statistics")
	}
	stats, ok := status.Statistics.Details.(*bigquery.QueryStatistics)
	if !ok {
		return nil, fmt.Errorf("BigQuery dry run returned no query statistics")
	}
	return stats, nil
}

// queryParams turns @name parameters into BigQuery's, in name order so that
// requests are reproducible.
func queryParams(in map[string]any) ([]bigquery.QueryParameter, error) {
	names := make([]string, 0, len(in))
	for name := range in {
		if err := warehouse.ValidIdentifier(name); err != nil {
			return nil, fmt.Errorf("query parameter: %w", err)
		}
		names = append(names, name)
	}
	sort.Strings(names)
	out := make([]bigquery.QueryParameter, 0, len(in))
	for _, name := range names {
		v := in[name]
		if v == nil {
			return nil, fmt.Errorf("query parameter @%s is nil: BigQuery parameters need a type, pass a typed value", name)
		}
		out = append(out, bigquery.QueryParameter{Name: name, Value: paramValue(v)})
	}
	return out, nil
}

// paramValue adapts Go values to BigQuery's parameter types. A time at
// midnight UTC is sent as its date, a STRING: GoogleSQL coerces a STRING
// parameter to the DATE, DATETIME or TIMESTAMP it is compared with, while a
// TIMESTAMP parameter compared with a DATE column is a type error. Callers
// pass dates as midnight times, as PostgreSQL returns them.
func paramValue(v any) any {
	switch x := v.(type) {
	case int:
		return int64(x)
	case time.Time:
		if u := x.UTC(); u.Equal(u.Truncate(24 * time.Hour)) {
			return u.Format(time.DateOnly)
		}
	}
	return v
}

// collect reads at most maxRows rows, and one more to learn whether the
// result was cut short.
func collect(it *bigquery.RowIterator, maxRows int) (warehouse.QueryResult, error) {
	it.PageInfo().MaxSize = maxRows + 1
	var res warehouse.QueryResult
	for len(res.Rows) <= maxRows {
		var row []bigquery.Value
		err := it.Next(&row)
		if err == iterator.Done {
			break
		}
		if err != nil {
			return warehouse.QueryResult{}, err
		}
		res.Rows = append(res.Rows, plainRow(row))
	}
	if len(res.Rows) > maxRows {
		res.Rows, res.Truncated = res.Rows[:maxRows], true
	}
	res.Columns = make([]string, len(it.Schema))
	for i, f := range it.Schema {
		res.Columns[i] = f.Name
	}
	return res, nil
}
