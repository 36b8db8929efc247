package e2e

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/api/workflowservice/v1"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/cli/clitest"
	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/internal/slo"
	"github.com/dre-dev/dre/internal/warehouse"
	"github.com/dre-dev/dre/internal/warehouse/postgres"
	"github.com/dre-dev/dre/internal/worker"
	"github.com/dre-dev/dre/tests/harness"
	"github.com/dre-dev/dre/workflows"
)

// sloE2E is the warehouse, state database and worker of the SLO test, on
// a task queue of its own so that the demo worker (which has no state
// database) never takes its activities.
type sloE2E struct {
	warehouse *pgx.Conn
	state     *pgx.Conn
	queue     string
	cli       map[string]string // the CLI's environment
	dataset   catalog.Dataset
}

// sloConfig is the test's dre.yaml: one dataset whose freshness SLO is
// measured every second.
const sloConfig = `warehouses:
  slowh:
    postgres:
      dsn: {env: SLO_E2E_DSN}
datasets:
  - name: slo_orders
    warehouse: slowh
    table: public.orders
    freshness_column: loaded_at
    partition: {column: loaded_at, granularity: day}
    owner: {team: t, slack_channel: "#slo-e2e"}
    slos:
      - {name: fresh, kind: freshness, threshold: 1h, objective: 0.99, window: 1h, interval: 1s}
`

