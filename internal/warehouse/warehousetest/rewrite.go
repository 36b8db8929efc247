package warehousetest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/dre-dev/dre/internal/warehouse"
)

// rewriteFrom returns the SELECT a rewrite reads a partition from src with,
// plus an optional extra condition.
func (s *suite) rewriteFrom(src warehouse.TableRef, extra string) string {
	return "SELECT id, day, customer, email, amount, paid, created_at FROM " + s.f.Qualified(src) +
		" WHERE day >= @from AND day < @to" + extra
}

// rewrite runs RewritePartition, failing t if it fails.
func (s *suite) rewrite(t *testing.T, r warehouse.Rewrite) warehouse.RewriteResult {
	t.Helper()
	res, err := s.w.RewritePartition(s.ctx(t), r)
	if err != nil {
		t.Fatalf("RewritePartition(%s, run %s): %v", r.Table, r.RunID, err)
	}
	return res
}

func (s *suite) testRewritePartition(t *testing.T) {
	src := s.newTable(t, "source", ordersColumns, orderRows(100, 5, 1, 2, 3))
	dst := warehouse.TableRef{Schema: src.Schema, Table: "target"}
	s.f.CreateTable(t, dst, ordersColumns, orderRows(1, 3, 1, 2, 3))
	day1, day3 := s.stats(t, dst, span(1, 2)), s.stats(t, dst, span(3, 4))
	want := s.stats(t, src, span(2, 3))

	first := s.rewrite(t, warehouse.Rewrite{Table: dst, Partition: span(2, 3), Select: s.rewriteFrom(src, ""), RunID: "run-1", Checksum: true})
	if first.Rows != 5 || first.Checksum != want.Checksum || first.AlreadyApplied {
		t.Errorf("rewrite: %+v, want the source partition's %+v, not already applied", first, want)
	}
	s.wantStats(t, dst, span(2, 3), want, "rewritten partition")
	s.wantStats(t, dst, span(1, 2), day1, "partition before the rewritten one")
	s.wantStats(t, dst, span(3, 4), day3, "partition after the rewritten one")

	// A retry of the same run must not apply its SELECT: this one would
	// empty the partition if it did.
	empty := s.rewriteFrom(src, " AND id < 0")
	retry := s.rewrite(t, warehouse.Rewrite{Table: dst, Partition: span(2, 3), Select: empty, RunID: "run-1", Attempt: 2, Checksum: true})
	if !retry.AlreadyApplied || retry.Rows != first.Rows || retry.Checksum != first.Checksum {
		t.Errorf("retry of run-1: %+v, want AlreadyApplied with %+v", retry, first)
	}
	s.wantStats(t, dst, span(2, 3), want, "partition after a retry")

	again := s.rewrite(t, warehouse.Rewrite{Table: dst, Partition: span(2, 3), Select: empty, RunID: "run-2", Checksum: true})
	none := s.stats(t, dst, span(2, 3))
	if again.AlreadyApplied || again.Rows != 0 || none.Rows != 0 || again.Checksum != none.Checksum {
		t.Errorf("run-2 emptying the partition: %+v, partition now %+v; want it applied, 0 rows, same checksum", again, none)
	}
	_, err := s.w.RewritePartition(s.ctx(t), warehouse.Rewrite{Table: dst, Partition: span(1, 2), Select: empty})
	if err == nil {
		t.Error("RewritePartition without a RunID: no error")
	}
	s.wantStats(t, dst, span(1, 2), day1, "partition after a refused rewrite")
}

// wantStats fails t unless the partition's stats are want.
func (s *suite) wantStats(t *testing.T, ref warehouse.TableRef, p warehouse.Partition, want warehouse.PartitionStats, what string) {
	t.Helper()
	if got := s.stats(t, ref, p); got != want {
		t.Errorf("%s: %+v, want %+v", what, got, want)
	}
}

// testRewriteChecksumOnRequest rewrites without asking for the checksum,
// then retries asking for it: the retry writes nothing and still returns
// the partition's checksum, which a checksum validation compares.
func (s *suite) testRewriteChecksumOnRequest(t *testing.T) {
	src := s.newTable(t, "source", ordersColumns, orderRows(100, 5, 2))
	dst := warehouse.TableRef{Schema: src.Schema, Table: "target"}
	s.f.CreateTable(t, dst, ordersColumns, orderRows(1, 3, 2))
	want := s.stats(t, src, span(2, 3))
	r := warehouse.Rewrite{Table: dst, Partition: span(2, 3), Select: s.rewriteFrom(src, ""), RunID: "run-1"}
	if first := s.rewrite(t, r); first.Rows != 5 || first.AlreadyApplied {
		t.Errorf("rewrite without checksum: %+v, want 5 rows written", first)
	}
	s.wantStats(t, dst, span(2, 3), want, "partition rewritten without checksum")
	r.Attempt, r.Checksum = 2, true
	if retry := s.rewrite(t, r); !retry.AlreadyApplied || retry.Rows != 5 || retry.Checksum != want.Checksum {
		t.Errorf("retry asking for the checksum: %+v, want AlreadyApplied, 5 rows, checksum %s", retry, want.Checksum)
	}
}

func (s *suite) testRewriteConcurrent(t *testing.T) {
	const days = 6
	all := []int{1, 2, 3, 4, 5, 6}
	src := s.newTable(t, "source", ordersColumns, orderRows(100, 20, all...))
	dst := warehouse.TableRef{Schema: src.Schema, Table: "target"}
	s.f.CreateTable(t, dst, ordersColumns, orderRows(1, 7, all...))
	ctx := s.ctx(t)
	var wg sync.WaitGroup
	for d := 1; d <= days; d++ {
		wg.Go(func() {
			r := warehouse.Rewrite{Table: dst, Partition: span(d, d+1), Select: s.rewriteFrom(src, ""), RunID: fmt.Sprintf("run-day-%d", d)}
			if res, err := s.w.RewritePartition(ctx, r); err != nil || res.Rows != 20 {
				t.Errorf("concurrent rewrite of day %d: %+v, %v; want 20 rows", d, res, err)
			}
		})
	}
	wg.Wait()
	for d := 1; d <= days; d++ {
		s.wantStats(t, dst, span(d, d+1), s.stats(t, src, span(d, d+1)), fmt.Sprintf("day %d after concurrent rewrites", d))
	}
	if n := s.mustRows(t, dst); n != days*20 {
		t.Errorf("target has %d rows after concurrent rewrites, want %d", n, days*20)
	}
}
