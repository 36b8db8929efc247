package cli_test

import (
	"strings"
	"testing"

	"github.com/dre-dev/dre/internal/cli/clitest"
)

// A bad --jobs window is a usage error that says what to give, and a
// catalog without BigQuery warehouses has no job history to read.
func TestLineageJobsFlagThroughTheCommand(t *testing.T) {
	cfg := writeConfig(t, "warehouses:\n  pg:\n    postgres: {dsn: {env: PG_DSN}}\ndatasets:\n  - {name: orders, warehouse: pg, table: public.orders}\n")
	env := map[string]string{"DRE_CONFIG": cfg}
	if res := clitest.Run(t, env, "lineage", "orders", "--jobs", "month"); res.Code != 2 || !strings.Contains(res.Stderr, "30d") {
		t.Errorf("--jobs month: exit %d, stderr %q; want usage error 2 giving the form", res.Code, res.Stderr)
	}
	if res := clitest.Run(t, env, "lineage", "orders", "--jobs", "30d"); res.Code != 0 || !strings.Contains(res.Stdout, "orders") {
		t.Errorf("--jobs 30d without BigQuery: exit %d, stdout %q, stderr %q", res.Code, res.Stdout, res.Stderr)
	}
}
