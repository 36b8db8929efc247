package cluster

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dre-dev/dre/internal/demo"
	"github.com/dre-dev/dre/internal/localpg"
	"github.com/dre-dev/dre/tests/demoenv"
)

// scaleDataset names the i-th generated dataset and its table.
func scaleDataset(i int) (name, table string) {
	return fmt.Sprintf("scale_%04d", i), fmt.Sprintf("scale.orders_%04d", i)
}

// scaleWarehouse seeds the demo warehouse and adds n copies of its orders
// table, each a day-partitioned table of its own holding the orders of
// the last three days: the one-hour window's reconstructed past may fall
// on the day before yesterday, whose partition the volume SLO then reads. Their rows were loaded two hours ago: fresh for the
// freshness SLO's 26 h threshold, also over the reconstructed past of the
// one-hour window, so that no SLO burns and the run measures steady
// evaluation (a frozen dataset would also hold its backfill).
func scaleWarehouse(t testing.TB, pg *localpg.Cluster, n int) string {
	t.Helper()
	ctx := t.Context()
	if err := pg.CreateDatabase(ctx, "demo"); err != nil {
		t.Fatal(err)
	}
	dsn := pg.DSN("demo")
	if _, err := demo.Seed(ctx, dsn, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	// One server-side loop: a thousand round trips of DDL would dominate
	// the set-up on a small machine.
	_, err = conn.Exec(ctx, fmt.Sprintf(`CREATE SCHEMA scale;
DO $$
BEGIN
	FOR i IN 0..%d LOOP
		EXECUTE format('CREATE TABLE scale.orders_%%s (LIKE public.orders INCLUDING ALL)', lpad(i::text, 4, '0'));
		EXECUTE format($q$INSERT INTO scale.orders_%%s
			SELECT order_id, customer_id, amount_cents, status, order_date, now() - interval '2 hours'
			FROM public.orders WHERE order_date >= (now() AT TIME ZONE 'UTC')::date - 2$q$, lpad(i::text, 4, '0'));
	END LOOP;
END $$`, n-1))
	if err != nil {
		t.Fatalf("generating %d tables: %v", n, err)
	}
	return dsn
}

// scaleConfig is the demo's production dre.yaml with n generated datasets
// added to its catalog: each one's source is the demo orders query, so
// that any of them can be backfilled, and each has a freshness and a
// volume SLO measured every minute. The window is one hour, not the
// demo's 28 days: the first round reconstructs the window's history, and
// 40,320 one-minute intervals a SLO would measure set-up, not steady state.
func scaleConfig(t testing.TB, n int) string {
	t.Helper()
	path := demoenv.ServiceConfig(t, 0, "")
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	source := strings.NewReplacer("$1", "{{ .From }}", "$2", "{{ .To }}").Replace(demo.OrdersPartitionSQL)
	var b strings.Builder
	b.WriteString("\ndatasets:\n")
	for i := range n {
		name, table := scaleDataset(i)
		fmt.Fprintf(&b, `  - name: %s
    warehouse: local
    table: %s
    owner: {team: scale-data, slack_channel: "#scale-data"}
    partition: {column: order_date, granularity: day}
    freshness_column: loaded_at
    source:
      select: %q
    slos:
      - {name: fresh, kind: freshness, threshold: 26h, objective: 0.99, window: 1h, interval: 1m}
      - {name: volume, kind: volume, min_rows: 50, objective: 0.99, window: 1h, interval: 1m}
`, name, table, source)
	}
	generated := strings.Replace(string(text), "\ndatasets:\n", b.String(), 1)
	if generated == string(text) {
		t.Fatal("the demo config has no datasets: section; update scaleConfig")
	}
	if err := os.WriteFile(path, []byte(generated), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
