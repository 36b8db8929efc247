package postgres_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/localpg/localpgtest"
	"github.com/dre-dev/dre/internal/warehouse"
)

// benchRoleDays are the daily partitions of 2,000 rows each path rewrites.
const benchRoleDays = 60

// BenchmarkRewriteSelectRole rewrites the same days with and without a
// select role, alternating which goes first and which table each writes.
// x-direct is the select role's cost: the SELECT's rows staged in a
// temporary table through a security-definer function, one more round
// trip, then copied into the target.
//
//	go test -run '^$' -bench SelectRole -benchtime 1x ./internal/warehouse/postgres/
func BenchmarkRewriteSelectRole(b *testing.B) {
	dsn := localpgtest.NewDatabase(b, cluster)
	benchLoad(b, dsn)
	w, raw := benchConnect(b, dsn)
	role := fmt.Sprintf("bench_reader_%d", roleSeq.Add(1))
	for _, sql := range []string{"CREATE ROLE " + role, "GRANT USAGE ON SCHEMA bench TO " + role, "GRANT SELECT ON bench.source TO " + role} {
		if _, err := raw.Exec(b.Context(), sql); err != nil {
			b.Fatal(err)
		}
	}
	first, _ := time.Parse(time.DateOnly, benchFirstDayStr)
	var times [2]time.Duration // direct, as the role
	b.ResetTimer()
	for i := range b.N {
		for d := range benchRoleDays {
			day := first.AddDate(0, 0, d)
			order := [2]int{d % 2, 1 - d%2}
			for _, k := range order {
				r := warehouse.Rewrite{
					Table:     warehouse.TableRef{Schema: "bench", Table: fmt.Sprintf("t%d", k)},
					Partition: warehouse.Partition{Column: "day", Start: day, End: day.AddDate(0, 0, 1)},
					Select:    "SELECT day, id, customer, amount FROM bench.source WHERE day >= @from AND day < @to",
					RunID:     fmt.Sprintf("role-bench-%d", i),
				}
				if k == 1 {
					r.SelectRole = role
				}
				start := time.Now()
				res, err := w.RewritePartition(b.Context(), r)
				times[k] += time.Since(start)
				if err != nil || res.Rows != benchRowsPerDay {
					b.Fatalf("%s as %q: %+v, %v", r.Table, r.SelectRole, res, err)
				}
			}
		}
	}
	b.StopTimer()
	n := float64(benchRoleDays * b.N)
	b.ReportMetric(float64(times[1])/float64(times[0]), "x-direct")
	b.ReportMetric(times[0].Seconds()*1000/n, "direct-ms/partition")
	b.ReportMetric(times[1].Seconds()*1000/n, "role-ms/partition")
}
