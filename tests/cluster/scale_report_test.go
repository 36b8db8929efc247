package cluster

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"testing"
	"text/tabwriter"

	"github.com/dre-dev/dre/workflows"
)

// scaleRoundsPerRun is the evaluator's continue-as-new bound
// (sloRoundsPerRun in workflows/slo.go, unexported there): the cadence
// when a window is too short to see one happen.
const scaleRoundsPerRun = 100

// scaleFiguresOut is everything a scale run measured, as printed,
// reported and (with -scale-figures) written as JSON.
type scaleFiguresOut struct {
	Size       scaleSize                 `json:"size"`
	Setup      scaleSetup                `json:"setup"`
	CPUs       int                       `json:"cpus"`
	LoadAvg    []string                  `json:"load_avg"` // at each sample, as uptime prints it
	Minutes    float64                   `json:"minutes"`  // the measured window
	Processes  map[string]*scaleProcess  `json:"processes"`
	Databases  map[string]*scaleDatabase `json:"databases"`
	Visibility scaleVisibility           `json:"visibility"`
	Backfill   scaleBackfillFigures      `json:"backfill"`
	Kinds      []scaleKindFigures        `json:"kinds"`
	SLO        scaleSLOFigures           `json:"slo"`
}

// scaleProcess is one process's CPU over the window, and a worker's peak
// resident set.
type scaleProcess struct {
	CPUSeconds  float64 `json:"cpu_seconds"`
	Cores       float64 `json:"cores"`
	QuietCores  float64 `json:"quiet_cores"`  // the evaluators alone
	LoadedCores float64 `json:"loaded_cores"` // with the backfills
	PeakRSSMiB  float64 `json:"peak_rss_mib,omitempty"`
}

// scaleDatabase is one database's size over the window.
type scaleDatabase struct {
	StartMiB        float64   `json:"start_mib"`
	EndMiB          float64   `json:"end_mib"`
	MiBPerMin       float64   `json:"mib_per_min"`
	QuietMiBPerMin  float64   `json:"quiet_mib_per_min"`
	LoadedMiBPerMin float64   `json:"loaded_mib_per_min"`
	PerMinute       []float64 `json:"per_minute"` // growth in each minute, MiB
}

// scaleVisibility is the latency of the probe's visibility queries.
type scaleVisibility struct {
	Query       string  `json:"query"`
	Queries     int     `json:"queries"`
	Errors      int     `json:"errors"`
	LastError   string  `json:"last_error,omitempty"`
	ListP50Ms   float64 `json:"list_p50_ms"`
	ListP99Ms   float64 `json:"list_p99_ms"`
	CountP50Ms  float64 `json:"count_p50_ms"`
	CountP99Ms  float64 `json:"count_p99_ms"`
	ListPageLen int     `json:"list_page_size"`
}

// scaleKindFigures is one workflow type's billed actions, per the unit
// that drives it: per dataset per day for the evaluators, per partition
// for the backfills.
type scaleKindFigures struct {
	scaleKindCost
	Unit    string             `json:"unit"`
	PerUnit float64            `json:"per_unit"`
	ByKind  map[string]float64 `json:"by_kind"` // starts, activities, timers, upserts, signals per unit
}

// scaleSLOFigures is the evaluators' steady state.
type scaleSLOFigures struct {
	RoundsMean       float64 `json:"rounds_per_dataset_mean"`
	RoundsMin        int     `json:"rounds_per_dataset_min"`
	ActionsPerRound  float64 `json:"actions_per_round"`
	ActionsPerDay    float64 `json:"actions_per_dataset_per_day"`
	EventsPerRound   float64 `json:"events_per_round"`
	KiBPerRound      float64 `json:"history_kib_per_round"`
	LatenessP50Ms    float64 `json:"round_lateness_p50_ms"`
	LatenessP99Ms    float64 `json:"round_lateness_p99_ms"`
	LargestRunEvents int     `json:"largest_run_events"`
	LargestRunKiB    float64 `json:"largest_run_kib"`
	ContinuedAsNew   int     `json:"continued_as_new"`
	RoundsPerRun     float64 `json:"rounds_per_run"` // observed, else the code's bound
	RunKiBAtCAN      float64 `json:"run_kib_at_continue_as_new"`
	CANPerDay        float64 `json:"continue_as_new_per_dataset_per_day"`
}

