package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/warehouse"
)

// Kinds of pause.
const (
	DeprecatePauseVeto  = "veto"
	DeprecatePauseUsage = "usage"
)

// usageGate pauses for the owner when the table was read within the
// lifecycle's usage_gate. passed is true when the soft delete may go on:
// nobody read the table, or the owner said continue.
func (d *deprecation) usageGate(ctx workflow.Context) (passed bool, err error) {
	window := d.life.UsageGate.Duration
	if window <= 0 {
		return true, nil
	}
	d.setPhase(ctx, DeprecateUsageGate, time.Time{})
	now := workflow.Now(ctx)
	var a *activities.Deprecations
	var usage warehouse.Usage
	in := activities.DeprecateUsageInput{DeprecateTable: d.target(), Since: now.Add(-window)}
	if err := d.act(ctx, "count the reads of "+d.s.Table, a.DeprecateReadUsage, in, &usage); err != nil {
		return false, err
	}
	if usage.Reads == 0 {
		d.record(ctx, fmt.Sprintf("no reads in the last %s", d.life.UsageGate), "")
		return true, nil
	}
	reason := fmt.Sprintf("%s was read %d times in the last %s", d.s.Table, usage.Reads, d.life.UsageGate)
	d.s.Pause = &DeprecatePause{Kind: DeprecatePauseUsage, Reason: reason, Since: now}
	d.record(ctx, reason+"; asking the owner", "")
	d.tellOwner(ctx, fmt.Sprintf(":raised_hand: %s. Soft delete is paused: `dre deprecate continue %s` to go on, or `dre deprecate extend %s --until YYYY-MM-DD`.",
		reason, d.s.Dataset, d.s.Dataset))
	if err := d.decide(ctx); err != nil || d.cancelled {
		return false, err
	}
	// An extension moved the retire date ahead; a continue left it behind.
	return !workflow.Now(ctx).Before(d.s.RetiresAt), nil
}

// decide waits for the owner to continue, extend or cancel. Without an
// answer by the deadline the default applies: somebody objected, so the
// table is kept one more grace period (or retention period, once it is
// soft-deleted) and the question comes back then.
func (d *deprecation) decide(ctx workflow.Context) error {
	p := d.s.Pause
	p.Deadline = workflow.Now(ctx).Add(d.in.DecisionTimeout)
	d.s.Status = DeprecateAwaitingOwner
	d.publish(ctx, p.Deadline)
	answered, err := workflow.AwaitWithTimeout(ctx, d.in.DecisionTimeout, func() bool { return d.s.Pause != p || d.cancelled })
	if err != nil {
		return err
	}
	if !answered {
		d.s.Pause = nil
		d.extendByDefault(ctx)
	}
	if !d.cancelled {
		d.s.Status = DeprecateRunning
		d.publish(ctx, d.deadline())
	}
	return nil
}

// extendByDefault applies the default of an unanswered pause.
func (d *deprecation) extendByDefault(ctx workflow.Context) {
	now := workflow.Now(ctx)
	if d.s.Archived != "" {
		d.s.DropAt = now.Add(max(d.life.SoftDeleteRetention.Duration, d.in.DecisionTimeout))
		d.record(ctx, "no decision by the deadline: the drop moves to "+d.s.DropAt.UTC().Format(time.RFC3339), "")
		return
	}
	d.s.RetiresAt = now.Add(max(d.life.GracePeriod.Duration, d.in.DecisionTimeout))
	d.remark = true
	d.record(ctx, "no decision by the deadline: retirement moves to "+d.retireDay(), "")
}

// deadline is the next date the current phase waits for.
func (d *deprecation) deadline() time.Time {
	switch d.s.Phase {
	case DeprecateRetention:
		return d.s.DropAt
	case DeprecateRemind, DeprecateScheduled:
		return d.s.RetiresAt
	}
	return time.Time{}
}
