package warehousetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/warehouse"
)

// queryCase is a query and the result it must give.
type queryCase struct {
	name      string
	q         warehouse.Query
	columns   []string
	want      [][]any
	truncated bool
}

// queryCases are run against orderRows(1, 4, 1, 2, 3): ids 1-12, day 1
// holding ids 1-4, day 2 ids 5-8 and day 3 ids 9-12.
func queryCases(table string) []queryCase {
	return []queryCase{
		{
			name: "parameters of several types",
			q: warehouse.Query{
				SQL:    "SELECT id, email FROM " + table + " WHERE day >= @from AND id < @max AND paid = @paid ORDER BY id",
				Params: map[string]any{"from": day(2), "max": int64(11), "paid": true},
			},
			columns: []string{"id", "email"},
			want:    [][]any{{int64(6), "user6@example.com"}, {int64(8), "user8@example.com"}, {int64(10), "user10@example.com"}},
		},
		{
			name:    "aggregates by group",
			q:       warehouse.Query{SQL: "SELECT day, count(*) AS n, sum(id) AS ids, min(amount) AS low, max(amount) AS high FROM " + table + " GROUP BY day ORDER BY day"},
			columns: []string{"day", "n", "ids", "low", "high"},
			want: [][]any{
				{day(1), int64(4), int64(10), 1.75, 5.5},
				{day(2), int64(4), int64(26), 6.75, 10.5},
				{day(3), int64(4), int64(42), 11.75, 15.5},
			},
		},
		{
			name:      "row cap truncates",
			q:         warehouse.Query{SQL: "SELECT id FROM " + table + " ORDER BY id", MaxRows: 3},
			columns:   []string{"id"},
			want:      [][]any{{int64(1)}, {int64(2)}, {int64(3)}},
			truncated: true,
		},
		{
			name:    "exactly the cap is not truncated",
			q:       warehouse.Query{SQL: "SELECT id FROM " + table + " WHERE day = @d ORDER BY id", Params: map[string]any{"d": day(3)}, MaxRows: 4},
			columns: []string{"id"},
			want:    [][]any{{int64(9)}, {int64(10)}, {int64(11)}, {int64(12)}},
		},
		{
			name:    "no rows",
			q:       warehouse.Query{SQL: "SELECT id FROM " + table + " WHERE id < @min", Params: map[string]any{"min": int64(0)}},
			columns: []string{"id"},
		},
	}
}

func (s *suite) testQuery(t *testing.T) {
	ctx := s.ctx(t)
	ref := s.newTable(t, "orders", ordersColumns, orderRows(1, 4, 1, 2, 3))
	for _, c := range queryCases(s.f.Qualified(ref)) {
		t.Run(c.name, func(t *testing.T) {
			res, err := s.w.Query(ctx, c.q)
			if err != nil {
				t.Fatalf("Query(%s): %v", c.q.SQL, err)
			}
			if !slices.Equal(res.Columns, c.columns) {
				t.Errorf("columns %v, want %v", res.Columns, c.columns)
			}
			if diff := sameRows(res.Rows, c.want); diff != "" {
				t.Error(diff)
			}
			if res.Truncated != c.truncated {
				t.Errorf("Truncated = %t, want %t", res.Truncated, c.truncated)
			}
		})
	}
	s.queryErrors(t, ref)
}

// queryErrors covers queries that must fail, and how.
func (s *suite) queryErrors(t *testing.T, ref warehouse.TableRef) {
	ctx := s.ctx(t)
	table := s.f.Qualified(ref)
	_, err := s.w.Query(ctx, warehouse.Query{SQL: "SELECT id FROM " + table + " WHERE id = @nope"})
	if err == nil {
		t.Error("Query with a parameter that has no value: no error")
	}
	missing := s.f.Qualified(warehouse.TableRef{Schema: ref.Schema, Table: "missing"})
	_, err = s.w.Query(ctx, warehouse.Query{SQL: "SELECT count(*) FROM " + missing})
	wantNotFound(t, "Query of a missing table", err)
}

func (s *suite) testQueryRefusesWrites(t *testing.T) {
	ctx := s.ctx(t)
	ref := s.newTable(t, "orders", ordersColumns, orderRows(1, 3, 1, 2))
	table := s.f.Qualified(ref)
	other := warehouse.TableRef{Schema: ref.Schema, Table: "created_by_query"}
	for _, sql := range []string{
		"INSERT INTO " + table + " SELECT * FROM " + table,
		"DELETE FROM " + table + " WHERE id > 0",
		"UPDATE " + table + " SET amount = 0 WHERE id > 0",
		"DROP TABLE " + table,
		"TRUNCATE TABLE " + table,
		"CREATE TABLE " + s.f.Qualified(other) + " AS SELECT * FROM " + table,
		"SELECT 1; DELETE FROM " + table + " WHERE id > 0",
	} {
		if _, err := s.w.Query(ctx, warehouse.Query{SQL: sql}); err == nil {
			t.Errorf("Query(%q): no error, want it refused", sql)
		}
	}
	var multi *warehouse.MultipleStatementsError
	if _, err := s.w.Query(ctx, warehouse.Query{SQL: "SELECT 1; DROP TABLE " + table}); !errors.As(err, &multi) {
		t.Errorf("Query of two statements: %v, want a MultipleStatementsError", err)
	}
	if n := s.mustRows(t, ref); n != 6 {
		t.Errorf("after refused writes the table has %d rows, want 6", n)
	}
	_, err := s.w.Describe(ctx, other)
	wantNotFound(t, "Describe of the table a refused CREATE TABLE AS named", err)
}

func (s *suite) testQueryTimeout(t *testing.T) {
	ctx := s.ctx(t)
	rows := make([][]any, 300)
	for i := range rows {
		rows[i] = []any{int64(i)}
	}
	ref := s.newTable(t, "numbers", []ColumnSpec{{Name: "n", Type: Int64}}, rows)
	table := s.f.Qualified(ref)
	// 300^4 = 8.1e9 combinations: minutes of work for any engine.
	sql := "SELECT count(*) FROM " + table + " a, " + table + " b, " + table + " c, " + table + " d WHERE a.n + b.n + c.n + d.n >= @zero"
	start := time.Now()
	_, err := s.w.Query(ctx, warehouse.Query{SQL: sql, Params: map[string]any{"zero": int64(0)}, Timeout: 300 * time.Millisecond})
	took := time.Since(start)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Query past its timeout: got %v, want an error that is context.DeadlineExceeded", err)
	}
	if took > 30*time.Second {
		t.Errorf("Query with a 300ms timeout returned after %s", took)
	}
	if err := s.w.Ping(ctx); err != nil {
		t.Errorf("Ping after a timed-out query: %v", err)
	}
}
