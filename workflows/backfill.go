package workflows

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/authz"
	"github.com/dre-dev/dre/internal/catalog"
)

// Backfill statuses, also written to the DreStatus search attribute.
const (
	BackfillPlanning         = "planning"
	BackfillAwaitingApproval = "awaiting-approval"
	// BackfillApproved answers the approve update; it is never the
	// status of a run, which goes on to plan or run at once.
	BackfillApproved   = "approved"
	BackfillRunning    = "running"
	BackfillPaused     = "paused"
	BackfillCancelling = "cancelling"
	// BackfillDone: every partition was written and validated.
	BackfillDone = "done"
	// BackfillPartial: finished under the skip policy with failed partitions.
	BackfillPartial = "partial"
	// BackfillFailed: stopped at a failed partition under the stop policy.
	BackfillFailed    = "failed"
	BackfillCancelled = "cancelled"
	// BackfillPlanned: a dry run's plan, nothing written.
	BackfillPlanned = "planned"
	// BackfillNotApproved: over budget and not approved in time.
	BackfillNotApproved = "not-approved"
)

// Limits and defaults of a backfill.
const (
	// BackfillDefaultConcurrency is the concurrency when none is asked for.
	BackfillDefaultConcurrency = 4
	// BackfillMaxConcurrency caps concurrency so that one backfill cannot
	// exhaust the warehouse's connections.
	BackfillMaxConcurrency = 32
	// backfillDefaultAttempts bounds the attempts at one partition.
	backfillDefaultAttempts = 3
	// backfillPartitionsPerRun bounds one run's history: a partition costs
	// about six events, so a run ends near 3,000, far below the 10,240
	// warning, and continues as new.
	backfillPartitionsPerRun = 500
	// backfillFailuresKept bounds the failures carried and reported in
	// detail; Failed still counts them all.
	backfillFailuresKept = 100
	// backfillDefaultApprovalTimeout is how long an over-budget run waits.
	backfillDefaultApprovalTimeout = 72 * time.Hour
)

// ErrValidationFailed marks a partition that was written but failed its
// validation (the activities package raises it under the same name).
const ErrValidationFailed = "ValidationFailed"

// BackfillFailure is a partition that failed, with why.
type BackfillFailure struct {
	Start  time.Time `json:"start"`
	Reason string    `json:"reason"`
}

// BackfillStatus is the answer to the status query and to every control
// update: progress counts, throughput and an estimate of the end.
type BackfillStatus struct {
	Dataset     string    `json:"dataset"`
	Table       string    `json:"table"`
	Status      string    `json:"status"`
	From        time.Time `json:"from"`
	To          time.Time `json:"to"`
	Total       int       `json:"total"`
	Done        int       `json:"done"`
	Failed      int       `json:"failed"`
	Running     int       `json:"running"`
	Pending     int       `json:"pending"`
	Rows        int64     `json:"rows"`
	Concurrency int       `json:"concurrency"`
	// PartitionsPerSecond and RowsPerSecond are averages since the start.
	PartitionsPerSecond float64           `json:"partitionsPerSecond"`
	RowsPerSecond       float64           `json:"rowsPerSecond"`
	ETA                 time.Duration     `json:"eta"`
	StartedAt           time.Time         `json:"startedAt"`
	Elapsed             time.Duration     `json:"elapsed"`
	Budget              float64           `json:"budget,omitempty"`
	Approver            string            `json:"approver,omitempty"`
	Plan                *BackfillPlan     `json:"plan,omitempty"`
	Failures            []BackfillFailure `json:"failures,omitempty"`
}

// BackfillReport is a finished backfill: its final status, and whether the
// report reached the owner's Slack channel.
type BackfillReport struct {
	BackfillStatus
	// Notified is where the report was posted, or why it was not.
	Notified string `json:"notified,omitempty"`
}

// Backfill rewrites a dataset's partitions in [From, To), each exactly
// once, validated, with bounded concurrency; a dry run only plans. Long
// ranges continue as new every few hundred partitions, carrying progress.
func Backfill(ctx workflow.Context, in BackfillInput) (BackfillReport, error) {
	in = in.withDerivedRange()
	if err := in.validate(); err != nil {
		return BackfillReport{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrInvalidInput, nil)
	}
	if err := checkCascadeLink(ctx, in); err != nil {
		return BackfillReport{}, err
	}
	b := newBackfillRun(ctx, in)
	b.guard.start(ctx)
	if err := b.registerHandlers(ctx); err != nil {
		return BackfillReport{}, err
	}
	if err := b.guard.load(ctx, in.Dataset.Name); err != nil {
		return BackfillReport{}, err
	}
	if in.Cascade != nil {
		b.listenToCascade(ctx)
	}
	if in.Progress == nil {
		if stop, err := b.prepare(ctx); stop || err != nil {
			return b.finish(ctx), err
		}
	} else if stop, err := b.recheckFreeze(ctx); stop || err != nil {
		return b.finish(ctx), err
	}
	b.setStatus(ctx, b.activeStatus())
	if err := b.execute(ctx); err != nil {
		b.cancelled = true // only a cancelled workflow context ends the loop early
		return b.finish(ctx), err
	}
	if b.shouldContinueAsNew() {
		return BackfillReport{}, b.continueAsNew(ctx)
	}
	return b.finish(ctx), nil
}

