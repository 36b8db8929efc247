package bench

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/protobuf/proto"

	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/internal/devserver"
	"github.com/dre-dev/dre/internal/localpg/localpgtest"
	"github.com/dre-dev/dre/internal/slosync"
	"github.com/dre-dev/dre/internal/warehouse"
	"github.com/dre-dev/dre/internal/warehouse/postgres"
	"github.com/dre-dev/dre/internal/worker"
	"github.com/dre-dev/dre/tests/harness"
	"github.com/dre-dev/dre/workflows"
)

// sloDesign is one way to evaluate the datasets: the design before
// workflows.SLORoundChangeID, a round of one activity per dataset, or
// batches of datasets (slo.batch), a round of one activity per batch.
type sloDesign string

const (
	sloPerStep sloDesign = "per-step"
	sloOne     sloDesign = "one"
	sloBatched sloDesign = "batch"
)

// roundActivity is the activity each round of a design runs once.
func (d sloDesign) roundActivity() string {
	switch d {
	case sloPerStep:
		return "SLOIncidentOpen"
	case sloBatched:
		return "EvaluateSLOBatch"
	}
	return "EvaluateSLORound"
}

// sloEvaluator is one evaluator workflow and how many datasets each of
// its rounds evaluates.
type sloEvaluator struct {
	id       string
	datasets int
}

// sloFigures is what one design cost in steady state.
type sloFigures struct {
	rounds          int     // whole rounds in the measured window, for the actions
	started         int     // rounds started in the window, for the CPU and growth
	actionsPerRound float64 // billed Temporal actions per dataset per round
	actions         harness.Actions
	historyKB       float64 // history event bytes per round, in KiB
	cores           float64 // CPU time of this process (server and worker) per second
	heapMB          float64 // live heap added by the design's server and worker
	rssMB           float64 // resident set at the end of the window
	dbMiBPerMin     float64 // growth of the server's SQLite files
	startSeconds    float64 // signal-with-start of every evaluator, as dre slo schedule sync does
	cpuMsPerRound   float64 // cores and dbMiBPerMin divided by the rounds run
	dbKiBPerRound   float64
}

// sloPhase runs the datasets' evaluators of one design on a Temporal
// server of its own (a SQLite file, so that its growth can be read) and a
// state database of its own, waits for every evaluator's second round,
// then measures for sz.measure. Rounds are counted per dataset: a batch
// round of 50 datasets is 50.
func sloPhase(b *testing.B, sz sloBenchSize, whDSN string, design sloDesign) sloFigures {
	ctx := context.Background()
	heap0 := sloHeapMB()
	dbPath := filepath.Join(b.TempDir(), "temporal.db")
	opts := devserver.EphemeralOptions()
	opts.DBPath, opts.SearchAttributes = dbPath, workflows.SearchAttributes()
	srv, err := devserver.Start(ctx, opts)
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = srv.Stop() }()
	c, err := srv.NewClient(client.Options{Logger: harness.QuietLogger()})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	queue := "slo-bench"
	w := sloBenchWorker(b, c, queue, whDSN, design == sloPerStep)
	defer w.Stop()

	var f sloFigures
	t0 := time.Now()
	evaluators := sloStart(b, c, queue, sz, design)
	f.startSeconds = time.Since(t0).Seconds()
	sloWaitRounds(b, c, evaluators, design, 2*time.Minute+3*sz.interval)

	size0, ru0, from := sloDBSize(b, dbPath), sloCPU(), time.Now()
	<-time.After(sz.measure)
	size1, ru1, to := sloDBSize(b, dbPath), sloCPU(), time.Now()
	f.heapMB, f.rssMB = sloHeapMB()-heap0, sloRSSMB()
	f.cores = (ru1 - ru0).Seconds() / to.Sub(from).Seconds()
	f.dbMiBPerMin = float64(size1-size0) / (1 << 20) / to.Sub(from).Minutes()
	sloCountWindow(b, c, evaluators, from, to, design, &f)
	f.cpuMsPerRound = float64((ru1 - ru0).Milliseconds()) / float64(f.started)
	f.dbKiBPerRound = float64(size1-size0) / 1024 / float64(f.started)
	return f
}