// addSamples turns the minute samples into CPU per process and growth
// per database: over the whole window, over its first quiet minutes (the
// evaluators alone) and over the rest (with the backfills).
func (f *scaleFiguresOut) addSamples(samples []scaleSample, pids map[string]int, quiet int) {
	first, split, last := samples[0], samples[quiet], samples[len(samples)-1]
	f.Minutes = last.At.Sub(first.At).Minutes()
	f.Processes = map[string]*scaleProcess{}
	perSec := func(name string, a, b scaleSample) float64 {
		return (b.CPU[name] - a.CPU[name]) / b.At.Sub(a.At).Seconds()
	}
	for name := range pids {
		f.Processes[name] = &scaleProcess{CPUSeconds: last.CPU[name] - first.CPU[name], Cores: perSec(name, first, last),
			QuietCores: perSec(name, first, split), LoadedCores: perSec(name, split, last)}
	}
	f.Databases = map[string]*scaleDatabase{}
	const mib = 1 << 20
	perMin := func(db string, a, b scaleSample) float64 {
		return float64(b.DBBytes[db]-a.DBBytes[db]) / mib / b.At.Sub(a.At).Minutes()
	}
	for _, db := range scaleDatabases {
		d := &scaleDatabase{StartMiB: float64(first.DBBytes[db]) / mib, EndMiB: float64(last.DBBytes[db]) / mib,
			MiBPerMin: perMin(db, first, last), QuietMiBPerMin: perMin(db, first, split), LoadedMiBPerMin: perMin(db, split, last)}
		for i := 1; i < len(samples); i++ {
			d.PerMinute = append(d.PerMinute, float64(samples[i].DBBytes[db]-samples[i-1].DBBytes[db])/mib)
		}
		f.Databases[db] = d
	}
	for _, s := range samples {
		f.LoadAvg = append(f.LoadAvg, s.LoadAvg)
	}
}

// addLatencies summarises the visibility probe.
func (f *scaleFiguresOut) addLatencies(l *scaleLatencies) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f.Visibility = scaleVisibility{Query: scaleListQuery, Queries: len(l.list), Errors: l.errors, ListPageLen: 100,
		ListP50Ms: scaleQuantileMs(l.list, 0.5), ListP99Ms: scaleQuantileMs(l.list, 0.99),
		CountP50Ms: scaleQuantileMs(l.count, 0.5), CountP99Ms: scaleQuantileMs(l.count, 0.99)}
	if l.lastErr != nil {
		f.Visibility.LastError = l.lastErr.Error()
	}
}

// addHistories derives the per-unit action counts and the evaluators'
// history growth; an evaluator without a round in the window fails the
// run.
func (f *scaleFiguresOut) addHistories(t testing.TB, h *scaleHistories, sz scaleSize) {
	t.Helper()
	for _, typ := range slices.Sorted(maps.Keys(h.ByType)) {
		k := h.ByType[typ]
		kf := scaleKindFigures{scaleKindCost: *k, Unit: "run", PerUnit: float64(k.Actions.Total()) / float64(k.Runs)}
		div := float64(k.Runs)
		switch typ {
		case workflows.SLOEvalWorkflowName:
			kf.Unit, div = "dataset·day", float64(sz.Datasets)*f.Minutes/(24*60)
		case workflows.BackfillWorkflowName:
			kf.Unit, div = "partition", float64(max(f.Backfill.Partitions, 1))
		}
		a := k.Actions
		kf.PerUnit = float64(a.Total()) / div
		kf.ByKind = map[string]float64{"starts": float64(a.Starts) / div, "activities": float64(a.Activities) / div,
			"timers": float64(a.Timers) / div, "upserts": float64(a.Upserts) / div, "signals": float64(a.Signals) / div}
		f.Kinds = append(f.Kinds, kf)
	}
	f.addEvaluators(t, h, sz)
}

