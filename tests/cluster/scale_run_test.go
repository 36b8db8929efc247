package cluster

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/client"

	"github.com/dre-dev/dre/internal/cli"
	"github.com/dre-dev/dre/internal/cli/clitest"
	"github.com/dre-dev/dre/internal/localpg"
	"github.com/dre-dev/dre/internal/localpg/localpgtest"
	"github.com/dre-dev/dre/tests/demoenv"
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
func startScaleEnv(t *testing.T, sz scaleSize) *scaleEnv {
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
func (e *scaleEnv) sync(t *testing.T, n int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	t0 := time.Now()
	code := cli.Main(t.Context(), cli.Options{
		Args: []string{"slo", "schedule", "sync"}, Stdout: &stdout, Stderr: &stderr, Stdin: strings.NewReader(""),
		Env: func(k string) (string, bool) { v, ok := e.cliEnv[k]; return v, ok },
	})
	e.setup.SyncSeconds = time.Since(t0).Seconds()
	if lines := strings.Count(stdout.String(), "\n"); code != 0 || lines != n {
		t.Fatalf("dre slo schedule sync: exit %d, %d evaluators started, want %d; stderr %q", code, lines, n, stderr.String())
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

// measure runs the window: the evaluators' steady load, the backfills
// started at its beginning, a visibility probe throughout and a sample of
// the machine each minute; then it reads every history.
func (e *scaleEnv) measure(t *testing.T, sz scaleSize) *scaleFiguresOut {
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
	probeCtx, stopProbe := context.WithCancel(ctx)
	var lat scaleLatencies
	var probing sync.WaitGroup
	probing.Go(func() { lat.probe(probeCtx, e.c) })
	backfills := e.startBackfills(t, sz)

	tick := time.NewTicker(time.Minute)
	for range sz.Minutes {
		<-tick.C
		s, err := scaleSampleNow(ctx, conn, pids)
		if err != nil {
			t.Fatal(err)
		}
		samples = append(samples, s)
	}
	tick.Stop()
	stopProbe()
	probing.Wait()
	from, to := first.At, samples[len(samples)-1].At
	f.Backfill = backfills.wait(t)
	f.addSamples(samples, pids)
	f.addLatencies(&lat)
	for i, w := range e.workers {
		rss, err := scalePeakRSSMiB(w.cmd.Process.Pid)
		if err != nil {
			t.Fatal(err)
		}
		f.Processes[fmt.Sprintf("dre-worker-%d", i+1)].PeakRSSMiB = rss
	}
	h, err := scaleReadHistories(ctx, e.c, from, to)
	if err != nil {
		t.Fatal(err)
	}
	f.addHistories(t, h, sz)
	return f
}

// scaleBackfillRuns are the backfills started for the window.
type scaleBackfillRuns struct {
	c        client.Client
	datasets []string
	started  time.Time
}

// startBackfills starts sz.Backfills backfills of datasets spread over
// the catalog, each rewriting sz.BackfillDays partitions of a month ago,
// four at a time (the CLI's default).
func (e *scaleEnv) startBackfills(t *testing.T, sz scaleSize) *scaleBackfillRuns {
	t.Helper()
	r := &scaleBackfillRuns{c: e.c, started: time.Now()}
	from, to := demoenv.Day(5+sz.BackfillDays), demoenv.Day(5)
	for i := range sz.Backfills {
		name, _ := scaleDataset(i * sz.Datasets / max(sz.Backfills, 1))
		if res := clitest.Run(t, e.cliEnv, "backfill", "start", name, "--from", from, "--to", to); res.Code != 0 {
			t.Fatalf("backfill start %s: exit %d, stderr %q", name, res.Code, res.Stderr)
		}
		r.datasets = append(r.datasets, name)
	}
	return r
}

// scaleBackfillFigures is the backfills' throughput under the SLO load.
type scaleBackfillFigures struct {
	Backfills        int     `json:"backfills"`
	Partitions       int     `json:"partitions"`
	Rows             int64   `json:"rows"`
	Seconds          float64 `json:"seconds"` // from the first start to the last end
	PartitionsPerSec float64 `json:"partitions_per_sec"`
	RowsPerSec       float64 `json:"rows_per_sec"`
}

// wait waits for every backfill's report; each must be done, with every
// partition written.
func (r *scaleBackfillRuns) wait(t *testing.T) scaleBackfillFigures {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Minute)
	defer cancel()
	var f scaleBackfillFigures
	var last time.Time
	for _, name := range r.datasets {
		var report workflows.BackfillReport
		if err := r.c.GetWorkflow(ctx, workflows.BackfillWorkflowID(name), "").Get(ctx, &report); err != nil {
			t.Fatalf("backfill of %s: %v", name, err)
		}
		if report.Status != workflows.BackfillDone || report.Failed != 0 {
			t.Errorf("backfill of %s: %s, %d done, %d failed; want done without failures", name, report.Status, report.Done, report.Failed)
		}
		d, err := r.c.DescribeWorkflowExecution(ctx, workflows.BackfillWorkflowID(name), "")
		if err != nil {
			t.Fatal(err)
		}
		if end := d.GetWorkflowExecutionInfo().GetCloseTime().AsTime(); end.After(last) {
			last = end
		}
		f.Backfills++
		f.Partitions += report.Done
		f.Rows += report.Rows
	}
	if f.Backfills > 0 {
		f.Seconds = last.Sub(r.started).Seconds()
		f.PartitionsPerSec = float64(f.Partitions) / f.Seconds
		f.RowsPerSec = float64(f.Rows) / f.Seconds
	}
	return f
}