// sloStart starts the evaluators of a design as dre slo schedule sync
// would: one per dataset, or one per batch of sz.batch datasets.
func sloStart(b *testing.B, c client.Client, queue string, sz sloBenchSize, design sloDesign) []sloEvaluator {
	ctx := context.Background()
	datasets := sloBenchDatasets(sz.datasets, sz.interval)
	var out []sloEvaluator
	if design != sloBatched {
		for _, ds := range datasets {
			if _, err := workflows.StartSLOEval(ctx, c, queue, workflows.SLOEvalInput{Dataset: ds}); err != nil {
				b.Fatal(err)
			}
			out = append(out, sloEvaluator{id: workflows.SLOEvalWorkflowID(ds.Name), datasets: 1})
		}
		return out
	}
	for _, batch := range slosync.NewPlan(datasets, sz.batch, nil).Batches {
		in := workflows.SLOBatchEvalInput{Batch: batch.Name, Datasets: batch.Datasets, Parallelism: config.DefaultSLOBatchParallelism}
		if _, err := workflows.StartSLOBatchEval(ctx, c, queue, in); err != nil {
			b.Fatal(err)
		}
		out = append(out, sloEvaluator{id: workflows.SLOBatchWorkflowID(batch.Name), datasets: len(batch.Datasets)})
	}
	return out
}

// sloBenchWorker registers the worker as production does. The design
// before workflows.SLORoundChangeID is chosen as a worker of that time
// would: by recording the default version for that change.
func sloBenchWorker(b *testing.B, c client.Client, queue, whDSN string, perStep bool) sdkworker.Worker {
	opts := sdkworker.Options{}
	if perStep {
		opts.PreferredVersionProvider = func(in sdkworker.PreferredVersionProviderInput) *sdkworker.VersionPreference {
			if in.ChangeID == workflows.SLORoundChangeID {
				return &sdkworker.VersionPreference{Version: workflow.DefaultVersion}
			}
			return nil
		}
	}
	registry := warehouse.NewRegistry(map[string]warehouse.Opener{
		"bench": func(ctx context.Context) (warehouse.Conn, error) { return postgres.Open(ctx, whDSN) },
	})
	b.Cleanup(registry.Close)
	w := sdkworker.New(c, queue, opts)
	worker.Register(w, worker.Deps{Warehouses: registry, StateDSN: localpgtest.NewDatabase(b, env.PG), SLOTriage: worker.SLOTriage(c, queue)})
	if err := w.Start(); err != nil {
		b.Fatal(err)
	}
	return w
}

// sloWaitRounds waits until every evaluator has completed a round: it
// reads histories, which involves no worker (a query would take a
// workflow task slot from the evaluations being measured).
func sloWaitRounds(b *testing.B, c client.Client, evaluators []sloEvaluator, design sloDesign, limit time.Duration) {
	deadline := time.Now().Add(limit)
	for _, ev := range evaluators {
		for {
			events, err := harness.History(context.Background(), c, ev.id, "")
			if err == nil && harness.CountActions(events).ByActivity[design.roundActivity()] > 0 {
				break
			}
			if time.Now().After(deadline) {
				b.Fatalf("%s has run no round after %s (%v); its history ends %s", ev.id, limit, err, sloHistoryTail(c, ev.id))
			}
			<-time.After(200 * time.Millisecond)
		}
	}
}

