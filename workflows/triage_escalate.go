package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"
)

// armEscalation starts the ack deadline of the current severity, unless
// someone acknowledged or the escalations are used up.
func (t *triage) armEscalation(ctx workflow.Context) {
	after := t.policy.escalateAfter(t.severity)
	if !t.ackedAt.IsZero() || after == 0 || t.escalations >= t.policy.MaxEscalations || t.status == TriageResolved {
		t.escalateAt = time.Time{}
		return
	}
	t.escalateAt = workflow.Now(ctx).Add(after)
}

// escalate re-pages and mentions the escalation group, then re-arms the
// deadline for the next escalation.
func (t *triage) escalate(ctx workflow.Context, by, why string) {
	t.escalations++
	t.record(ctx, "escalated", by, why)
	t.post(ctx, fmt.Sprintf(":rotating_light: %s Escalation %d/%d of this sev%d incident: %s.",
		t.policy.EscalationMention, t.escalations, t.policy.MaxEscalations, t.severity, why))
	t.trigger(ctx, fmt.Sprintf("escalation %d: %s", t.escalations, why))
	t.armEscalation(ctx)
}

// nextWake is how long to sleep until the earliest timer; timed is false
// when no timer is pending and only a handler can wake the loop.
func (t *triage) nextWake(ctx workflow.Context) (wait time.Duration, timed bool) {
	var due time.Time
	if !t.escalateAt.IsZero() {
		due = t.escalateAt
	}
	if next := t.autoResolve.next; t.autoResolveOn() && (due.IsZero() || next.Before(due)) {
		due = next
	}
	if due.IsZero() {
		return 0, false
	}
	return due.Sub(workflow.Now(ctx)), true
}

// wakeSummary names the timer in the Temporal UI.
func (t *triage) wakeSummary() string {
	if !t.escalateAt.IsZero() && (!t.autoResolveOn() || !t.autoResolve.next.Before(t.escalateAt)) {
		return fmt.Sprintf("escalate sev%d unless acknowledged", t.severity)
	}
	return "recheck before auto-resolve"
}

// onTimers does what is due: escalation first, then the recheck.
func (t *triage) onTimers(ctx workflow.Context) {
	now := workflow.Now(ctx)
	if !t.escalateAt.IsZero() && !now.Before(t.escalateAt) {
		after := t.policy.escalateAfter(t.severity)
		t.escalate(ctx, "", fmt.Sprintf("no ack within %s", after))
	}
	if t.autoResolveOn() && !now.Before(t.autoResolve.next) {
		t.recheck(ctx)
	}
}
