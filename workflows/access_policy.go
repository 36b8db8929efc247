package workflows

import (
	"fmt"
	"slices"
	"strings"
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
	r.loading = workflow.GetVersion(ctx, accessPolicyVersion, workflow.DefaultVersion, 1) >= 1
}

// loadPolicy fetches the worker's policy for the dataset: its catalog
// entry (table, approvers, limits) replaces the starter's, and decisions
// are checked against its people directory. A worker that has no policy,
// or whose catalog lacks the dataset, fails the request.
func (r *accessRequest) loadPolicy(ctx workflow.Context) error {
	if !r.loading {
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
	r.policy, r.loading = &p, false
	return nil
}

// personOf maps how someone is named (a person ID, cli:<id>, a Slack user
// ID) to their person ID in the policy's directory, or "" if unknown.
func (r *accessRequest) personOf(name string) string {
	dir := r.policy.People
	for _, id := range []string{name, strings.TrimPrefix(name, "cli:")} {
		if p, err := dir.Person(id); err == nil {
			return p.ID
		}
	}
	if p, err := dir.BySlackUser(name); err == nil {
		return p.ID
	}
	return ""
}

// approverIDs resolves pii.approvers, which may name people, Slack users
// or groups, to person IDs.
func (r *accessRequest) approverIDs() []string {
	var ids []string
	for _, a := range r.in.Dataset.PII.Approvers {
		if id := r.personOf(a); id != "" {
			ids = append(ids, id)
		} else if g, err := r.policy.People.Group(a); err == nil {
			ids = append(ids, g.People...)
		}
	}
	return ids
}

// isPolicyApprover reports whether the decider is an approver: by person
// ID, by a relayed Slack ID listed as is, or, for an unverified decision,
// also by the name it gives.
func (r *accessRequest) isPolicyApprover(d decider) bool {
	if d.person != "" && slices.Contains(r.approverIDs(), d.person) {
		return true
	}
	if d.slack {
		return slices.Contains(r.in.Dataset.PII.Approvers, d.name)
	}
	return !d.verified() && isApprover(d.name, r.in.Dataset.PII.Approvers)
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
	if d.person == r.personOf(r.in.Requester) {
		return true
	}
	role, err := r.policy.People.Principal(d.person, r.in.Dataset.Warehouse)
	return err == nil && sameIdentity(role, r.in.Principal)
}
