package workflows

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/slo"
)

// sloBatchDatasets are sloDataset under the given names.
func sloBatchDatasets(names ...string) []catalog.Dataset {
	var out []catalog.Dataset
	for _, n := range names {
		ds := sloDataset()
		ds.Name = n
		out = append(out, ds)
	}
	return out
}

// sloBatchRun is a batch evaluator in the test environment with
// EvaluateSLOBatch mocked: orders_b's warehouse never answers, orders_c
// is stale in slots 10 to 14, the others are fresh. It records each
// round's datasets, the breaches reported and the DreStatus upserts.
type sloBatchRun struct {
	env      *testsuite.TestWorkflowEnvironment
	rounds   [][]string
	breaches []activities.SLOBreach
	cmds     *sloCommands
}

func newSLOBatchRun(t *testing.T) *sloBatchRun {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	r := &sloBatchRun{env: s.NewTestWorkflowEnvironment()}
	r.env.SetStartTime(sloStart)
	if err := r.env.SetTypedSearchAttributesOnStart(temporal.NewSearchAttributes(KindKey.ValueSet(KindSLOBatch), StatusKey.ValueSet(SLOStatusOK))); err != nil {
		t.Fatal(err)
	}
	stored := map[string][]slo.Observation{}
	var a *activities.SLOs
	r.env.OnActivity(a.EvaluateSLOBatch, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.SLOBatchInput) (activities.SLOBatchResult, error) {
		var res activities.SLOBatchResult
		var names []string
		for _, it := range in.Items {
			names = append(names, it.Dataset.Name)
			res.Items = append(res.Items, sloBatchItem(it, stored))
		}
		r.rounds = append(r.rounds, names)
		return res, nil
	})
	r.env.OnActivity(a.ReportSLOBreach, mock.Anything, mock.Anything).Return(func(_ context.Context, b activities.SLOBreach) error {
		r.breaches = append(r.breaches, b)
		return nil
	}).Maybe()
	r.cmds = sloCount(r.env)
	return r
}

// sloBatchItem is the mocked round of one member.
func sloBatchItem(it activities.SLOBatchItem, stored map[string][]slo.Observation) activities.SLOBatchItemResult {
	r := activities.SLOBatchItemResult{Dataset: it.Dataset.Name}
	if it.Bootstrap != "" {
		r.Bootstrap = []activities.SLOHistory{{SLO: "fresh", Slots: 8063, Stored: 8063}}
	}
	for _, due := range it.SLOs {
		k := int(due.At.Sub(sloStart) / (5 * time.Minute))
		m := activities.Measurement{Good: 1, Total: 1, Detail: "fresh"}
		switch {
		case it.Dataset.Name == "orders_b":
			r.Readings = append(r.Readings, activities.SLOReading{SLO: due.Name, Error: "measuring: warehouse down"})
			continue
		case it.Dataset.Name == "orders_c" && k >= 10 && k < 15:
			m = activities.Measurement{Good: 0, Total: 1, Detail: "stale"}
		}
		obs := append(stored[it.Dataset.Name], slo.Observation{At: due.At, Good: m.Good, Total: m.Total})
		stored[it.Dataset.Name] = obs
		r.Readings = append(r.Readings, activities.SLOReading{SLO: due.Name, Measurement: m, Evaluation: slo.Evaluate(obs, due.Objective, due.Rules, due.At)})
	}
	return r
}

