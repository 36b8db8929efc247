package postgres_test

import (
	"errors"
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

// TestExecRefusesASecondStatement: without parameters pgx would send the
// text over the simple protocol, which runs every statement in it.
func TestExecRefusesASecondStatement(t *testing.T) {
	f := newFixture(t)
	ref := f.ordersTable(t)
	_, err := f.w.Exec(t.Context(), warehouse.Query{SQL: "UPDATE " + f.Qualified(ref) + " SET email = NULL WHERE id = 1; DROP TABLE " + f.Qualified(ref)})
	var multi *warehouse.MultipleStatementsError
	if !errors.As(err, &multi) {
		t.Fatalf("Exec of two statements: %v, want a MultipleStatementsError", err)
	}
	res, err := f.w.Query(t.Context(), warehouse.Query{SQL: "SELECT count(*) FROM " + f.Qualified(ref) + " WHERE email IS NOT NULL"})
	if err != nil || res.Rows[0][0] != int64(2) {
		t.Fatalf("after the refused Exec: %v, %v; want the table intact with 2 emails", res.Rows, err)
	}
}

// TestExecBindsAnInjectionAsAValue: a value carrying SQL stays a value.
func TestExecBindsAnInjectionAsAValue(t *testing.T) {
	f := newFixture(t)
	ref := f.ordersTable(t)
	evil := "x'; DROP TABLE " + f.Qualified(ref) + ";--"
	n, err := f.w.Exec(t.Context(), warehouse.Query{
		SQL:    "UPDATE " + f.Qualified(ref) + " SET email = @email WHERE id = 1",
		Params: map[string]any{"email": evil},
	})
	if err != nil || n != 1 {
		t.Fatalf("Exec = %d, %v; want 1 row updated", n, err)
	}
	res, err := f.w.Query(t.Context(), warehouse.Query{SQL: "SELECT email FROM " + f.Qualified(ref) + " WHERE id = 1"})
	if err != nil || res.Rows[0][0] != evil {
		t.Fatalf("email = %v, %v; want the value stored as text", res.Rows, err)
	}
}
