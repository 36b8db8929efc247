package cluster

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/client"

	"github.com/dre-dev/dre/internal/cli/clitest"
	"github.com/dre-dev/dre/internal/demo"
	"github.com/dre-dev/dre/internal/localpg/localpgtest"
	"github.com/dre-dev/dre/tests/demoenv"
	"github.com/dre-dev/dre/workflows"
)

// TestBackfillSurvivesKill9OfTheHistoryService prepares a four-process
// Temporal cluster with `dre admin setup`, runs a demo backfill on a
// `dre worker` process, kills the history service with SIGKILL in the
// middle and restarts it: the table must end equal to its source, with
// one ledger row per partition.
func TestBackfillSurvivesKill9OfTheHistoryService(t *testing.T) {
	pg := localpgtest.Start(t)
	tc := startTemporalCluster(t, pg)
	if err := pg.CreateDatabase(t.Context(), "demo"); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Seed(t.Context(), pg.DSN("demo"), time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	cliEnv := map[string]string{
		"DRE_CONFIG": demoenv.ServiceConfig(t, 0.3, ""), "TEMPORAL_ADDRESS": tc.Frontend, "DRE_TASK_QUEUE": "dre-cluster",
	}
	adminSetup(t, cliEnv)
	startDreWorker(t, cliEnv, pg.DSN("demo"))

	const partitions = 34
	from, to := demoenv.Day(40), demoenv.Day(6)
	if res := clitest.Run(t, cliEnv, "backfill", "start", "orders", "--from", from, "--to", to, "--concurrency", "4"); res.Code != 0 {
		t.Fatalf("backfill start: exit %d, stderr %q", res.Code, res.Stderr)
	}
	c, err := client.Dial(client.Options{HostPort: tc.Frontend, Logger: quiet{}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	eventually(t, "5 partitions done before the kill", 3*time.Minute, func() bool {
		s, err := backfillStatus(c)
		return err == nil && s.Done >= 5
	})
	history := tc.procs["history"]
	history.kill9(t)
	history.restart(t)

	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	var report workflows.BackfillReport
	if err := c.GetWorkflow(ctx, workflows.BackfillWorkflowID("orders"), "").Get(ctx, &report); err != nil {
		t.Fatalf("the backfill after the history service's kill -9: %v", err)
	}
	if report.Status != workflows.BackfillDone || report.Done != partitions || report.Failed != 0 {
		t.Fatalf("report: %s, %d done, %d failed; want done, %d of %d", report.Status, report.Done, report.Failed, partitions, partitions)
	}
	conn, err := pgx.Connect(t.Context(), pg.DSN("demo"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if mismatched, rows := demoenv.OrdersMismatch(t, conn, from, to); mismatched != 0 || rows != report.Rows {
		t.Errorf("%d rows differ from the source, %d rows in the table, %d reported; want none, and equal counts", mismatched, rows, report.Rows)
	}
	var entries, distinct int
	if err := conn.QueryRow(t.Context(), `SELECT count(*), count(DISTINCT partition_start) FROM dre_meta.backfill_ledger
		WHERE table_name = 'public.orders'`).Scan(&entries, &distinct); err != nil {
		t.Fatal(err)
	}
	if entries != partitions || distinct != partitions {
		t.Errorf("ledger: %d entries for %d partitions; want one for each of %d", entries, distinct, partitions)
	}
}

// adminSetup runs `dre admin setup` twice: the first prepares the fresh
// cluster, the second must find nothing to change.
func adminSetup(t testing.TB, cliEnv map[string]string) {
	t.Helper()
	first := clitest.Run(t, cliEnv, "admin", "setup")
	if first.Code != 0 || !strings.Contains(first.Stdout, "added search attribute DreKind (Keyword)") {
		t.Fatalf("dre admin setup on a fresh cluster: exit %d, stdout %q; want the search attributes added", first.Code, first.Stdout)
	}
	again := clitest.Run(t, cliEnv, "admin", "setup")
	if again.Code != 0 || !strings.Contains(again.Stdout, "nothing changed") {
		t.Fatalf("dre admin setup again: exit %d, stdout %q; want nothing changed", again.Code, again.Stdout)
	}
}

// startDreWorker runs `dre worker` as a process of its own.
func startDreWorker(t testing.TB, cliEnv map[string]string, warehouseDSN string) *process {
	t.Helper()
	return startProcess(t, "dre worker", dreProcessEnv(cliEnv, warehouseDSN), os.Args[0], "worker")
}

// backfillStatus queries the running backfill of orders.
func backfillStatus(c client.Client) (workflows.BackfillStatus, error) {
	var s workflows.BackfillStatus
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	v, err := c.QueryWorkflow(ctx, workflows.BackfillWorkflowID("orders"), "", workflows.StatusQuery)
	if err == nil {
		err = v.Get(&s)
	}
	return s, err
}
