package workflows

import (
	"fmt"
	"slices"

	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
)

// catalogApproversVersion marks runs whose decisions are checked against
// the approvers and owner teams of the worker's catalog rather than those
// in the input, which any client that starts the run could forge; runs
// recorded before it keep the input's.
const catalogApproversVersion = "decision-approvers-from-catalog"

// loadDeciders fetches the pii.approvers and owner teams of datasets from
// the worker's catalog, once the run knows which datasets its decisions
// are about. Runs without a policy (recorded before the guard, or
// refusing every decision) and runs recorded before this change skip it.
func (g *decisionGuard) loadDeciders(ctx workflow.Context, datasets []string) error {
	if g.policy == nil || workflow.GetVersion(ctx, catalogApproversVersion, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return nil
	}
	var a *activities.Policy
	var deciders map[string]activities.DatasetDeciders
	err := workflow.ExecuteLocalActivity(policyCtx(ctx), a.DatasetDeciders, uniqueSorted(datasets)).Get(ctx, &deciders)
	if err != nil {
		return fmt.Errorf("loading the approvers of %v from the worker's catalog: %w", datasets, err)
	}
	if deciders == nil {
		deciders = map[string]activities.DatasetDeciders{}
	}
	g.deciders = deciders
	return nil
}

// approversOf are who may approve decisions on dataset: the worker's
// catalog's pii.approvers once loaded (none for a dataset it lacks),
// else given, the input's, in runs recorded before.
func (g *decisionGuard) approversOf(dataset string, given []string) []string {
	if g.deciders == nil {
		return given
	}
	return g.deciders[dataset].Approvers
}

// ownerTeamOf is dataset's owner team: the worker's catalog's once
// loaded ("" for a dataset it lacks), else given, the input's.
func (g *decisionGuard) ownerTeamOf(dataset, given string) string {
	if g.deciders == nil {
		return given
	}
	return g.deciders[dataset].OwnerTeam
}

// uniqueSorted is names sorted without repeats, so the activity's input
// does not depend on the order items were found in.
func uniqueSorted(names []string) []string {
	return slices.Compact(slices.Sorted(slices.Values(names)))
}
