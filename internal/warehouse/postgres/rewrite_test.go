package postgres_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/warehouse"
)

// TestRewriteFailureChangesNothing fails a rewrite in each of its two
// pipelined batches (the INSERT's SELECT divides by zero; the statement
// timeout fires) and checks that the partition, the ledger and the
// warehouse's connections come out as they went in: a rewrite afterwards
// succeeds on the same pool.
func TestRewriteFailureChangesNothing(t *testing.T) {
	f := newFixture(t)
	ref := f.ordersTable(t)
	src := f.ordersTableIn(t, warehouse.TableRef{Schema: ref.Schema, Table: "source"})
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	part := warehouse.Partition{Column: "day", Start: day, End: day.AddDate(0, 0, 1)}
	before, err := f.w.PartitionStats(t.Context(), ref, part)
	if err != nil {
		t.Fatal(err)
	}
	from := " FROM " + f.Qualified(src) + " WHERE day >= @from AND day < @to"
	cases := []struct{ name, sel, want string }{
		{"division by zero", "SELECT id / 0, day, email" + from, "division by zero"},
		{"statement timeout", "SELECT id, day, email" + from + " AND pg_sleep(5) IS NOT NULL", "statement timeout"},
	}
	for _, c := range cases {
		r := warehouse.Rewrite{Table: ref, Partition: part, Select: c.sel, RunID: "failing", Timeout: 300 * time.Millisecond}
		for range 3 { // more attempts than the pool needs connections: none may be left in a transaction
			if _, err := f.w.RewritePartition(t.Context(), r); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: error %v, want one saying %q", c.name, err, c.want)
			}
		}
		if got, _ := f.w.PartitionStats(t.Context(), ref, part); got != before {
			t.Errorf("%s: partition %+v after the failed rewrite, want it unchanged %+v", c.name, got, before)
		}
	}
	var ledger int
	if err := f.admin.QueryRow(t.Context(), "SELECT count(*) FROM dre_meta.backfill_ledger WHERE run_id = 'failing'").Scan(&ledger); err != nil || ledger != 0 {
		t.Errorf("ledger rows of the failed run: %d, %v; want none", ledger, err)
	}
	ok := warehouse.Rewrite{Table: ref, Partition: part, Select: "SELECT id, day, email" + from, RunID: "after", Checksum: true}
	if res, err := f.w.RewritePartition(t.Context(), ok); err != nil || res.Rows != 2 || res.Checksum != before.Checksum {
		t.Errorf("rewrite after the failures: %+v, %v; want 2 rows with checksum %s", res, err, before.Checksum)
	}
}

// TestRewriteTakesASelectAsWritten: a SELECT ending in a semicolon, or in
// a line comment, the way people paste them, rewrites on both paths (with
// and without the checksum).
func TestRewriteTakesASelectAsWritten(t *testing.T) {
	f := newFixture(t)
	ref := f.ordersTable(t)
	src := f.ordersTableIn(t, warehouse.TableRef{Schema: ref.Schema, Table: "source"})
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	part := warehouse.Partition{Column: "day", Start: day, End: day.AddDate(0, 0, 1)}
	sel := "SELECT id, day, email FROM " + f.Qualified(src) + " WHERE day >= @from AND day < @to"
	for i, pasted := range []string{sel + ";\n", sel + " -- day one"} {
		for _, checksum := range []bool{false, true} {
			r := warehouse.Rewrite{Table: ref, Partition: part, Select: pasted, RunID: fmt.Sprintf("pasted-%d-%t", i, checksum), Checksum: checksum}
			if res, err := f.w.RewritePartition(t.Context(), r); err != nil || res.Rows != 2 || (res.Checksum != "") != checksum {
				t.Errorf("%q, checksum %t: %+v, %v; want 2 rows, a checksum only when asked", pasted, checksum, res, err)
			}
		}
	}
}
