package workflows

import (
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
)

// Access actions written to the audit log, shared by access requests and
// access reviews so an auditor can filter on one vocabulary.
const (
	AuditAccessRequested = "access.requested"
	AuditAccessApproved  = "access.approved"
	AuditAccessDenied    = "access.denied"
	AuditAccessGranted   = "access.granted"
	AuditAccessRevoked   = "access.revoked"
	AuditAccessExpired   = "access.expired"
	// AuditAccessNotRevoked is access a request or review could not revoke.
	AuditAccessNotRevoked = "access.not-revoked"
	AuditReviewKeep       = "review.keep"
	AuditReviewRevoke     = "review.revoke"
	AuditReviewReport     = "review.report"
	// AuditReviewNotRevoked is a grant a review decided to revoke but
	// could not.
	AuditReviewNotRevoked = "review.not-revoked"
)

// ErrSeparationOfDuties marks a decision on one's own access.
const ErrSeparationOfDuties = "SeparationOfDuties"

// grantOptions retries a grant or a revocation until it is verified: a
// revocation that gives up would leave PII access behind. The backoff is
// capped so that a warehouse back from an outage is retried within minutes.
func grantOptions(ctx workflow.Context, summary string) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 2 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: 5 * time.Minute},
		Summary:             summary,
	})
}

// auditEntry writes one audit record. The log's availability must not
// hold up a revocation, so it is retried for a day in its own right, and
// a record that cannot be written is logged as a warning.
func auditEntry(ctx workflow.Context, e activities.AuditEntry) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second, ScheduleToCloseTimeout: 24 * time.Hour,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: 5 * time.Minute},
		Summary:     "audit " + e.Action,
	})
	var a *activities.Audit
	if err := workflow.ExecuteActivity(ctx, a.Record, e).Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Warn("audit record not written", "action", e.Action, "target", e.Target, "error", err)
	}
}

// sameIdentity compares two people or roles, ignoring case and a cli:
// prefix, so "cli:alice" cannot approve "alice"'s access.
func sameIdentity(a, b string) bool {
	norm := func(s string) string { return strings.ToLower(strings.TrimPrefix(strings.TrimSpace(s), "cli:")) }
	return a != "" && norm(a) == norm(b)
}

// isApprover reports whether who is one of the approvers.
func isApprover(who string, approvers []string) bool {
	return slices.ContainsFunc(approvers, func(a string) bool { return sameIdentity(a, who) })
}

// setAccessStatus publishes a status and, when set, the next deadline.
func setAccessStatus(ctx workflow.Context, status string, deadline time.Time) {
	updates := []temporal.SearchAttributeUpdate{StatusKey.ValueSet(status)}
	if !deadline.IsZero() {
		updates = append(updates, DeadlineKey.ValueSet(deadline))
	}
	if err := workflow.UpsertTypedSearchAttributes(ctx, updates...); err != nil {
		workflow.GetLogger(ctx).Warn("search attributes not updated", "error", err)
	}
}
