package workflows

import (
	"errors"
	"fmt"
	"slices"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/authz"
)

// maxTriageReporters bounds the reporters listed; later reports still
// raise the severity but are not posted, so a noisy alert cannot flood the
// thread or the history.
const maxTriageReporters = 50

// registerHandlers answers the queries, receives reports and accepts the
// updates. Validators reject bad clicks before they reach the history.
func (t *triage) registerHandlers(ctx workflow.Context) error {
	for _, q := range []string{TriageTimelineQuery, StatusQuery} {
		if err := workflow.SetQueryHandler(ctx, q, func() (TriageTimeline, error) { return t.timeline(), nil }); err != nil {
			return err
		}
	}
	updates := []struct {
		name      string
		handler   func(workflow.Context, TriageAction) (string, error)
		validator func(workflow.Context, TriageAction) error
	}{
		{TriageAckUpdate, t.onAck, t.validateAck},
		{TriageResolveUpdate, t.onResolve, t.validateResolve},
		{TriageEscalateUpdate, t.onEscalate, t.validateEscalate},
		{TriageRunRunbookUpdate, t.onRunRunbook, t.validateRunbook},
		{TriageBackfillUpdate, t.onBackfill, t.validateBackfill},
		{TriageCommandUpdate, t.onCommand, t.validateCommand},
	}
	for _, u := range updates {
		opts := workflow.UpdateHandlerOptions{Validator: u.validator}
		if err := workflow.SetUpdateHandlerWithOptions(ctx, u.name, u.handler, opts); err != nil {
			return err
		}
	}
	reports := workflow.GetSignalChannel(ctx, TriageReportSignal)
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			var r TriageReport
			reports.Receive(ctx, &r)
			t.onReport(ctx, r)
		}
	})
	return nil
}

// validateOpen rejects any action on a resolved incident.
func (t *triage) validateOpen(_ workflow.Context, a TriageAction) error {
	if a.By == "" {
		return errors.New("say who acts: TriageAction.By is empty")
	}
	if t.status == TriageResolved {
		return fmt.Errorf("the incident was resolved by %s; report again to open a new one", t.resolvedBy)
	}
	return nil
}

// validateAck rejects a second ack, so that PagerDuty's echo of a Slack
// ack (or a double click) does not reach the history.
func (t *triage) validateAck(ctx workflow.Context, a TriageAction) error {
	if err := t.validateOpen(ctx, a); err != nil {
		return err
	}
	if !t.ackedAt.IsZero() {
		return fmt.Errorf("already acknowledged by %s", t.ackedBy)
	}
	return t.authorize(ctx, TriageAckUpdate, authz.TriageAck, a)
}

func (t *triage) validateResolve(ctx workflow.Context, a TriageAction) error {
	if err := t.validateOpen(ctx, a); err != nil {
		return err
	}
	return t.authorize(ctx, TriageResolveUpdate, authz.TriageResolve, a)
}

func (t *triage) validateEscalate(ctx workflow.Context, a TriageAction) error {
	if err := t.validateOpen(ctx, a); err != nil {
		return err
	}
	return t.authorize(ctx, TriageEscalateUpdate, authz.TriageEscalate, a)
}

// authorize proves who clicked and applies the authz rule; runs recorded
// before the worker's policy accept any named clicker, as they did.
func (t *triage) authorize(ctx workflow.Context, update, rule string, a TriageAction) error {
	if err := t.guard.ready(); err != nil || t.guard.policy == nil {
		return err
	}
	_, err := t.guard.check(ctx, t.claim(update, a), rule, t.guard.ownerFacts())
	return err
}

// claim is a as a decision on this incident, for the guard to prove.
func (t *triage) claim(update string, a TriageAction) claim {
	return claim{workflowID: t.id, action: update, target: t.in.Dataset.Name, by: a.By, proof: a.Proof,
		cli: "dre triage " + update + " " + t.in.Dataset.Name}
}

