package workflows

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
)

// Triage runs one incident of one dataset from the first report to its
// resolution: it opens a Slack thread in the owner's channel, diagnoses the
// table in parallel, pages on-call for severe incidents, escalates while
// nobody acknowledges, and returns the timeline once resolved.
//
// The history is bounded, so the workflow does not continue as new:
// escalations stop after MaxEscalations (with steps, after each step ran
// 1+Repeat times: at most 100, as dre.yaml allows 10 steps and repeat 9),
// auto-resolve rechecks after
// maxTriageRechecks (about 20 events each, so under 25,000 events, half
// of Temporal's limit), posted reports after maxTriageReporters, and every
// other event is a human click.
func Triage(ctx workflow.Context, in TriageInput) (TriageTimeline, error) {
	if err := in.validate(); err != nil {
		return TriageTimeline{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrInvalidInput, nil)
	}
	t := newTriage(ctx, in)
	t.guard.start(ctx)
	if err := t.registerHandlers(ctx); err != nil {
		return t.timeline(), err
	}
	if err := t.guard.load(ctx, in.Dataset.Name); err != nil {
		return t.timeline(), err
	}
	if err := t.open(ctx); err != nil {
		return t.timeline(), err
	}
	t.startDiagnosis(ctx)
	t.startImpact(ctx)
	t.pageIfDue(ctx, "opened")
	t.openRoomIfDue(ctx)
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
	return validAlerts(in.Report.Alerts)
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
	pagerDutyLevel     int       // the level escalation steps last moved PagerDuty to
	servicesPaged      []string  // other services escalation steps paged
	findings           []activities.Finding
	events             []TimelineEvent
	pending            []func(workflow.Context)
	runbooks           int
	runbookRunning     bool
	fix                triageFix // the backfill of the affected partitions
	autoResolve        autoResolveState
	alerts             []TriageAlert // absorbed from monitoring tools
	alertsNotListed    int
	// guard proves who clicks and applies the authz: rules (triage.*).
	guard decisionGuard
	// room is the incident's own Slack channel and its commander.
	room triageRoom
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
		channel: channel, detectedAt: detected, alerts: openingAlerts(in.Report),
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

// Triage statuses, also written to the DreStatus search attribute.
const (
	TriageOpen         = "open"
	TriageAcknowledged = "acknowledged"
	TriageMitigated    = "mitigated"
	TriageResolved     = "resolved"
)

// More triage updates, beside TriageAckUpdate and TriageResolveUpdate:
// the Escalate and Run runbook buttons of the incident message.
const (
	TriageEscalateUpdate   = "escalate"
	TriageRunRunbookUpdate = "run-runbook"
)

// PagerDutyActor is the TriageAction.By, or its prefix before a colon
// ("pagerduty:Jane Doe"), of acks and resolutions that came from
// PagerDuty's webhook; they are not echoed back to PagerDuty.
const PagerDutyActor = "pagerduty"

// fromPagerDuty reports whether an action came from PagerDuty.
func fromPagerDuty(by string) bool {
	return by == PagerDutyActor || strings.HasPrefix(by, PagerDutyActor+":")
}

// TriageAction is the argument of every triage update: who clicked, and
// an optional note for the timeline. Proof proves By sent it: signed over
// decision.Decision{WorkflowID, Action: the update's name, Target: the
// dataset}; see Proof.
type TriageAction struct {
	By   string `json:"by"`
	Note string `json:"note,omitempty"`
	Proof
}

// TimelineEvent is one entry of an incident's timeline.
type TimelineEvent struct {
	At   time.Time `json:"at"`
	Kind string    `json:"kind"` // opened, reported, finding, paged, escalated, acknowledged...
	By   string    `json:"by,omitempty"`
	Text string    `json:"text,omitempty"`
}

// TriageTimeline is the incident as it stands: the answer to the timeline
// and status queries, and the workflow's result once resolved.
type TriageTimeline struct {
	WorkflowID string   `json:"workflowId"`
	Dataset    string   `json:"dataset"`
	Severity   int      `json:"severity"`
	Status     string   `json:"status"`
	Reporters  []string `json:"reporters"`
	// Channel and ThreadTS locate the incident's Slack thread.
	Channel  string `json:"channel,omitempty"`
	ThreadTS string `json:"threadTs,omitempty"`

	DetectedAt     time.Time `json:"detectedAt"`
	AcknowledgedAt time.Time `json:"acknowledgedAt,omitzero"`
	MitigatedAt    time.Time `json:"mitigatedAt,omitzero"`
	ResolvedAt     time.Time `json:"resolvedAt,omitzero"`
	AcknowledgedBy string    `json:"acknowledgedBy,omitempty"`
	ResolvedBy     string    `json:"resolvedBy,omitempty"`
	// TimeToAck and TimeToResolve count from DetectedAt; 0 until it happened.
	TimeToAck     time.Duration `json:"timeToAck,omitempty"`
	TimeToResolve time.Duration `json:"timeToResolve,omitempty"`

	Pages       int `json:"pages"`
	Escalations int `json:"escalations"`
	// NextEscalationAt is when the incident escalates unless someone
	// acknowledges; zero when no escalation is pending.
	NextEscalationAt time.Time            `json:"nextEscalationAt,omitzero"`
	Findings         []activities.Finding `json:"findings,omitempty"`
	Events           []TimelineEvent      `json:"events"`
	// Alerts are the monitoring tools' alerts the incident absorbed, with
	// their latest status; AlertsNotListed counts those past the limit.
	Alerts          []TriageAlert `json:"alerts,omitempty"`
	AlertsNotListed int           `json:"alertsNotListed,omitempty"`
	// Lineage is a Mermaid flowchart of the dataset's neighbourhood, drawn
	// once the incident is resolved; empty without declared lineage.
	Lineage string `json:"lineage,omitempty"`
	// Room and RoomName are the incident's own Slack channel, when its
	// severity has one; Commander is who took command of the incident.
	Room      string `json:"room,omitempty"`
	RoomName  string `json:"roomName,omitempty"`
	Commander string `json:"commander,omitempty"`
	// Postmortem is a Markdown skeleton, set once the incident is resolved.
	Postmortem string `json:"postmortem,omitempty"`
}

// Triage signals and updates. A second report of an open incident arrives
// as TriageReportSignal through signal-with-start, so it joins the
// incident instead of opening another.
const (
	TriageReportSignal  = "report"
	TriageAckUpdate     = "ack"
	TriageResolveUpdate = "resolve"
	TriageTimelineQuery = "timeline"
)

// TriageReport is one report of trouble with a dataset: the first opens
// the incident, later ones join it.
type TriageReport struct {
	// Reporter is who reported: a Slack user ID, "pagerduty", "slo:<name>".
	Reporter string `json:"reporter"`
	// Severity is 1 (worst) to 4; 0 means the default, 3.
	Severity    int       `json:"severity,omitempty"`
	Description string    `json:"description,omitempty"`
	Source      string    `json:"source,omitempty"` // slack, pagerduty, slo, cli
	ReportedAt  time.Time `json:"reportedAt"`
	// ResponseURL is Slack's response_url for the reporter's command, so
	// follow-ups reach the person who asked.
	ResponseURL string `json:"responseUrl,omitempty"`
	// Channel is the Slack channel the command came from.
	Channel string `json:"channel,omitempty"`
	// Alerts are set when monitoring tools' alerts made the report
	// (Source "alert"), several when they arrived together; their
	// resolves arrive as reports too.
	Alerts []TriageAlert `json:"alerts,omitempty"`
}

// TriageInput starts the triage of one dataset.
type TriageInput struct {
	Dataset catalog.Dataset `json:"dataset"`
	Report  TriageReport    `json:"report"`
	// Policy tunes paging, escalation, auto-resolve and the diagnosis; its
	// zero value means the defaults (see TriagePolicy).
	Policy TriagePolicy `json:"policy,omitzero"`
	// RunURL links to the run in the Temporal UI, for the opening message.
	RunURL string `json:"runUrl,omitempty"`
	// Runbook is the prepared run of the dataset's catalog runbook, parsed
	// and resolved by the starter (the workflow reads no files); the
	// run-runbook update starts it as a child. Nil when there is none.
	Runbook *RunbookInput `json:"runbook,omitempty"`
}

// TriagePolicy tunes a triage. Every zero field means its default, so the
// gateway can start a triage with none of it set.
type TriagePolicy struct {
	// PageSeverity is the least severe severity that pages: 2 (the
	// default) pages sev1 and sev2 and only notifies for sev3 and sev4.
	PageSeverity int `json:"pageSeverity,omitempty"`
	// EscalateAfter is how long an unacknowledged incident of a severity
	// waits before escalating; severities not listed take the defaults
	// (sev1 5m, sev2 15m, sev3 and sev4 never). A negative value never escalates.
	EscalateAfter map[int]time.Duration `json:"escalateAfter,omitempty"`
	// MaxEscalations bounds the escalations without an ack (default 3).
	MaxEscalations int `json:"maxEscalations,omitempty"`
	// EscalationMention is who an escalation mentions in Slack, for
	// example "<!subteam^S0123>" for the team's escalation group (default "<!here>").
	EscalationMention string `json:"escalationMention,omitempty"`
	// AutoResolveAfter resolves the incident once the freshness and volume
	// checks have passed for this long; 0 (the default) turns it off.
	AutoResolveAfter time.Duration `json:"autoResolveAfter,omitempty"`
	// RecheckEvery is how often auto-resolve reruns the checks (default 5m).
	RecheckEvery time.Duration `json:"recheckEvery,omitempty"`
	// UniqueKey declares the columns that identify a row, for the
	// duplicate-key check, which is skipped without it.
	UniqueKey []string `json:"uniqueKey,omitempty"`
	// Steps, when set, replace the default escalation (mention and
	// re-trigger, MaxEscalations times): each step runs in order while
	// nobody acknowledges, and the list runs 1+Repeat times.
	Steps  []EscalationStep `json:"steps,omitempty"`
	Repeat int              `json:"repeat,omitempty"`
	// BaselineDays and MADFactor tune the volume check (defaults 28 and 3).
	BaselineDays int     `json:"baselineDays,omitempty"`
	MADFactor    float64 `json:"madFactor,omitempty"`
	// ResolveWithAlerts resolves the incident without a human once every
	// alert it absorbed has resolved at its source; off, the thread asks
	// a human to press Resolve.
	ResolveWithAlerts bool `json:"resolveWithAlerts,omitempty"`
	// ResolveAfterFix resolves the incident without a human when the
	// checks that failed pass again after the backfill of the affected
	// partitions; off, the thread asks a human to press Resolve.
	ResolveAfterFix bool `json:"resolveAfterFix,omitempty"`
	// BackfillBudget is the estimated cost above which the backfill of
	// the affected partitions waits for `dre backfill approve`, in the
	// warehouse's estimate unit (BigQuery bytes, PostgreSQL planner
	// units), as --budget of a backfill started by hand; 0: none.
	BackfillBudget float64 `json:"backfillBudget,omitempty"`
	// Room, when set, opens a Slack channel of the incident's own at the
	// severities it lists (see TriageRoom).
	Room *TriageRoom `json:"room,omitempty"`
}

// defaultEscalateAfter applies to severities EscalateAfter does not list.
var defaultEscalateAfter = map[int]time.Duration{1: 5 * time.Minute, 2: 15 * time.Minute}

// Other defaults of TriagePolicy.
const (
	defaultPageSeverity      = 2
	defaultMaxEscalations    = 3
	defaultEscalationMention = "<!here>"
	defaultRecheckEvery      = 5 * time.Minute
	defaultTriageSeverity    = 3
)

// withDefaults fills in every zero field.
func (p TriagePolicy) withDefaults() TriagePolicy {
	if p.PageSeverity == 0 {
		p.PageSeverity = defaultPageSeverity
	}
	if p.MaxEscalations == 0 {
		p.MaxEscalations = defaultMaxEscalations
	}
	if p.EscalationMention == "" {
		p.EscalationMention = defaultEscalationMention
	}
	if p.RecheckEvery <= 0 {
		p.RecheckEvery = defaultRecheckEvery
	}
	return p
}

// pages reports whether incidents of severity sev page on-call.
func (p TriagePolicy) pages(sev int) bool { return sev <= p.PageSeverity }

// escalateAfter is the ack deadline of severity sev; 0 means never escalate.
func (p TriagePolicy) escalateAfter(sev int) time.Duration {
	d, ok := p.EscalateAfter[sev]
	if !ok {
		d = defaultEscalateAfter[sev]
	}
	return max(d, 0)
}

// normalSeverity maps a report's severity to 1..4, 0 meaning the default.
func normalSeverity(sev int) int {
	if sev < 1 || sev > 4 {
		return defaultTriageSeverity
	}
	return sev
}
