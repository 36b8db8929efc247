package postgres_test

import (
	"fmt"
	"slices"
	"testing"
)

// Views, a materialized view and a view over a view: each dependency is
// read back once, whatever number of columns it uses, and tables no view
// reads do not appear.
func TestViewDependencies(t *testing.T) {
	f := newFixture(t)
	s := f.Schema(t)
	exec(t, f.owner, fmt.Sprintf(`
		CREATE TABLE %[1]s.raw_orders (id bigint, customer_id bigint, amount numeric, day date);
		CREATE TABLE %[1]s.customers (id bigint, country text);
		CREATE TABLE %[1]s.unread (id bigint);
		CREATE VIEW %[1]s.orders AS
			SELECT o.id, o.amount, o.day, c.country FROM %[1]s.raw_orders o JOIN %[1]s.customers c ON c.id = o.customer_id;
		CREATE MATERIALIZED VIEW %[1]s.revenue AS SELECT day, country, sum(amount) AS total FROM %[1]s.orders GROUP BY day, country;
		CREATE VIEW %[1]s.big_days AS SELECT day FROM %[1]s.revenue WHERE total > 100;`, s))
	deps, err := f.w.ViewDependencies(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range deps {
		if d.Reader.Schema == s {
			got = append(got, d.Read.Table+" -> "+d.Reader.Table)
		}
	}
	want := []string{"revenue -> big_days", "customers -> orders", "raw_orders -> orders", "orders -> revenue"}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("dependencies = %v, want %v", got, want)
	}
	for _, d := range deps {
		if d.Reader.Schema == "pg_catalog" || d.Reader.Schema == "information_schema" {
			t.Fatalf("system view listed: %+v", d)
		}
	}
}
