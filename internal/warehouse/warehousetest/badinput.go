package warehousetest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/warehouse"
)

// badNames are identifiers every method must refuse before sending SQL.
var badNames = []string{
	"x; drop table x",
	`a"b`,
	"оrders", // the first letter is a Cyrillic о
	"",
	strings.Repeat("a", 64),
}

// badCall calls one method with name in one identifier position.
type badCall struct {
	name string
	call func(ctx context.Context, name string) error
	// emptyOK is set where "" is meaningful: a grant's column, where it
	// means a table-level grant.
	emptyOK bool
}

func (s *suite) badCalls(good warehouse.TableRef) []badCall {
	w := s.w
	a, _ := s.f.Principals()
	priv, _ := s.f.Privileges()
	in := func(table string) warehouse.TableRef { return warehouse.TableRef{Schema: good.Schema, Table: table} }
	schema := func(schema string) warehouse.TableRef { return warehouse.TableRef{Schema: schema, Table: good.Table} }
	part := func(col string) warehouse.Partition {
		return warehouse.Partition{Column: col, Start: day(1), End: day(2)}
	}
	sel := s.rewriteFrom(good, "")
	calls := []badCall{
		{name: "Describe table", call: func(ctx context.Context, n string) error { _, err := w.Describe(ctx, in(n)); return err }},
		{name: "Describe schema", call: func(ctx context.Context, n string) error { _, err := w.Describe(ctx, schema(n)); return err }},
		{name: "PartitionStats table", call: func(ctx context.Context, n string) error {
			_, err := w.PartitionStats(ctx, in(n), part("day"))
			return err
		}},
		{name: "PartitionStats column", call: func(ctx context.Context, n string) error { _, err := w.PartitionStats(ctx, good, part(n)); return err }},
		{name: "RewritePartition table", call: func(ctx context.Context, n string) error {
			_, err := w.RewritePartition(ctx, warehouse.Rewrite{Table: in(n), Partition: part("day"), Select: sel, RunID: "bad"})
			return err
		}},
		{name: "RewritePartition column", call: func(ctx context.Context, n string) error {
			_, err := w.RewritePartition(ctx, warehouse.Rewrite{Table: good, Partition: part(n), Select: sel, RunID: "bad"})
			return err
		}},
		{name: "Grants", call: func(ctx context.Context, n string) error { _, err := w.Grants(ctx, in(n)); return err }},
		{name: "Grant table", call: func(ctx context.Context, n string) error {
			return w.Grant(ctx, warehouse.Grant{Table: in(n), Principal: a, Privilege: priv})
		}},
		{name: "Grant principal", call: func(ctx context.Context, n string) error {
			return w.Grant(ctx, warehouse.Grant{Table: good, Principal: n, Privilege: priv})
		}},
		{name: "Grant column", call: func(ctx context.Context, n string) error {
			return w.Grant(ctx, warehouse.Grant{Table: good, Principal: a, Privilege: priv, Column: n})
		}, emptyOK: true},
		{name: "Revoke principal", call: func(ctx context.Context, n string) error {
			return w.Revoke(ctx, warehouse.Grant{Table: good, Principal: n, Privilege: priv})
		}},
		{name: "Revoke schema", call: func(ctx context.Context, n string) error {
			return w.Revoke(ctx, warehouse.Grant{Table: schema(n), Principal: a, Privilege: priv})
		}},
		{name: "SetComment", call: func(ctx context.Context, n string) error { return w.SetComment(ctx, in(n), "x") }},
		{name: "SetLabels", call: func(ctx context.Context, n string) error { return w.SetLabels(ctx, in(n), map[string]string{"a": "b"}) }},
		{name: "TagPII table", call: func(ctx context.Context, n string) error { return w.TagPII(ctx, in(n), "email", "email") }},
		{name: "TagPII column", call: func(ctx context.Context, n string) error { return w.TagPII(ctx, good, n, "email") }},
		{name: "Move from", call: func(ctx context.Context, n string) error { return w.Move(ctx, in(n), in("moved")) }},
		{name: "Move to", call: func(ctx context.Context, n string) error { return w.Move(ctx, good, in(n)) }},
		{name: "Move to schema", call: func(ctx context.Context, n string) error { return w.Move(ctx, good, schema(n)) }},
		{name: "Snapshot source", call: func(ctx context.Context, n string) error { return w.Snapshot(ctx, in(n), in("snap")) }},
		{name: "Snapshot destination", call: func(ctx context.Context, n string) error { return w.Snapshot(ctx, good, in(n)) }},
		{name: "Drop table", call: func(ctx context.Context, n string) error { return w.Drop(ctx, in(n)) }},
		{name: "Drop schema", call: func(ctx context.Context, n string) error { return w.Drop(ctx, schema(n)) }},
		{name: "Restore snapshot", call: func(ctx context.Context, n string) error {
			return w.Restore(ctx, in(n), in("restored"), warehouse.TableMeta{})
		}},
		{name: "Restore destination", call: func(ctx context.Context, n string) error { return w.Restore(ctx, good, in(n), warehouse.TableMeta{}) }},
		{name: "Metadata", call: func(ctx context.Context, n string) error { _, err := w.Metadata(ctx, in(n)); return err }},
		{name: "Usage", call: func(ctx context.Context, n string) error { _, err := w.Usage(ctx, in(n), time.Time{}); return err }},
		{name: "Sample table", call: func(ctx context.Context, n string) error {
			_, err := w.Sample(ctx, in(n), []string{"id"}, 1)
			return err
		}},
		{name: "Sample column", call: func(ctx context.Context, n string) error {
			_, err := w.Sample(ctx, good, []string{"id", n}, 1)
			return err
		}},
	}
	return calls
}

