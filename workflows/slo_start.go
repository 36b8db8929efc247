package workflows

import (
	"context"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// SLOEvalStarter is the slice of the Temporal client that starts evaluators.
type SLOEvalStarter interface {
	SignalWithStartWorkflow(ctx context.Context, workflowID, signalName string, signalArg any,
		options client.StartWorkflowOptions, workflow any, workflowArgs ...any) (client.WorkflowRun, error)
}

// StartSLOEval starts the dataset's evaluator, or hands the running one
// the dataset's current catalog entry, in one signal-with-start: running
// it for every dataset is an idempotent sync of the catalog.
func StartSLOEval(ctx context.Context, c SLOEvalStarter, taskQueue string, in SLOEvalInput) (client.WorkflowRun, error) {
	if taskQueue == "" {
		taskQueue = TaskQueue
	}
	id := SLOEvalWorkflowID(in.Dataset.Name)
	opts := client.StartWorkflowOptions{
		ID: id, TaskQueue: taskQueue,
		StaticSummary: "SLO evaluation of " + in.Dataset.Name,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			KindKey.ValueSet("slo-eval"), DatasetKey.ValueSet(in.Dataset.Name), StatusKey.ValueSet(SLOStatusOK)),
	}
	return c.SignalWithStartWorkflow(ctx, id, SLOCatalogSignal, in.Dataset, opts, SLOEvalWorkflowName, in)
}
