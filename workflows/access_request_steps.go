package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
)

// open publishes the request and asks the approvers.
func (r *accessRequest) open(ctx workflow.Context) {
	deadline := workflow.Now(ctx).Add(r.approvalTimeout())
	setAccessStatus(ctx, AccessPending, deadline)
	r.audit(ctx, AuditAccessRequested, r.in.Requester, r.in.Reason)
	postSlack(ctx, r.channel(), fmt.Sprintf(":key: %s asks for %s for %s: %s\nApprovers %v: `dre access approve %s` or `dre access deny %s` (denied automatically at %s).",
		slackMention(r.in.Requester), r.what(), r.in.Duration, activities.SlackEscape(r.in.Reason), r.in.Dataset.PII.Approvers,
		r.state.WorkflowID, r.state.WorkflowID, deadline.UTC().Format(time.RFC3339)))
}

func (r *accessRequest) approvalTimeout() time.Duration {
	if r.in.ApprovalTimeout > 0 {
		return r.in.ApprovalTimeout
	}
	return DefaultApprovalTimeout
}

// awaitDecision waits for an approver, denying the request at the timeout,
// and grants once approved.
func (r *accessRequest) awaitDecision(ctx workflow.Context) error {
	opts := workflow.AwaitOptions{Timeout: r.approvalTimeout(), TimerOptions: workflow.TimerOptions{Summary: "approval deadline"}}
	decided, err := workflow.AwaitWithOptions(ctx, opts, func() bool { return r.decided })
	if err != nil {
		return err
	}
	if !decided {
		r.decided, r.state.Status, r.state.DecidedBy, r.note = true, AccessDenied, "timeout", "nobody decided within "+r.approvalTimeout().String()
	}
	if r.state.Status == AccessDenied {
		r.auditDecision(ctx, AuditAccessDenied, r.state.DecidedBy, r.note, r.decisionKey)
		setAccessStatus(ctx, AccessDenied, time.Time{})
		postSlack(ctx, r.channel(), fmt.Sprintf(":no_entry: %s's request for %s was denied by %s. %s", slackMention(r.in.Requester), r.what(), slackMention(r.state.DecidedBy), activities.SlackEscape(r.note)))
		return nil
	}
	r.auditDecision(ctx, AuditAccessApproved, r.state.DecidedBy, r.note, r.decisionKey)
	return r.grant(ctx)
}

// grant applies every privilege; if one cannot be applied, what was
// applied is taken back, so a request never half-grants.
func (r *accessRequest) grant(ctx workflow.Context) error {
	var a *activities.Access
	gctx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 2 * time.Minute, ScheduleToCloseTimeout: time.Hour,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: time.Minute}, Summary: "grant " + r.what(),
	})
	for _, g := range r.grants() {
		if err := workflow.ExecuteActivity(gctx, a.GrantAccess, g).Get(ctx, nil); err != nil {
			r.state.Status, r.state.EndedBy = AccessDenied, "grant failed"
			if rollback := r.revokeAll(ctx); rollback != nil {
				r.state.EndedBy = "grant failed; rollback failed, access may remain"
				err = fmt.Errorf("%w; taking back the grants already applied failed too, so some may remain: %w", err, rollback)
			}
			setAccessStatus(ctx, AccessDenied, time.Time{})
			return err
		}
	}
	now := workflow.Now(ctx)
	r.state.Status, r.state.GrantedAt, r.state.ExpiresAt = AccessGranted, now, now.Add(r.in.Duration)
	r.auditDecision(ctx, AuditAccessGranted, r.state.DecidedBy, "expires "+r.state.ExpiresAt.UTC().Format(time.RFC3339), r.decisionKey)
	setAccessStatus(ctx, AccessGranted, r.state.ExpiresAt)
	postSlack(ctx, r.channel(), fmt.Sprintf(":white_check_mark: %s granted, approved by %s, until %s.", r.what(), slackMention(r.state.DecidedBy), r.state.ExpiresAt.UTC().Format(time.RFC3339)))
	return nil
}

// awaitEnd sleeps on a durable timer until expiry or an early revocation.
func (r *accessRequest) awaitEnd(ctx workflow.Context) error {
	opts := workflow.AwaitOptions{Timeout: r.state.ExpiresAt.Sub(workflow.Now(ctx)), TimerOptions: workflow.TimerOptions{Summary: "access expiry"}}
	revoked, err := workflow.AwaitWithOptions(ctx, opts, func() bool { return r.ended })
	if err != nil {
		return err
	}
	if !revoked {
		r.state.EndedBy = "expiry"
	}
	return nil
}

// revoke takes the access away, retrying until the warehouse confirms.
func (r *accessRequest) revoke(ctx workflow.Context) error {
	if err := r.revokeAll(ctx); err != nil {
		return err
	}
	action, status := AuditAccessRevoked, AccessRevoked
	if r.state.EndedBy == "expiry" {
		action, status = AuditAccessExpired, AccessExpired
	}
	r.state.Status, r.state.EndedAt = status, workflow.Now(ctx)
	r.auditDecision(ctx, action, r.state.EndedBy, r.note, r.endKey)
	setAccessStatus(ctx, status, time.Time{})
	postSlack(ctx, r.channel(), fmt.Sprintf(":lock: %s is %s (%s).", r.what(), status, activities.SlackEscape(r.state.EndedBy)))
	return nil
}

// revokeAll takes back every grant of the request. A revocation that fails
// (only for good: they are retried until then) does not stop the others,
// so one refused privilege never leaves the rest in place; every failure
// is returned.
func (r *accessRequest) revokeAll(ctx workflow.Context) error {
	var a *activities.Access
	var failed []error
	for _, g := range r.grants() {
		err := workflow.ExecuteActivity(grantOptions(ctx, "revoke "+r.what()), a.RevokeAccess, g).Get(ctx, nil)
		if err == nil {
			continue
		}
		failed = append(failed, fmt.Errorf("revoke %s from %s: %w", grantTarget(g), g.Grant.Principal, err))
		if !revokesPastFailure(ctx) {
			break
		}
	}
	return errors.Join(failed...)
}

// revokesPastFailure reports whether revokeAll carries on after a failed
// revocation. Runs recorded before it did stopped at the first failure;
// the version marker is only asked for on a failure, so histories in
// which every revocation succeeded are unchanged.
func revokesPastFailure(ctx workflow.Context) bool {
	return workflow.GetVersion(ctx, "revoke-every-grant", workflow.DefaultVersion, 1) >= 1
}

// grantTarget names what a grant covers: the table or one of its columns.
func grantTarget(g activities.AccessGrant) string {
	if g.Grant.Column == "" {
		return g.Grant.Table.String()
	}
	return g.Grant.Table.String() + "." + g.Grant.Column
}