// status asks the run for its status.
func (r *sloBatchRun) status(t *testing.T) SLOBatchStatus {
	t.Helper()
	v, err := r.env.QueryWorkflow(StatusQuery)
	if err != nil {
		t.Fatal(err)
	}
	var st SLOBatchStatus
	if err := v.Get(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestSLOBatchEvalRoundIsOneActivityAndIsolatesAFailingDataset(t *testing.T) {
	r := newSLOBatchRun(t)
	r.env.ExecuteWorkflow(SLOBatchEval, SLOBatchEvalInput{Batch: "5m-0000", Datasets: sloBatchDatasets("orders_a", "orders_b", "orders_c")})
	var can *workflow.ContinueAsNewError
	if err := r.env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("SLOBatchEval ended with %v, want a continue-as-new after %d rounds", err, sloRoundsPerRun)
	}
	rounds := sloRoundsPerRun + 1
	if got := r.cmds.activities; got["EvaluateSLOBatch"] != rounds || got["ReportSLOBreach"] != 1 || len(got) != 2 {
		t.Errorf("activities %v; want one batch activity a round (%d) and the one page", got, rounds)
	}
	if r.cmds.timers != rounds-1 {
		t.Errorf("%d timers; want one between rounds (%d)", r.cmds.timers, rounds-1)
	}
	if !slices.Equal(r.cmds.upserts, []string{SLOFrozen}) {
		t.Errorf("DreStatus upserted %q; want once, when orders_c's budget was spent", r.cmds.upserts)
	}
	if len(r.breaches) != 1 || r.breaches[0].Dataset.Name != "orders_c" || !r.breaches[0].At.Equal(sloStart.Add(50*time.Minute)) {
		t.Errorf("breaches %+v; want orders_c's page at slot 10", r.breaches)
	}
	st := r.status(t)
	if st.Batch != "5m-0000" || st.Status != SLOFrozen || st.Rounds != rounds || len(st.Datasets) != 3 {
		t.Fatalf("status %+v; want the batch frozen after %d rounds with its three members", st, rounds)
	}
	a, _ := st.Member("orders_a")
	b, _ := st.Member("orders_b")
	c, _ := st.Member("orders_c")
	if a.Status != SLOStatusOK || a.Rounds != rounds || a.SLOs[0].Error != "" || a.Bootstrap == nil || a.Bootstrap.Request != sloFirstSync {
		t.Errorf("orders_a %+v; want ok, every round evaluated, bootstrapped on the first", a)
	}
	if b.Status != SLOStatusOK || b.SLOs[0].Error != "measuring: warehouse down" || b.Pages != 0 {
		t.Errorf("orders_b %+v; want its failure shown on its SLO, nothing else", b)
	}
	if c.Status != SLOFrozen || c.Pages != 1 || c.SLOs[0].Level != slo.None || len(c.SLOs[0].History) != 0 {
		t.Errorf("orders_c %+v; want frozen, paged once, recovered, no chart history kept", c)
	}
}

func TestSLOBatchEvalAdoptsMembershipsAndEndsWhenEmptied(t *testing.T) {
	r := newSLOBatchRun(t)
	handed := SLOEvalStatus{Dataset: "orders_d", Pages: 7, SLOs: []SLOState{{Name: "fresh", Level: slo.Ticket, NextAt: sloStart.Add(time.Hour)}}}
	r.env.RegisterDelayedCallback(func() {
		r.env.SignalWorkflow(SLOBatchCatalogSignal, SLOBatchCatalog{Datasets: sloBatchDatasets("orders_c", "orders_d"), Handover: []SLOEvalStatus{handed}})
	}, 12*time.Minute)
	r.env.RegisterDelayedCallback(func() {
		st := r.status(t)
		d, ok := st.Member("orders_d")
		if _, stays := st.Member("orders_a"); stays || !ok || d.Pages != 7 || d.SLOs[0].Level != slo.Ticket || d.BootstrapPending != "" {
			t.Errorf("after the new membership: %+v; want orders_a gone, orders_d with the state handed over (no bootstrap)", st)
		}
		r.env.SignalWorkflow(SLOBatchCatalogSignal, SLOBatchCatalog{})
	}, 32*time.Minute)
	r.env.ExecuteWorkflow(SLOBatchEval, SLOBatchEvalInput{Batch: "5m-0000", Datasets: sloBatchDatasets("orders_a", "orders_b")})
	if err := r.env.GetWorkflowError(); err != nil {
		t.Fatalf("an emptied batch ended with %v, want it completed", err)
	}
	// Rounds at 0, 5 and 10 minutes with a and b; the membership came at
	// 12, when the new c was due at once; d was handed over due at 60, so
	// the rounds at 12 and 15 to 30 hold only c.
	c := []string{"orders_c"}
	want := [][]string{{"orders_a", "orders_b"}, {"orders_a", "orders_b"}, {"orders_a", "orders_b"}, c, c, c, c, c}
	if !slices.EqualFunc(r.rounds, want, slices.Equal) {
		t.Errorf("rounds %v; want %v", r.rounds, want)
	}
	if _, err := r.env.QueryWorkflow(StatusQuery); err != nil {
		t.Fatal(err)
	}
}

func TestSLOBatchEvalRefusesABadBatch(t *testing.T) {
	bad := sloBatchDatasets("orders_a", "orders_a")
	for _, in := range []SLOBatchEvalInput{{Batch: "5m-0000"}, {Datasets: sloBatchDatasets("orders_a")}, {Batch: "5m-0000", Datasets: bad}} {
		var s testsuite.WorkflowTestSuite
		env := s.NewTestWorkflowEnvironment()
		env.ExecuteWorkflow(SLOBatchEval, in)
		var appErr *temporal.ApplicationError
		if err := env.GetWorkflowError(); !errors.As(err, &appErr) || appErr.Type() != ErrInvalidInput {
			t.Errorf("SLOBatchEval(%d datasets, batch %q) error = %v, want %s", len(in.Datasets), in.Batch, err, ErrInvalidInput)
		}
	}
}

func TestSLOBatchRoundsPerRunShrinkWithTheBatch(t *testing.T) {
	for _, tt := range []struct{ members, want int }{{1, sloRoundsPerRun}, {50, 40}, {500, 4}} {
		if got := sloBatchRoundsPerRun(tt.members); got != tt.want {
			t.Errorf("sloBatchRoundsPerRun(%d) = %d, want %d", tt.members, got, tt.want)
		}
	}
}
