package workflows

import (
	"context"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// AuditCheckpointWorkflowName is the registered name of the checkpoint publisher.
const AuditCheckpointWorkflowName = "AuditCheckpoint"

// KindAuditCheckpoint is the DreKind of checkpoint runs.
const KindAuditCheckpoint = "audit-checkpoint"

// AuditCheckpointWorkflowID is the ID of a run started by trigger:
// "scheduled" (Temporal appends the start time) or another name. One run
// per trigger at a time.
func AuditCheckpointWorkflowID(trigger string) string { return "audit-checkpoint/" + trigger }

// AuditCheckpointSummary is the static summary of every run.
const AuditCheckpointSummary = "Sign and publish a checkpoint of the audit log's head"

// StartAuditCheckpoint starts a run now; a run of the same trigger still
// running makes it fail with WorkflowExecutionAlreadyStarted.
func StartAuditCheckpoint(ctx context.Context, c Starter, taskQueue, trigger string) (client.WorkflowRun, error) {
	opts := exclusiveStart(AuditCheckpointWorkflowID(trigger), taskQueue)
	opts.StaticSummary = AuditCheckpointSummary
	opts.TypedSearchAttributes = temporal.NewSearchAttributes(KindKey.ValueSet(KindAuditCheckpoint), StatusKey.ValueSet(AuditCheckpointSigning))
	return c.ExecuteWorkflow(ctx, opts, AuditCheckpointWorkflowName, AuditCheckpointInput{})
}
