package warehousetest

import (
	"testing"

	"github.com/dre-dev/dre/internal/warehouse"
)

func (s *suite) testDescribe(t *testing.T) {
	ctx := s.ctx(t)
	ref := s.newTable(t, "orders", ordersColumns, orderRows(1, 4, 1, 2, 3))
	empty := s.newTable(t, "empty", ordersColumns, nil)
	for _, c := range []struct {
		ref  warehouse.TableRef
		rows int64
	}{{ref, 12}, {empty, 0}} {
		info, err := s.w.Describe(ctx, c.ref)
		if err != nil {
			t.Fatalf("Describe(%s): %v", c.ref, err)
		}
		if info.Ref != c.ref || info.Rows != c.rows {
			t.Errorf("Describe(%s): ref %s, %d rows; want %s, %d rows", c.ref, info.Ref, info.Rows, c.ref, c.rows)
		}
		s.checkColumns(t, info.Columns)
		if info.Comment != "" || len(info.Labels) != 0 {
			t.Errorf("Describe(%s) of a new table: comment %q, labels %v; want none", c.ref, info.Comment, info.Labels)
		}
	}
	for _, missing := range []warehouse.TableRef{
		{Schema: ref.Schema, Table: "missing"},
		{Schema: "no_such_schema_anywhere", Table: "orders"},
	} {
		_, err := s.w.Describe(ctx, missing)
		wantNotFound(t, "Describe("+missing.String()+")", err)
	}
}

// checkColumns compares Describe's columns with ordersColumns.
func (s *suite) checkColumns(t *testing.T, got []warehouse.Column) {
	t.Helper()
	if len(got) != len(ordersColumns) {
		t.Fatalf("Describe: %d columns, want %d: %+v", len(got), len(ordersColumns), got)
	}
	for i, want := range ordersColumns {
		c := got[i]
		if c.Name != want.Name || c.Type != s.f.TypeName(want.Type) || c.Nullable != want.Nullable || c.PII != "" {
			t.Errorf("column %d: got %+v, want name %s, type %s, nullable %t, no PII tag",
				i, c, want.Name, s.f.TypeName(want.Type), want.Nullable)
		}
	}
}
