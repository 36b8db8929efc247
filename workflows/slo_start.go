package workflows

import (
	"context"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// SLOEvalWorkflowName is the registered name of the SLO evaluator.
const SLOEvalWorkflowName = "SLOEval"

// KindSLOEval is the DreKind of SLO evaluators.
const KindSLOEval = "slo-eval"

// SLOEvalWorkflowID is the ID of a dataset's evaluator: one per dataset.
func SLOEvalWorkflowID(dataset string) string { return "slo-eval/" + dataset }

// StartSLOEval starts the dataset's evaluator, or hands the running one
// the dataset's current catalog entry, in one signal-with-start: running
// it for every dataset is an idempotent sync of the catalog.
func StartSLOEval(ctx context.Context, c SignalStarter, taskQueue string, in SLOEvalInput) (client.WorkflowRun, error) {
	id := SLOEvalWorkflowID(in.Dataset.Name)
	opts := client.StartWorkflowOptions{
		ID: id, TaskQueue: orDefaultQueue(taskQueue),
		StaticSummary: "SLO evaluation of " + in.Dataset.Name,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			KindKey.ValueSet(KindSLOEval), DatasetKey.ValueSet(in.Dataset.Name), StatusKey.ValueSet(SLOStatusOK)),
	}
	return c.SignalWithStartWorkflow(ctx, id, SLOCatalogSignal, in.Dataset, opts, SLOEvalWorkflowName, in)
}
