package workflows

import (
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
)

// diagnosisOptions gives each check two minutes and a few attempts: a
// diagnosis that cannot reach the warehouse says so rather than hold up
// the incident.
func diagnosisOptions(ctx workflow.Context, check string) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 2 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumAttempts: 3},
		Summary:             "diagnose " + check,
	})
}

// diagnosisChecks maps each check to its activity.
func diagnosisChecks() []struct {
	name string
	run  any
} {
	var d *activities.Diagnosis
	return []struct {
		name string
		run  any
	}{
		{activities.CheckFreshness, d.DiagnoseFreshness},
		{activities.CheckVolume, d.DiagnoseVolume},
		{activities.CheckNulls, d.DiagnoseNulls},
		{activities.CheckSchema, d.DiagnoseSchema},
		{activities.CheckDuplicates, d.DiagnoseDuplicates},
	}
}

// startDiagnosis runs every check at once; each posts its finding to the
// thread as soon as it arrives, so the first answer does not wait for the
// slowest query.
func (t *triage) startDiagnosis(ctx workflow.Context) {
	in := diagnoseInput(t.in.Dataset, t.policy)
	for _, c := range diagnosisChecks() {
		workflow.Go(ctx, func(ctx workflow.Context) {
			var f activities.Finding
			err := workflow.ExecuteActivity(diagnosisOptions(ctx, c.name), c.run, in).Get(ctx, &f)
			if err != nil {
				f = activities.Finding{Check: c.name, Table: in.Table, Problem: true, Summary: "the check failed: " + err.Error(), At: workflow.Now(ctx)}
			}
			t.addFinding(ctx, f)
		})
	}
}

// addFinding records a finding and posts it to the thread.
func (t *triage) addFinding(ctx workflow.Context, f activities.Finding) {
	t.findings = append(t.findings, f)
	t.record(ctx, "finding", "dre", f.Check+": "+f.Summary)
	if !f.Skipped {
		t.post(ctx, findingIcon(f)+" *"+f.Check+"*: "+f.Summary)
	}
}

func findingIcon(f activities.Finding) string {
	if f.Problem {
		return ":warning:"
	}
	return ":white_check_mark:"
}

// diagnoseInput gathers what the checks need from the catalog entry.
func diagnoseInput(ds catalog.Dataset, p TriagePolicy) activities.DiagnoseInput {
	in := activities.DiagnoseInput{
		Warehouse: ds.Warehouse, Table: ds.Table, FreshnessColumn: ds.FreshnessColumn,
		MaxLag: freshnessThreshold(ds), BaselineDays: p.BaselineDays, MADFactor: p.MADFactor,
		UniqueKey: p.UniqueKey, MaxNullRates: map[string]float64{},
	}
	if ds.Partition != nil {
		in.PartitionColumn, in.Granularity = ds.Partition.Column, ds.Partition.Granularity
	}
	for _, slo := range ds.SLOs {
		switch slo.Kind {
		case catalog.Volume:
			in.MinRows, in.MaxRows = slo.MinRows, slo.MaxRows
		case catalog.Completeness:
			if slo.Column != "" {
				in.MaxNullRates[slo.Column] = slo.MaxNullRate
			}
		}
	}
	in.ExpectedColumns = expectedColumns(in, ds)
	return in
}

// expectedColumns lists every column the catalog names, once, sorted.
func expectedColumns(in activities.DiagnoseInput, ds catalog.Dataset) []string {
	cols := append([]string{in.FreshnessColumn, in.PartitionColumn}, in.UniqueKey...)
	cols = append(cols, workflow.DeterministicKeys(in.MaxNullRates)...)
	cols = append(cols, workflow.DeterministicKeys(ds.PII.Columns)...)
	cols = slices.DeleteFunc(cols, func(c string) bool { return c == "" })
	slices.Sort(cols)
	return slices.Compact(cols)
}
