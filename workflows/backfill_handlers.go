package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
)

// Updates a running backfill accepts. Each has a validator, so a control
// that makes no sense now (resume a running backfill, concurrency 0) is
// rejected without reaching the workflow's history.
const (
	BackfillPauseUpdate       = "pause"
	BackfillResumeUpdate      = "resume"
	BackfillCancelUpdate      = "cancel"
	BackfillConcurrencyUpdate = "concurrency"
	BackfillApproveUpdate     = "approve"
)

// registerHandlers installs the status query and the control updates.
func (b *backfillRun) registerHandlers(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, StatusQuery, func() (BackfillStatus, error) { return b.snapshot(ctx), nil }); err != nil {
		return err
	}
	updates := []struct {
		name      string
		handler   any
		validator any
	}{
		{BackfillPauseUpdate, b.pause, b.validatePause},
		{BackfillResumeUpdate, b.resume, b.validateResume},
		{BackfillCancelUpdate, b.cancel, b.validateCancel},
		{BackfillConcurrencyUpdate, b.setConcurrency, b.validateConcurrency},
		{BackfillApproveUpdate, b.approve, b.validateApprove},
	}
	for _, u := range updates {
		opts := workflow.UpdateHandlerOptions{Validator: u.validator}
		if err := workflow.SetUpdateHandlerWithOptions(ctx, u.name, u.handler, opts); err != nil {
			return err
		}
	}
	return nil
}

// active is true while partitions may still be dispatched.
func (b *backfillRun) active() bool {
	return b.status == BackfillRunning || b.status == BackfillPaused
}

func (b *backfillRun) validatePause(workflow.Context) error {
	if b.status != BackfillRunning {
		return fmt.Errorf("cannot pause a backfill that is %s", b.status)
	}
	return nil
}

func (b *backfillRun) pause(ctx workflow.Context) (BackfillStatus, error) {
	b.p.Paused = true
	b.setStatus(ctx, BackfillPaused)
	return b.snapshot(ctx), nil
}

func (b *backfillRun) validateResume(workflow.Context) error {
	if b.status != BackfillPaused {
		return fmt.Errorf("cannot resume a backfill that is %s, not paused", b.status)
	}
	return nil
}

func (b *backfillRun) resume(ctx workflow.Context) (BackfillStatus, error) {
	b.p.Paused = false
	b.setStatus(ctx, BackfillRunning)
	return b.snapshot(ctx), nil
}

func (b *backfillRun) validateCancel(workflow.Context) error {
	if !b.active() && b.status != BackfillAwaitingApproval {
		return fmt.Errorf("cannot cancel a backfill that is %s", b.status)
	}
	return nil
}

// cancel stops dispatching; running partitions finish and are reported.
func (b *backfillRun) cancel(ctx workflow.Context) (BackfillStatus, error) {
	b.cancelled = true
	b.setStatus(ctx, BackfillCancelling)
	return b.snapshot(ctx), nil
}

func (b *backfillRun) validateConcurrency(_ workflow.Context, n int) error {
	if n <= 0 || n > BackfillMaxConcurrency {
		return fmt.Errorf("concurrency %d is out of range; use 1 to %d", n, BackfillMaxConcurrency)
	}
	if !b.active() && b.status != BackfillAwaitingApproval {
		return fmt.Errorf("cannot change the concurrency of a backfill that is %s", b.status)
	}
	return nil
}

func (b *backfillRun) setConcurrency(ctx workflow.Context, n int) (BackfillStatus, error) {
	b.concurrency = n
	return b.snapshot(ctx), nil
}

func (b *backfillRun) validateApprove(ctx workflow.Context, a BackfillApproval) error {
	if b.status != BackfillAwaitingApproval {
		return fmt.Errorf("nothing to approve: the backfill is %s", b.status)
	}
	if a.By == "" {
		return errors.New("an approval needs the approver's name")
	}
	if err := b.guard.ready(); err != nil || b.guard.policy == nil {
		return err
	}
	_, err := b.guard.check(ctx, b.claim(a), b.approvalRule, b.approvalFacts())
	return err
}

// approve records the approver. Its answer says "approved": the wait
// ends, and the status moves on, only once the handler has returned.
// The approval, or freeze override, goes to the audit log with its
// evidence.
func (b *backfillRun) approve(ctx workflow.Context, a BackfillApproval) (BackfillStatus, error) {
	who, err := b.guard.accept(ctx, b.claim(a))
	if err != nil {
		return b.snapshot(ctx), err
	}
	b.p.Approver = who.name
	if b.guard.policy != nil {
		b.auditApproval(ctx, who, a.Note)
	}
	s := b.snapshot(ctx)
	s.Status = BackfillApproved
	return s, nil
}

// awaitApproval waits for an approve or cancel update, with a durable
// timeout whose default is not to run: an unapproved spend never happens.
func (b *backfillRun) awaitApproval(ctx workflow.Context, rule, why string) (stop bool, err error) {
	b.approvalRule, b.approvalWhy = rule, why
	b.setStatus(ctx, BackfillAwaitingApproval)
	b.askApproval(ctx, why)
	timeout := b.in.ApprovalTimeout
	if timeout == 0 {
		timeout = backfillDefaultApprovalTimeout
	}
	opts := workflow.AwaitOptions{Timeout: timeout, TimerOptions: workflow.TimerOptions{Summary: why}}
	ok, err := workflow.AwaitWithOptions(ctx, opts, func() bool { return b.p.Approver != "" || b.cancelled })
	switch {
	case err != nil:
		return true, err
	case b.cancelled:
		b.setStatus(ctx, BackfillCancelled)
		b.settleApproval(ctx, ":no_entry_sign: Cancelled before approval; nothing was written.")
		return true, nil
	case !ok:
		b.setStatus(ctx, BackfillNotApproved)
		b.settleApproval(ctx, fmt.Sprintf(":hourglass: Not approved within %s; nothing was written.", timeout))
		return true, nil
	}
	b.settleApproval(ctx, decidedText(":white_check_mark: Approved", b.p.Approver, workflow.Now(ctx)))
	return false, nil
}