// backfillRun is one run's state; the part that outlives the run is in p.
type backfillRun struct {
	in BackfillInput
	// catalogLimit is the catalog's backfill.budget when it, not the
	// input's, is this run's budget (see budget).
	catalogLimit float64
	id           string // the workflow ID, which decisions are signed over
	gran         catalog.Granularity
	sel          string
	total        int
	p            BackfillProgress
	status       string
	concurrency  int
	// running counts activities in flight (what concurrency bounds),
	// runningParts the partitions in them.
	running      int
	runningParts int
	// batched is false when replaying a run recorded before batching.
	batched bool
	// maxBatch bounds the partitions of one batch (see backfillMaxBatch).
	maxBatch int
	// dispatched counts partitions started by this run, for continue-as-new.
	dispatched   int
	cancelled    bool
	plan         *BackfillPlan
	progressStep int
	// approvalAsked says an Approve message is being posted;
	// approvalAsk is that message, once its post returned.
	approvalAsked bool
	approvalAsk   *approvalAsk
	// guard proves who approves and applies the authz: rule
	// approvalRule (backfill.approve, or backfill.override_freeze for a
	// hold); approvalWhy is what the approval is for.
	guard                     decisionGuard
	approvalRule, approvalWhy string
	// selectHold is why the run's own SELECT needs an approval (see
	// checkSelect), "" when it does not.
	selectHold string
	// reporting counts progress signals to a cascade parent in flight;
	// the run does not end before they are delivered.
	reporting int
}

func newBackfillRun(ctx workflow.Context, in BackfillInput) *backfillRun {
	b := &backfillRun{in: in, id: workflow.GetInfo(ctx).WorkflowExecution.ID, gran: in.Dataset.Partition.Granularity, status: BackfillPlanning}
	b.sel, _ = in.selectSQL()                   // validated already
	b.in.Validation.SQL, _ = in.validationSQL() // validated already
	if in.Progress == nil {
		in.warnLegacyBounds(ctx)
	}
	b.total = countPartitions(b.gran, in.From, in.To)
	if in.Progress != nil && in.Progress.Selective {
		b.total = in.Progress.Selected
	}
	b.concurrency = in.Concurrency
	if b.concurrency == 0 {
		b.concurrency = BackfillDefaultConcurrency
	}
	if in.Progress != nil {
		b.p = *in.Progress
	} else {
		info := workflow.GetInfo(ctx)
		b.p = BackfillProgress{LedgerRun: info.FirstRunID, StartedAt: workflow.Now(ctx), Next: in.From}
		if b.p.LedgerRun == "" {
			b.p.LedgerRun = info.WorkflowExecution.RunID
		}
		if in.Cascade != nil {
			b.startFed()
		}
	}
	b.p.Runs++
	return b
}

// prepare plans and, over budget, waits for approval; stop is true when
// the run should end without writing (a dry run, no approval, cancelled).
func (b *backfillRun) prepare(ctx workflow.Context) (stop bool, err error) {
	b.setStatus(ctx, BackfillPlanning)
	if err := b.selectPartitions(ctx); err != nil {
		return true, err
	}
	if err := b.checkSelect(ctx); err != nil {
		return true, err
	}
	if !b.in.DryRun && b.p.Approver == "" {
		if reason := joinReasons(b.holdReason(ctx), b.selectHold); reason != "" {
			return b.awaitApproval(ctx, authz.BackfillOverride, "approval despite: "+reason)
		}
	}
	budget := b.budget(ctx)
	if !b.in.DryRun && budget <= 0 {
		return false, nil
	}
	if err := b.makePlan(ctx); err != nil {
		return true, err
	}
	if b.in.DryRun {
		b.setStatus(ctx, BackfillPlanned)
		return true, nil
	}
	if b.plan.Amount <= budget {
		return false, nil
	}
	return b.awaitApproval(ctx, authz.BackfillApprove, "approval of the cost over budget")
}

