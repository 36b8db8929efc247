package bigquery_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/warehouse"
	bqwh "github.com/dre-dev/dre/internal/warehouse/bigquery"
	"github.com/dre-dev/dre/internal/warehouse/warehousetest"
)

// Job polling and partition rewrites, against the stand-in.

func TestPollingUnfinishedJobs(t *testing.T) {
	for _, every := range []int{0, 1} {
		t.Run(fmt.Sprintf("every %d", every), func(t *testing.T) {
			f, ref := shop(t)
			f.fake.SetIncompleteEvery(every)
			mark := len(f.fake.Requests())
			stats, err := f.w.PartitionStats(ctx(t), ref, warehouse.Partition{Column: "day", Start: jan(2), End: jan(3)})
			if err != nil || stats.Rows != 3 {
				t.Fatalf("PartitionStats: %+v, %v; want 3 rows", stats, err)
			}
			res, err := f.w.Query(ctx(t), warehouse.Query{SQL: "SELECT count(*) AS n FROM " + f.Qualified(ref)})
			if err != nil || len(res.Rows) != 1 || res.Rows[0][0] != int64(9) {
				t.Fatalf("Query: %+v, %v; want 9", res, err)
			}
			polls := 0
			for _, r := range since(f.fake, mark) {
				if r.Method == http.MethodGet && strings.Contains(r.Path, "/queries/") {
					polls++
				}
			}
			// Query's job is always read through getQueryResults: once to
			// wait, once for rows. An unfinished answer adds a poll to it,
			// and sends PartitionStats's fast-path query there too (wait,
			// rows).
			if want := map[int]int{0: 2, 1: 5}[every]; polls != want {
				t.Errorf("%d getQueryResults calls, want %d: %v", polls, want, since(f.fake, mark))
			}
		})
	}
}

func TestRewriteReusesTheJobOfItsAttempt(t *testing.T) {
	f, src := shop(t)
	dst := warehouse.TableRef{Schema: src.Schema, Table: "target"}
	f.CreateTable(t, dst, orderCols, orders(100, 1, 2))
	r := warehouse.Rewrite{Table: dst, Partition: warehouse.Partition{Column: "day", Start: jan(2), End: jan(3)},
		Select: "SELECT * FROM " + f.Qualified(src) + " WHERE day >= @from AND day < @to", RunID: "run-a", Attempt: 1}
	if res, err := f.w.RewritePartition(ctx(t), r); err != nil || res.Rows != 3 {
		t.Fatalf("first rewrite: %+v, %v; want 3 rows", res, err)
	}
	// The ledger row is lost, as if the worker died before writing it, and
	// the source gains a row: running the SELECT again would write 4.
	if err := f.client.Dataset(bqwh.LedgerDataset).Table("backfill_ledger").Delete(ctx(t)); err != nil {
		t.Fatal(err)
	}
	f.insert(t, src, orderCols, orders(50, 1, 2))
	f.open(t, policyTags(testProject), f.fake.ClientOptions()...) // a new worker process
	mark := len(f.fake.Requests())
	again, err := f.w.RewritePartition(ctx(t), r)
	if err != nil || again.Rows != 3 || again.AlreadyApplied {
		t.Fatalf("same attempt again: %+v, %v; want the first job's 3 rows, not already applied", again, err)
	}
	var conflict, fetched bool
	for _, req := range since(f.fake, mark) {
		conflict = conflict || (req.Method == http.MethodPost && strings.HasSuffix(req.Path, "/jobs") && req.Status == http.StatusConflict)
		fetched = fetched || (req.Method == http.MethodGet && strings.Contains(req.Path, "/jobs/dre_"))
	}
	if !conflict || !fetched {
		t.Errorf("want a 409 for the job ID and a jobs.get of that job; got %v", since(f.fake, mark))
	}
	r.RunID, r.Attempt = "run-b", 1
	if res, err := f.w.RewritePartition(ctx(t), r); err != nil || res.Rows != 4 {
		t.Errorf("another run: %+v, %v; want the 4 rows the source has now", res, err)
	}
}

func TestRewriteRefusesWhatIsNotOnePartition(t *testing.T) {
	f, src := shop(t)
	dst := warehouse.TableRef{Schema: src.Schema, Table: "target"}
	f.CreateTable(t, dst, orderCols, orders(100, 2, 1, 2))
	flat := warehouse.TableRef{Schema: src.Schema, Table: "flat"}
	f.CreateTable(t, flat, []warehousetest.ColumnSpec{{Name: "id", Type: warehousetest.Int64}}, nil)
	sel := "SELECT * FROM " + f.Qualified(src) + " WHERE day >= @from AND day < @to"
	cases := []struct {
		name      string
		table     warehouse.TableRef
		partition warehouse.Partition
		sel       string
		want      string
	}{
		{"half a day", dst, warehouse.Partition{Column: "day", Start: jan(2).Add(12 * time.Hour), End: jan(3)}, sel, "not one whole day partition"},
		{"two days", dst, warehouse.Partition{Column: "day", Start: jan(1), End: jan(3)}, sel, "not one whole day partition"},
		{"another column", dst, warehouse.Partition{Column: "created_at", Start: jan(2), End: jan(3)}, sel, "partitioned by day, not created_at"},
		{"an unpartitioned table", flat, warehouse.Partition{Column: "day", Start: jan(2), End: jan(3)}, sel, "not partitioned by a column"},
		{"rows of another day", dst, warehouse.Partition{Column: "day", Start: jan(2), End: jan(3)},
			"SELECT * FROM " + f.Qualified(src) + " WHERE day >= @from", "different partitions"},
	}
	before := statsOf(t, f, dst)
	for _, c := range cases {
		_, err := f.w.RewritePartition(ctx(t), warehouse.Rewrite{Table: c.table, Partition: c.partition, Select: c.sel, RunID: c.name})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error saying %q", c.name, err, c.want)
		}
	}
	if after := statsOf(t, f, dst); after != before {
		t.Errorf("refused rewrites changed the target: %+v, was %+v", after, before)
	}
}

// statsOf returns the stats of January 1 to 4.
func statsOf(t *testing.T, f *fixture, ref warehouse.TableRef) warehouse.PartitionStats {
	t.Helper()
	st, err := f.w.PartitionStats(ctx(t), ref, warehouse.Partition{Column: "day", Start: jan(1), End: jan(4)})
	if err != nil {
		t.Fatal(err)
	}
	return st
}
