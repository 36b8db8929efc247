package postgres_test

import (
	"context"
	"errors"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/warehouse"
	"github.com/dre-dev/dre/internal/warehouse/postgres"
	"github.com/dre-dev/dre/internal/warehouse/warehousetest"
)

// ordersTable creates s.orders (id, day, email) with three rows in a new
// schema owned by dre's user.
func (f *fixture) ordersTable(t *testing.T) warehouse.TableRef {
	t.Helper()
	return f.ordersTableIn(t, warehouse.TableRef{Schema: f.Schema(t), Table: "orders"})
}

func (f *fixture) ordersTableIn(t *testing.T, ref warehouse.TableRef) warehouse.TableRef {
	t.Helper()
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.CreateTable(t, ref, []warehousetest.ColumnSpec{
		{Name: "id", Type: warehousetest.Int64},
		{Name: "day", Type: warehousetest.Date},
		{Name: "email", Type: warehousetest.String, Nullable: true},
	}, [][]any{{int64(1), day, "a@example.com"}, {int64(2), day, nil}, {int64(3), day.AddDate(0, 0, 1), "c@example.com"}})
	return ref
}

func TestPermissionErrors(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	// A table dre's user can see but neither read nor own.
	exec(t, f.admin, "CREATE SCHEMA locked; CREATE TABLE locked.secret (id bigint); GRANT USAGE ON SCHEMA locked TO "+f.user)
	ref := warehouse.TableRef{Schema: "locked", Table: "secret"}
	cases := map[string]func() error{
		"Describe": func() error { _, err := f.w.Describe(ctx, ref); return err },
		"Query": func() error {
			_, err := f.w.Query(ctx, warehouse.Query{SQL: "SELECT * FROM locked.secret"})
			return err
		},
		"Grant":      func() error { return f.w.Grant(ctx, warehouse.Grant{Table: ref, Principal: f.a, Privilege: "SELECT"}) },
		"SetComment": func() error { return f.w.SetComment(ctx, ref, "mine now") },
		"Drop":       func() error { return f.w.Drop(ctx, ref) },
	}
	for name, call := range cases {
		err := call()
		var perm *warehouse.PermissionError
		if !errors.As(err, &perm) {
			t.Errorf("%s: got %v (%T), want *warehouse.PermissionError", name, err, err)
			continue
		}
		if !strings.Contains(perm.Error(), "permission denied") && !strings.Contains(perm.Error(), "must be owner") {
			t.Errorf("%s: %q does not say what PostgreSQL refused", name, perm.Error())
		}
	}
}

func TestProbeTable(t *testing.T) {
	f := newFixture(t)
	ref := f.ordersTable(t)
	probe, err := f.w.ProbeTable(t.Context(), ref, "day")
	want := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	if err != nil || !probe.Exists || probe.Rows != 3 || probe.Latest == nil || !probe.Latest.Equal(want) {
		t.Errorf("ProbeTable(%s) = %+v, %v; want 3 rows, latest %s", ref, probe, err, want)
	}
	probe, err = f.w.ProbeTable(t.Context(), warehouse.TableRef{Schema: ref.Schema, Table: "missing"}, "day")
	if err != nil || probe.Exists {
		t.Errorf("ProbeTable of a missing table = %+v, %v; want Exists false and no error", probe, err)
	}
	if _, err = f.w.ProbeTable(t.Context(), ref, "no_such_column"); err == nil {
		t.Error("ProbeTable with a missing freshness column: no error")
	}
}

func TestOpenHidesPassword(t *testing.T) {
	for _, dsn := range []string{
		"postgres://dre:s3cret-pw@127.0.0.1:1/db?sslmode=disable&connect_timeout=2",
		"postgres://dre:s3cret-pw@127.0.0.1:notaport/db",
		"host=127.0.0.1 port=1 user=dre password=s3cret-pw connect_timeout=2 sslmode=disable",
	} {
		w, err := postgres.Open(t.Context(), dsn)
		if err == nil {
			w.Close()
			t.Fatalf("Open(%q) succeeded", dsn)
		}
		if strings.Contains(err.Error(), "s3cret-pw") {
			t.Errorf("Open's error shows the password: %v", err)
		}
	}
}