// addEvaluators fills the SLO figures from the evaluators' histories.
func (f *scaleFiguresOut) addEvaluators(t testing.TB, h *scaleHistories, sz scaleSize) {
	t.Helper()
	s := &f.SLO
	total := 0
	s.RoundsMin = -1
	for i := range sz.Datasets {
		name, _ := scaleDataset(i)
		n := h.Rounds[workflows.SLOEvalWorkflowID(name)]
		if n == 0 {
			t.Errorf("evaluator of %s ran no round in the %.1f-minute window", name, f.Minutes)
		}
		total += n
		if s.RoundsMin < 0 || n < s.RoundsMin {
			s.RoundsMin = n
		}
	}
	s.RoundsMean = float64(total) / float64(sz.Datasets)
	if k := h.ByType[workflows.SLOEvalWorkflowName]; k != nil && total > 0 {
		s.ActionsPerRound = float64(k.Actions.Total()) / float64(total)
		s.ActionsPerDay = float64(k.Actions.Total()) / float64(sz.Datasets) / f.Minutes * 24 * 60
		s.EventsPerRound = float64(k.Events) / float64(total)
		s.KiBPerRound = float64(k.Bytes) / 1024 / float64(total)
	}
	s.LatenessP50Ms, s.LatenessP99Ms = scaleQuantileMs(h.Lateness, 0.5), scaleQuantileMs(h.Lateness, 0.99)
	s.LargestRunEvents, s.LargestRunKiB = h.RunEvents, float64(h.RunBytes)/1024
	s.ContinuedAsNew, s.RoundsPerRun = h.ContinuedAsNew, scaleRoundsPerRun
	if len(h.RoundsPerRun) > 0 {
		sum := 0
		for _, n := range h.RoundsPerRun {
			sum += n
		}
		s.RoundsPerRun = float64(sum) / float64(len(h.RoundsPerRun))
	}
	s.RunKiBAtCAN = s.RoundsPerRun * s.KiBPerRound
	s.CANPerDay = 24 * 60 / s.RoundsPerRun // one round a minute
}

