package warehousetest

import (
	"maps"
	"testing"

	"github.com/dre-dev/dre/internal/warehouse"
)

// annotated creates a table with rows, a comment, labels, a PII tag and
// grants, and returns it with its metadata and its (id, email) rows.
func (s *suite) annotated(t *testing.T) (warehouse.TableRef, warehouse.TableMeta, [][]any) {
	t.Helper()
	ctx := s.ctx(t)
	rows := orderRows(1, 3, 1, 2)
	ref := s.newTable(t, "orders", ordersColumns, rows)
	a, b := s.f.Principals()
	tablePriv, columnPriv := s.f.Privileges()
	grants := []warehouse.Grant{{Table: ref, Principal: a, Privilege: tablePriv}}
	if columnPriv != "" {
		grants = append(grants, warehouse.Grant{Table: ref, Principal: b, Privilege: columnPriv, Column: "id"})
	}
	steps := []error{
		s.w.SetComment(ctx, ref, "Orders, one row per order"),
		s.w.SetLabels(ctx, ref, map[string]string{"owner": "data-team"}),
		s.w.TagPII(ctx, ref, "email", "email"),
	}
	for _, g := range grants {
		steps = append(steps, s.w.Grant(ctx, g))
	}
	for _, err := range steps {
		if err != nil {
			t.Fatalf("annotating %s: %v", ref, err)
		}
	}
	meta := s.metadata(t, ref)
	want := make([][]any, len(rows))
	for i, r := range rows {
		want[i] = []any{r[colID], r[colEmail]}
	}
	return ref, meta, want
}

func (s *suite) metadata(t *testing.T, ref warehouse.TableRef) warehouse.TableMeta {
	t.Helper()
	meta, err := s.w.Metadata(s.ctx(t), ref)
	if err != nil {
		t.Fatalf("Metadata(%s): %v", ref, err)
	}
	return meta
}

// checkTable fails t unless ref holds rows (id, email) and carries want's
// comment, labels and PII tags, and at least want's grants.
func (s *suite) checkTable(t *testing.T, step string, ref warehouse.TableRef, want warehouse.TableMeta, rows [][]any) {
	t.Helper()
	res, err := s.w.Query(s.ctx(t), warehouse.Query{SQL: "SELECT id, email FROM " + s.f.Qualified(ref) + " ORDER BY id"})
	if err != nil {
		t.Fatalf("after %s: reading %s: %v", step, ref, err)
	}
	if diff := sameRows(res.Rows, rows); diff != "" {
		t.Errorf("after %s: rows of %s: %s", step, ref, diff)
	}
	got := s.metadata(t, ref)
	if got.Comment != want.Comment || !maps.Equal(got.Labels, want.Labels) || !maps.Equal(got.PII, want.PII) {
		t.Errorf("after %s: %s has comment %q, labels %v, PII %v; want %q, %v, %v",
			step, ref, got.Comment, got.Labels, got.PII, want.Comment, want.Labels, want.PII)
	}
	held := map[grantKey]bool{}
	for _, g := range got.Grants {
		held[keyOf(g)] = true
	}
	for _, g := range want.Grants {
		if !held[keyOf(g)] {
			t.Errorf("after %s: %s lost the grant %+v", step, ref, keyOf(g))
		}
	}
}

func (s *suite) testMoveAndBack(t *testing.T) {
	ctx := s.ctx(t)
	ref, meta, rows := s.annotated(t)
	archive := s.f.Schema(t)
	moves := []struct{ name, schema, table string }{
		{"move to another schema under another name", archive, "orders_retired"},
		{"rename within that schema", archive, "orders_retired_2"},
		{"move back", ref.Schema, ref.Table},
	}
	from := ref
	for _, m := range moves {
		to := warehouse.TableRef{Schema: m.schema, Table: m.table}
		if err := s.w.Move(ctx, from, to); err != nil {
			t.Fatalf("%s: Move(%s, %s): %v", m.name, from, to, err)
		}
		_, err := s.w.Describe(ctx, from)
		wantNotFound(t, m.name+": Describe of the old name", err)
		s.checkTable(t, m.name, to, meta, rows)
		from = to
	}
}

func (s *suite) testSnapshotDropRestore(t *testing.T) {
	ctx := s.ctx(t)
	ref, meta, rows := s.annotated(t)
	snap := warehouse.TableRef{Schema: s.f.Schema(t), Table: "orders_snapshot"}
	if err := s.w.Snapshot(ctx, ref, snap); err != nil {
		t.Fatalf("Snapshot: %v", err)
	}
	if err := s.w.Drop(ctx, ref); err != nil {
		t.Fatalf("Drop: %v", err)
	}
	_, err := s.w.Describe(ctx, ref)
	wantNotFound(t, "Describe after Drop", err)
	if err := s.w.Restore(ctx, snap, ref, meta); err != nil {
		t.Fatalf("Restore: %v", err)
	}
	s.checkTable(t, "snapshot, drop and restore", ref, meta, rows)
}

func (s *suite) testLifecycleErrors(t *testing.T) {
	ctx := s.ctx(t)
	ref := s.newTable(t, "orders", ordersColumns, orderRows(1, 2, 1))
	other := warehouse.TableRef{Schema: ref.Schema, Table: "other"}
	s.f.CreateTable(t, other, ordersColumns, orderRows(1, 3, 1))
	missing := warehouse.TableRef{Schema: ref.Schema, Table: "missing"}
	wantNotFound(t, "Drop of a missing table", s.w.Drop(ctx, missing))
	wantNotFound(t, "Move of a missing table", s.w.Move(ctx, missing, warehouse.TableRef{Schema: ref.Schema, Table: "elsewhere"}))
	wantNotFound(t, "Snapshot of a missing table", s.w.Snapshot(ctx, missing, warehouse.TableRef{Schema: ref.Schema, Table: "snap"}))
	wantNotFound(t, "Restore from a missing snapshot", s.w.Restore(ctx, missing, warehouse.TableRef{Schema: ref.Schema, Table: "restored"}, warehouse.TableMeta{}))
	for name, err := range map[string]error{
		"Move onto an existing table":     s.w.Move(ctx, ref, other),
		"Snapshot onto an existing table": s.w.Snapshot(ctx, ref, other),
		"Restore onto an existing table":  s.w.Restore(ctx, ref, other, warehouse.TableMeta{}),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if a, b := s.mustRows(t, ref), s.mustRows(t, other); a != 2 || b != 3 {
		t.Errorf("after refused lifecycle calls the tables have %d and %d rows, want 2 and 3", a, b)
	}
}
