package cluster

import (
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// The scale run's size. Only TestClusterScale reads these, and only with
// -scale; BenchmarkClusterScale passes them on.
var (
	scaleRun        = flag.Bool("scale", false, "run TestClusterScale, the opt-in measurement at a team's size (make bench-cluster)")
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

func scaleSizeFromFlags(t *testing.T) scaleSize {
	t.Helper()
	sz := scaleSize{Datasets: *scaleDatasets, Minutes: *scaleMinutes, Backfills: *scaleBackfills, BackfillDays: *scaleBackfillDs}
	if sz.Datasets < 1 || sz.Minutes < 2 || sz.Backfills < 0 || sz.Backfills > sz.Datasets || sz.BackfillDays < 1 || sz.BackfillDays > 80 {
		t.Fatalf("scale size %+v: want at least 1 dataset, 2 minutes, at most one backfill per dataset and 1 to 80 days (the demo holds 90)", sz)
	}
	return sz
}

// TestClusterScale measures dre at a team's size on the four-process
// Temporal cluster: generated datasets whose SLO evaluators run every
// minute on two `dre worker` processes, alone for two minutes, then with
// -scale-backfills backfills kept running for -scale-minutes. It prints the figures (worker CPU and memory, billed
// actions per dataset per day by workflow type, history growth and
// continue-as-new, visibility latency, backfill throughput, persistence
// growth) and fails only when the work itself fails: a backfill that
// does not finish cleanly or an evaluator that runs no round.
//
// It is opt-in and skips without -scale: the one skip of this kind in
// the package, for a quarter-hour measurement, not a check (make test
// must not run it). Run it with make bench-cluster, or
//
//	go test -count=1 -v -timeout 60m -run TestClusterScale ./tests/cluster/ -args -scale -scale-datasets 50 -scale-minutes 2
func TestClusterScale(t *testing.T) {
	if !*scaleRun {
		t.Skip("opt-in measurement: pass -scale (make bench-cluster)")
	}
	sz := scaleSizeFromFlags(t)
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
}

// BenchmarkClusterScale runs TestClusterScale once, in a child test
// process (the cluster helpers take a *testing.T), and reports its
// figures as benchmark metrics. The -scale-* flags after -args set the
// size:
//
//	go test -run '^$' -bench ClusterScale -benchtime 1x -timeout 60m ./tests/cluster/ -args -scale-datasets 1000 -scale-minutes 10
func BenchmarkClusterScale(b *testing.B) {
	var f scaleFiguresOut
	for b.Loop() {
		f = scaleInChild(b)
	}
	f.report(b)
}

// scaleInChild runs TestClusterScale in this test binary with -scale and
// this process's size flags, its output on ours, and reads its figures.
func scaleInChild(b *testing.B) scaleFiguresOut {
	out := filepath.Join(b.TempDir(), "figures.json")
	cmd := exec.Command(os.Args[0], "-test.run=^TestClusterScale$", "-test.v", "-test.count=1", "-test.timeout=0",
		"-scale", "-scale-figures="+out,
		"-scale-datasets="+strconv.Itoa(*scaleDatasets), "-scale-minutes="+strconv.Itoa(*scaleMinutes),
		"-scale-backfills="+strconv.Itoa(*scaleBackfills), "-scale-backfill-days="+strconv.Itoa(*scaleBackfillDs))
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		b.Fatalf("the scale run failed after %s: %v", time.Since(start).Round(time.Second), err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		b.Fatalf("the scale run wrote no figures: %v", err)
	}
	var f scaleFiguresOut
	if err := json.Unmarshal(data, &f); err != nil {
		b.Fatalf("the scale run's figures: %v", err)
	}
	return f
}
