package workflows

import (
	"context"
	"fmt"
	"strings"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// BackfillWorkflowName is the registered name of the backfill workflow, so
// that runbooks can start it as a child without a compile-time reference.
const BackfillWorkflowName = "Backfill"

// KindBackfill is the DreKind of backfills and their dry runs.
const KindBackfill = "backfill"

// BackfillWorkflowID is the ID of a dataset's backfill: one at a time per table.
func BackfillWorkflowID(dataset string) string { return "backfill/" + dataset }

// BackfillPlanWorkflowID is the ID of a dataset's dry run, separate from
// BackfillWorkflowID so that a plan can be made while a backfill runs.
func BackfillPlanWorkflowID(dataset string) string { return "backfill-plan/" + dataset }

// StartBackfill starts backfill/<dataset>, or with in.DryRun its plan
// backfill-plan/<dataset>. A second start of a running one fails with
// WorkflowExecutionAlreadyStarted.
func StartBackfill(ctx context.Context, c Starter, taskQueue string, in BackfillInput) (client.WorkflowRun, error) {
	in = in.withDerivedRange() // so that the summary names the range of a bare partition list
	return c.ExecuteWorkflow(ctx, BackfillStartOptions(taskQueue, in), BackfillWorkflowName, in)
}

// BackfillStartOptions make the run exclusive per dataset and readable in
// the Temporal UI.
func BackfillStartOptions(taskQueue string, in BackfillInput) client.StartWorkflowOptions {
	ds := in.Dataset
	opts := exclusiveStart(BackfillWorkflowID(ds.Name), taskQueue)
	opts.StaticSummary = fmt.Sprintf("Backfill %s (%s) %s → %s by %s", ds.Name, ds.Table,
		PartitionLabel(ds.Partition.Granularity, in.From), PartitionLabel(ds.Partition.Granularity, in.To), ds.Partition.Granularity)
	opts.StaticDetails = backfillDetails(in)
	opts.TypedSearchAttributes = temporal.NewSearchAttributes(
		KindKey.ValueSet(KindBackfill), DatasetKey.ValueSet(ds.Name),
		StatusKey.ValueSet(BackfillPlanning), RequesterKey.ValueSet(in.Requester),
	)
	if in.DryRun {
		opts.ID = BackfillPlanWorkflowID(ds.Name)
		opts.StaticSummary = "Plan (dry run) of: " + opts.StaticSummary
	}
	return opts
}

// backfillDetails is the markdown the Temporal UI shows under the summary.
func backfillDetails(in BackfillInput) string {
	ds := in.Dataset
	source := "the catalog source"
	if in.Select != "" {
		source = "`" + in.Select + "`"
	}
	lines := []string{
		fmt.Sprintf("Dataset **%s** in warehouse `%s`, owner %s, partitioned by `%s`.", ds.Name, ds.Warehouse, ds.Owner.Team, ds.Partition.Column),
		fmt.Sprintf("Rows from %s; concurrency %d; on failure: %s; validation: %s.", source, in.Concurrency, orText(in.OnFailure, "-"), orText(in.Validation.Kind, "-")),
	}
	if in.selective() || in.Publish != "" {
		lines = append(lines, fmt.Sprintf("Partitions: %s, %d listed, %s first; publish: %s.",
			orText(in.Only, BackfillAll), len(in.Partitions), orText(in.Order, BackfillOldestFirst), in.publishMode()))
	}
	if in.Requester != "" {
		lines = append(lines, "Requested by "+in.Requester+".")
	}
	return strings.Join(lines, "\n\n")
}
