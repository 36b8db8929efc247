package workflows

import (
	"context"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// RunbookWorkflowName is the registered name of the runbook interpreter;
// triage and runbook steps start it as a child by this name.
const RunbookWorkflowName = "Runbook"

// KindRunbook is the DreKind of runbook runs.
const KindRunbook = "runbook"

// RunbookWorkflowID is the ID of a run: runbook/<name>/<dataset>/<key>,
// where key is unique per run and chosen by the caller (the CLI uses the
// start time). A called runbook runs as <parent ID>/<step ID>.
func RunbookWorkflowID(name, dataset, key string) string {
	if dataset == "" {
		dataset = "-"
	}
	return "runbook/" + name + "/" + dataset + "/" + key
}

// StartRunbook starts the run id (see RunbookWorkflowID); an ID in use
// fails.
func StartRunbook(ctx context.Context, c Starter, taskQueue, id string, in RunbookInput) (client.WorkflowRun, error) {
	return c.ExecuteWorkflow(ctx, RunbookStartOptions(taskQueue, id, in), RunbookWorkflowName, in)
}

// RunbookStartOptions makes the run findable and readable in the UI.
func RunbookStartOptions(taskQueue, id string, in RunbookInput) client.StartWorkflowOptions {
	summary := fmt.Sprintf("Runbook %s on %s", in.Runbook.Name, orText(in.Dataset, "-"))
	if in.StartFrom != "" {
		summary += ", retried from " + in.StartFrom
	}
	return client.StartWorkflowOptions{
		ID:                       id,
		TaskQueue:                orDefaultQueue(taskQueue),
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		StaticSummary:            summary,
		StaticDetails:            fmt.Sprintf("%s\n\nRequested by %s; definition `%.12s` from %s.", in.Runbook.Description, in.Requester, in.Hash, in.Runbook.Source.File),
		TypedSearchAttributes: temporal.NewSearchAttributes(
			KindKey.ValueSet(KindRunbook), DatasetKey.ValueSet(in.Dataset),
			RunbookKey.ValueSet(in.Runbook.Name), RunbookHashKey.ValueSet(in.Hash),
			StatusKey.ValueSet(RunbookRunning), RequesterKey.ValueSet(in.Requester),
		),
	}
}
