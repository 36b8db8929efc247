package bigquery_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/warehouse"
	bqwh "github.com/dre-dev/dre/internal/warehouse/bigquery"
	"github.com/dre-dev/dre/internal/warehouse/bigquery/bqfake"
	"github.com/dre-dev/dre/internal/warehouse/warehousetest"
)

// These tests pin down what is particular to BigQuery, using what only the
// stand-in offers: its request log, denied permissions, who runs a job.

var orderCols = []warehousetest.ColumnSpec{
	{Name: "id", Type: warehousetest.Int64},
	{Name: "day", Type: warehousetest.Date},
	{Name: "email", Type: warehousetest.String, Nullable: true},
	{Name: "created_at", Type: warehousetest.Timestamp, Nullable: true},
}

func jan(d int) time.Time { return time.Date(2026, time.January, d, 0, 0, 0, 0, time.UTC) }

// orders returns n rows on each of the given January days, ids from first.
func orders(first int64, n int, days ...int) [][]any {
	var rows [][]any
	for _, d := range days {
		for range n {
			rows = append(rows, []any{first, jan(d), fmt.Sprintf("u%d@example.com", first), jan(d).Add(time.Hour)})
			first++
		}
	}
	return rows
}

// shop creates a stand-in with one orders table, partitioned by day.
func shop(t *testing.T) (*fixture, warehouse.TableRef) {
	t.Helper()
	f := newFakeFixture(t)
	ref := warehouse.TableRef{Schema: f.Schema(t), Table: "orders"}
	f.CreateTable(t, ref, orderCols, orders(1, 3, 1, 2, 3))
	return f, ref
}

// since returns the requests the stand-in received after the first n.
func since(s *bqfake.Server, n int) []bqfake.Request { return s.Requests()[n:] }

func TestBadNamesSendNothing(t *testing.T) {
	f, ref := shop(t)
	ctx := ctx(t)
	bad := warehouse.TableRef{Schema: ref.Schema, Table: "orders` WHERE 1=1; DROP TABLE x --"}
	day2 := warehouse.Partition{Column: "day", Start: jan(2), End: jan(3)}
	calls := map[string]func() error{
		"Describe": func() error { _, err := f.w.Describe(ctx, bad); return err },
		"Query parameter": func() error {
			_, err := f.w.Query(ctx, warehouse.Query{SQL: "SELECT 1", Params: map[string]any{"a;b": 1}})
			return err
		},
		"PartitionStats": func() error {
			_, err := f.w.PartitionStats(ctx, ref, warehouse.Partition{Column: "day`", Start: jan(2), End: jan(3)})
			return err
		},
		"RewritePartition": func() error {
			_, err := f.w.RewritePartition(ctx, warehouse.Rewrite{Table: bad, Partition: day2, Select: "SELECT 1", RunID: "r"})
			return err
		},
		"Grant principal": func() error {
			return f.w.Grant(ctx, warehouse.Grant{Table: ref, Principal: "user:a@example.com' OR 1", Privilege: "roles/bigquery.dataViewer"})
		},
		"TagPII column": func() error { return f.w.TagPII(ctx, ref, "email`", "email") },
		"Move to":       func() error { return f.w.Move(ctx, ref, bad) },
		"Usage":         func() error { _, err := f.w.Usage(ctx, bad, time.Time{}); return err },
		"Sample column": func() error { _, err := f.w.Sample(ctx, ref, []string{"email", "x y"}, 3); return err },
	}
	for name, call := range calls {
		mark := len(f.fake.Requests())
		err := call()
		var invalid *warehouse.InvalidIdentifierError
		if !errors.As(err, &invalid) {
			t.Errorf("%s: got %v, want *warehouse.InvalidIdentifierError", name, err)
		}
		if sent := since(f.fake, mark); len(sent) > 0 {
			t.Errorf("%s: the stand-in received %v, want no request", name, sent)
		}
	}
}

