package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/api/enums/v1"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/dre-dev/dre/internal/cli/clitest"
	"github.com/dre-dev/dre/internal/slo"
	"github.com/dre-dev/dre/internal/warehouse"
	"github.com/dre-dev/dre/internal/warehouse/postgres"
	"github.com/dre-dev/dre/internal/worker"
	"github.com/dre-dev/dre/tests/harness"
	"github.com/dre-dev/dre/workflows"
)

// sloBatchDatasets is the catalog of the batch test: three datasets on a
// table loaded every five minutes, and one on a table last loaded two
// hours ago, which breaches its freshness SLO (1h) from the start.
const sloBatchDatasets = `warehouses:
  bwh:
    postgres:
      dsn: {env: SLOBATCH_E2E_DSN}
datasets:
`

// sloBatchE2E is the test's state database and the CLI's environment,
// with DRE_CONFIG to switch between the two dre.yaml files.
type sloBatchE2E struct {
	state             *pgx.Conn
	cli               map[string]string
	perDataset, batch string // the dre.yaml files without and with slo.batch
}

func sloBatchSetup(t *testing.T) sloBatchE2E {
	t.Helper()
	ctx := context.Background()
	for _, db := range []string{"slobatch_warehouse", "slobatch_state"} {
		if err := env.PG.CreateDatabase(ctx, db); err != nil {
			t.Fatal(err)
		}
	}
	whDSN, stateDSN, queue := env.PG.DSN("slobatch_warehouse"), env.PG.DSN("slobatch_state"), env.TaskQueue+"-slobatch"
	wh := sloConnect(t, whDSN)
	sloExec(t, wh, `CREATE TABLE public.fresh_t (id int, loaded_at timestamptz);
		INSERT INTO public.fresh_t SELECT g, now() - g * interval '5 minutes' FROM generate_series(0, 36) g;
		CREATE TABLE public.stale_t (id int, loaded_at timestamptz);
		INSERT INTO public.stale_t VALUES (1, now() - interval '2 hours')`)
	registry := warehouse.NewRegistry(map[string]warehouse.Opener{
		"bwh": func(ctx context.Context) (warehouse.Conn, error) { return postgres.Open(ctx, whDSN) },
	})
	t.Cleanup(registry.Close)
	w := sdkworker.New(env.Client, queue, sdkworker.Options{})
	worker.Register(w, worker.Deps{Warehouses: registry, StateDSN: stateDSN, SLOTriage: worker.SLOTriage(env.Client, queue), Policy: harness.UnsignedPolicy(nil)})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	yaml := sloBatchDatasets
	for _, ds := range []string{"bt_a:fresh_t", "bt_b:fresh_t", "bt_c:fresh_t", "bt_d:stale_t"} {
		name, table, _ := strings.Cut(ds, ":")
		yaml += fmt.Sprintf(`  - name: %s
    warehouse: bwh
    table: public.%s
    freshness_column: loaded_at
    owner: {team: t}
    slos:
      - {name: fresh, kind: freshness, threshold: 1h, objective: 0.99, window: 1h, interval: 1s}
`, name, table)
	}
	e := sloBatchE2E{state: sloConnect(t, stateDSN), perDataset: filepath.Join(t.TempDir(), "dre.yaml"), batch: filepath.Join(t.TempDir(), "dre.yaml")}
	for path, body := range map[string]string{e.perDataset: yaml, e.batch: yaml + "slo:\n  batch: {size: 3, parallelism: 2}\n"} {
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	e.cli = map[string]string{"SLOBATCH_E2E_DSN": whDSN, "TEMPORAL_ADDRESS": env.Server.FrontendAddress(), "DRE_TASK_QUEUE": queue, "DRE_STATE_DSN": stateDSN}
	t.Cleanup(func() {
		for _, id := range []string{"slo-batch/1s-0000", "slo-batch/1s-0001", "slo-eval/bt_a", "slo-eval/bt_b", "slo-eval/bt_c", "slo-eval/bt_d", "triage/bt_d"} {
			_ = env.Client.TerminateWorkflow(ctx, id, "", "test over")
		}
	})
	return e
}

// sync runs dre slo schedule sync with one of the two dre.yaml files.
func (e sloBatchE2E) sync(t *testing.T, config string) string {
	t.Helper()
	e.cli["DRE_CONFIG"] = config
	res := clitest.Run(t, e.cli, "slo", "schedule", "sync")
	if res.Code != 0 {
		t.Fatalf("slo schedule sync: exit %d, stdout %q, stderr %q", res.Code, res.Stdout, res.Stderr)
	}
	return res.Stdout
}

// TestSLOBatchEvaluatesManyDatasetsPerWorkflowAndMovesBetweenModes syncs
// four datasets in batches of three, where one round of a batch is one
// activity and the stale dataset opens its triage; then syncs them to
// their own evaluators and back, each move carrying the dataset's state
// (so the page is not sent again) and leaving it evaluated exactly once.
func TestSLOBatchEvaluatesManyDatasetsPerWorkflowAndMovesBetweenModes(t *testing.T) {
	e := sloBatchSetup(t)
	out := e.sync(t, e.batch)
	for _, want := range []string{"slo-batch/1s-0000: 3 datasets", "slo-batch/1s-0001: 1 datasets"} {
		if !strings.Contains(out, want) {
			t.Fatalf("batch sync printed %q; want %q", out, want)
		}
	}
	d := sloBatchWaitFor(t, "bt_d", "the stale dataset to page", func(st workflows.SLOEvalStatus) bool { return st.Pages == 1 && st.Rounds >= 3 })
	if d.Status != workflows.SLOFrozen || d.SLOs[0].Level != slo.Page || d.Bootstrap == nil || d.Bootstrap.SLOs[0].Bad != 3599 {
		t.Errorf("bt_d in its batch: %+v; want paged and frozen after a bootstrap of 3599 stale slots", d)
	}
	a := sloBatchWaitFor(t, "bt_a", "three rounds of bt_a", func(st workflows.SLOEvalStatus) bool { return st.Rounds >= 3 })
	if a.Status != workflows.SLOStatusOK || a.SLOs[0].Error != "" || a.Pages != 0 {
		t.Errorf("bt_a in its batch: %+v; want ok", a)
	}
	sloCountTriage(t, "bt_d", 1)
	sloBatchReadingsOfEveryDataset(t, e)
	sloBatchRoundIsOneActivity(t, "slo-batch/1s-0000")
	res := clitest.Run(t, e.cli, "slo", "status", "bt_d")
	if res.Code != 0 || !strings.Contains(res.Stdout, "bt_d: frozen") {
		t.Errorf("slo status bt_d: exit %d, stdout %q; want the batch member's state", res.Code, res.Stdout)
	}
	sloBatchFreeze(t)

	// A second sync moves nothing.
	if out := e.sync(t, e.batch); strings.Contains(out, "moved") || strings.Contains(out, "stopped") || strings.Contains(out, "ended") {
		t.Errorf("second batch sync printed %q; want the same batches, nothing moved", out)
	}
	sloBatchRunning(t, 2, 0)

	// To one evaluator per dataset: the batches end, the states move.
	out = e.sync(t, e.perDataset)
	if !strings.Contains(out, "bt_d: 1 SLO(s) (moved from slo-batch/1s-0001)") || !strings.Contains(out, "slo-batch/1s-0000: ended") {
		t.Errorf("per-dataset sync printed %q; want bt_d moved from its batch and the batches ended", out)
	}
	sloBatchRunning(t, 0, 4)
	recordHistory(t, "slo-batch/1s-0001", "slo-batch-page-and-end.json")
	own := sloWaitFor(t, "bt_d", "bt_d's own rounds", func(st workflows.SLOEvalStatus) bool { return st.Rounds >= d.Rounds+2 })
	if own.Pages != 1 || own.SLOs[0].Level != slo.Page {
		t.Errorf("bt_d on its own: %+v; want the page carried over, not sent again", own)
	}

	// And back: the own evaluators stop once their batch holds them.
	out = e.sync(t, e.batch)
	if !strings.Contains(out, "slo-eval/bt_a: stopped, now in slo-batch/1s-0000") || !strings.Contains(out, "moved in with their state: bt_a, bt_b, bt_c") {
		t.Errorf("batch sync after per-dataset printed %q; want the own evaluators stopped and their state moved in", out)
	}
	sloBatchRunning(t, 2, 0)
	back := sloBatchWaitFor(t, "bt_d", "bt_d back in a batch", func(st workflows.SLOEvalStatus) bool { return st.Rounds >= own.Rounds+2 })
	if back.Pages != 1 {
		t.Errorf("bt_d back in its batch: %d pages; want still the one", back.Pages)
	}
	sloCountTriage(t, "bt_d", 1)
}

// sloBatchWaitFor polls the batch that holds the dataset until ok holds.
func sloBatchWaitFor(t *testing.T, dataset, what string, ok func(workflows.SLOEvalStatus) bool) workflows.SLOEvalStatus {
	t.Helper()
	var st workflows.SLOEvalStatus
	reached := pollUntil(2*time.Minute, 200*time.Millisecond, func() bool {
		for _, id := range []string{"slo-batch/1s-0000", "slo-batch/1s-0001"} {
			v, err := env.Client.QueryWorkflow(context.Background(), id, "", workflows.StatusQuery)
			var b workflows.SLOBatchStatus
			if err != nil || v.Get(&b) != nil {
				continue
			}
			if m, found := b.Member(dataset); found {
				st = m
				return ok(st)
			}
		}
		return false
	})
	if !reached {
		t.Fatalf("gave up waiting for %s; last status %+v", what, st)
	}
	return st
}

// sloBatchRunning waits until visibility shows the numbers of running
// batch and per-dataset evaluators of the test, and no more.
func sloBatchRunning(t *testing.T, batches, own int64) {
	t.Helper()
	qb := "DreKind = 'slo-batch' AND ExecutionStatus = 'Running' AND WorkflowId STARTS_WITH 'slo-batch/1s-'"
	qo := "DreKind = 'slo-eval' AND ExecutionStatus = 'Running' AND WorkflowId STARTS_WITH 'slo-eval/bt_'"
	if !pollUntil(time.Minute, 200*time.Millisecond, func() bool { return sloCount(t, qb) == batches && sloCount(t, qo) == own }) {
		t.Fatalf("running: %d batches, %d own evaluators; want %d and %d", sloCount(t, qb), sloCount(t, qo), batches, own)
	}
}

// sloBatchReadingsOfEveryDataset: each dataset has live readings in the
// state database, one per slot.
func sloBatchReadingsOfEveryDataset(t *testing.T, e sloBatchE2E) {
	t.Helper()
	rows, err := e.state.Query(context.Background(), `SELECT dataset, count(*), count(DISTINCT at) FROM slo_observations
		WHERE NOT reconstructed GROUP BY dataset ORDER BY dataset`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var ds string
		var n, slots int
		if err := rows.Scan(&ds, &n, &slots); err != nil {
			t.Fatal(err)
		}
		if n < 3 || n != slots {
			t.Errorf("%s: %d live readings over %d slots; want at least three, one per slot", ds, n, slots)
		}
		got = append(got, ds)
	}
	if strings.Join(got, " ") != "bt_a bt_b bt_c bt_d" {
		t.Errorf("live readings for %v; want every dataset of the batches", got)
	}
}

// sloBatchRoundIsOneActivity counts the actions in a batch's history:
// one activity a round for all its datasets and no per-dataset activity.
func sloBatchRoundIsOneActivity(t *testing.T, id string) {
	t.Helper()
	events, err := harness.History(context.Background(), env.Client, id, "")
	if err != nil {
		t.Fatal(err)
	}
	a := harness.CountActions(events)
	rounds := a.ByActivity["EvaluateSLOBatch"]
	if rounds < 3 || a.Activities != rounds || a.Upserts > 1 {
		t.Errorf("history of %s: %+v; want only one EvaluateSLOBatch a round, at most one upsert (no member breached)", id, a)
	}
	for _, e := range events {
		if e.GetEventType() == enums.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED && e.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName() != "EvaluateSLOBatch" {
			t.Errorf("%s scheduled %s", id, e.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName())
		}
	}
}

// sloBatchFreeze: the freeze check that holds backfills and runbooks
// finds the frozen member of a batch, and only it.
func sloBatchFreeze(t *testing.T) {
	t.Helper()
	freeze := worker.SLOFreeze(env.Client)
	frozen := pollUntil(time.Minute, 200*time.Millisecond, func() bool {
		f, err := freeze.Frozen(context.Background(), "bt_d")
		return err == nil && f
	})
	if !frozen {
		t.Error("the freeze check does not see bt_d's spent budget in its batch")
	}
	if f, err := freeze.Frozen(context.Background(), "bt_a"); err != nil || f {
		t.Errorf("freeze of bt_a: %v, %v; want not frozen", f, err)
	}
}
