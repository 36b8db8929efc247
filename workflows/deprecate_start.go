package workflows

import (
	"context"
	"fmt"
	"strings"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/dre-dev/dre/internal/catalog"
)

// The deprecation domain's three workflows: Deprecate (one per dataset),
// LifecycleSweep (started by its schedule, it starts Deprecate children)
// and RestoreDeprecated (brings a retired table back).
const (
	// DeprecateWorkflowName is the registered name of Deprecate.
	DeprecateWorkflowName = "Deprecate"
	// LifecycleSweepWorkflowName is the registered name of LifecycleSweep.
	LifecycleSweepWorkflowName = "LifecycleSweep"
	// RestoreDeprecatedWorkflowName is the registered name of RestoreDeprecated.
	RestoreDeprecatedWorkflowName = "RestoreDeprecated"
)

// DreKind values of the deprecation domain.
const (
	KindDeprecate      = "deprecate"
	KindLifecycleSweep = "lifecycle-sweep"
	KindRestore        = "restore"
)

// LifecycleSweepWorkflowID is the ID the sweep's schedule gives each run
// (Temporal appends the scheduled time).
const LifecycleSweepWorkflowID = "lifecycle-sweep"

// DeprecateWorkflowID is the ID of a dataset's deprecation: one per dataset.
func DeprecateWorkflowID(dataset string) string { return "deprecate/" + dataset }

// DeprecateDataset reads the dataset back from a deprecation's workflow ID.
func DeprecateDataset(workflowID string) (string, bool) {
	dataset, ok := strings.CutPrefix(workflowID, "deprecate/")
	return dataset, ok && dataset != ""
}

// RestoreDeprecatedWorkflowID is the ID of the restore of a retired
// dataset: one at a time per dataset.
func RestoreDeprecatedWorkflowID(dataset string) string { return "restore/" + dataset }

// StartDeprecate starts deprecate/<dataset>; a second start while one runs
// fails with WorkflowExecutionAlreadyStarted, a finished one may start again.
func StartDeprecate(ctx context.Context, c Starter, taskQueue string, in DeprecateInput) (client.WorkflowRun, error) {
	return c.ExecuteWorkflow(ctx, DeprecateStartOptions(taskQueue, in.Dataset), DeprecateWorkflowName, in)
}

// DeprecateStartOptions makes a deprecation exclusive per dataset and
// findable in the Temporal UI.
func DeprecateStartOptions(taskQueue string, ds catalog.Dataset) client.StartWorkflowOptions {
	opts := exclusiveStart(DeprecateWorkflowID(ds.Name), taskQueue)
	opts.StaticSummary = fmt.Sprintf("Deprecate %s (%s): %s after deprecate_on %s",
		ds.Name, ds.Table, ds.Lifecycle.FinalAction, ds.Lifecycle.DeprecateOn)
	opts.StaticDetails = fmt.Sprintf("Dataset **%s** in warehouse `%s`, owner %s; replacement %s.",
		ds.Name, ds.Warehouse, ds.Owner.Team, orText(ds.Lifecycle.Replacement, "none"))
	opts.TypedSearchAttributes = deprecateSearchAttributes(ds)
	return opts
}

// deprecateSearchAttributes are a new deprecation's, however it starts.
func deprecateSearchAttributes(ds catalog.Dataset) temporal.SearchAttributes {
	return temporal.NewSearchAttributes(KindKey.ValueSet(KindDeprecate), DatasetKey.ValueSet(ds.Name),
		StatusKey.ValueSet(DeprecateRunning), PhaseKey.ValueSet(DeprecateScheduled))
}

// StartRestoreDeprecated starts restore/<dataset>. Unlike a deprecation, a
// second start while one runs joins the running restore.
func StartRestoreDeprecated(ctx context.Context, c Starter, taskQueue string, in RestoreDeprecatedInput) (client.WorkflowRun, error) {
	ds := in.Dataset
	opts := exclusiveStart(RestoreDeprecatedWorkflowID(ds.Name), taskQueue)
	opts.WorkflowExecutionErrorWhenAlreadyStarted = false
	opts.StaticSummary = fmt.Sprintf("Restore %s (%s) from %s", ds.Name, ds.Table, in.Snapshot+in.Archived)
	opts.TypedSearchAttributes = temporal.NewSearchAttributes(KindKey.ValueSet(KindRestore), DatasetKey.ValueSet(ds.Name))
	return c.ExecuteWorkflow(ctx, opts, RestoreDeprecatedWorkflowName, in)
}