// actor is who a validated action is recorded as: the proven clicker
// (a Slack user, a PagerDuty user, a person). The decision goes to the
// audit log with its evidence (key fingerprint, relay, or unverified).
// Runs before the policy record the name as given and audit nothing.
func (t *triage) actor(ctx workflow.Context, update string, a TriageAction) string {
	who, err := t.guard.accept(ctx, t.claim(update, a))
	if err != nil || who.name == "" {
		return a.By
	}
	if t.guard.policy != nil {
		t.later(func(ctx workflow.Context) {
			auditEntry(ctx, activities.AuditEntry{Actor: who.name, Action: "triage." + update, Target: t.in.Dataset.Name, Reason: a.Note,
				Details: map[string]string{"workflow_id": t.id, "verified_key": who.evidence}})
		})
	}
	return who.name
}

func (t *triage) onAck(ctx workflow.Context, a TriageAction) (string, error) {
	a.By = t.actor(ctx, TriageAckUpdate, a)
	t.ackedAt, t.ackedBy = workflow.Now(ctx), a.By
	t.escalateAt = time.Time{}
	if t.status == TriageOpen { // an ack after mitigation keeps "mitigated"
		t.setStatus(TriageAcknowledged)
	}
	t.record(ctx, "acknowledged", a.By, a.Note)
	t.later(func(ctx workflow.Context) {
		t.statusChanged(ctx)
		t.post(ctx, fmt.Sprintf(":eyes: Acknowledged by %s. Escalation stopped.", slackMention(a.By)))
		if t.pages > 0 && !fromPagerDuty(a.By) {
			t.pageAction(ctx, "acknowledge")
		}
		t.servicesAction(ctx, "acknowledge")
	})
	return t.status, nil
}

func (t *triage) onResolve(ctx workflow.Context, a TriageAction) (string, error) {
	a.By = t.actor(ctx, TriageResolveUpdate, a)
	t.resolve(ctx, a.By, a.Note)
	return t.status, nil
}

// resolve marks the incident resolved; close does the rest.
func (t *triage) resolve(ctx workflow.Context, by, note string) {
	t.resolvedAt, t.resolvedBy = workflow.Now(ctx), by
	t.escalateAt = time.Time{}
	t.setStatus(TriageResolved)
	t.record(ctx, "resolved", by, note)
}

func (t *triage) onEscalate(ctx workflow.Context, a TriageAction) (string, error) {
	a.By = t.actor(ctx, TriageEscalateUpdate, a)
	t.later(func(ctx workflow.Context) { t.escalate(ctx, a.By, "escalated by hand") })
	return t.status, nil
}

// onReport joins a later report to the incident; a worse severity re-pages.
func (t *triage) onReport(ctx workflow.Context, r TriageReport) {
	if len(r.Alerts) > 0 {
		var goesOn bool
		if r, goesOn = t.absorbAlerts(ctx, r); !goesOn {
			return
		}
	}
	key := reportKey(r)
	if t.seen[key] {
		return // signal-with-start delivers the first report as input and as a signal
	}
	sev := normalSeverity(r.Severity)
	if len(t.seen) < maxTriageReporters {
		t.seen[key] = true
		if !slices.Contains(t.reporters, r.Reporter) {
			t.reporters = append(t.reporters, r.Reporter)
		}
		t.record(ctx, "reported", r.Reporter, fmt.Sprintf("sev%d: %s", sev, r.Description))
		t.later(func(ctx workflow.Context) {
			t.post(ctx, fmt.Sprintf(":heavy_plus_sign: %s also reported (sev%d): %s", slackMention(r.Reporter), sev, activities.SlackEscape(r.Description)))
		})
	}
	if r.Severity != 0 && sev < t.severity && t.status != TriageResolved {
		t.severity = sev
		t.record(ctx, "severity", r.Reporter, fmt.Sprintf("raised to sev%d", sev))
		t.later(func(ctx workflow.Context) {
			t.statusChanged(ctx)
			t.post(ctx, fmt.Sprintf(":arrow_up: Severity raised to sev%d by %s.", sev, slackMention(r.Reporter)))
			t.pageIfDue(ctx, "severity raised")
			t.openRoomIfDue(ctx)
		})
	}
}

