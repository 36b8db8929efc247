package cluster

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/dre-dev/dre/internal/cli"
	"github.com/dre-dev/dre/internal/localpg"
	"github.com/dre-dev/dre/internal/localpg/localpgtest"
	"github.com/dre-dev/dre/tests/harness"
	"github.com/dre-dev/dre/workflows"
)

// scaleWorkers is how many `dre worker` processes share the load.
const scaleWorkers = 2

// scaleEnv is the cluster, the warehouse and the workers of a scale run.
type scaleEnv struct {
	pg      *localpg.Cluster
	tc      *temporalCluster
	c       client.Client
	cliEnv  map[string]string
	workers []*process
	setup   scaleSetup
}

// scaleSetup is how long each step of getting to steady state took.
type scaleSetup struct {
	WarehouseSeconds  float64 `json:"warehouse_seconds"`
	SyncSeconds       float64 `json:"sync_seconds"`
	FirstRoundSeconds float64 `json:"first_round_seconds"`
}

// startScaleEnv starts PostgreSQL (with room for the four services' pools
// and the workers'), the Temporal cluster, the generated warehouse and two
// workers, syncs every evaluator and waits for each one's first round.
func startScaleEnv(t testing.TB, sz scaleSize) *scaleEnv {
	t.Helper()
	e := &scaleEnv{pg: localpgtest.StartWith(t, map[string]string{"max_connections": "300", "shared_buffers": "256MB"})}
	e.tc = startTemporalCluster(t, e.pg)
	t0 := time.Now()
	wh := scaleWarehouse(t, e.pg, sz.Datasets)
	e.setup.WarehouseSeconds = time.Since(t0).Seconds()
	if err := e.pg.CreateDatabase(t.Context(), "dre_state"); err != nil {
		t.Fatal(err)
	}
	e.cliEnv = map[string]string{
		"DRE_CONFIG": scaleConfig(t, sz.Datasets), "TEMPORAL_ADDRESS": e.tc.Frontend,
		"DRE_TASK_QUEUE": "dre-scale", "DRE_STATE_DSN": e.pg.DSN("dre_state"),
	}
	adminSetup(t, e.cliEnv)
	for range scaleWorkers {
		e.workers = append(e.workers, startDreWorker(t, e.cliEnv, wh))
	}
	c, err := client.Dial(client.Options{HostPort: e.tc.Frontend, Logger: quiet{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	e.c = c
	e.sync(t, sz.Datasets)
	return e
}

// sync runs `dre slo schedule sync` (its thousand lines of output are
// counted, not logged) and waits until every evaluator has run a round.
func (e *scaleEnv) sync(t testing.TB, n int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	t0 := time.Now()
	code := cli.Main(t.Context(), cli.Options{
		Args: []string{"slo", "schedule", "sync"}, Stdout: &stdout, Stderr: &stderr, Stdin: strings.NewReader(""),
		Env: func(k string) (string, bool) { v, ok := e.cliEnv[k]; return v, ok },
	})
	e.setup.SyncSeconds = time.Since(t0).Seconds()
	// The demo's own orders and events have SLOs too, every 10 minutes
	// and every hour; they run, and the figures leave them out.
	if started := strings.Count("\n"+stdout.String(), "\nscale_"); code != 0 || started != n {
		t.Fatalf("dre slo schedule sync: exit %d, %d generated evaluators started, want %d; stderr %q", code, started, n, stderr.String())
	}
	t1 := time.Now()
	for i := range n {
		name, _ := scaleDataset(i)
		eventually(t, name+" has run its first round", 10*time.Minute, func() bool {
			events, err := harness.History(t.Context(), e.c, workflows.SLOEvalWorkflowID(name), "")
			return err == nil && harness.CountActions(events).ByActivity[scaleRoundActivity] > 0
		})
	}
	e.setup.FirstRoundSeconds = time.Since(t1).Seconds()
	e.requireHealthy(t)
}

// requireHealthy fails the run when a generated evaluator is not at
// level ok after its first round: the run measures steady evaluation,
// and a burning SLO would add triages and hold its dataset's backfill.
func (e *scaleEnv) requireHealthy(t testing.TB) {
	t.Helper()
	query := workflows.KindQuery(workflows.KindSLOEval) + ` AND DreStatus != "` + workflows.SLOStatusOK + `" AND DreDataset STARTS_WITH "scale_"`
	var resp *workflowservice.ListWorkflowExecutionsResponse
	eventually(t, "the visibility store has the evaluators' status", time.Minute, func() bool {
		var err error
		resp, err = e.c.ListWorkflow(t.Context(), &workflowservice.ListWorkflowExecutionsRequest{Query: query, PageSize: 1})
		return err == nil
	})
	if len(resp.GetExecutions()) == 0 {
		return
	}
	id := resp.GetExecutions()[0].GetExecution().GetWorkflowId()
	v, err := e.c.QueryWorkflow(t.Context(), id, "", workflows.StatusQuery)
	var st workflows.SLOEvalStatus
	if err == nil {
		err = v.Get(&st)
	}
	detail, _ := json.Marshal(st)
	t.Fatalf("%s is not ok after its first round (%v): %.3000s", id, err, detail)
}

// pids names the processes whose CPU the run reads: the workers and the
// Temporal services.
func (e *scaleEnv) pids() map[string]int {
	out := map[string]int{}
	for i, w := range e.workers {
		out[fmt.Sprintf("dre-worker-%d", i+1)] = w.cmd.Process.Pid
	}
	for _, svc := range services {
		out["temporal-"+svc] = e.tc.procs[svc].cmd.Process.Pid
	}
	return out
}

// scaleQuietMinutes open the window with the evaluators alone, so that
// the CPU and the database growth of steady evaluation can be told apart
// from those of the backfills, which run for the sz.Minutes after them.
const scaleQuietMinutes = 2

// measure runs the window: the evaluators' steady load, alone and then
// with backfills kept running, a visibility probe throughout and a sample
// of the machine each minute; then it reads every history.
func (e *scaleEnv) measure(t testing.TB, sz scaleSize) *scaleFiguresOut {
	t.Helper()
	ctx := t.Context()
	conn, err := pgx.Connect(ctx, e.pg.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	pids := e.pids()
	f := &scaleFiguresOut{Size: sz, Setup: e.setup, CPUs: runtime.NumCPU()}
	first, err := scaleSampleNow(ctx, conn, pids)
	if err != nil {
		t.Fatal(err)
	}
	samples := []scaleSample{first}
	window, endWindow := context.WithCancel(ctx)
	var lat scaleLatencies
	var probing sync.WaitGroup
	probing.Go(func() { lat.probe(window, e.c) })
	var backfills *scaleBackfillLoad

	tick := time.NewTicker(time.Minute)
	for minute := range scaleQuietMinutes + sz.Minutes {
		if minute == scaleQuietMinutes {
			backfills = startBackfillLoad(window, e.c, e.cliEnv, sz)
		}
		<-tick.C
		s, err := scaleSampleNow(ctx, conn, pids)
		if err != nil {
			t.Fatal(err)
		}
		samples = append(samples, s)
	}
	tick.Stop()
	endWindow()
	probing.Wait()
	from, to := first.At, samples[len(samples)-1].At
	f.addSamples(samples, pids, scaleQuietMinutes)
	f.addLatencies(&lat)
	for name, pid := range pids {
		rss, err := scalePeakRSSMiB(pid)
		if err != nil {
			t.Fatal(err)
		}
		f.Processes[name].PeakRSSMiB = rss
	}
	var failed []string
	f.Backfill, failed = backfills.wait()
	for _, err := range failed {
		t.Error(err)
	}
	h, err := scaleReadHistories(ctx, e.c, from, to)
	if err != nil {
		t.Fatal(err)
	}
	f.addHistories(t, h, sz)
	return f
}
