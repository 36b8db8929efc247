package bigquery_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/warehouse"
)

// BenchmarkRewriteAuditedBigQuery rewrites ten daily partitions of 200
// rows on the stand-in twice, alternating which goes first: directly, and
// by write-audit-publish with one SQL check. On BigQuery the cost is
// mostly calls, each a job or a table operation taking about a second, so
// calls-per-partition of each path is the figure to read; x-direct is
// the stand-in's time ratio, which weighs SQLite's work instead.
//
//	go test -run '^$' -bench RewriteAuditedBigQuery -benchtime 3x ./internal/warehouse/bigquery/
func BenchmarkRewriteAuditedBigQuery(b *testing.B) {
	const days, perDay = 10, 200
	f := newFakeFixture(b)
	f.fake.SetIncompleteEvery(0)
	ds := f.Schema(b)
	src := warehouse.TableRef{Schema: ds, Table: "source"}
	t0, t1 := warehouse.TableRef{Schema: ds, Table: "t0"}, warehouse.TableRef{Schema: ds, Table: "t1"}
	var rows [][]any
	for d := range days {
		rows = append(rows, benchOrders(int64(d*perDay), perDay, jan(1).AddDate(0, 0, d))...)
	}
	f.CreateTable(b, src, orderCols, rows)
	f.CreateTable(b, t0, orderCols, nil)
	f.CreateTable(b, t1, orderCols, nil)
	sel := "SELECT * FROM " + f.Qualified(src) + " WHERE day >= @from AND day < @to"
	check := warehouse.Check{Name: "no_negative_ids", Kind: warehouse.CheckSQL, SQL: "SELECT * FROM " + warehouse.StagedRows + " WHERE id < 0"}
	var direct, audited time.Duration
	var directCalls, auditedCalls int
	timed := func(spent *time.Duration, calls *int, rewrite func() error) {
		mark, start := len(f.fake.Requests()), time.Now()
		if err := rewrite(); err != nil {
			b.Fatal(err)
		}
		*spent += time.Since(start)
		*calls += len(f.fake.Requests()) - mark
	}
	for i := 0; b.Loop(); i++ {
		run := fmt.Sprintf("bench-%d", i)
		for d := range days {
			p := warehouse.Partition{Column: "day", Start: jan(1).AddDate(0, 0, d), End: jan(1).AddDate(0, 0, d+1)}
			steps := []func(){
				func() {
					timed(&direct, &directCalls, func() error {
						_, err := f.w.RewritePartition(ctx(b), warehouse.Rewrite{Table: t0, Partition: p, Select: sel, RunID: run})
						return err
					})
				},
				func() {
					timed(&audited, &auditedCalls, func() error {
						res, err := f.w.RewriteAudited(ctx(b), warehouse.Rewrite{Table: t1, Partition: p, Select: sel, RunID: run},
							warehouse.Audit{Checks: []warehouse.Check{check}})
						if err == nil && !res.Audit.Passed {
							err = fmt.Errorf("audit failed: %s", res.Audit.Summary())
						}
						return err
					})
				},
			}
			steps[d%2]()
			steps[1-d%2]()
		}
	}
	n := float64(days * b.N)
	b.ReportMetric(float64(audited)/float64(direct), "x-direct")
	b.ReportMetric(float64(directCalls)/n, "direct-calls/partition")
	b.ReportMetric(float64(auditedCalls)/n, "audited-calls/partition")
}

// benchOrders is n order rows of one day, ids from first.
func benchOrders(first int64, n int, day time.Time) [][]any {
	out := make([][]any, n)
	for i := range out {
		id := first + int64(i)
		out[i] = []any{id, day, fmt.Sprintf("u%d@example.com", id), day.Add(time.Hour)}
	}
	return out
}