func (s *suite) testInvalidIdentifiers(t *testing.T) {
	ctx := s.ctx(t)
	// The injection attempts name table x: it must survive all of them.
	victim := s.newTable(t, "x", ordersColumns, orderRows(1, 2, 1, 2))
	for _, c := range s.badCalls(victim) {
		for _, name := range badNames {
			if name == "" && c.emptyOK {
				continue
			}
			err := c.call(ctx, name)
			var invalid *warehouse.InvalidIdentifierError
			if !errors.As(err, &invalid) {
				t.Errorf("%s with %q: got %v, want *warehouse.InvalidIdentifierError", c.name, name, err)
			}
		}
	}
	s.injectionsFail(t, victim)
	s.checkUntouched(t, victim)
}

// injectionsFail checks that SQL smuggled into values that are not
// identifiers (a privilege, a label key, a PII kind) is refused too.
func (s *suite) injectionsFail(t *testing.T, victim warehouse.TableRef) {
	ctx := s.ctx(t)
	a, _ := s.f.Principals()
	priv, _ := s.f.Privileges()
	for name, err := range map[string]error{
		"Grant of a privilege with SQL in it": s.w.Grant(ctx, warehouse.Grant{Table: victim, Principal: a, Privilege: priv + " ON ALL TABLES IN SCHEMA public TO PUBLIC; --"}),
		"SetLabels with SQL in a key":         s.w.SetLabels(ctx, victim, map[string]string{"k'); drop table x; --": "v"}),
		"TagPII with SQL in the kind":         s.w.TagPII(ctx, victim, "email", "email'; drop table x; --"),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// checkUntouched checks that table x kept its rows and gained no
// annotation or grant from the refused calls.
func (s *suite) checkUntouched(t *testing.T, victim warehouse.TableRef) {
	a, _ := s.f.Principals()
	if n := s.mustRows(t, victim); n != 4 {
		t.Errorf("table x has %d rows after the injection attempts, want 4", n)
	}
	meta := s.metadata(t, victim)
	if meta.Comment != "" || len(meta.Labels) != 0 || len(meta.PII) != 0 {
		t.Errorf("table x was annotated by refused calls: %+v", meta)
	}
	for _, g := range meta.Grants {
		if g.Principal == a {
			t.Errorf("table x was granted by a refused call: %+v", g)
		}
	}
}
