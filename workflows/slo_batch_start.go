package workflows

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// SLOBatchEvalWorkflowName is the registered name of the batch SLO
// evaluator.
const SLOBatchEvalWorkflowName = "SLOBatchEval"

// KindSLOBatch is the DreKind of batch SLO evaluators.
const KindSLOBatch = "slo-batch"

// SLOBatchWorkflowID is the ID of a batch evaluator: its batch's name,
// which dre slo schedule sync derives from the interval and the batch's
// place among those of that interval (slo-batch/1m-0003).
func SLOBatchWorkflowID(batch string) string { return "slo-batch/" + batch }

// SLOBatchName names the k-th batch of the datasets evaluated every
// interval (as the catalog writes durations: 1m, 10m, 1h).
func SLOBatchName(interval string, k int) string { return fmt.Sprintf("%s-%04d", interval, k) }

// StartSLOBatchEval starts the batch's evaluator, or hands the running
// one its new membership, in one signal-with-start: running it for every
// batch is an idempotent sync of the catalog. A membership without any
// dataset ends the running evaluator (and starts none).
func StartSLOBatchEval(ctx context.Context, c SignalStarter, taskQueue string, in SLOBatchEvalInput) (client.WorkflowRun, error) {
	id := SLOBatchWorkflowID(in.Batch)
	opts := client.StartWorkflowOptions{
		ID: id, TaskQueue: orDefaultQueue(taskQueue),
		StaticSummary: fmt.Sprintf("SLO evaluation of a batch of %d datasets (%s)", len(in.Datasets), in.Batch),
		TypedSearchAttributes: temporal.NewSearchAttributes(
			KindKey.ValueSet(KindSLOBatch), StatusKey.ValueSet(SLOStatusOK)),
	}
	cat := SLOBatchCatalog{Datasets: in.Datasets, Handover: in.Handover, Parallelism: in.Parallelism}
	return c.SignalWithStartWorkflow(ctx, id, SLOBatchCatalogSignal, cat, opts, SLOBatchEvalWorkflowName, in)
}

// SLOBatchFrozenQuery is the visibility query that finds the running
// batch evaluators with at least one frozen member; which members are
// frozen, their status query tells.
func SLOBatchFrozenQuery() string {
	return KindQuery(KindSLOBatch) + " AND DreStatus = '" + SLOFrozen + "' AND ExecutionStatus = 'Running'"
}
