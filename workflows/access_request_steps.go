package workflows

import (
	"errors"
	"fmt"
	"strings"
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

// grant applies every privilege the principal does not hold already; if
// one cannot be applied, what was applied is taken back, so a request
// never half-grants.
func (r *accessRequest) grant(ctx workflow.Context) error {
	var a *activities.Access
	gctx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 2 * time.Minute, ScheduleToCloseTimeout: time.Hour,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: time.Minute}, Summary: "grant " + r.what(),
	})
	if err := r.recordStanding(gctx); err != nil {
		return r.refuseGrant(ctx, err)
	}
	for _, g := range r.owned() {
		if err := workflow.ExecuteActivity(gctx, a.GrantAccess, g).Get(ctx, nil); err != nil {
			return r.refuseGrant(ctx, err)
		}
	}
	now := workflow.Now(ctx)
	r.state.Status, r.state.GrantedAt, r.state.ExpiresAt = AccessGranted, now, now.Add(r.in.Duration)
	r.auditDecision(ctx, AuditAccessGranted, r.state.DecidedBy, "expires "+r.state.ExpiresAt.UTC().Format(time.RFC3339)+r.standingNote(), r.decisionKey)
	setAccessStatus(ctx, AccessGranted, r.state.ExpiresAt)
	postSlack(ctx, r.channel(), fmt.Sprintf(":white_check_mark: %s granted, approved by %s, until %s.%s", r.what(), slackMention(r.state.DecidedBy),
		r.state.ExpiresAt.UTC().Format(time.RFC3339), activities.SlackEscape(r.standingNote())))
	return nil
}

// refuseGrant ends a request whose grant failed: what was applied is
// taken back (in a disconnected context, so that a cancel during the
// grant cannot skip it) and the request is denied.
func (r *accessRequest) refuseGrant(ctx workflow.Context, err error) error {
	r.state.Status, r.state.EndedBy = AccessDenied, "grant failed"
	rctx := ctx
	if dctx, _ := workflow.NewDisconnectedContext(ctx); ctx.Err() != nil && endsEverywhere(dctx) {
		rctx = dctx
	}
	if rollback := r.revokeOwned(rctx); rollback != nil {
		r.state.EndedBy = "grant failed; rollback failed, access may remain"
		err = fmt.Errorf("%w; taking back the grants already applied failed too, so some may remain: %w", err, rollback)
	}
	setAccessStatus(rctx, AccessDenied, time.Time{})
	return err
}

// standingNote names the privileges the principal held before the
// request, which its end leaves in place.
func (r *accessRequest) standingNote() string {
	if len(r.state.Standing) == 0 {
		return ""
	}
	return fmt.Sprintf(" %s already held %s on %s, which the request leaves in place.", r.in.Principal, r.readPrivilege(""), strings.Join(r.state.Standing, ", "))
}

// awaitEnd sleeps on a durable timer until expiry or an early revocation
// (or, for access granted for an incident, its resolution).
func (r *accessRequest) awaitEnd(ctx workflow.Context) error {
	if r.in.Incident != "" {
		return r.awaitEndOrResolution(ctx)
	}
	opts := workflow.AwaitOptions{Timeout: r.state.ExpiresAt.Sub(workflow.Now(ctx)), TimerOptions: workflow.TimerOptions{Summary: "access expiry"}}
	revoked, err := workflow.AwaitWithOptions(ctx, opts, func() bool { return r.ended })
	if err != nil {
		return err
	}
	r.ending = endingRequest
	if !revoked {
		r.state.EndedBy, r.ending = "expiry", endingExpiry
	}
	return nil
}

// revoke takes the access away, retrying until the warehouse confirms,
// and says how it ended. A revocation refused for good is reported, in
// the status, the audit log and Slack, as access that could not be revoked.
func (r *accessRequest) revoke(ctx workflow.Context) error {
	if r.ending == "" {
		r.ending = r.state.EndedBy
	}
	if endsEverywhere(ctx) { // a cancel arriving now must not stop the revocation
		ctx, _ = workflow.NewDisconnectedContext(ctx)
	}
	err := r.revokeOwned(ctx)
	if err != nil && !endsEverywhere(ctx) {
		return err
	}
	r.state.Ending = endingText(r.ending, err)
	action, status := AuditAccessRevoked, AccessRevoked
	switch {
	case err != nil:
		action, status = AuditAccessNotRevoked, AccessRevokeFailed
	case r.ending == endingExpiry:
		action, status = AuditAccessExpired, AccessExpired
	}
	r.state.Status, r.state.EndedAt = status, workflow.Now(ctx)
	reason := r.note
	if err != nil {
		reason = err.Error()
	}
	r.auditDecision(ctx, action, r.state.EndedBy, reason, r.endKey)
	setAccessStatus(ctx, status, time.Time{})
	text := fmt.Sprintf(":lock: %s is %s (%s).", r.what(), status, activities.SlackEscape(r.state.EndedBy))
	if endsEverywhere(ctx) {
		text = fmt.Sprintf(":lock: %s: %s (ended by %s).%s", r.what(), r.state.Ending, activities.SlackEscape(r.state.EndedBy), activities.SlackEscape(r.standingNote()))
		if err != nil {
			text = fmt.Sprintf(":rotating_light: %s: %s: %s", r.what(), r.state.Ending, activities.SlackEscape(err.Error()))
		}
	}
	postSlack(ctx, r.channel(), text)
	return err
}

// revokeAll takes back the grants. A revocation that fails (only for
// good: they are retried until then) does not stop the others, so one
// refused privilege never leaves the rest in place; every failure is
// returned.
func (r *accessRequest) revokeAll(ctx workflow.Context, grants []activities.AccessGrant) error {
	var a *activities.Access
	var failed []error
	for _, g := range grants {
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