// sloCountWindow counts, from every evaluator's history, the actions of
// its whole rounds in [from, to): the events after the window's first
// timer up to its last one, so that each round counted is a complete
// cycle of round and wait, however long a slow round took. A round
// counts once per dataset it evaluated.
func sloCountWindow(b *testing.B, c client.Client, evaluators []sloEvaluator, from, to time.Time, design sloDesign, f *sloFigures) {
	var bytes int
	for _, ev := range evaluators {
		events, err := harness.History(context.Background(), c, ev.id, "")
		if err != nil {
			b.Fatal(err)
		}
		f.started += ev.datasets * sloRoundsStarted(events, from, to, design.roundActivity())
		cycles := sloWholeRounds(events, from, to)
		for _, e := range cycles {
			bytes += proto.Size(e)
		}
		a := harness.CountActions(cycles)
		f.actions = f.actions.Add(a)
		f.rounds += ev.datasets * a.ByActivity[design.roundActivity()]
	}
	if f.rounds == 0 {
		b.Fatal("no whole round ran in the measured window; make DRE_BENCH_SLO_SECONDS at least two intervals")
	}
	f.actionsPerRound = float64(f.actions.Total()) / float64(f.rounds)
	f.historyKB = float64(bytes) / 1024 / float64(f.rounds)
}

// sloRoundsStarted counts the rounds whose activity was scheduled in
// [from, to).
func sloRoundsStarted(events []*historypb.HistoryEvent, from, to time.Time, activity string) int {
	n := 0
	for _, e := range events {
		at := e.GetEventTime().AsTime()
		if e.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName() == activity && !at.Before(from) && at.Before(to) {
			n++
		}
	}
	return n
}

// sloWholeRounds is the events after the first timer started in [from,
// to) up to and including the last one.
func sloWholeRounds(events []*historypb.HistoryEvent, from, to time.Time) []*historypb.HistoryEvent {
	first, last := -1, -1
	for i, e := range events {
		at := e.GetEventTime().AsTime()
		if e.GetEventType() != enums.EVENT_TYPE_TIMER_STARTED || at.Before(from) || !at.Before(to) {
			continue
		}
		if first < 0 {
			first = i
		}
		last = i
	}
	if first < 0 {
		return nil
	}
	return events[first+1 : last+1]
}

// sloCPU is the process's user and system CPU time so far.
func sloCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// sloHeapMB is the live heap after a collection.
func sloHeapMB() float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc) / (1 << 20)
}

// sloRSSMB is the process's resident set (Linux), 0 when unreadable.
func sloRSSMB() float64 {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	var size, resident int64
	if _, err := fmt.Sscan(string(data), &size, &resident); err != nil {
		return 0
	}
	return float64(resident*int64(os.Getpagesize())) / (1 << 20)
}

// sloDBSize is the space the server's SQLite database uses: its pages
// less the free ones, read through a connection of its own (which sees
// the write-ahead log), so that neither the log's high-water mark nor the
// pages Temporal freed after completing its tasks count as growth.
func sloDBSize(b *testing.B, path string) int64 {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		b.Fatalf("opening the Temporal database %s: %v", path, err)
	}
	defer db.Close()
	var pages, free, size int64
	for _, p := range []struct {
		pragma string
		into   *int64
	}{{"page_count", &pages}, {"freelist_count", &free}, {"page_size", &size}} {
		if err := db.QueryRow("PRAGMA " + p.pragma).Scan(p.into); err != nil {
			b.Fatalf("reading the size of the Temporal database %s: %v", path, err)
		}
	}
	return (pages - free) * size
}

// sloHistoryTail names the last events of an evaluator's history, to tell
// a stuck evaluator from a slow machine.
func sloHistoryTail(c client.Client, id string) string {
	events, err := harness.History(context.Background(), c, id, "")
	if err != nil {
		return err.Error()
	}
	var tail []string
	for _, e := range events[max(0, len(events)-8):] {
		tail = append(tail, e.GetEventType().String()+" "+e.GetEventTime().AsTime().Format(time.TimeOnly))
	}
	return strings.Join(tail, ", ")
}
