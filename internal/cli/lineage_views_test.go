package cli_test

import (
	"strings"
	"testing"

	"github.com/dre-dev/dre/internal/cli/clitest"
	"github.com/dre-dev/dre/internal/localpg/localpgtest"
)

// --views reads what a real PostgreSQL warehouse's views read and merges
// it with the declared lineage, each edge marked with where it was learnt.
func TestLineageViewsMergesPostgresViewDependencies(t *testing.T) {
	dsn := localpgtest.NewDatabase(t, localpgtest.Start(t))
	localpgtest.Exec(t, dsn, `
		CREATE TABLE public.orders (id bigint, amount numeric, day date);
		CREATE VIEW public.revenue AS SELECT day, sum(amount) AS total FROM public.orders GROUP BY day;
		CREATE VIEW public.big_days AS SELECT day FROM public.revenue WHERE total > 100;`)
	cfg := writeConfig(t, `warehouses:
  pg:
    postgres: {dsn: {env: PG_DSN}}
datasets:
  - {name: orders, warehouse: pg, table: public.orders}
  - {name: revenue, warehouse: pg, table: public.revenue, owner: {team: finance}, upstream: [orders]}
`)
	env := map[string]string{"DRE_CONFIG": cfg, "PG_DSN": dsn}
	res := clitest.Run(t, env, "lineage", "orders", "--downstream", "--views")
	if res.Code != 0 {
		t.Fatalf("exit %d", res.Code)
	}
	for _, want := range []string{"revenue", "declared,postgres-views", "public.big_days", "(outside the catalog)"} {
		if !strings.Contains(res.Stdout, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if res := clitest.Run(t, env, "lineage", "orders", "--downstream"); strings.Contains(res.Stdout, "big_days") {
		t.Error("without --views the undeclared view is listed")
	}
	if res := clitest.Run(t, map[string]string{"DRE_CONFIG": cfg}, "lineage", "orders", "--views"); res.Code != 1 || !strings.Contains(res.Stderr, "PG_DSN") {
		t.Errorf("--views without the DSN: exit %d, stderr %q; want the missing variable named", res.Code, res.Stderr)
	}
}