// reportKey identifies a report, to count each once.
func reportKey(r TriageReport) string {
	if len(r.Alerts) > 0 { // one tool reports many alerts at one time
		return r.Alerts[0].key() + "@" + r.ReportedAt.UTC().Format(time.RFC3339Nano)
	}
	return r.Reporter + "@" + r.ReportedAt.UTC().Format(time.RFC3339Nano)
}

func (t *triage) setStatus(s string) { t.status = s }

// validateRunbook accepts a run only when the starter prepared the
// dataset's runbook and no run of it is in progress.
func (t *triage) validateRunbook(ctx workflow.Context, a TriageAction) error {
	if err := t.validateOpen(ctx, a); err != nil {
		return err
	}
	if t.in.Runbook == nil {
		return fmt.Errorf("dataset %s has no runbook; set runbook: in its catalog entry and report again", t.in.Dataset.Name)
	}
	if t.runbookRunning {
		return errors.New("the runbook is already running; wait for it to finish")
	}
	return t.authorize(ctx, TriageRunRunbookUpdate, authz.TriageRunRunbook, a)
}

func (t *triage) onRunRunbook(ctx workflow.Context, a TriageAction) (string, error) {
	a.By = t.actor(ctx, TriageRunRunbookUpdate, a)
	t.runbookRunning = true
	t.runbooks++
	t.record(ctx, "runbook", a.By, "started "+t.in.Runbook.Runbook.Name)
	t.later(func(ctx workflow.Context) { workflow.Go(ctx, func(ctx workflow.Context) { t.runRunbook(ctx, a.By) }) })
	return t.status, nil
}

// runRunbook runs the dataset's runbook as a child; success mitigates.
// The child is abandoned, not terminated, if the incident closes first: a
// half-run remediation is worse than a finished one.
func (t *triage) runRunbook(ctx workflow.Context, by string) {
	defer func() { t.runbookRunning = false }()
	in := *t.in.Runbook
	in.Requester = by
	name := in.Runbook.Name
	ctx = workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:        fmt.Sprintf("%s/runbook-%d", t.id, t.runbooks),
		ParentClosePolicy: enumspb.PARENT_CLOSE_POLICY_ABANDON,
		StaticSummary:     fmt.Sprintf("runbook %s for incident %s", name, t.id),
	})
	t.post(ctx, fmt.Sprintf(":runner: %s started runbook `%s`.", slackMention(by), name))
	if err := workflow.ExecuteChildWorkflow(ctx, RunbookWorkflowName, in).Get(ctx, nil); err != nil {
		t.record(ctx, "runbook-failed", "dre", err.Error())
		t.post(ctx, fmt.Sprintf(":x: Runbook `%s` failed: %v", name, err))
		return
	}
	t.record(ctx, "runbook-done", "dre", name)
	t.mitigate(ctx, by, "runbook "+name+" finished")
}

// armEscalation starts the ack deadline of the current severity, unless
// someone acknowledged or the escalations are used up.
func (t *triage) armEscalation(ctx workflow.Context) {
	if !t.ackedAt.IsZero() || t.policy.escalateAfter(t.severity) == 0 || t.escalations >= t.totalEscalations(ctx) || t.status == TriageResolved {
		t.escalateAt = time.Time{}
		return
	}
	t.escalateAt = workflow.Now(ctx).Add(t.escalationDelay(ctx))
}

// escalate runs the next escalation step, or without steps re-pages and
// mentions the escalation group; then it re-arms the deadline for the
// next escalation.
func (t *triage) escalate(ctx workflow.Context, by, why string) {
	if t.usesSteps(ctx) {
		t.runStep(ctx, by, why)
		return
	}
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
		t.escalate(ctx, "", fmt.Sprintf("no ack within %s", t.escalationDelay(ctx)))
	}
	if t.autoResolveOn() && !now.Before(t.autoResolve.next) {
		t.recheck(ctx)
	}
}
