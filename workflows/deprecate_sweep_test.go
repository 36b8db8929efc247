package workflows

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/internal/catalog"
)

func TestLifecycleSweepStartsOnlyDueDeprecations(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.SetStartTime(deprecateStart)
	env.RegisterWorkflowWithOptions(Deprecate, workflow.RegisterOptions{Name: DeprecateWorkflowName})
	var startedIDs []string
	env.SetOnChildWorkflowStartedListener(func(info *workflow.Info, _ workflow.Context, _ converter.EncodedValues) {
		startedIDs = append(startedIDs, info.WorkflowExecution.ID)
	})
	env.OnWorkflow(DeprecateWorkflowName, mock.Anything, mock.Anything).Return(DeprecateStatus{}, nil)
	due := deprecateDataset()
	later := deprecateDataset()
	later.Name = "orders"
	later.Lifecycle = &catalog.Lifecycle{DeprecateOn: catalog.DateOf(deprecateStart.AddDate(0, 1, 0)), FinalAction: catalog.FinalDrop}
	plain := catalog.Dataset{Name: "events", Warehouse: "local", Table: "public.events"}
	env.ExecuteWorkflow(LifecycleSweep, LifecycleSweepInput{Datasets: []catalog.Dataset{due, later, plain}})

	var out LifecycleSweepResult
	if err := env.GetWorkflowResult(&out); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(out.Started, []string{"legacy_sessions"}) || !slices.Equal(startedIDs, []string{"deprecate/legacy_sessions"}) {
		t.Errorf("started %v (children %v); want only legacy_sessions, whose deprecate_on has come", out.Started, startedIDs)
	}
}
