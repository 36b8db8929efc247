package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
)

// accessPolicyVersion marks runs that check decisions against the
// worker's dre.yaml; runs recorded before it trust their input, as they
// did when they started.
const accessPolicyVersion = "access-policy-from-worker"

// usesWorkerPolicy reports whether this run checks decisions against the
// worker's policy, and marks it loading until loadPolicy has fetched it.
// It runs before the update handlers are registered, since registering
// them runs the validators of updates that arrived with the start.
func (r *accessRequest) usesWorkerPolicy(ctx workflow.Context) {
	r.guard.loading = workflow.GetVersion(ctx, accessPolicyVersion, workflow.DefaultVersion, 1) >= 1
}

// loadPolicy fetches the worker's policy for the dataset: its catalog
// entry (table, approvers, limits) replaces the starter's, and decisions
// are checked against its people directory. A worker that has no policy,
// or whose catalog lacks the dataset, fails the request.
func (r *accessRequest) loadPolicy(ctx workflow.Context) error {
	if !r.guard.loading {
		return nil
	}
	lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: 10 * time.Second, ScheduleToCloseTimeout: time.Minute,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: 10 * time.Second},
	})
	var a *activities.Policy
	var p activities.AccessPolicy
	if err := workflow.ExecuteLocalActivity(lctx, a.AccessPolicy, r.in.Dataset.Name).Get(ctx, &p); err != nil {
		return fmt.Errorf("loading the access policy of %s from the worker's dre.yaml: %w", r.in.Dataset.Name, err)
	}
	r.in.Dataset = p.Dataset
	if err := r.in.Validate(); err != nil {
		return temporal.NewNonRetryableApplicationError("against the worker's dre.yaml: "+err.Error(), ErrInvalidInput, nil)
	}
	r.guard.policy, r.guard.loading = &p, false
	return nil
}

// isRequester reports whether the decider is the requester or acts as the
// request's principal, by any of the names either may go by.
func (r *accessRequest) isRequester(d decider) bool {
	if sameIdentity(d.name, r.in.Requester) || sameIdentity(d.name, r.in.Principal) {
		return true
	}
	if d.person == "" {
		return false
	}
	if d.person == r.guard.personOf(r.in.Requester) {
		return true
	}
	role, err := r.guard.policy.People.Principal(d.person, r.in.Dataset.Warehouse)
	return err == nil && sameIdentity(role, r.in.Principal)
}
