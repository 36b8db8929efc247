package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
)

// reviewParallelVersion is the GetVersion ID of revocations that run side
// by side with a bounded number of attempts, and are reported when they
// fail instead of failing the review. Runs recorded before it revoked one
// grant after another, each retried without end.
const reviewParallelVersion = "review-parallel-revocations"

// reviewRevokeParallelism is how many revocations run at once: enough
// that a slow grant does not hold up the others, few enough not to crowd
// the warehouse's connections.
const reviewRevokeParallelism = 4

// reviewRevokeAttempts bounds the attempts at one revocation: with the
// backoff below they span about ten minutes, long enough for a lock or a
// restart, short enough that a review does not wait for ever on a grant
// dre cannot take away.
const reviewRevokeAttempts = 8

// executeInParallel carries out the revocations, reviewRevokeParallelism
// at a time, each its own activity with bounded retries. A revocation that
// still fails is recorded on its item as could not revoke, with the
// reason, and the others go on. Then every decision is audited in order.
func (r *review) executeInParallel(ctx workflow.Context) error {
	running := 0
	for i := range r.res.Items {
		if r.res.Items[i].Decision != ReviewRevoke {
			continue
		}
		if err := workflow.Await(ctx, func() bool { return running < reviewRevokeParallelism }); err != nil {
			return err
		}
		running++
		workflow.Go(ctx, func(gctx workflow.Context) {
			defer func() { running-- }()
			r.revokeItem(gctx, &r.res.Items[i])
		})
	}
	if err := workflow.Await(ctx, func() bool { return running == 0 }); err != nil {
		return err
	}
	for _, it := range r.res.Items {
		r.auditItem(ctx, it)
	}
	return nil
}

// revokeItem revokes one grant under review, retried a bounded number of
// times; what still fails is kept as the item's NotRevoked reason.
func (r *review) revokeItem(ctx workflow.Context, it *ReviewItem) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 2 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2,
			MaximumInterval: 2 * time.Minute, MaximumAttempts: reviewRevokeAttempts},
		Summary: "revoke " + it.ID,
	})
	var a *activities.Access
	if err := workflow.ExecuteActivity(ctx, a.RevokeAccess, it.AccessGrant).Get(ctx, nil); err != nil {
		it.NotRevoked = failureReason(err)
		return
	}
	it.Revoked = true
}

// auditItem records one decision: kept, revoked, or could not revoke with
// the reason.
func (r *review) auditItem(ctx workflow.Context, it ReviewItem) {
	action, reason := AuditReviewKeep, it.Note
	switch {
	case it.Revoked:
		action = AuditReviewRevoke
	case it.NotRevoked != "":
		action, reason = AuditReviewNotRevoked, fmt.Sprintf("could not revoke: %s", it.NotRevoked)
	}
	auditEntry(ctx, activities.AuditEntry{Actor: it.DecidedBy, Action: action, Target: it.ID, Reason: reason,
		Details: r.auditDetails(it)})
}
