package warehousetest

import (
	"slices"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/warehouse"
)

func (s *suite) testUsage(t *testing.T) {
	ctx := s.ctx(t)
	ref := s.newTable(t, "orders", ordersColumns, orderRows(1, 2, 1))
	// A first look, before the reads: backends that infer reads from
	// counters sampled over time need one sample from before "since".
	if _, err := s.w.Usage(ctx, ref, time.Now().Add(-time.Hour)); err != nil {
		t.Fatalf("Usage: %v", err)
	}
	time.Sleep(50 * time.Millisecond)
	since := time.Now()
	const reads = 3
	for range reads {
		if _, err := s.w.Query(ctx, warehouse.Query{SQL: "SELECT count(*) FROM " + s.f.Qualified(ref)}); err != nil {
			t.Fatalf("Query: %v", err)
		}
	}
	var u warehouse.Usage
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		var err error
		if u, err = s.w.Usage(ctx, ref, since); err != nil {
			t.Fatalf("Usage: %v", err)
		}
		if u.Reads >= reads {
			break
		}
	}
	if u.Reads < reads || u.LastRead == nil || u.LastRead.Before(since.Add(-time.Second)) {
		t.Errorf("Usage since the reads: %+v; want at least %d reads, the last at or after %s", u, reads, since.Format(time.RFC3339Nano))
	}
	_, err := s.w.Usage(ctx, warehouse.TableRef{Schema: ref.Schema, Table: "missing"}, since)
	wantNotFound(t, "Usage of a missing table", err)
}

func (s *suite) testSample(t *testing.T) {
	ctx := s.ctx(t)
	rows := orderRows(1, 4, 1, 2, 3)
	ref := s.newTable(t, "orders", ordersColumns, rows)
	emails, customers := map[string]bool{}, map[string]bool{}
	for _, r := range rows {
		emails[r[colEmail].(string)] = true
		if c, ok := r[colCustomer].(string); ok {
			customers[c] = true
		}
	}
	cases := []struct {
		columns []string
		limit   int
		min     map[string]int // the fewest values each column must have
		allowed map[string]map[string]bool
	}{
		{[]string{"email", "customer"}, 5, map[string]int{"email": 5, "customer": 1}, map[string]map[string]bool{"email": emails, "customer": customers}},
		{[]string{"email"}, 100, map[string]int{"email": len(rows)}, map[string]map[string]bool{"email": emails}},
	}
	for _, c := range cases {
		got, err := s.w.Sample(ctx, ref, c.columns, c.limit)
		if err != nil {
			t.Fatalf("Sample(%v, %d): %v", c.columns, c.limit, err)
		}
		for _, col := range c.columns {
			values := got.Columns[col]
			if len(values) < c.min[col] || len(values) > c.limit {
				t.Errorf("Sample(%v, %d): %d values of %s, want %d to %d", c.columns, c.limit, len(values), col, c.min[col], c.limit)
			}
			if i := slices.IndexFunc(values, func(v string) bool { return !c.allowed[col][v] }); i >= 0 {
				t.Errorf("Sample(%v, %d): %s value %q is not in the table", c.columns, c.limit, col, values[i])
			}
		}
	}
	_, err := s.w.Sample(ctx, ref, []string{"email", "no_such_column"}, 5)
	wantNotFound(t, "Sample of a missing column", err)
	_, err = s.w.Sample(ctx, warehouse.TableRef{Schema: ref.Schema, Table: "missing"}, []string{"email"}, 5)
	wantNotFound(t, "Sample of a missing table", err)
}
