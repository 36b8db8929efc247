package warehousetest

import (
	"testing"

	"github.com/dre-dev/dre/internal/warehouse"
)

func (s *suite) testEstimateCost(t *testing.T) {
	ctx := s.ctx(t)
	ref := s.newTable(t, "orders", ordersColumns, orderRows(1, 4, 1, 2, 3))
	table := s.f.Qualified(ref)
	for _, q := range []warehouse.Query{
		{SQL: "SELECT count(*) FROM " + table},
		{SQL: "SELECT id, email FROM " + table + " WHERE day >= @from", Params: map[string]any{"from": day(2)}},
	} {
		c, err := s.w.EstimateCost(ctx, q)
		if err != nil {
			t.Fatalf("EstimateCost(%s): %v", q.SQL, err)
		}
		if c.Rows <= 0 && c.Units <= 0 && c.Bytes <= 0 {
			t.Errorf("EstimateCost(%s) = %+v, want a non-zero estimate", q.SQL, c)
		}
	}
	// Estimating a write must not perform it; whether the backend
	// estimates it or refuses it is up to the backend.
	del := warehouse.Query{SQL: "DELETE FROM " + table + " WHERE id > @min", Params: map[string]any{"min": int64(0)}}
	_, _ = s.w.EstimateCost(ctx, del)
	if n := s.mustRows(t, ref); n != 12 {
		t.Errorf("after estimating a DELETE the table has %d rows, want 12", n)
	}
}
