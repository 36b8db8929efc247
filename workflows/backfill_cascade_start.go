package workflows

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// BackfillCascadeWorkflowName is the registered name of the cascade.
const BackfillCascadeWorkflowName = "BackfillCascade"

// KindBackfillCascade is the DreKind of cascades and their dry runs.
const KindBackfillCascade = "backfill-cascade"

// backfillCascadeIDPrefix starts every cascade's workflow ID; a backfill
// trusts a cascade link only from a parent whose ID starts with it.
const backfillCascadeIDPrefix = "backfill-cascade/"

// BackfillCascadeWorkflowID is the ID of the cascade from a dataset.
func BackfillCascadeWorkflowID(dataset string) string { return backfillCascadeIDPrefix + dataset }

// BackfillCascadePlanWorkflowID is the ID of a cascade's dry run.
func BackfillCascadePlanWorkflowID(dataset string) string { return "backfill-cascade-plan/" + dataset }

// StartBackfillCascade starts backfill-cascade/<dataset>, or with
// in.DryRun its plan. A second start of a running one fails with
// WorkflowExecutionAlreadyStarted.
func StartBackfillCascade(ctx context.Context, c Starter, taskQueue string, in BackfillCascadeInput) (client.WorkflowRun, error) {
	return c.ExecuteWorkflow(ctx, BackfillCascadeStartOptions(taskQueue, in), BackfillCascadeWorkflowName, in)
}

// BackfillCascadeStartOptions make the cascade exclusive per root dataset
// and readable in the Temporal UI.
func BackfillCascadeStartOptions(taskQueue string, in BackfillCascadeInput) client.StartWorkflowOptions {
	opts := exclusiveStart(BackfillCascadeWorkflowID(in.Dataset), taskQueue)
	opts.StaticSummary = fmt.Sprintf("Backfill %s and everything downstream, %s → %s", in.Dataset,
		in.From.UTC().Format("2006-01-02T15:04Z"), in.To.UTC().Format("2006-01-02T15:04Z"))
	opts.TypedSearchAttributes = temporal.NewSearchAttributes(
		KindKey.ValueSet(KindBackfillCascade), DatasetKey.ValueSet(in.Dataset),
		StatusKey.ValueSet(BackfillPlanning), RequesterKey.ValueSet(in.Requester),
	)
	if in.DryRun {
		opts.ID = BackfillCascadePlanWorkflowID(in.Dataset)
		opts.StaticSummary = "Plan (dry run) of: " + opts.StaticSummary
	}
	return opts
}