// print writes the figures: tables for the processes, the workflow types
// and the databases, a line for each of the rest.
func (f *scaleFiguresOut) print(out io.Writer) {
	fmt.Fprintf(out, "\nscale run: %d datasets × 2 SLOs every minute on %d dre workers; %.1f min measured on %d CPUs, the first %d with the SLOs alone, then %d backfills of %d partitions kept running; load %s\n",
		f.Size.Datasets, scaleWorkers, f.Minutes, f.CPUs, scaleQuietMinutes, f.Size.Backfills, f.Size.BackfillDays, strings.Join(f.LoadAvg, " → "))
	fmt.Fprintf(out, "set-up: warehouse %.1f s, dre slo schedule sync %.1f s, first round of every evaluator %.1f s\n\n",
		f.Setup.WarehouseSeconds, f.Setup.SyncSeconds, f.Setup.FirstRoundSeconds)
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "process\tCPU s\tcores\tSLOs alone\twith backfills\tpeak RSS MiB\t")
	for _, name := range slices.Sorted(maps.Keys(f.Processes)) {
		p := f.Processes[name]
		fmt.Fprintf(w, "%s\t%.1f\t%.3f\t%.3f\t%.3f\t%.0f\t\n", name, p.CPUSeconds, p.Cores, p.QuietCores, p.LoadedCores, p.PeakRSSMiB)
	}
	fmt.Fprintln(w, "\t\t\t\t")
	fmt.Fprintln(w, "workflow type\truns\tactions\tper\tactions\tactivities\ttimers\tupserts\tsignals\tstarts\t")
	for _, k := range f.Kinds {
		fmt.Fprintf(w, "%s\t%d\t%d\t%s\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t\n", k.Type, k.Runs, k.Actions.Total(), k.Unit, k.PerUnit,
			k.ByKind["activities"], k.ByKind["timers"], k.ByKind["upserts"], k.ByKind["signals"], k.ByKind["starts"])
	}
	fmt.Fprintln(w, "\t\t\t\t")
	fmt.Fprintln(w, "database\tstart MiB\tend MiB\tMiB/min\tSLOs alone\twith backfills\tgrowth each minute\t")
	for _, db := range scaleDatabases {
		d := f.Databases[db]
		var per []string
		for _, m := range d.PerMinute {
			per = append(per, fmt.Sprintf("%.1f", m))
		}
		fmt.Fprintf(w, "%s\t%.1f\t%.1f\t%.2f\t%.2f\t%.2f\t%s\t\n", db, d.StartMiB, d.EndMiB, d.MiBPerMin, d.QuietMiBPerMin, d.LoadedMiBPerMin, strings.Join(per, " "))
	}
	_ = w.Flush()
	s := f.SLO
	fmt.Fprintf(out, "\nevaluators: %.2f rounds per dataset (min %d) in the window; %.2f actions per round, %.0f per dataset per day; %.1f events, %.2f KiB of history per round\n",
		s.RoundsMean, s.RoundsMin, s.ActionsPerRound, s.ActionsPerDay, s.EventsPerRound, s.KiBPerRound)
	fmt.Fprintf(out, "rounds start after their minute's slot by p50 %.0f ms, p99 %.0f ms; largest run %d events, %.1f KiB; %d continued as new in the window; %.0f rounds per run → %.0f KiB per run, %.1f continue-as-new per dataset per day\n",
		s.LatenessP50Ms, s.LatenessP99Ms, s.LargestRunEvents, s.LargestRunKiB, s.ContinuedAsNew, s.RoundsPerRun, s.RunKiBAtCAN, s.CANPerDay)
	v := f.Visibility
	fmt.Fprintf(out, "visibility, %s: %d probes, %d errors; first page of %d p50 %.1f ms, p99 %.1f ms; count p50 %.1f ms, p99 %.1f ms\n",
		v.Query, v.Queries, v.Errors, v.ListPageLen, v.ListP50Ms, v.ListP99Ms, v.CountP50Ms, v.CountP99Ms)
	b := f.Backfill
	fmt.Fprintf(out, "backfills: %d finished, %d partitions and %d rows in %.1f s: %.2f partitions/s, %.0f rows/s\n\n",
		b.Backfills, b.Partitions, b.Rows, b.Seconds, b.PartitionsPerSec, b.RowsPerSec)
}

// report hands the headline figures to the benchmark framework.
func (f *scaleFiguresOut) report(b *testing.B) {
	var quiet, loaded, rss float64
	for name, p := range f.Processes {
		if strings.HasPrefix(name, "dre-worker-") {
			quiet, loaded = quiet+p.QuietCores, loaded+p.LoadedCores
			rss = max(rss, p.PeakRSSMiB)
		}
	}
	b.ReportMetric(float64(f.Size.Datasets), "datasets")
	b.ReportMetric(quiet, "worker-cores-slo")
	b.ReportMetric(loaded, "worker-cores-with-backfills")
	b.ReportMetric(rss, "worker-peak-RSS-MiB")
	b.ReportMetric(f.SLO.ActionsPerDay, "slo-actions/dataset/day")
	b.ReportMetric(f.SLO.ActionsPerRound, "slo-actions/round")
	b.ReportMetric(f.SLO.KiBPerRound, "slo-history-KiB/round")
	b.ReportMetric(f.SLO.LatenessP99Ms, "round-lateness-p99-ms")
	b.ReportMetric(f.Visibility.ListP50Ms, "list-p50-ms")
	b.ReportMetric(f.Visibility.ListP99Ms, "list-p99-ms")
	b.ReportMetric(f.Backfill.PartitionsPerSec, "backfill-partitions/s")
	for _, k := range f.Kinds {
		if k.Type == workflows.BackfillWorkflowName {
			b.ReportMetric(k.PerUnit, "backfill-actions/partition")
		}
	}
	for _, db := range scaleDatabases {
		b.ReportMetric(f.Databases[db].QuietMiBPerMin, db+"-MiB/min-slo")
		b.ReportMetric(f.Databases[db].LoadedMiBPerMin, db+"-MiB/min-with-backfills")
	}
}
