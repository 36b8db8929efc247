package postgres_test

import (
	"testing"

	"github.com/dre-dev/dre/internal/warehouse"
)

func TestExecWritesAndCountsAffectedRows(t *testing.T) {
	f := newFixture(t)
	ref := f.ordersTable(t)
	n, err := f.w.Exec(t.Context(), warehouse.Query{
		SQL:    "UPDATE " + f.Qualified(ref) + " SET email = @email WHERE id >= @from",
		Params: map[string]any{"email": "x@example.com", "from": 2},
	})
	if err != nil || n != 2 {
		t.Fatalf("Exec UPDATE = %d, %v; want 2 rows affected", n, err)
	}
	res, err := f.w.Query(t.Context(), warehouse.Query{SQL: "SELECT count(*) FROM " + f.Qualified(ref) + " WHERE email = 'x@example.com'"})
	if err != nil || res.Rows[0][0] != int64(2) {
		t.Fatalf("rows updated by Exec = %v, %v; want 2 committed", res.Rows, err)
	}
}

func TestExecNeedsNamedParameters(t *testing.T) {
	f := newFixture(t)
	ref := f.ordersTable(t)
	_, err := f.w.Exec(t.Context(), warehouse.Query{SQL: "DELETE FROM " + f.Qualified(ref) + " WHERE id = $1"})
	if err == nil {
		t.Fatal("Exec with a positional parameter succeeded; want the @name error")
	}
}
