package postgres_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/localpg/localpgtest"
	"github.com/dre-dev/dre/internal/warehouse"
)

// BenchmarkRewriteAudited rewrites a year of daily partitions of 2,000
// rows through the adapter twice, day by day alternating which goes
// first: directly, and by write-audit-publish with one SQL check. x-direct
// is the audited rewrite's time over the direct one's: the SQL cost of
// staging and checking (target ≤ 1.3).
//
//	go test -run '^$' -bench RewriteAudited -benchtime 1x ./internal/warehouse/postgres/
func BenchmarkRewriteAudited(b *testing.B) {
	dsn := localpgtest.NewDatabase(b, cluster)
	benchLoad(b, dsn)
	w, _ := benchConnect(b, dsn)
	first, _ := time.Parse(time.DateOnly, benchFirstDayStr)
	t0, t1 := warehouse.TableRef{Schema: "bench", Table: "t0"}, warehouse.TableRef{Schema: "bench", Table: "t1"}
	sel := "SELECT day, id, customer, amount FROM bench.source WHERE day >= @from AND day < @to"
	var direct, audited time.Duration
	for i := 0; b.Loop(); i++ {
		run := fmt.Sprintf("bench-%d", i)
		for d := range benchDays {
			p := warehouse.Partition{Column: "day", Start: first.AddDate(0, 0, d), End: first.AddDate(0, 0, d+1)}
			check := warehouse.Check{Name: "no_negative_amounts", Kind: warehouse.CheckSQL,
				SQL: "SELECT * FROM " + warehouse.StagedRows + " WHERE amount < 0"}
			steps := []func(){
				func() {
					start := time.Now()
					if _, err := w.RewritePartition(b.Context(), warehouse.Rewrite{Table: t0, Partition: p, Select: sel, RunID: run}); err != nil {
						b.Fatal(err)
					}
					direct += time.Since(start)
				},
				func() {
					start := time.Now()
					res, err := w.RewriteAudited(b.Context(), warehouse.Rewrite{Table: t1, Partition: p, Select: sel, RunID: run},
						warehouse.Audit{Checks: []warehouse.Check{check}})
					if err != nil || !res.Audit.Passed {
						b.Fatalf("audited rewrite: %+v, %v", res, err)
					}
					audited += time.Since(start)
				},
			}
			steps[d%2]()
			steps[1-d%2]()
		}
	}
	b.ReportMetric(float64(audited)/float64(direct), "x-direct")
	b.ReportMetric(direct.Seconds()*1000/float64(benchDays*b.N), "direct-ms/partition")
	b.ReportMetric(audited.Seconds()*1000/float64(benchDays*b.N), "audited-ms/partition")
}