// activeStatus is running or paused.
func (b *backfillRun) activeStatus() string {
	if b.p.Paused {
		return BackfillPaused
	}
	return BackfillRunning
}

// BackfillInput asks for a backfill of one dataset's partitions in
// [From, To), at the dataset's partition granularity.
type BackfillInput struct {
	Dataset catalog.Dataset `json:"dataset"`
	From    time.Time       `json:"from"`
	To      time.Time       `json:"to"`
	// Select produces one partition and reads its bounds as {{ .From }}
	// and {{ .To }} (@from and @to still work, deprecated); "" uses the
	// dataset's source (catalog), rendered the same way.
	Select string `json:"select,omitempty"`
	// Concurrency is how many partitions are rewritten at once (default 4).
	Concurrency int `json:"concurrency,omitempty"`
	// DryRun plans and estimates cost, writing nothing.
	DryRun bool `json:"dryRun,omitempty"`
	// Requester is who asked (a Slack user, a runbook run, a CLI user).
	Requester string `json:"requester,omitempty"`

	// OnFailure is what a partition that still fails after MaxAttempts
	// does to the run: BackfillStop (default) or BackfillSkip.
	OnFailure string `json:"onFailure,omitempty"`
	// MaxAttempts bounds the attempts at one partition (default 3).
	MaxAttempts int `json:"maxAttempts,omitempty"`
	// Validation checks each partition after it is written; zero checks
	// nothing beyond the rewrite itself.
	Validation BackfillValidation `json:"validation,omitzero"`
	// Budget is the estimated cost above which the run waits for an
	// approve update, in the warehouse's estimate unit: bytes scanned
	// (BigQuery) or planner cost units (PostgreSQL). 0 means no budget.
	Budget float64 `json:"budget,omitempty"`
	// HoldReason, when set, makes the run wait for an approval before it
	// writes anything, whatever its cost: an exhausted SLO error budget
	// freezes risky operations on the dataset (see SLOFrozenQuery).
	HoldReason string `json:"holdReason,omitempty"`
	// ApprovalTimeout is how long an over-budget run waits for approval
	// before it ends without writing anything (default 72h).
	ApprovalTimeout time.Duration `json:"approvalTimeout,omitempty"`

	// PartitionsPerRun is how many partitions one run dispatches before it
	// continues as new (default 500); tests lower it.
	PartitionsPerRun int `json:"partitionsPerRun,omitempty"`
	// PartitionsPerActivity fixes how many partitions one activity
	// rewrites, 1 to 256; 0 sizes batches to about a second and a half of
	// warehouse work each, from the partitions' measured times.
	PartitionsPerActivity int `json:"partitionsPerActivity,omitempty"`

	// Only is the reprocess mode: BackfillAll (default), BackfillMissing
	// (leave out partitions an earlier backfill wrote from the same
	// source) or BackfillFailedOnly (redo what run OfRun failed, by
	// default the last run that recorded anything in the range).
	Only  string `json:"only,omitempty"`
	OfRun string `json:"ofRun,omitempty"`
	// Partitions, when set, are the only partitions rewritten (their
	// starts); From and To may then be left zero.
	Partitions []time.Time `json:"partitions,omitempty"`
	// Order is BackfillOldestFirst (default) or BackfillNewestFirst.
	Order string `json:"order,omitempty"`
	// Publish is catalog.PublishWAP (write, audit with the dataset's
	// checks, publish only what passes) or catalog.PublishDirect; ""
	// follows the dataset's validation.mode (see Dataset.PublishMode).
	Publish string `json:"publish,omitempty"`

	// Cascade, set only by a BackfillCascade for its children, makes the
	// run rewrite the partitions its parent feeds it (see backfill_feed.go).
	Cascade *BackfillCascadeLink `json:"cascade,omitempty"`

	// Progress carries the state of a backfill across continue-as-new; it
	// is nil when a backfill starts.
	Progress *BackfillProgress `json:"progress,omitempty"`
}

// BackfillValidation is how each partition is checked after its rewrite.
type BackfillValidation = activities.BackfillValidation

// Validation kinds of BackfillValidation.Kind.
const (
	ValidateRowCount = activities.ValidateRowCount
	ValidateChecksum = activities.ValidateChecksum
	ValidateSQL      = activities.ValidateSQL
)

// Failure policies of BackfillInput.OnFailure.
const (
	// BackfillStop stops dispatching at the first failed partition, lets
	// the running ones finish, and reports.
	BackfillStop = "stop"
	// BackfillSkip records a failed partition and carries on with the rest.
	BackfillSkip = "skip"
)

