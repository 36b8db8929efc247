package workflows

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/slo"
)

// TestSLOEvalBootstrapsOnFirstSyncAndOnRequest: a new evaluator
// reconstructs its history before its first round; a backfill-history
// signal runs it again before the next round, and the status names the
// request it answered.
func TestSLOEvalBootstrapsOnFirstSyncAndOnRequest(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.SetStartTime(sloStart)
	var a *activities.SLOs
	var order []string
	var untils []time.Time
	env.OnActivity(a.BootstrapSLOHistory, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.BootstrapSLOHistoryInput) ([]activities.SLOHistory, error) {
		order, untils = append(order, "bootstrap"), append(untils, in.Until)
		return []activities.SLOHistory{{SLO: "fresh", Slots: 8063, Stored: 8063}}, nil
	})
	env.OnActivity(a.EvaluateSLORound, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.SLORoundInput) (activities.SLORoundResult, error) {
		order = append(order, "record")
		at := in.SLOs[0].At
		r := activities.SLOReading{SLO: "fresh", Measurement: activities.Measurement{Good: 1, Total: 1}, Evaluation: slo.Evaluation{At: at, SLI: 1, BudgetLeft: 1, Level: slo.None}}
		return activities.SLORoundResult{Readings: []activities.SLOReading{r}}, nil
	})
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SLOBootstrapSignal, "cli-42") }, 7*time.Minute)
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(StatusQuery)
		if err != nil {
			t.Fatal(err)
		}
		var st SLOEvalStatus
		if err := v.Get(&st); err != nil {
			t.Fatal(err)
		}
		if st.Bootstrap == nil || st.Bootstrap.Request != "cli-42" || st.Bootstrap.SLOs[0].Stored != 8063 || st.BootstrapPending != "" {
			t.Errorf("status after the request: bootstrap %+v, pending %q; want the answer to cli-42", st.Bootstrap, st.BootstrapPending)
		}
		env.CancelWorkflow()
	}, 12*time.Minute)
	env.ExecuteWorkflow(SLOEval, SLOEvalInput{Dataset: sloDataset()})
	// Rounds at 0, 5 and 10 minutes; the request at 7 runs at once, before the 10-minute round.
	want := []string{"bootstrap", "record", "record", "bootstrap", "record"}
	if len(order) != len(want) {
		t.Fatalf("activities ran %v, want %v", order, want)
	}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("activities ran %v, want %v", order, want)
		}
	}
	if !untils[0].Equal(sloStart) || !untils[1].Equal(sloStart.Add(7*time.Minute)) {
		t.Errorf("bootstraps until %v, want the start and the request's time", untils)
	}
}
