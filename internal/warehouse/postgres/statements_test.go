package postgres_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/localpg"
	"github.com/dre-dev/dre/internal/localpg/localpgtest"
	"github.com/dre-dev/dre/internal/warehouse"
	"github.com/dre-dev/dre/internal/warehouse/postgres"
)

func TestUsageStatementRuleReadsNotWritesNorLookAlikes(t *testing.T) {
	orders := warehouse.TableRef{Schema: "public", Table: "orders"}
	sales := warehouse.TableRef{Schema: "sales", Table: "orders"}
	cases := []struct {
		ref   warehouse.TableRef
		query string
		want  bool
	}{
		{orders, "SELECT count(*) FROM public.orders", true},
		{orders, `select * from "public"."orders" where id = $1`, true},
		{orders, "SELECT * FROM orders o JOIN customers c ON c.id = o.customer_id", true},
		{orders, "SELECT * FROM customers c, orders o WHERE c.id = o.customer_id", true},
		{orders, "INSERT INTO public.orders_copy SELECT * FROM public.orders", true},
		{orders, "MERGE INTO public.totals t USING public.orders o ON t.id = o.id WHEN MATCHED THEN DO NOTHING", true},
		{orders, "CREATE TABLE public.orders_2026 AS SELECT * FROM public.orders", true},
		{orders, "INSERT INTO public.orders (id) VALUES ($1)", false},
		{orders, "UPDATE public.orders SET status = $1", false},
		{orders, "DELETE FROM orders WHERE id = $1", false},
		{orders, "TRUNCATE public.orders", false},
		{orders, "GRANT SELECT ON public.orders TO analyst", false},
		{orders, "SELECT * FROM public.orders_archive", false},
		{orders, "SELECT orders FROM public.customers", false},
		{sales, "SELECT * FROM orders", false},
		{sales, "SELECT * FROM sales.orders", true},
	}
	for _, c := range cases {
		if got := postgres.ReadsTable(c.ref, c.query); got != c.want {
			t.Errorf("reads %s in %q = %v; want %v", c.ref, c.query, got, c.want)
		}
	}
}

// openWithStatements starts a cluster that preloads pg_stat_statements
// (the shared test cluster does not) and installs it in a fresh database
// with public.orders, opened as a superuser, which sees every statement.
func openWithStatements(t *testing.T) (*postgres.Warehouse, *localpg.Cluster, string) {
	t.Helper()
	c := localpgtest.StartWith(t, map[string]string{"shared_preload_libraries": "pg_stat_statements"})
	dsn := localpgtest.NewDatabase(t, c)
	localpgtest.Exec(t, dsn, "CREATE EXTENSION pg_stat_statements; CREATE TABLE public.orders (id int PRIMARY KEY); CREATE TABLE public.orders_copy (id int)")
	w, err := postgres.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	return w, c, dsn
}

// An INSERT...SELECT pipeline run by another role is a reader: Usage
// counts it and names the role, from pg_stat_statements.
func TestUsageNamesReadersFromStatements(t *testing.T) {
	w, _, dsn := openWithStatements(t)
	ref := warehouse.TableRef{Schema: "public", Table: "orders"}
	localpgtest.Exec(t, dsn, "CREATE ROLE etl LOGIN; GRANT SELECT ON public.orders TO etl; GRANT INSERT ON public.orders_copy TO etl")
	if _, err := w.Usage(t.Context(), ref, time.Now()); err != nil { // the baseline observation
		t.Fatalf("Usage: %v", err)
	}
	since := time.Now()
	localpgtest.Exec(t, withUser(t, dsn, "etl"), "INSERT INTO public.orders_copy SELECT * FROM public.orders")
	u, err := w.Usage(t.Context(), ref, since)
	if err != nil || u.Reads < 1 || !slices.Equal(u.Readers, []string{"etl"}) {
		t.Errorf("Usage after etl's INSERT...SELECT: %+v, %v; want at least 1 read by etl", u, err)
	}
}

// A dre user that sees only its own statements would count nobody else's:
// Usage says it cannot read the log instead.
func TestUsageStatementsHiddenFromDreAreUnreadable(t *testing.T) {
	_, _, dsn := openWithStatements(t)
	localpgtest.Exec(t, dsn, "CREATE ROLE dre_plain LOGIN; GRANT SELECT ON public.orders TO dre_plain; GRANT CREATE ON SCHEMA public TO dre_plain")
	localpgtest.Exec(t, dsn, "DO $$ BEGIN EXECUTE format('GRANT CREATE ON DATABASE %I TO dre_plain', current_database()); END $$")
	localpgtest.Exec(t, dsn, "SELECT count(*) FROM public.orders") // a statement dre_plain may not see
	w, err := postgres.Open(t.Context(), withUser(t, dsn, "dre_plain"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	_, err = w.Usage(t.Context(), warehouse.TableRef{Schema: "public", Table: "orders"}, time.Now().Add(-time.Hour))
	var unreadable *warehouse.UsageUnreadableError
	if !errors.As(err, &unreadable) || unreadable.Source != "pg_stat_statements" {
		t.Errorf("Usage by a user without pg_read_all_stats: %v; want a UsageUnreadableError naming pg_stat_statements", err)
	}
}
