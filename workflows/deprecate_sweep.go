package workflows

import (
	"errors"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/internal/catalog"
)

// LifecycleSweepInput is the catalog's datasets with a lifecycle, as the
// schedule's action carries them (dre schedules sync updates it when the
// catalog changes).
type LifecycleSweepInput struct {
	Datasets []catalog.Dataset `json:"datasets"`
	// Downstream are, by dataset name, the datasets the lineage says are
	// computed from it; each deprecation's usage gate holds for them.
	Downstream map[string][]catalog.Dataset `json:"downstream,omitempty"`
}

// LifecycleSweepResult says which deprecations the sweep started.
type LifecycleSweepResult struct {
	Started []string `json:"started,omitempty"`
	// Skipped were due but had run or were running already.
	Skipped []string `json:"skipped,omitempty"`
}

// LifecycleSweep starts the deprecation of every dataset whose
// deprecate_on has come. Each deprecation outlives the sweep, and one that
// has ever run is not started again: a cancelled deprecation stays
// cancelled until someone runs dre deprecate start.
func LifecycleSweep(ctx workflow.Context, in LifecycleSweepInput) (LifecycleSweepResult, error) {
	var out LifecycleSweepResult
	if err := workflow.UpsertTypedSearchAttributes(ctx, KindKey.ValueSet(KindLifecycleSweep)); err != nil {
		return out, err
	}
	today := workflow.Now(ctx)
	for _, ds := range in.Datasets {
		if ds.Lifecycle == nil || today.Before(ds.Lifecycle.DeprecateOn.Time()) {
			continue
		}
		started, err := startDeprecation(ctx, ds, in.Downstream[ds.Name])
		if err != nil {
			return out, err
		}
		if started {
			out.Started = append(out.Started, ds.Name)
		} else {
			out.Skipped = append(out.Skipped, ds.Name)
		}
	}
	return out, nil
}

// startDeprecation starts deprecate/<dataset> as an abandoned child and
// waits until it has started; false means it existed already.
func startDeprecation(ctx workflow.Context, ds catalog.Dataset, downstream []catalog.Dataset) (bool, error) {
	opts := workflow.ChildWorkflowOptions{
		WorkflowID:            DeprecateWorkflowID(ds.Name),
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		StaticSummary:         "Deprecate " + ds.Name + " (" + ds.Table + "), started by the lifecycle sweep",
		TypedSearchAttributes: deprecateSearchAttributes(ds),
	}
	child := workflow.ExecuteChildWorkflow(workflow.WithChildOptions(ctx, opts), DeprecateWorkflowName,
		DeprecateInput{Dataset: ds, Requester: "schedule:lifecycle-sweep", Downstream: downstream})
	err := child.GetChildWorkflowExecution().Get(ctx, nil)
	var exists *temporal.ChildWorkflowExecutionAlreadyStartedError
	if errors.As(err, &exists) {
		return false, nil
	}
	return err == nil, err
}

// LifecycleSweepEvery is how often the sweep runs; deprecate_on is a day.
const LifecycleSweepEvery = 24 * time.Hour