// setStatus changes the status and publishes it as search attributes.
func (b *backfillRun) setStatus(ctx workflow.Context, status string) {
	b.status = status
	b.upsert(ctx)
}

// publishProgress updates DreProgress every 5% so that progress is
// searchable without an event per partition.
func (b *backfillRun) publishProgress(ctx workflow.Context) {
	step := 0
	if b.total > 0 {
		step = 20 * (b.p.Done + b.p.Failed) / b.total
	}
	if step > b.progressStep {
		b.progressStep = step
		b.upsert(ctx)
	}
}

func (b *backfillRun) upsert(ctx workflow.Context) {
	progress := 0.0
	if b.total > 0 {
		progress = float64(b.p.Done+b.p.Failed) / float64(b.total)
	}
	err := workflow.UpsertTypedSearchAttributes(ctx,
		KindKey.ValueSet(KindBackfill), DatasetKey.ValueSet(b.in.Dataset.Name),
		StatusKey.ValueSet(b.status), ProgressKey.ValueSet(progress), RequesterKey.ValueSet(b.in.Requester))
	if err != nil {
		workflow.GetLogger(ctx).Warn("search attributes not updated", "error", err)
	}
}

// snapshot is the current status with throughput and an estimated end.
func (b *backfillRun) snapshot(ctx workflow.Context) BackfillStatus {
	ds := b.in.Dataset
	s := BackfillStatus{
		Dataset: ds.Name, Table: ds.Table, Status: b.status, From: b.in.From, To: b.in.To,
		Total: b.total, Done: b.p.Done, Failed: b.p.Failed, Running: b.runningParts, Rows: b.p.Rows,
		Concurrency: b.concurrency, StartedAt: b.p.StartedAt, Elapsed: workflow.Now(ctx).Sub(b.p.StartedAt),
		Budget: b.statusBudget(), Approver: b.p.Approver, Plan: b.plan, Failures: b.p.Failures,
	}
	s.Pending = max(0, s.Total-s.Done-s.Failed-s.Running)
	if secs := s.Elapsed.Seconds(); secs > 0 {
		s.PartitionsPerSecond = float64(s.Done+s.Failed) / secs
		s.RowsPerSecond = float64(s.Rows) / secs
	}
	if s.PartitionsPerSecond > 0 && b.active() {
		s.ETA = time.Duration(float64(s.Pending+s.Running) / s.PartitionsPerSecond * float64(time.Second)).Round(time.Second)
	}
	return s
}

// backfillApproveButtonChange is the GetVersion ID of the Slack message
// with an Approve button that a backfill waiting for approval posts; runs
// recorded before it replay without the post.
const backfillApproveButtonChange = "backfill-approve-button"

// askApproval posts why the backfill waits to the owner's channel, with an
// Approve button that sends the approve update as the clicker. The post
// runs beside the wait: a slow or failing Slack never delays an approval
// from the CLI, and a failure is only logged, since the CLI still works.
func (b *backfillRun) askApproval(ctx workflow.Context, why string) {
	if workflow.GetVersion(ctx, backfillApproveButtonChange, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return
	}
	channel := b.in.Dataset.Owner.SlackChannel
	if channel == "" {
		return
	}
	msg := activities.SlackMessage{Channel: channel, Text: b.approvalText(why), Actions: []activities.SlackActions{{
		Buttons: []activities.SlackButton{{
			ActionID: activities.BackfillButtonApprove + "/0", Label: "Approve", Style: "primary",
			Value: activities.ButtonValue(workflow.GetInfo(ctx).WorkflowExecution.ID, ""),
		}},
	}}}
	b.approvalAsked = true
	workflow.Go(ctx, func(ctx workflow.Context) {
		posted, err := sendSlack(ctx, "ask "+channel+" for approval", msg)
		if err != nil {
			workflow.GetLogger(ctx).Warn("approval request not posted", "channel", channel, "error", err)
		}
		b.approvalAsk = &approvalAsk{msg: msg, posted: posted}
	})
}

// approvalText says what waits, why, and the two ways to approve.
func (b *backfillRun) approvalText(why string) string {
	ds := b.in.Dataset
	text := fmt.Sprintf("Backfill of %s (%s), %d partitions from %s to %s, waits for %s.",
		ds.Name, ds.Table, b.total, b.in.From.UTC().Format(time.RFC3339), b.in.To.UTC().Format(time.RFC3339), why)
	if b.plan != nil && b.in.Budget > 0 {
		text += fmt.Sprintf(" Estimated cost %.0f, budget %.0f.", b.plan.Amount, b.in.Budget)
	}
	return text + fmt.Sprintf(" Approve here or with `dre backfill approve %s`; `dre backfill cancel %s` drops it. Unapproved, nothing is written.", ds.Name, ds.Name)
}
