package workflows

import (
	"context"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// AccessReconcileWorkflowName is the registered name of the grant reconciler.
const AccessReconcileWorkflowName = "AccessReconcile"

// KindAccessReconcile is the DreKind of reconcile passes.
const KindAccessReconcile = "access-reconcile"

// DefaultAccessReconcileEvery is how often the reconciler runs when
// dre.yaml sets no access.reconcile_every: a terminated request's grant
// outlives it by at most about this long.
const DefaultAccessReconcileEvery = 15 * time.Minute

// AccessReconcileWorkflowID is the ID of a pass started by trigger:
// "scheduled" (Temporal appends the start time) or "cli". One pass per
// trigger runs at a time.
func AccessReconcileWorkflowID(trigger string) string { return "access-reconcile/" + trigger }

// AccessReconcileSummary is the static summary of every pass.
const AccessReconcileSummary = "Reconcile the grants on PII tables with standing grants and running access requests"

// StartAccessReconcile starts a pass now; a pass of the same trigger
// still running makes it fail with WorkflowExecutionAlreadyStarted.
func StartAccessReconcile(ctx context.Context, c Starter, taskQueue, trigger string, in AccessReconcileInput) (client.WorkflowRun, error) {
	opts := exclusiveStart(AccessReconcileWorkflowID(trigger), taskQueue)
	opts.StaticSummary = AccessReconcileSummary
	opts.TypedSearchAttributes = temporal.NewSearchAttributes(KindKey.ValueSet(KindAccessReconcile), StatusKey.ValueSet(AccessReconcileReading))
	return c.ExecuteWorkflow(ctx, opts, AccessReconcileWorkflowName, in)
}
