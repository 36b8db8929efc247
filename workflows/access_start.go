package workflows

import (
	"context"
	"fmt"
	"strings"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// The access domain's two workflows: a time-bound access request, and the
// periodic review of every grant on PII data.
const (
	// AccessRequestWorkflowName is the registered name of the access request workflow.
	AccessRequestWorkflowName = "AccessRequest"
	// AccessReviewWorkflowName is the registered name of the access review workflow.
	AccessReviewWorkflowName = "AccessReview"
)

// DreKind values of the access domain.
const (
	KindAccessRequest = "access-request"
	KindAccessReview  = "access-review"
)

// AccessRequestWorkflowID names a request: one dataset, one requester, and
// an ID unique to the request, since a person may hold several.
func AccessRequestWorkflowID(dataset, requester, id string) string {
	return "access-request/" + dataset + "/" + requester + "/" + id
}

// AccessRequestDataset reads the dataset out of a request's workflow ID
// (see AccessRequestWorkflowID), the target its decisions are signed for.
func AccessRequestDataset(id string) (string, bool) {
	parts := strings.SplitN(id, "/", 4)
	if len(parts) != 4 || parts[0] != "access-request" || parts[1] == "" {
		return "", false
	}
	return parts[1], true
}

// AccessReviewWorkflowID is the ID of a period's review: one per period.
func AccessReviewWorkflowID(period string) string { return "access-review/" + period }

// StartAccessRequest starts the request id (see AccessRequestWorkflowID).
func StartAccessRequest(ctx context.Context, c Starter, taskQueue, id string, in AccessRequestInput) (client.WorkflowRun, error) {
	opts := client.StartWorkflowOptions{
		ID: id, TaskQueue: orDefaultQueue(taskQueue),
		StaticSummary: fmt.Sprintf("Access to %s for %s (%s), %s: %s", in.Dataset.Name, in.Principal, in.Requester, in.Duration, in.Reason),
		TypedSearchAttributes: temporal.NewSearchAttributes(
			KindKey.ValueSet(KindAccessRequest), DatasetKey.ValueSet(in.Dataset.Name),
			StatusKey.ValueSet(AccessPending), RequesterKey.ValueSet(in.Requester),
		),
	}
	return c.ExecuteWorkflow(ctx, opts, AccessRequestWorkflowName, in)
}

// StartAccessReview starts access-review/<period>; a period is reviewed
// once, so a second start fails with WorkflowExecutionAlreadyStarted.
func StartAccessReview(ctx context.Context, c Starter, taskQueue, period string, in AccessReviewInput) (client.WorkflowRun, error) {
	opts := client.StartWorkflowOptions{
		ID: AccessReviewWorkflowID(period), TaskQueue: orDefaultQueue(taskQueue),
		StaticSummary:                            "Access review of PII grants, " + period,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
		TypedSearchAttributes:                    temporal.NewSearchAttributes(KindKey.ValueSet(KindAccessReview)),
	}
	return c.ExecuteWorkflow(ctx, opts, AccessReviewWorkflowName, in)
}

// ActiveAccessQuery finds the running access requests on a dataset whose
// access is granted, for restores that give back only what is allowed.
func ActiveAccessQuery(dataset string) string {
	return KindQuery(KindAccessRequest) + " AND DreStatus = '" + AccessGranted + "' AND DreDataset = '" + dataset + "' AND ExecutionStatus = 'Running'"
}
