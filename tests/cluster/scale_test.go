package cluster

import (
	"encoding/json"
	"flag"
	"os"
	"testing"
)

// The scale run's size; BenchmarkClusterScale reads these.
var (
	scaleDatasets   = flag.Int("scale-datasets", 1000, "generated datasets, each with a freshness and a volume SLO every minute")
	scaleMinutes    = flag.Int("scale-minutes", 10, "minutes measured with the backfills, after 2 with the SLO evaluators alone")
	scaleBackfills  = flag.Int("scale-backfills", 20, "backfills kept running together once the SLOs have run alone")
	scaleBackfillDs = flag.Int("scale-backfill-days", 30, "daily partitions each backfill rewrites")
	scaleFigures    = flag.String("scale-figures", "", "also write the figures as JSON to this file")
)

// scaleSize is the size of one scale run.
type scaleSize struct {
	Datasets, Minutes, Backfills, BackfillDays int
}

func scaleSizeFromFlags(t testing.TB) scaleSize {
	t.Helper()
	sz := scaleSize{Datasets: *scaleDatasets, Minutes: *scaleMinutes, Backfills: *scaleBackfills, BackfillDays: *scaleBackfillDs}
	if sz.Datasets < 1 || sz.Minutes < 2 || sz.Backfills < 0 || sz.Backfills > sz.Datasets || sz.BackfillDays < 1 || sz.BackfillDays > 80 {
		t.Fatalf("scale size %+v: want at least 1 dataset, 2 minutes, at most one backfill per dataset and 1 to 80 days (the demo holds 90)", sz)
	}
	return sz
}

// BenchmarkClusterScale measures dre at a team's size on the
// four-process Temporal cluster: generated datasets whose SLO evaluators
// run every minute on two `dre worker` processes, alone for two minutes,
// then with -scale-backfills backfills kept running for -scale-minutes.
// It prints the figures (worker CPU and memory, billed actions per
// dataset per day by workflow type, history growth and continue-as-new,
// visibility latency, backfill throughput, persistence growth), reports
// them as benchmark metrics, and fails only when the work itself fails:
// a backfill that does not finish cleanly or an evaluator that runs no
// round. Being a benchmark, it runs only when asked (make bench-cluster):
//
//	go test -run '^$' -bench ClusterScale -benchtime 1x -timeout 60m ./tests/cluster/ -args -scale-datasets 50 -scale-minutes 2
func BenchmarkClusterScale(b *testing.B) {
	sz := scaleSizeFromFlags(b)
	var f *scaleFiguresOut
	for b.Loop() {
		f = runScale(b, sz)
	}
	f.report(b)
}

// runScale runs one measurement of size sz and prints its figures.
func runScale(t testing.TB, sz scaleSize) *scaleFiguresOut {
	env := startScaleEnv(t, sz)
	f := env.measure(t, sz)
	f.print(os.Stdout)
	if *scaleFigures != "" {
		data, err := json.MarshalIndent(f, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(*scaleFigures, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return f
}
