package warehousetest

import (
	"testing"

	"github.com/dre-dev/dre/internal/warehouse"
)

// grantKey identifies a grant within one table's grants.
type grantKey struct{ principal, privilege, column string }

func keyOf(g warehouse.Grant) grantKey { return grantKey{g.Principal, g.Privilege, g.Column} }

// grantCounts counts a table's grants by key, failing t if Grants fails.
func (s *suite) grantCounts(t *testing.T, ref warehouse.TableRef) map[grantKey]int {
	t.Helper()
	grants, err := s.w.Grants(s.ctx(t), ref)
	if err != nil {
		t.Fatalf("Grants(%s): %v", ref, err)
	}
	counts := map[grantKey]int{}
	for _, g := range grants {
		if g.Table != ref {
			t.Errorf("Grants(%s) returned a grant on %s", ref, g.Table)
		}
		counts[keyOf(g)]++
	}
	return counts
}

func (s *suite) testGrants(t *testing.T) {
	ctx := s.ctx(t)
	ref := s.newTable(t, "orders", ordersColumns, orderRows(1, 2, 1))
	a, b := s.f.Principals()
	tablePriv, columnPriv := s.f.Privileges()
	onTable := warehouse.Grant{Table: ref, Principal: a, Privilege: tablePriv}
	onColumn := warehouse.Grant{Table: ref, Principal: b, Privilege: columnPriv, Column: "email"}
	bOnTable := warehouse.Grant{Table: ref, Principal: b, Privilege: columnPriv}
	type step struct {
		name string
		do   func() error
		held []warehouse.Grant // grants that must be listed once after the step
		gone []warehouse.Grant // grants that must not be listed
	}
	steps := []step{
		{"before any grant", nil, nil, []warehouse.Grant{onTable, onColumn}},
		{"grant on the table", func() error { return s.w.Grant(ctx, onTable) }, []warehouse.Grant{onTable}, []warehouse.Grant{onColumn}},
		{"same grant again", func() error { return s.w.Grant(ctx, onTable) }, []warehouse.Grant{onTable}, nil},
		{"revoke", func() error { return s.w.Revoke(ctx, onTable) }, nil, []warehouse.Grant{onTable}},
		{"revoke again", func() error { return s.w.Revoke(ctx, onTable) }, nil, []warehouse.Grant{onTable}},
	}
	if columnPriv != "" {
		steps = append(steps,
			step{"grant on a column", func() error { return s.w.Grant(ctx, onColumn) }, []warehouse.Grant{onColumn}, []warehouse.Grant{bOnTable}},
			step{"same column grant again", func() error { return s.w.Grant(ctx, onColumn) }, []warehouse.Grant{onColumn}, []warehouse.Grant{bOnTable}},
			step{"revoke on the column", func() error { return s.w.Revoke(ctx, onColumn) }, nil, []warehouse.Grant{onColumn}},
		)
	}
	for _, st := range steps {
		if st.do != nil {
			if err := st.do(); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
		}
		counts := s.grantCounts(t, ref)
		for _, g := range st.held {
			if n := counts[keyOf(g)]; n != 1 {
				t.Errorf("after %s: %+v listed %d times, want once", st.name, keyOf(g), n)
			}
		}
		for _, g := range st.gone {
			if n := counts[keyOf(g)]; n != 0 {
				t.Errorf("after %s: %+v is listed, want it absent", st.name, keyOf(g))
			}
		}
	}
	s.grantErrors(t, ref)
}

// grantErrors covers grants that must fail.
func (s *suite) grantErrors(t *testing.T, ref warehouse.TableRef) {
	ctx := s.ctx(t)
	tablePriv, _ := s.f.Privileges()
	if err := s.w.Grant(ctx, warehouse.Grant{Table: ref, Principal: "no_such_principal_dre", Privilege: tablePriv}); err == nil {
		t.Error("Grant to a principal that does not exist: no error")
	}
	missing := warehouse.TableRef{Schema: ref.Schema, Table: "missing"}
	_, err := s.w.Grants(ctx, missing)
	wantNotFound(t, "Grants of a missing table", err)
	a, _ := s.f.Principals()
	err = s.w.Grant(ctx, warehouse.Grant{Table: missing, Principal: a, Privilege: tablePriv})
	wantNotFound(t, "Grant on a missing table", err)
}