func TestRestoreUsesRecordedMetadata(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	ref := f.ordersTable(t)
	for _, err := range []error{
		f.w.SetComment(ctx, ref, "Orders"),
		f.w.SetLabels(ctx, ref, map[string]string{"owner": "sales"}),
		f.w.TagPII(ctx, ref, "email", "email"),
		f.w.Grant(ctx, warehouse.Grant{Table: ref, Principal: f.a, Privilege: "SELECT"}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	before, err := f.w.Metadata(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	snap := warehouse.TableRef{Schema: "archive_new", Table: "orders_snap"}
	if err := f.w.Snapshot(ctx, ref, snap); err != nil {
		t.Fatalf("Snapshot into a schema that does not exist yet: %v", err)
	}
	if err := f.w.Drop(ctx, ref); err != nil {
		t.Fatal(err)
	}
	if err := f.w.Restore(ctx, snap, ref, warehouse.TableMeta{}); err != nil {
		t.Fatalf("Restore with the recorded metadata: %v", err)
	}
	after, err := f.w.Metadata(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	if after.Comment != before.Comment || !maps.Equal(after.Labels, before.Labels) || !maps.Equal(after.PII, before.PII) || len(after.Grants) != len(before.Grants) {
		t.Errorf("restored metadata %+v, want %+v", after, before)
	}
}

func TestMoveCarriesLabelsAndCreatesSchema(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	ref := f.ordersTable(t)
	if err := f.w.SetLabels(ctx, ref, map[string]string{"tier": "gold"}); err != nil {
		t.Fatal(err)
	}
	to := warehouse.TableRef{Schema: "dre_archive", Table: "orders_20260101"}
	if err := f.w.Move(ctx, ref, to); err != nil {
		t.Fatalf("Move into a new schema: %v", err)
	}
	info, err := f.w.Describe(ctx, to)
	if err != nil || info.Rows != 3 || info.Labels["tier"] != "gold" {
		t.Errorf("after Move: %+v, %v; want 3 rows and label tier=gold", info, err)
	}
	var stale int
	if err := f.admin.QueryRow(ctx, `SELECT count(*) FROM dre_meta.table_labels WHERE schema_name = $1`, ref.Schema).Scan(&stale); err != nil || stale != 0 {
		t.Errorf("labels left under the old name: %d, %v", stale, err)
	}
}

func TestRewriteSameRunConcurrently(t *testing.T) {
	f := newFixture(t)
	ref := f.ordersTable(t)
	src := f.ordersTableIn(t, warehouse.TableRef{Schema: ref.Schema, Table: "source"})
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	r := warehouse.Rewrite{
		Table:     ref,
		Partition: warehouse.Partition{Column: "day", Start: day, End: day.AddDate(0, 0, 1)},
		Select:    "SELECT id + 10, day, email FROM " + f.Qualified(src) + " WHERE day >= @from AND day < @to",
		RunID:     "same-run",
		Checksum:  true,
	}
	const attempts = 4
	results := make([]warehouse.RewriteResult, attempts)
	var wg sync.WaitGroup
	for i := range attempts {
		wg.Go(func() {
			var err error
			if results[i], err = f.w.RewritePartition(t.Context(), r); err != nil {
				t.Errorf("attempt %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	applied := 0
	for _, res := range results {
		if !res.AlreadyApplied {
			applied++
		}
		if res.Rows != 2 || res.Checksum != results[0].Checksum {
			t.Errorf("attempt result %+v, want 2 rows and checksum %s", res, results[0].Checksum)
		}
	}
	if applied != 1 {
		t.Errorf("%d of %d concurrent attempts of one run applied the rewrite, want exactly 1", applied, attempts)
	}
	res, err := f.w.Query(t.Context(), warehouse.Query{SQL: "SELECT min(id), max(id), count(*) FROM " + f.Qualified(ref) + " WHERE day = @d", Params: map[string]any{"d": day}})
	if err != nil || len(res.Rows) != 1 || res.Rows[0][0] != int64(11) || res.Rows[0][2] != int64(2) {
		t.Errorf("partition after the attempts: %v, %v; want ids 11-12 once each", res.Rows, err)
	}
}

func TestTagPIIKeepsHumanComment(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	ref := f.ordersTable(t)
	exec(t, f.owner, `COMMENT ON COLUMN `+f.Qualified(ref)+`.email IS 'Where receipts go'`)
	if err := f.w.TagPII(ctx, ref, "email", "email"); err != nil {
		t.Fatal(err)
	}
	var raw string
	err := f.admin.QueryRow(ctx, `SELECT col_description(($1 || '.orders')::regclass, 3)`, ref.Schema).Scan(&raw)
	if err != nil || raw != "pii:email\nWhere receipts go" {
		t.Errorf("column comment %q, %v; want the tag line, then the human comment", raw, err)
	}
	info, err := f.w.Describe(ctx, ref)
	if err != nil || info.Columns[2].PII != "email" || info.Columns[2].Comment != "Where receipts go" {
		t.Errorf("Describe: %+v, %v", info.Columns, err)
	}
}

func TestGrantToPublic(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	ref := f.ordersTable(t)
	g := warehouse.Grant{Table: ref, Principal: "public", Privilege: "select"}
	if err := f.w.Grant(ctx, g); err != nil {
		t.Fatalf("Grant to PUBLIC: %v", err)
	}
	grants, err := f.w.Grants(ctx, ref)
	want := warehouse.Grant{Table: ref, Principal: "PUBLIC", Privilege: "SELECT"}
	if err != nil || !containsGrant(grants, want) {
		t.Errorf("Grants = %+v, %v; want %+v among them", grants, err, want)
	}
	if err := f.w.Revoke(ctx, g); err != nil {
		t.Fatalf("Revoke from PUBLIC: %v", err)
	}
	if grants, _ = f.w.Grants(ctx, ref); containsGrant(grants, want) {
		t.Errorf("PUBLIC still listed after Revoke: %+v", grants)
	}
}

func containsGrant(grants []warehouse.Grant, want warehouse.Grant) bool {
	for _, g := range grants {
		if g == want {
			return true
		}
	}
	return false
}

func TestQueryValueTypes(t *testing.T) {
	f := newFixture(t)
	res, err := f.w.Query(t.Context(), warehouse.Query{SQL: `SELECT 1::smallint AS small, 2::int AS int, sum(x) AS whole, avg(x) AS frac,
		'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid AS id, '\xff00'::bytea AS raw, '{"k": [1]}'::jsonb AS doc,
		'1 day'::interval AS span, NULL::text AS nothing FROM (VALUES (1::bigint), (2)) AS v(x)`})
	if err != nil {
		t.Fatal(err)
	}
	want := []any{int64(1), int64(2), int64(3), 1.5, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", `\xff00`, `{"k":[1]}`, nil, nil}
	got := res.Rows[0]
	for i, w := range want {
		if i == 7 { // an interval prints in some readable form
			if s, ok := got[i].(string); !ok || s == "" {
				t.Errorf("%s = %#v, want a string", res.Columns[i], got[i])
			}
			continue
		}
		if got[i] != w {
			t.Errorf("%s = %#v (%T), want %#v", res.Columns[i], got[i], got[i], w)
		}
	}
}

func TestQueryLeavesNoSessionState(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	_, err := f.w.Query(ctx, warehouse.Query{SQL: "SELECT set_config('application_name', 'hijacked', false)"})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := f.admin.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE application_name = 'hijacked'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d connections kept a setting a query changed (%v); want 0", n, err)
	}
	for _, sql := range []string{"SET ROLE " + f.a, "COMMIT", "RESET ALL", "EXPLAIN ANALYZE DELETE FROM x"} {
		if _, err := f.w.Query(ctx, warehouse.Query{SQL: sql}); err == nil {
			t.Errorf("Query(%q): no error", sql)
		}
	}
}

func TestContextCancelStopsQuery(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := f.w.Query(ctx, warehouse.Query{SQL: "SELECT pg_sleep(30)"})
	if err == nil || time.Since(start) > 10*time.Second {
		t.Errorf("Query with a cancelled context: %v after %s; want an error within seconds", err, time.Since(start))
	}
	if err := f.w.Ping(t.Context()); err != nil {
		t.Errorf("Ping after a cancelled query: %v", err)
	}
}
