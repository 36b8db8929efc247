package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
)

// Triage runs one incident of one dataset from the first report to its
// resolution: it opens a Slack thread in the owner's channel, diagnoses the
// table in parallel, pages on-call for severe incidents, escalates while
// nobody acknowledges, and returns the timeline once resolved.
//
// The history is bounded, so the workflow does not continue as new:
// escalations stop after MaxEscalations, auto-resolve rechecks after
// maxTriageRechecks (about 20 events each, so under 25,000 events, half
// of Temporal's limit), posted reports after maxTriageReporters, and every
// other event is a human click.
func Triage(ctx workflow.Context, in TriageInput) (TriageTimeline, error) {
	if err := in.validate(); err != nil {
		return TriageTimeline{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrInvalidInput, nil)
	}
	t := newTriage(ctx, in)
	if err := t.registerHandlers(ctx); err != nil {
		return t.timeline(), err
	}
	if err := t.open(ctx); err != nil {
		return t.timeline(), err
	}
	t.startDiagnosis(ctx)
	t.pageIfDue(ctx, "opened")
	if t.autoResolveOn() {
		t.armRecheck(ctx)
	}
	for t.status != TriageResolved {
		if err := t.step(ctx); err != nil {
			return t.timeline(), err
		}
	}
	return t.close(ctx)
}

func (in TriageInput) validate() error {
	if in.Dataset.Name == "" || in.Dataset.Warehouse == "" || in.Dataset.Table == "" {
		return fmt.Errorf("triage needs a catalog dataset with a name, a warehouse and a table")
	}
	if s := in.Report.Severity; s < 0 || s > 4 {
		return fmt.Errorf("severity %d is out of range; use 1 (worst) to 4, or 0 for the default", s)
	}
	return nil
}

// triage is the state of one incident. Update and signal handlers only
// change this state and queue side effects in pending; the main loop runs
// them, so every activity is scheduled from one place.
type triage struct {
	in        TriageInput
	id        string
	policy    TriagePolicy
	severity  int
	status    string
	reporters []string
	seen      map[string]bool // reports already counted, by reporter and time
	channel   string
	threadTS  string

	detectedAt, ackedAt, mitigatedAt, resolvedAt time.Time
	ackedBy, resolvedBy                          string

	pages, escalations int
	escalateAt         time.Time // zero: no escalation pending
	findings           []activities.Finding
	events             []TimelineEvent
	pending            []func(workflow.Context)
	runbooks           int
	runbookRunning     bool
	autoResolve        autoResolveState
}

func newTriage(ctx workflow.Context, in TriageInput) *triage {
	channel := in.Dataset.Owner.SlackChannel
	if channel == "" {
		channel = in.Report.Channel
	}
	detected := in.Report.ReportedAt
	if detected.IsZero() {
		detected = workflow.Now(ctx)
	}
	return &triage{
		in: in, id: workflow.GetInfo(ctx).WorkflowExecution.ID, policy: in.Policy.withDefaults(),
		severity: normalSeverity(in.Report.Severity), status: TriageOpen,
		reporters: []string{in.Report.Reporter}, seen: map[string]bool{reportKey(in.Report): true},
		channel: channel, detectedAt: detected,
	}
}

// step runs the queued side effects, then sleeps until a handler queues
// more, the incident is resolved, or a durable timer (escalation,
// recheck) is due.
func (t *triage) step(ctx workflow.Context) error {
	t.runPending(ctx)
	if t.status == TriageResolved {
		return nil
	}
	ready := func() bool { return len(t.pending) > 0 || t.status == TriageResolved }
	wait, timed := t.nextWake(ctx)
	if !timed {
		return workflow.Await(ctx, ready)
	}
	if wait > 0 {
		opts := workflow.AwaitOptions{Timeout: wait, TimerOptions: workflow.TimerOptions{Summary: t.wakeSummary()}}
		woken, err := workflow.AwaitWithOptions(ctx, opts, ready)
		if err != nil || woken {
			return err
		}
	}
	t.onTimers(ctx)
	return nil
}

// runPending runs the queued side effects in order, including any queued
// while they run.
func (t *triage) runPending(ctx workflow.Context) {
	for len(t.pending) > 0 {
		next := t.pending[0]
		t.pending = t.pending[1:]
		next(ctx)
	}
}

// later queues a side effect for the main loop.
func (t *triage) later(f func(workflow.Context)) { t.pending = append(t.pending, f) }

// record appends an event to the timeline.
func (t *triage) record(ctx workflow.Context, kind, by, text string) {
	t.events = append(t.events, TimelineEvent{At: workflow.Now(ctx), Kind: kind, By: by, Text: text})
}
