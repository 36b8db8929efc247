package e2e

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/api/enums/v1"

	"github.com/dre-dev/dre/internal/cli/clitest"
	"github.com/dre-dev/dre/internal/demo"
	"github.com/dre-dev/dre/workflows"
)

// scaleOutSetup seeds the demo warehouse into its own database and returns
// the environment of the CLI and of `dre worker` subprocesses: a task
// queue of their own, so only those subprocesses run the work.
func scaleOutSetup(t *testing.T, db string, pause float64) (cliEnv, procEnv map[string]string) {
	t.Helper()
	if err := env.PG.CreateDatabase(t.Context(), db); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Seed(t.Context(), env.PG.DSN(db), time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	cliEnv = map[string]string{
		"DRE_CONFIG": serviceConfig(t, pause, ""), "TEMPORAL_ADDRESS": env.Server.FrontendAddress(),
		"DRE_TASK_QUEUE": fmt.Sprintf("dre-e2e-%s-%d", db, time.Now().UnixNano()),
	}
	procEnv = map[string]string{"WAREHOUSE_DSN": env.PG.DSN(db)}
	for k, v := range cliEnv {
		procEnv[k] = v
	}
	return cliEnv, procEnv
}

// backfillStatus queries the running backfill of orders.
func backfillStatus(t *testing.T) (workflows.BackfillStatus, error) {
	var s workflows.BackfillStatus
	v, err := env.Client.QueryWorkflow(context.Background(), workflows.BackfillWorkflowID("orders"), "", workflows.StatusQuery)
	if err == nil {
		err = v.Get(&s)
	}
	return s, err
}

// demoConnTo connects to a database for the test's duration.
func demoConnTo(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// waitBackfill waits for the orders backfill to end and returns its report.
func waitBackfill(t *testing.T) workflows.BackfillReport {
	t.Helper()
	var report workflows.BackfillReport
	if err := env.Client.GetWorkflow(context.Background(), workflows.BackfillWorkflowID("orders"), "").Get(context.Background(), &report); err != nil {
		t.Fatal(err)
	}
	return report
}

// metricValue sums the samples of a metric whose labels contain match.
func metricValue(scrape, name, match string) float64 {
	sum := 0.0
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + `\{([^}]*)\} (\S+)$`)
	for _, m := range re.FindAllStringSubmatch(scrape, -1) {
		if strings.Contains(m[1], match) {
			v, _ := strconv.ParseFloat(m[2], 64)
			sum += v
		}
	}
	return sum
}

// TestTwoWorkersShareABackfillAndSurviveKill9 runs a 64-partition backfill
// of the demo orders table at concurrency 16 on two `dre worker`
// processes, kills one with SIGKILL mid-run, and expects the other to
// finish with every partition written exactly once. It logs the figures of
// the report: resident memory idle and under load, scrape time.
func TestTwoWorkersShareABackfillAndSurviveKill9(t *testing.T) {
	cliEnv, procEnv := scaleOutSetup(t, "scaleout", 0.5)
	a, b := startDreWorker(t, procEnv), startDreWorker(t, procEnv)
	time.Sleep(2 * time.Second) // let both settle before the idle figure
	idleKB := b.rssKB(t)
	from, to := demoDays(70), demoDays(6)
	res := clitest.Run(t, cliEnv, "backfill", "start", "orders", "--from", from, "--to", to, "--concurrency", "16")
	if res.Code != 0 {
		t.Fatalf("backfill start: exit %d, stderr %q", res.Code, res.Stderr)
	}
	var doneAtKill int
	eventually(t, "8 partitions done", func() bool {
		s, err := backfillStatus(t)
		doneAtKill = s.Done
		return err == nil && s.Done >= 8
	})
	a.kill9(t)
	peakKB, scrapes, scrapeTime := idleKB, 0, time.Duration(0)
	for s, err := backfillStatus(t); err == nil && s.Status != workflows.BackfillDone; s, err = backfillStatus(t) {
		peakKB = max(peakKB, b.rssKB(t))
		_, took := b.scrape(t)
		scrapes, scrapeTime = scrapes+1, scrapeTime+took
		time.Sleep(250 * time.Millisecond)
	}
	report := waitBackfill(t)
	if report.Status != workflows.BackfillDone || report.Done != 64 || report.Failed != 0 {
		t.Fatalf("report after the kill: %s, %d done, %d failed; want done, 64 of 64", report.Status, report.Done, report.Failed)
	}
	conn := demoConnTo(t, procEnv["WAREHOUSE_DSN"])
	if mismatched, rows := ordersMismatch(t, conn, from, to); mismatched != 0 || rows == 0 || rows != report.Rows {
		t.Errorf("after the kill: %d rows differ from the source, %d rows in the table, %d reported; want none, and equal counts", mismatched, rows, report.Rows)
	}
	scrape, _ := b.scrape(t)
	if done := metricValue(scrape, "dre_backfill_partitions_total", `outcome="done"`); done <= 0 || done > 64 {
		t.Errorf("the surviving worker counts %v partitions done; want some, and never more than the 64 there are", done)
	}
	t.Logf("figures: worker RSS idle %d KiB, peak %d KiB during a concurrency-16 backfill (killed the other worker at %d/64 done); mean /metrics scrape %s over %d scrapes",
		idleKB, peakKB, doneAtKill, scrapeTime/time.Duration(max(scrapes, 1)), scrapes)
}

// TestSIGTERMDrainsInFlightActivities stops a worker with SIGTERM while
// it rewrites partitions: it must finish them within its stop timeout and
// exit cleanly, and no activity may run a second attempt because of it.
func TestSIGTERMDrainsInFlightActivities(t *testing.T) {
	cliEnv, procEnv := scaleOutSetup(t, "drain", 1)
	first := startDreWorker(t, procEnv, "--stop-timeout", "90s", "--log-format", "json")
	from, to := demoDays(14), demoDays(6)
	if res := clitest.Run(t, cliEnv, "backfill", "start", "orders", "--from", from, "--to", to, "--concurrency", "2"); res.Code != 0 {
		t.Fatalf("backfill start: exit %d, stderr %q", res.Code, res.Stderr)
	}
	eventually(t, "partitions in flight", func() bool { s, err := backfillStatus(t); return err == nil && s.Running > 0 })
	first.terminate(t)
	if logs := first.logs.String(); !strings.Contains(logs, `"msg":"worker stopped"`) {
		t.Errorf("the worker logged no clean stop:\n%s", logs)
	}
	startDreWorker(t, procEnv)
	report := waitBackfill(t)
	if report.Status != workflows.BackfillDone || report.Done != 8 {
		t.Fatalf("report: %s, %d done; want done, 8 of 8", report.Status, report.Done)
	}
	iter := env.Client.GetWorkflowHistory(context.Background(), workflows.BackfillWorkflowID("orders"), "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	started := 0
	for iter.HasNext() {
		ev, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		if a := ev.GetActivityTaskStartedEventAttributes(); a != nil {
			started++
			if a.GetAttempt() > 1 {
				t.Errorf("activity of event %d ran attempt %d: the shutdown cut it short", a.GetScheduledEventId(), a.GetAttempt())
			}
		}
	}
	if started == 0 {
		t.Error("the history shows no activity; the test proves nothing")
	}
}