func sloSetup(t *testing.T) sloE2E {
	t.Helper()
	ctx := context.Background()
	for _, db := range []string{"slo_warehouse", "slo_state"} {
		if err := env.PG.CreateDatabase(ctx, db); err != nil {
			t.Fatal(err)
		}
	}
	whDSN := env.PG.DSN("slo_warehouse")
	e := sloE2E{warehouse: sloConnect(t, whDSN), state: sloConnect(t, env.PG.DSN("slo_state")), queue: env.TaskQueue + "-slo"}
	sloExec(t, e.warehouse, "CREATE TABLE public.orders (id int, loaded_at timestamptz); INSERT INTO public.orders VALUES (1, now() - interval '2 hours')")
	registry := warehouse.NewRegistry(map[string]warehouse.Opener{
		"slowh": func(ctx context.Context) (warehouse.Conn, error) { return postgres.Open(ctx, whDSN) },
	})
	t.Cleanup(registry.Close)
	w := sdkworker.New(env.Client, e.queue, sdkworker.Options{})
	worker.Register(w, worker.Deps{Warehouses: registry, StateDSN: env.PG.DSN("slo_state"), SLOTriage: worker.SLOTriage(env.Client, e.queue),
		Policy: harness.UnsignedPolicy(nil)})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	path := filepath.Join(t.TempDir(), "dre.yaml")
	if err := os.WriteFile(path, []byte(sloConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	e.cli = map[string]string{"DRE_CONFIG": path, "SLO_E2E_DSN": whDSN, "TEMPORAL_ADDRESS": env.Server.FrontendAddress(), "DRE_TASK_QUEUE": e.queue,
		"DRE_STATE_DSN": env.PG.DSN("slo_state")}
	cfg, err := config.Load(path, func(k string) (string, bool) { v, ok := e.cli[k]; return v, ok }, config.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if e.dataset, err = cfg.Catalog.Lookup("slo_orders"); err != nil {
		t.Fatal(err)
	}
	return e
}

func sloConnect(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}

func sloExec(t *testing.T, c *pgx.Conn, sql string) {
	t.Helper()
	if _, err := c.Exec(context.Background(), sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// TestSLOStaleDatasetOpensOneTriageAndRecoveryStopsTheAlerts runs the
// evaluator every second with the workbook's rules shrunk to seconds
// (14.4× over 3s and 1s), so that a stale table pages on its first bad
// reading and recovery clears the page on its first good one.
func TestSLOStaleDatasetOpensOneTriageAndRecoveryStopsTheAlerts(t *testing.T) {
	e := sloSetup(t)
	ctx := context.Background()
	ds := e.dataset
	rules := []slo.Rule{{Level: slo.Page, Long: 3 * time.Second, Short: time.Second, Factor: 14.4}}
	if _, err := workflows.StartSLOEval(ctx, env.Client, e.queue, workflows.SLOEvalInput{Dataset: ds, Rules: rules}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		recordHistory(t, workflows.SLOEvalWorkflowID(ds.Name), "slo-eval-one-activity-rounds.json")
		_ = env.Client.TerminateWorkflow(ctx, workflows.SLOEvalWorkflowID(ds.Name), "", "test over")
		_ = env.Client.TerminateWorkflow(ctx, workflows.TriageWorkflowID(ds.Name), "", "test over")
	})

	paged := sloWaitFor(t, ds.Name, "the stale table to page", func(st workflows.SLOEvalStatus) bool { return st.Pages > 0 })
	sloBootstrappedOnFirstSync(t, e, paged)
	// Several more stale rounds, all at page level, must not open or report again.
	st := sloWaitFor(t, ds.Name, "three more stale rounds", func(st workflows.SLOEvalStatus) bool { return st.Rounds >= paged.Rounds+3 })
	if st.Pages != 1 || st.SLOs[0].Level != slo.Page || !st.Frozen {
		t.Fatalf("while stale: pages %d, level %s, frozen %v; want one page, level page, a frozen (exhausted) budget", st.Pages, st.SLOs[0].Level, st.Frozen)
	}
	sloCountTriage(t, ds.Name, 1)

	sloExec(t, e.warehouse, "UPDATE public.orders SET loaded_at = now()")
	recovered := sloWaitFor(t, ds.Name, "recovery", func(st workflows.SLOEvalStatus) bool { return st.SLOs[0].Level == slo.None })
	st = sloWaitFor(t, ds.Name, "three fresh rounds", func(st workflows.SLOEvalStatus) bool { return st.Rounds >= recovered.Rounds+3 })
	if st.Pages != 1 || st.SLOs[0].Level != slo.None {
		t.Errorf("after recovery: pages %d, level %s; want still one page and no alert", st.Pages, st.SLOs[0].Level)
	}
	sloCountTriage(t, ds.Name, 1)
	sloRoundsCostOneActivityAndOneTimer(t, ds.Name)
	sloCLI(t, e)
	sloHistoryAndSLACLI(t, e)

	// Readings taken while the triage was open are marked, so that no
	// baseline learns from them; the first bad one came before it opened.
	var marked, unmarked int
	err := e.state.QueryRow(ctx, `SELECT count(*) FILTER (WHERE incident), count(*) FILTER (WHERE NOT incident)
		FROM slo_observations WHERE dataset = $1`, ds.Name).Scan(&marked, &unmarked)
	if err != nil {
		t.Fatal(err)
	}
	if marked < 6 || unmarked < 1 {
		t.Errorf("observations: %d marked as incident, %d not; want the ones after the page marked and the first one not", marked, unmarked)
	}
}

// sloCLI runs the slo commands against the running evaluator, and checks
// that the spent budget holds risky work on the dataset.
func sloCLI(t *testing.T, e sloE2E) {
	sloFreezeHoldsBackfills(t, e)
	sloFreezeHoldsAPlainClientsRunbook(t, e)
	res := clitest.Run(t, e.cli, "slo", "schedule", "sync")
	if res.Code != 0 || !strings.Contains(res.Stdout, "slo_orders: 1 SLO(s)") {
		t.Errorf("slo schedule sync: exit %d, stdout %q; want the running evaluator updated", res.Code, res.Stdout)
	}
	res = clitest.Run(t, e.cli, "slo", "status", "slo_orders")
	if res.Code != 0 || !strings.Contains(res.Stdout, "slo_orders: frozen") || !regexp.MustCompile(`fresh\s+freshness\s+99%\s+1h`).MatchString(res.Stdout) {
		t.Errorf("slo status: exit %d, stdout %q; want the frozen dataset and its SLO row", res.Code, res.Stdout)
	}
	res = clitest.Run(t, e.cli, "slo", "report", "--format", "csv")
	rows, err := csv.NewReader(strings.NewReader(res.Stdout)).ReadAll()
	if res.Code != 0 || err != nil || len(rows) != 2 || rows[1][0] != "slo_orders" || rows[1][10] != "ok" || rows[1][11] != "true" {
		t.Errorf("slo report --format csv: exit %d, rows %q (%v); want a header and one ok, frozen row", res.Code, rows, err)
	}
	out := filepath.Join(t.TempDir(), "burn.svg")
	res = clitest.Run(t, e.cli, "slo", "chart", "slo_orders", "--out", out)
	svg, err := os.ReadFile(out)
	if res.Code != 0 || err != nil || !strings.Contains(string(svg), "<polyline") {
		t.Errorf("slo chart: exit %d, %v; want an SVG with the budget line", res.Code, err)
	}
	// The chart covers the whole hour-long window, reconstructed readings included.
	points := 0
	if m := regexp.MustCompile(`points="([^"]*)"`).FindStringSubmatch(string(svg)); m != nil {
		points = len(strings.Fields(m[1]))
	}
	if points < 3599 {
		t.Errorf("slo chart: the budget line has %d points; want the whole window (3599 reconstructed and more)", points)
	}
	// Sync signalled the running evaluator: still exactly one.
	if n := sloCount(t, "WorkflowId = 'slo-eval/slo_orders'"); n != 1 {
		t.Errorf("%d slo-eval/slo_orders runs after sync, want 1", n)
	}
}

// sloWaitFor polls the evaluator's status until ok holds. The deadline
// only stops a hung test; nothing is asserted about how long it took.
func sloWaitFor(t *testing.T, dataset, what string, ok func(workflows.SLOEvalStatus) bool) workflows.SLOEvalStatus {
	t.Helper()
	var st workflows.SLOEvalStatus
	reached := pollUntil(2*time.Minute, 200*time.Millisecond, func() bool {
		v, err := env.Client.QueryWorkflow(context.Background(), workflows.SLOEvalWorkflowID(dataset), "", workflows.StatusQuery)
		if err != nil {
			return false // not started yet
		}
		if err := v.Get(&st); err != nil {
			t.Fatal(err)
		}
		return ok(st)
	})
	if !reached {
		t.Fatalf("gave up waiting for %s; last status %+v", what, st)
	}
	return st
}

// sloFreezeHoldsAPlainClientsBackfill: the guard is the workflow's own.
func sloFreezeHoldsAPlainClientsBackfill(t *testing.T, e sloE2E) {
	ctx := context.Background()
	in := workflows.BackfillInput{Dataset: e.dataset, From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC),
		Select: "SELECT * FROM public.orders WHERE loaded_at >= {{ .From }} AND loaded_at < {{ .To }}", Requester: "another-sdk"}
	run, err := workflows.StartBackfill(ctx, env.Client, e.queue, in)
	if err != nil {
		t.Fatal(err)
	}
	var st workflows.BackfillStatus
	held := pollUntil(30*time.Second, 200*time.Millisecond, func() bool {
		st = backfillState(t, run.GetID())
		return st.Status == workflows.BackfillAwaitingApproval
	})
	if !held || st.Done != 0 {
		t.Fatalf("a plain client's backfill of a frozen dataset: %+v; want it awaiting approval, nothing written", st)
	}
	if res := clitest.Run(t, e.cli, "backfill", "cancel", "slo_orders"); res.Code != 0 {
		t.Fatalf("backfill cancel: exit %d, %s", res.Code, res.Stderr)
	}
	var report workflows.BackfillReport
	if err := run.Get(ctx, &report); err != nil || report.Status != workflows.BackfillCancelled {
		t.Fatalf("cancelled held backfill ended %+v, %v; want cancelled", report.BackfillStatus, err)
	}
	recordHistory(t, run.GetID(), "backfill-held-by-slo-freeze-then-cancelled.json")
}

// sloCountTriage checks through Temporal visibility that exactly want
// triage runs of the dataset exist, all opened by the SLO. Visibility is
// eventually consistent, so it first waits for the first run to appear.
func sloCountTriage(t *testing.T, dataset string, want int64) {
	t.Helper()
	bySLO := fmt.Sprintf("WorkflowId = '%s' AND DreRequester = 'slo:fresh'", workflows.TriageWorkflowID(dataset))
	byDataset := fmt.Sprintf("DreKind = 'triage' AND DreDataset = '%s'", dataset)
	pollUntil(time.Minute, 100*time.Millisecond, func() bool { return sloCount(t, byDataset) > 0 })
	for _, q := range []string{byDataset, bySLO} {
		if got := sloCount(t, q); got != want {
			t.Errorf("visibility has %d runs for %q, want %d", got, q, want)
		}
	}
}

func sloCount(t *testing.T, query string) int64 {
	t.Helper()
	resp, err := env.Client.WorkflowService().CountWorkflowExecutions(context.Background(),
		&workflowservice.CountWorkflowExecutionsRequest{Namespace: env.Server.Namespace(), Query: query})
	if err != nil {
		t.Fatal(err)
	}
	return resp.GetCount()
}

// sloFreezeHoldsBackfills starts backfills of the frozen dataset, first
// through a plain Temporal client (as the Temporal UI, another SDK or a
// runbook step would, with nothing said about the freeze), then through
// the CLI: each must wait for an approval instead of writing, until it is
// cancelled.
func sloFreezeHoldsBackfills(t *testing.T, e sloE2E) {
	sloFreezeHoldsAPlainClientsBackfill(t, e)
	res := clitest.Run(t, e.cli, "backfill", "start", "slo_orders", "--from", "2026-01-01", "--to", "2026-01-02",
		"--select", "SELECT * FROM public.orders WHERE loaded_at >= {{ .From }} AND loaded_at < {{ .To }}")
	if res.Code != 0 || !strings.Contains(res.Stdout, "SLO error budget of slo_orders is exhausted") {
		t.Fatalf("backfill start on a frozen dataset: exit %d, stdout %q, stderr %q; want a held start", res.Code, res.Stdout, res.Stderr)
	}
	defer clitest.Run(t, e.cli, "backfill", "cancel", "slo_orders")
	held := pollUntil(30*time.Second, 200*time.Millisecond, func() bool {
		res = clitest.Run(t, e.cli, "backfill", "status", "slo_orders")
		return strings.Contains(res.Stdout, "awaiting-approval")
	})
	if !held {
		t.Fatalf("backfill status: %q; want it awaiting approval", res.Stdout)
	}
}

// sloBootstrappedOnFirstSync: the new evaluator reconstructed the past hour
// (3,599 one-second slots) before its first round, all stale, and stored
// them marked reconstructed.
func sloBootstrappedOnFirstSync(t *testing.T, e sloE2E, st workflows.SLOEvalStatus) {
	t.Helper()
	b := st.Bootstrap
	if b == nil || b.Request != "first-sync" || b.Error != "" || len(b.SLOs) != 1 || b.SLOs[0].Slots != 3599 || b.SLOs[0].Bad != 3599 {
		t.Fatalf("first-sync bootstrap %+v; want 3599 stale slots of fresh reconstructed", b)
	}
	var reconstructed int
	if err := e.state.QueryRow(context.Background(), `SELECT count(*) FROM slo_observations WHERE dataset = $1 AND reconstructed`, e.dataset.Name).Scan(&reconstructed); err != nil {
		t.Fatal(err)
	}
	if int64(reconstructed) > b.SLOs[0].Stored || b.SLOs[0].Stored < 3500 {
		t.Errorf("%d reconstructed readings in the state database, %d stored; want about 3599, fewer only where live readings replaced them", reconstructed, b.SLOs[0].Stored)
	}
}

// sloHistoryAndSLACLI runs backfill-history against the running evaluator
// and the month's SLA report, which must name the triage the page opened.
func sloHistoryAndSLACLI(t *testing.T, e sloE2E) {
	t.Helper()
	res := clitest.Run(t, e.cli, "slo", "backfill-history", "slo_orders", "--wait", "1m")
	if res.Code != 0 || !strings.Contains(res.Stdout, "request cli-") || !regexp.MustCompile(`(?m)^fresh\s+3599\s+\d+\s+\d+`).MatchString(res.Stdout) {
		t.Errorf("slo backfill-history: exit %d, stdout %q; want the evaluator's answer for fresh", res.Code, res.Stdout)
	}
	month := time.Now().UTC().Format("2006-01")
	res = clitest.Run(t, e.cli, "slo", "report", "--period", month, "-o", "csv")
	rows, err := csv.NewReader(strings.NewReader(res.Stdout)).ReadAll()
	if res.Code != 0 || err != nil || len(rows) != 2 || rows[1][1] != "fresh" || rows[1][5] != "no" || !strings.HasPrefix(rows[1][9], "triage/slo_orders@") {
		t.Errorf("slo report --period %s: exit %d, rows %q (%v); want fresh missed, with the triage run that consumed its budget", month, res.Code, rows, err)
	}
}

// sloRoundsCostOneActivityAndOneTimer counts the billed actions in the
// evaluator's history: each round is one activity and one timer, and the
// search attributes are upserted only when DreStatus changed (here ok to
// frozen, perhaps through page), not every round.
func sloRoundsCostOneActivityAndOneTimer(t *testing.T, dataset string) {
	t.Helper()
	events, err := harness.History(context.Background(), env.Client, workflows.SLOEvalWorkflowID(dataset), "")
	if err != nil {
		t.Fatal(err)
	}
	a := harness.CountActions(events)
	rounds := a.ByActivity["EvaluateSLORound"]
	perStep := a.ByActivity["MeasureSLI"] + a.ByActivity["RecordSLO"] + a.ByActivity["SLOIncidentOpen"]
	// Signals cancel a wait and start another timer; the page is one more activity, the bootstrap another.
	if rounds < 5 || perStep != 0 || a.Timers > rounds+a.Signals || a.Upserts > 2 || a.Activities > rounds+2 {
		t.Errorf("history of %d rounds: %+v; want one activity and at most one timer a round, no per-step activity, at most two upserts", rounds, a)
	}
}
