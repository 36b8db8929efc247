package workflows

import (
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/warehouse"
)

// graceAndGate runs the grace period, then the usage gate; an owner who
// extends at the gate sends the table back into a new grace period.
func (d *deprecation) graceAndGate(ctx workflow.Context) error {
	for !d.cancelled {
		if err := d.grace(ctx); err != nil || d.cancelled {
			return err
		}
		passed, err := d.usageGate(ctx)
		if err != nil || passed {
			return err
		}
	}
	return nil
}

// grace reminds consumers on the cadence and runs the brownouts, until the
// retire date has passed and no brownout is left. A veto pauses it for the
// owner's decision; an extension moves the retire date.
func (d *deprecation) grace(ctx workflow.Context) error {
	d.setPhase(ctx, DeprecateRemind, d.s.RetiresAt)
	for !d.cancelled {
		now := workflow.Now(ctx)
		var err error
		switch b, due := d.dueBrownout(ctx, now); {
		case d.s.Pause != nil:
			err = d.decide(ctx)
		case d.remark:
			d.remark = false
			err = d.mark(ctx)
			d.publish(ctx, d.s.RetiresAt)
		case due:
			err = d.brownout(ctx, b)
		case d.remindDue(now):
			d.remind(ctx)
		case !now.Before(d.s.RetiresAt) && len(d.brownouts) == 0:
			return nil
		default:
			err = d.sleepUntil(ctx, d.nextWake(now), func() bool { return d.s.Pause != nil || d.remark })
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// dueBrownout returns the brownout to run now, dropping windows that
// passed before the deprecation could run them.
func (d *deprecation) dueBrownout(ctx workflow.Context, now time.Time) (catalog.Brownout, bool) {
	for len(d.brownouts) > 0 {
		b := d.brownouts[0]
		if now.Before(b.Start) {
			return b, false
		}
		if now.Before(b.Start.Add(b.Duration.Duration)) {
			return b, true
		}
		d.brownouts = d.brownouts[1:]
		d.record(ctx, "brownout of "+b.Start.UTC().Format(time.RFC3339)+" skipped: it ended before the deprecation got there", "")
	}
	return catalog.Brownout{}, false
}

// reminding is true while some consumer has not acknowledged, or, when no
// consumer is known, until the retire date.
func (d *deprecation) reminding() bool {
	if d.life.RemindEvery.Duration <= 0 {
		return false
	}
	for _, c := range d.s.Consumers {
		if !slices.Contains(d.s.Acked, c) {
			return true
		}
	}
	return len(d.s.Consumers) == 0
}

func (d *deprecation) remindDue(now time.Time) bool {
	return d.reminding() && now.Before(d.s.RetiresAt) && !now.Before(d.nextRemind)
}

// nextWake is the earliest of the retire date (while ahead), the next
// reminder before it and the next brownout.
func (d *deprecation) nextWake(now time.Time) time.Time {
	var wake time.Time
	earlier := func(t time.Time) {
		if wake.IsZero() || t.Before(wake) {
			wake = t
		}
	}
	if now.Before(d.s.RetiresAt) {
		earlier(d.s.RetiresAt)
		if d.reminding() && d.nextRemind.Before(d.s.RetiresAt) {
			earlier(d.nextRemind)
		}
	}
	if len(d.brownouts) > 0 {
		earlier(d.brownouts[0].Start)
	}
	return wake
}

// remind posts the reminder to those who have not acknowledged.
func (d *deprecation) remind(ctx workflow.Context) {
	d.s.Reminders++
	d.nextRemind = workflow.Now(ctx).Add(d.life.RemindEvery.Duration)
	d.record(ctx, fmt.Sprintf("reminder %d", d.s.Reminders), "")
	text := fmt.Sprintf(":hourglass: Reminder: %s", d.notice())
	d.tellConsumers(ctx, text+" Acknowledge with `dre deprecate ack "+d.s.Dataset+"`.")
	if len(d.s.Consumers) == 0 {
		d.tellOwner(ctx, text)
	}
}

// brownout revokes reads for the window, then gives them back, announcing
// both. A cancel ends it early; the grants come back either way.
func (d *deprecation) brownout(ctx workflow.Context, b catalog.Brownout) error {
	d.brownouts = d.brownouts[1:]
	end := b.Start.Add(b.Duration.Duration)
	d.setPhase(ctx, DeprecateBrownout, end)
	var a *activities.Deprecations
	var revoked []warehouse.Grant
	in := activities.DeprecateGrantsInput{DeprecateTable: d.target(), Grants: d.s.Original.Grants, Why: "brownout"}
	if err := d.act(ctx, "brownout: revoke reads on "+d.s.Table, a.DeprecateRevokeReads, in, &revoked); err != nil {
		return err
	}
	d.record(ctx, fmt.Sprintf("brownout until %s: %d read grants revoked", end.UTC().Format(time.RFC3339), len(revoked)), "")
	d.tellOwner(ctx, fmt.Sprintf(":no_entry: Brownout of %s until %s: reads are revoked. %s", d.s.Table, end.UTC().Format(time.RFC3339), d.notice()))
	if err := d.sleepUntil(ctx, end, nil); err != nil {
		return err
	}
	in.Grants = revoked
	if err := d.act(ctx, "brownout over: give reads back on "+d.s.Table, a.DeprecateGrantBack, in, nil); err != nil {
		return err
	}
	d.record(ctx, "brownout over: reads given back", "")
	d.tellOwner(ctx, fmt.Sprintf(":white_check_mark: Brownout of %s over: reads are back until %s.", d.s.Table, d.retireDay()))
	d.setPhase(ctx, DeprecateRemind, d.s.RetiresAt)
	return nil
}
