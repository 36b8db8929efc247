package bench

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/localpg/localpgtest"
)

// The issue's measure is 1,000 datasets with two SLOs each at a 1-minute
// interval: about 16.7 rounds a second. The default is lighter (50
// datasets every 20 s, 2.5 rounds a second), so that both designs run in
// about two minutes on a small shared machine and keep up (a round that
// starts late has no timer before it, which would flatter the per-step
// design); the figures per round do
// not depend on the rate, and the benchmark also scales them to the
// issue's. DRE_BENCH_SLO_DATASETS=1000 DRE_BENCH_SLO_INTERVAL=1m runs the
// issue's size.
const sloIssueRoundsPerSecond = 1000.0 / 60

// sloBenchSize is the number of datasets, their interval, how long each
// design is measured once warm, the batch size of the batched design and
// the designs to run.
type sloBenchSize struct {
	datasets int
	interval time.Duration
	measure  time.Duration
	batch    int
	designs  []sloDesign
}

// sloBenchSizeFromEnv reads DRE_BENCH_SLO_DATASETS (default 50),
// DRE_BENCH_SLO_INTERVAL (default 20s), DRE_BENCH_SLO_SECONDS, the
// measured window (default 40, and at least two intervals),
// DRE_BENCH_SLO_BATCH, the datasets per batch (default 50, as
// slo.batch.size), and DRE_BENCH_SLO_DESIGNS, a comma-separated subset of
// per-step,one,batch (default all three).
func sloBenchSizeFromEnv(b *testing.B) sloBenchSize {
	sz := sloBenchSize{datasets: sloBenchEnvInt(b, "DRE_BENCH_SLO_DATASETS", 50), interval: 20 * time.Second,
		batch: sloBenchEnvInt(b, "DRE_BENCH_SLO_BATCH", 50), designs: []sloDesign{sloPerStep, sloOne, sloBatched}}
	if s := os.Getenv("DRE_BENCH_SLO_DESIGNS"); s != "" {
		sz.designs = nil
		for _, d := range strings.Split(s, ",") {
			if d := sloDesign(strings.TrimSpace(d)); d == sloPerStep || d == sloOne || d == sloBatched {
				sz.designs = append(sz.designs, d)
				continue
			}
			b.Fatalf("DRE_BENCH_SLO_DESIGNS=%q: want a comma-separated subset of per-step,one,batch", s)
		}
	}
	if s := os.Getenv("DRE_BENCH_SLO_INTERVAL"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d < time.Second {
			b.Fatalf("DRE_BENCH_SLO_INTERVAL=%q: want a duration of at least 1s, like 20s or 1m", s)
		}
		sz.interval = d
	}
	sz.measure = max(time.Duration(sloBenchEnvInt(b, "DRE_BENCH_SLO_SECONDS", 40))*time.Second, 2*sz.interval)
	return sz
}

func sloBenchEnvInt(b *testing.B, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		b.Fatalf("%s=%q: want a positive whole number", name, s)
	}
	return n
}

// sloBenchWarehouse creates the table every dataset reads: loaded two
// hours ago (well within the threshold, also for the reconstructed past),
// with rows in yesterday's partition, so that no SLO burns and the rounds
// measure steady evaluation, not alerting.
func sloBenchWarehouse(b *testing.B) string {
	dsn := localpgtest.NewDatabase(b, env.PG)
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(context.Background(), `CREATE TABLE public.events (day date, loaded_at timestamptz);
		INSERT INTO public.events SELECT (now() AT TIME ZONE 'UTC')::date - g, now() - interval '2 hours' FROM generate_series(0, 2) g, generate_series(1, 100)`)
	if err != nil {
		b.Fatal(err)
	}
	return dsn
}

// sloBenchDatasets are n datasets with a freshness and a volume SLO each,
// at the given interval over a window of ten intervals (the bootstrap of
// the first round stays small).
func sloBenchDatasets(n int, interval time.Duration) []catalog.Dataset {
	every, window := catalog.Duration{Duration: interval}, catalog.Duration{Duration: 10 * interval}
	out := make([]catalog.Dataset, n)
	for i := range out {
		out[i] = catalog.Dataset{
			Name: fmt.Sprintf("slo_bench_%04d", i), Warehouse: "bench", Table: "public.events", FreshnessColumn: "loaded_at",
			Partition: &catalog.Partition{Column: "day", Granularity: catalog.Day}, Owner: catalog.Owner{Team: "bench"},
			SLOs: []catalog.SLO{
				{Name: "fresh", Kind: catalog.Freshness, Threshold: catalog.Duration{Duration: 24 * time.Hour}, Objective: 0.99, Window: window, Interval: every},
				{Name: "volume", Kind: catalog.Volume, MinRows: 1, Objective: 0.99, Window: window, Interval: every},
			},
		}
	}
	return out
}

