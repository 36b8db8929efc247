package workflows

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// CheckWorkflowName is the registered name of the check workflow.
const CheckWorkflowName = "Check"

// KindCheck is the DreKind of checks and watches.
const KindCheck = "check"

// CheckWorkflowID is the ID of a dataset's check: one at a time per dataset.
func CheckWorkflowID(dataset string) string { return "check/" + dataset }

// StartCheck starts check/<dataset>; a second start while one runs (a
// watch, say) fails with WorkflowExecutionAlreadyStarted rather than
// waiting on someone else's endless watch.
func StartCheck(ctx context.Context, c Starter, taskQueue string, in CheckInput) (client.WorkflowRun, error) {
	return c.ExecuteWorkflow(ctx, CheckStartOptions(taskQueue, in), CheckWorkflowName, in)
}

// CheckStartOptions make the run findable and readable in the Temporal UI.
func CheckStartOptions(taskQueue string, in CheckInput) client.StartWorkflowOptions {
	ds := in.Dataset
	opts := exclusiveStart(CheckWorkflowID(ds.Name), taskQueue)
	opts.StaticSummary = fmt.Sprintf("Check %s (%s): rows and freshness", ds.Name, ds.Table)
	if in.Watch {
		opts.StaticSummary = fmt.Sprintf("Watch %s (%s) every %s", ds.Name, ds.Table, in.Every)
	}
	opts.StaticDetails = fmt.Sprintf("Dataset **%s** in warehouse `%s`, owner %s.", ds.Name, ds.Warehouse, ds.Owner.Team)
	opts.TypedSearchAttributes = temporal.NewSearchAttributes(
		KindKey.ValueSet(KindCheck), DatasetKey.ValueSet(ds.Name), StatusKey.ValueSet(CheckRunning))
	return opts
}
