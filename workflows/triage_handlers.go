package workflows

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/workflow"
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
		{TriageResolveUpdate, t.onResolve, t.validateOpen},
		{TriageEscalateUpdate, t.onEscalate, t.validateOpen},
		{TriageRunRunbookUpdate, t.onRunRunbook, t.validateRunbook},
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
	return nil
}

func (t *triage) onAck(ctx workflow.Context, a TriageAction) (string, error) {
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
	})
	return t.status, nil
}

func (t *triage) onResolve(ctx workflow.Context, a TriageAction) (string, error) {
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
	t.later(func(ctx workflow.Context) { t.escalate(ctx, a.By, "escalated by hand") })
	return t.status, nil
}

// onReport joins a later report to the incident; a worse severity re-pages.
func (t *triage) onReport(ctx workflow.Context, r TriageReport) {
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
			t.post(ctx, fmt.Sprintf(":heavy_plus_sign: %s also reported (sev%d): %s", slackMention(r.Reporter), sev, r.Description))
		})
	}
	if r.Severity != 0 && sev < t.severity && t.status != TriageResolved {
		t.severity = sev
		t.record(ctx, "severity", r.Reporter, fmt.Sprintf("raised to sev%d", sev))
		t.later(func(ctx workflow.Context) {
			t.statusChanged(ctx)
			t.post(ctx, fmt.Sprintf(":arrow_up: Severity raised to sev%d by %s.", sev, slackMention(r.Reporter)))
			t.pageIfDue(ctx, "severity raised")
		})
	}
}

// reportKey identifies a report, to count each once.
func reportKey(r TriageReport) string {
	return r.Reporter + "@" + r.ReportedAt.UTC().Format(time.RFC3339Nano)
}

func (t *triage) setStatus(s string) { t.status = s }