func TestOpenRefusesBadConfiguration(t *testing.T) {
	srv, err := bqfake.Start(testProject)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	for _, c := range []struct{ project, location string }{
		{"Bad_Project!", "US"},
		{"`x`.y", "US"},
		{testProject, "us; DROP"},
		{testProject, ""},
	} {
		if _, err := bqwh.Open(ctx(t), c.project, c.location, srv.ClientOptions()...); err == nil {
			t.Errorf("Open(%q, %q): no error", c.project, c.location)
		}
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("bad configurations sent %d requests, want none", n)
	}
}

func TestErrorsNameWhatIsMissing(t *testing.T) {
	f, ref := shop(t)
	missing := warehouse.TableRef{Schema: ref.Schema, Table: "missing"}
	cases := []struct {
		name, deny, on string // permission taken away, on "dataset.table" or everywhere
		call           func(context.Context) error
		notFound       string // the name a *NotFoundError must carry
		permission     string // what a *PermissionError must name
	}{
		{name: "Describe a missing table", notFound: missing.String(), call: func(c context.Context) error {
			_, err := f.w.Describe(c, missing)
			return err
		}},
		{name: "Query a missing table", notFound: missing.String(), call: func(c context.Context) error {
			_, err := f.w.Query(c, warehouse.Query{SQL: "SELECT id FROM " + f.Qualified(missing)})
			return err
		}},
		{name: "Drop a missing table", notFound: missing.String(), call: func(c context.Context) error { return f.w.Drop(c, missing) }},
		{name: "Restore a missing snapshot", notFound: missing.String(), call: func(c context.Context) error {
			return f.w.Restore(c, missing, warehouse.TableRef{Schema: ref.Schema, Table: "back"}, warehouse.TableMeta{})
		}},
		{name: "Describe without tables.get", deny: "bigquery.tables.get", on: ref.String(), permission: "bigquery.tables.get",
			call: func(c context.Context) error { _, err := f.w.Describe(c, ref); return err }},
		{name: "Query without getData", deny: "bigquery.tables.getData", on: ref.String(), permission: "bigquery.tables.getData on " + ref.String(),
			call: func(c context.Context) error {
				_, err := f.w.Query(c, warehouse.Query{SQL: "SELECT id FROM " + f.Qualified(ref)})
				return err
			}},
		{name: "Query without jobs.create", deny: "bigquery.jobs.create", permission: "bigquery.jobs.create",
			call: func(c context.Context) error { _, err := f.w.Query(c, warehouse.Query{SQL: "SELECT 1"}); return err }},
		{name: "SetComment without tables.update", deny: "bigquery.tables.update", on: ref.String(), permission: "bigquery.tables.update",
			call: func(c context.Context) error { return f.w.SetComment(c, ref, "x") }},
		{name: "Grant without setIamPolicy", deny: "bigquery.tables.setIamPolicy", on: ref.String(), permission: "bigquery.tables.setIamPolicy",
			call: func(c context.Context) error {
				return f.w.Grant(c, warehouse.Grant{Table: ref, Principal: f.a, Privilege: "roles/bigquery.dataViewer"})
			}},
		{name: "Usage without jobs.listAll", deny: "bigquery.jobs.listAll", permission: "bigquery.jobs.listAll",
			call: func(c context.Context) error { _, err := f.w.Usage(c, ref, time.Time{}); return err }},
		{name: "Drop without tables.delete", deny: "bigquery.tables.delete", on: ref.String(), permission: "bigquery.tables.delete",
			call: func(c context.Context) error { return f.w.Drop(c, ref) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f.fake.Allow()
			if c.deny != "" {
				f.fake.Deny(c.deny, c.on)
			}
			err := c.call(ctx(t))
			var nf *warehouse.NotFoundError
			var pe *warehouse.PermissionError
			switch {
			case c.notFound != "" && (!errors.As(err, &nf) || nf.Name != c.notFound):
				t.Errorf("got %v (%T), want *NotFoundError naming %s", err, err, c.notFound)
			case c.permission != "" && (!errors.As(err, &pe) || pe.Privilege != c.permission):
				t.Errorf("got %v (%T), want *PermissionError naming %q", err, err, c.permission)
			}
		})
	}
}