// BenchmarkSLOEvaluation runs the SLO evaluators of the same datasets in
// each design, one after the other, each on a Temporal server (a SQLite
// file) and a state database of its own: "per-step" is the design before
// workflows.SLORoundChangeID (an incident check, a measure and a record
// activity per SLO, an upsert every round), "one" the round of one
// activity per dataset, "batch" the evaluators of slo.batch (one
// workflow and one activity a round per DRE_BENCH_SLO_BATCH datasets).
// For each it reports the billed Temporal actions per dataset per round
// (counted from the histories of the measured window) and the history
// written per dataset-round; the CPU time of this process (server and
// worker) and the growth of the server's database, per dataset-round and
// per minute; the heap the design added; and the ratios between designs.
//
//	go test -run '^$' -bench SLOEvaluation -benchtime 1x ./tests/bench/
//	DRE_BENCH_SLO_DATASETS=1000 DRE_BENCH_SLO_INTERVAL=1m go test -run '^$' -bench SLOEvaluation -benchtime 1x -timeout 30m ./tests/bench/
//	DRE_BENCH_SLO_DATASETS=200 DRE_BENCH_SLO_DESIGNS=one,batch go test -run '^$' -bench SLOEvaluation -benchtime 1x ./tests/bench/
func BenchmarkSLOEvaluation(b *testing.B) {
	sz := sloBenchSizeFromEnv(b)
	wh := sloBenchWarehouse(b)
	figures := map[sloDesign]sloFigures{}
	for b.Loop() {
		for _, d := range sz.designs {
			figures[d] = sloPhase(b, sz, wh, d)
		}
	}
	for _, d := range sz.designs {
		sloReport(b, string(d), figures[d])
	}
	for _, r := range [][2]sloDesign{{sloPerStep, sloOne}, {sloOne, sloBatched}, {sloPerStep, sloBatched}} {
		num, okNum := figures[r[0]]
		den, okDen := figures[r[1]]
		if !okNum || !okDen {
			continue
		}
		prefix := string(r[0]) + "/" + string(r[1]) + "-"
		if r == [2]sloDesign{sloPerStep, sloOne} {
			prefix = "" // the names these ratios had before the batched design
		}
		b.ReportMetric(num.actionsPerRound/den.actionsPerRound, prefix+"actions-ratio")
		b.ReportMetric(num.cpuMsPerRound/den.cpuMsPerRound, prefix+"cpu-ratio")
		b.ReportMetric(num.dbKiBPerRound/max(den.dbKiBPerRound, 1e-9), prefix+"db-ratio")
		b.ReportMetric(num.historyKB/den.historyKB, prefix+"history-ratio")
	}
	b.ReportMetric(float64(sz.datasets), "datasets")
}

// sloReport logs and reports one design's figures.
func sloReport(b *testing.B, name string, f sloFigures) {
	b.Logf("%-8s %d whole dataset-rounds, %.2f actions/round %+v, history %.1f KiB/round; measured: %.2f cores, heap +%.0f MB, rss %.0f MB, db %.2f MiB/min, start %.1fs; "+
		"per dataset-round (%d started) %.1f ms CPU and %.1f KiB of database, so at 1,000 datasets a minute %.2f cores and %.1f MiB/min",
		name, f.rounds, f.actionsPerRound, f.actions, f.historyKB, f.cores, f.heapMB, f.rssMB, f.dbMiBPerMin, f.startSeconds,
		f.started, f.cpuMsPerRound, f.dbKiBPerRound, f.cpuMsPerRound/1000*sloIssueRoundsPerSecond, f.dbKiBPerRound*1000/1024)
	b.ReportMetric(f.actionsPerRound, name+"-actions/round")
	b.ReportMetric(f.historyKB, name+"-history-KiB/round")
	b.ReportMetric(f.cpuMsPerRound, name+"-cpu-ms/round")
	b.ReportMetric(f.dbKiBPerRound, name+"-db-KiB/round")
	b.ReportMetric(f.cores, name+"-cores")
	b.ReportMetric(f.heapMB, name+"-heap-MB")
	b.ReportMetric(f.dbMiBPerMin, name+"-db-MiB/min")
}