// BackfillProgress is what one run of a long backfill hands the next.
type BackfillProgress struct {
	// LedgerRun keys the warehouse ledger: the first run's ID, so that
	// retries and later runs of the same backfill never apply a
	// partition twice.
	LedgerRun string    `json:"ledgerRun"`
	StartedAt time.Time `json:"startedAt"`
	// Next is the start of the first partition not yet dispatched.
	Next     time.Time         `json:"next"`
	Done     int               `json:"done"`
	Failed   int               `json:"failed"`
	Rows     int64             `json:"rows"`
	Failures []BackfillFailure `json:"failures,omitempty"`
	Paused   bool              `json:"paused,omitempty"`
	Approver string            `json:"approver,omitempty"`
	Runs     int               `json:"runs"`
	// PartitionTime is the average time one partition has taken, which
	// sizes the batches; carried so a new run does not start over small.
	PartitionTime time.Duration `json:"partitionTime,omitempty"`
	// Selective runs rewrite Queue, the selected partitions not yet
	// dispatched, in dispatch order, instead of walking from Next;
	// Selected counts the selection, Skipped the range's partitions left
	// out, and OfRun is the run whose failures are redone.
	Selective bool            `json:"selective,omitempty"`
	Queue     []PartitionSpan `json:"queue,omitempty"`
	Selected  int             `json:"selected,omitempty"`
	Skipped   int             `json:"skipped,omitempty"`
	OfRun     string          `json:"ofRun,omitempty"`
	// SelectRole is the role the run's SELECT runs as (see checkSelect).
	SelectRole string `json:"selectRole,omitempty"`
	// FeedClosed says a cascade's child has been fed every partition it
	// will get.
	FeedClosed bool `json:"feedClosed,omitempty"`
}

// backfillReportFailures bounds the failures listed in the Slack message.
const backfillReportFailures = 10

// finish settles the final status, publishes it and posts the report to
// the owner's channel (not for dry runs, which only the asker reads).
func (b *backfillRun) finish(ctx workflow.Context) BackfillReport {
	b.setStatus(ctx, b.finalStatus())
	report := BackfillReport{BackfillStatus: b.snapshot(ctx)}
	if b.status == BackfillPlanned {
		return report
	}
	report.Notified = b.notify(ctx, report.BackfillStatus)
	return report
}

// finalStatus is the outcome once nothing runs any more.
func (b *backfillRun) finalStatus() string {
	switch b.status {
	case BackfillPlanned, BackfillNotApproved, BackfillCancelled:
		return b.status
	case BackfillPlanning, BackfillAwaitingApproval:
		return BackfillFailed // an error ended it before it ran
	}
	switch {
	case b.cancelled:
		return BackfillCancelled
	case b.p.Failed > 0 && b.in.OnFailure == BackfillSkip:
		return BackfillPartial
	case b.p.Failed > 0:
		return BackfillFailed
	}
	return BackfillDone
}

// notify posts the report through the Slack activity, which answers
// Sent=false when Slack is not configured. A failed post is logged, never
// turned into a failed backfill: the data is already written.
func (b *backfillRun) notify(ctx workflow.Context, s BackfillStatus) string {
	channel := b.in.Dataset.Owner.SlackChannel
	if channel == "" {
		return "not posted: the dataset has no owner.slack_channel"
	}
	ctx, _ = workflow.NewDisconnectedContext(ctx)
	msg := activities.SlackMessage{Channel: channel, Text: BackfillReportText(s)}
	posted, err := sendSlack(ctx, "post the report to "+channel, msg)
	if err != nil {
		workflow.GetLogger(ctx).Warn("backfill report not posted", "channel", channel, "error", err)
		return "not posted: " + err.Error()
	}
	if !posted.Sent {
		return "not posted: " + posted.Reason
	}
	return "posted to " + channel
}

// BackfillReportText renders a status as the report people read in Slack
// and in the CLI.
func BackfillReportText(s BackfillStatus) string {
	var b strings.Builder
	b.WriteString(fmt.Sprintf("Backfill of %s (%s) from %s to %s: %s. %d of %d partitions written, %d rows, %d failed, in %s.",
		s.Dataset, s.Table, s.From.UTC().Format(time.RFC3339), s.To.UTC().Format(time.RFC3339), s.Status,
		s.Done, s.Total, s.Rows, s.Failed, s.Elapsed.Round(time.Second)))
	for i, f := range s.Failures {
		if i == backfillReportFailures {
			b.WriteString(fmt.Sprintf("\n• and %d more", s.Failed-i))
			break
		}
		b.WriteString(fmt.Sprintf("\n• %s: %s", f.Start.UTC().Format(time.RFC3339), f.Reason))
	}
	return b.String()
}
