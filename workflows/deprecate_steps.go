package workflows

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/warehouse"
)

// deprecateConsumerLookback is how far back the announce looks for the
// table's readers, who are its consumers.
const deprecateConsumerLookback = 90 * 24 * time.Hour

// DeprecateRetiresLabel is the label that carries the retire date.
const DeprecateRetiresLabel = "dre_retires_on"

// announce records the table's metadata, marks it deprecated, finds its
// consumers and tells them and the owner.
func (d *deprecation) announce(ctx workflow.Context) error {
	d.setPhase(ctx, DeprecateAnnounce, time.Time{})
	now := workflow.Now(ctx)
	d.s.RetiresAt = now.Add(d.life.GracePeriod.Duration)
	var a *activities.Deprecations
	var meta warehouse.TableMeta
	if err := d.act(ctx, "record the metadata of "+d.s.Table, a.DeprecateReadMetadata, d.target(), &meta); err != nil {
		return err
	}
	d.s.Original = &meta
	var usage warehouse.Usage
	in := activities.DeprecateUsageInput{DeprecateTable: d.target(), Since: now.Add(-deprecateConsumerLookback)}
	if err := d.act(ctx, "find the consumers of "+d.s.Table, a.DeprecateReadUsage, in, &usage); err != nil {
		return err
	}
	d.s.Consumers = slices.Sorted(slices.Values(usage.Readers))
	d.addDownstreamOwners(ctx)
	if err := d.mark(ctx); err != nil {
		return err
	}
	d.brownouts = upcomingBrownouts(d.life.Brownouts)
	d.nextRemind = now.Add(d.life.RemindEvery.Duration)
	d.record(ctx, fmt.Sprintf("announced; retires on %s; %d consumers known", d.retireDay(), len(d.s.Consumers)), d.in.Requester)
	d.tellOwner(ctx, d.announcement()+d.consumerList())
	d.tellConsumers(ctx, d.announcement()+" Acknowledge with `dre deprecate ack "+d.s.Dataset+"`.")
	return nil
}

// mark writes the deprecation notice into the table's comment and labels.
func (d *deprecation) mark(ctx workflow.Context) error {
	var a *activities.Deprecations
	in := activities.DeprecateMarkInput{
		DeprecateTable: d.target(),
		Comment:        d.notice() + "\n\n" + d.s.Original.Comment,
		Labels:         map[string]string{DeprecateRetiresLabel: d.retireDay()},
	}
	return d.act(ctx, "mark "+d.s.Table+" deprecated", a.DeprecateMark, in, nil)
}

// notice is the one-line deprecation notice.
func (d *deprecation) notice() string {
	text := "DEPRECATED: retires on " + d.retireDay()
	if d.life.Replacement != "" {
		text += "; use " + d.life.Replacement + " instead"
	}
	return text + " (dre deprecate status " + d.s.Dataset + ")."
}

func (d *deprecation) retireDay() string { return catalog.DateOf(d.s.RetiresAt).String() }

func (d *deprecation) announcement() string {
	return fmt.Sprintf(":warning: %s (%s) is deprecated. %s", d.s.Dataset, d.s.Table, d.notice())
}

func (d *deprecation) consumerList() string {
	if len(d.s.Consumers) == 0 {
		return " No reader was found in the warehouse's usage data."
	}
	return " Readers: " + strings.Join(d.s.Consumers, ", ") + "."
}

// upcomingBrownouts sorts the windows by start.
func upcomingBrownouts(windows []catalog.Brownout) []catalog.Brownout {
	out := slices.Clone(windows)
	slices.SortFunc(out, func(a, b catalog.Brownout) int { return a.Start.Compare(b.Start) })
	return out
}

// slackTarget matches what chat.postMessage accepts as a channel: a
// #channel or a user, channel or group ID. Consumers named otherwise (a
// database role) are listed in the owner's channel instead.
var slackTarget = regexp.MustCompile(`^(#[a-z0-9_-]+|[UCGW][A-Z0-9]{6,})$`)

// tellOwner posts to the owner's channel.
func (d *deprecation) tellOwner(ctx workflow.Context, text string) {
	d.post(ctx, d.in.Dataset.Owner.SlackChannel, text)
}

// tellConsumers posts to each consumer reachable on Slack that has not
// acknowledged, with an Ack button; the clicker acknowledges as themself.
func (d *deprecation) tellConsumers(ctx workflow.Context, text string) {
	ack := []activities.SlackActions{{Buttons: []activities.SlackButton{{
		ActionID: activities.DeprecateButtonAck, Label: "Ack", Style: "primary",
		Value: activities.ButtonValue(workflow.GetInfo(ctx).WorkflowExecution.ID, ""),
	}}}}
	for _, c := range d.s.Consumers {
		if slackTarget.MatchString(c) && !slices.Contains(d.s.Acked, c) {
			d.postActions(ctx, c, text, ack)
		}
	}
}

// post sends one Slack message. A failure is noted in the timeline, never
// fatal: a deprecation must not stop because Slack refused a message.
func (d *deprecation) post(ctx workflow.Context, channel, text string) {
	d.postActions(ctx, channel, text, nil)
}

// postActions sends one Slack message with rows of buttons under it.
func (d *deprecation) postActions(ctx workflow.Context, channel, text string, rows []activities.SlackActions) {
	if channel == "" {
		return
	}
	posted, err := sendSlack(ctx, "post to "+channel, activities.SlackMessage{Channel: channel, Text: text, Actions: rows})
	switch {
	case err != nil:
		d.record(ctx, "Slack post to "+channel+" failed: "+err.Error(), "")
	case !posted.Sent && !d.slackNoted:
		d.slackNoted = true // said once: every later post would say it again
		d.record(ctx, "not posted to "+channel+": "+posted.Reason, "")
	}
}

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
	allowed, err := d.allowedNow(ctx, revoked, "brownout over", false)
	if err != nil {
		return err
	}
	in.Grants = allowed
	if err := d.act(ctx, "brownout over: give reads back on "+d.s.Table, a.DeprecateGrantBack, in, nil); err != nil {
		return err
	}
	d.record(ctx, "brownout over: reads given back", "")
	d.tellOwner(ctx, fmt.Sprintf(":white_check_mark: Brownout of %s over: reads are back until %s.", d.s.Table, d.retireDay()))
	d.setPhase(ctx, DeprecateRemind, d.s.RetiresAt)
	return nil
}

// softDelete records the table's metadata, revokes its reads and moves it
// to the archive schema under a dated name.
func (d *deprecation) softDelete(ctx workflow.Context) error {
	if d.s.Pause != nil { // a veto that came after the gate
		if err := d.decide(ctx); err != nil || d.cancelled {
			return err
		}
	}
	d.setPhase(ctx, DeprecateSoftDelete, time.Time{})
	var a *activities.Deprecations
	var meta warehouse.TableMeta
	if err := d.act(ctx, "record the metadata of "+d.s.Table, a.DeprecateReadMetadata, d.target(), &meta); err != nil {
		return err
	}
	d.atSoftDelete = &meta
	if d.s.Original != nil {
		restorable := d.restoreMeta()
		d.s.Restorable = &restorable
	}
	var revoked []warehouse.Grant
	in := activities.DeprecateGrantsInput{DeprecateTable: d.target(), Grants: meta.Grants, Why: "soft delete"}
	if err := d.act(ctx, "revoke reads on "+d.s.Table, a.DeprecateRevokeReads, in, &revoked); err != nil {
		return err
	}
	archived := ArchivedName(d.in.Dataset, workflow.Now(ctx))
	move := activities.DeprecateMoveInput{Warehouse: d.in.Dataset.Warehouse, From: d.s.Table, To: archived}
	if err := d.act(ctx, "move "+d.s.Table+" to "+archived, a.DeprecateArchive, move, nil); err != nil {
		return err
	}
	d.s.Archived = archived
	d.s.DropAt = workflow.Now(ctx).Add(d.life.SoftDeleteRetention.Duration)
	d.record(ctx, fmt.Sprintf("soft-deleted: moved to %s, %d read grants revoked", archived, len(revoked)), "")
	d.tellOwner(ctx, fmt.Sprintf(":file_cabinet: %s is soft-deleted: moved to %s, reads revoked. Its %s on %s; `dre deprecate cancel %s` restores it until then.",
		d.s.Table, archived, d.life.FinalAction, d.s.DropAt.UTC().Format(time.RFC3339), d.s.Dataset))
	return nil
}

// ArchivedName is where a soft delete on day now moves a dataset's table:
// <archive schema>.<schema>_<table>_<yyyymmdd>, shortened so that it and
// its snapshot's name (with _snap) fit PostgreSQL's 63 characters. The
// date keeps a second deprecation of a table of the same name from
// colliding with the first.
func ArchivedName(ds catalog.Dataset, now time.Time) string {
	schema := DeprecateDefaultArchiveSchema
	if ds.Lifecycle != nil && ds.Lifecycle.ArchiveSchema != "" {
		schema = ds.Lifecycle.ArchiveSchema
	}
	src, table := ds.SchemaTable()
	name := src + "_" + table
	suffix := "_" + now.UTC().Format("20060102")
	if limit := 63 - len(deprecateSnapshotSuffix) - len(suffix); len(name) > limit {
		name = name[:limit]
	}
	return schema + "." + name + suffix
}

// deprecateSnapshotSuffix names an archived table's snapshot.
const deprecateSnapshotSuffix = "_snap"

// retention waits out the soft-delete retention; a cancel until its end
// restores the table, a veto pauses the drop for the owner.
func (d *deprecation) retention(ctx workflow.Context) error {
	d.setPhase(ctx, DeprecateRetention, d.s.DropAt)
	for !d.cancelled {
		if d.s.Pause != nil {
			if err := d.decide(ctx); err != nil {
				return err
			}
			continue
		}
		if !workflow.Now(ctx).Before(d.s.DropAt) {
			return nil
		}
		if err := d.sleepUntil(ctx, d.s.DropAt, func() bool { return d.s.Pause != nil }); err != nil {
			return err
		}
	}
	return nil
}

// finish snapshots the archived table when the lifecycle asks for it,
// then drops it, or leaves it archived.
func (d *deprecation) finish(ctx workflow.Context) error {
	var a *activities.Deprecations
	if d.life.Snapshot {
		d.setPhase(ctx, DeprecateSnapshot, time.Time{})
		snap := d.s.Archived + deprecateSnapshotSuffix
		in := activities.DeprecateMoveInput{Warehouse: d.in.Dataset.Warehouse, From: d.s.Archived, To: snap}
		if err := d.act(ctx, "snapshot "+d.s.Archived, a.DeprecateSnapshot, in, nil); err != nil {
			return err
		}
		d.s.Snapshot = snap
		d.record(ctx, "snapshot taken: "+snap, "")
	}
	d.setPhase(ctx, DeprecateFinal, time.Time{})
	if d.life.FinalAction == catalog.FinalArchive {
		d.s.Status = DeprecateArchived
		d.record(ctx, "kept archived as "+d.s.Archived, "")
	} else {
		in := activities.DeprecateMoveInput{Warehouse: d.in.Dataset.Warehouse, From: d.s.Archived}
		if err := d.act(ctx, "drop "+d.s.Archived, a.DeprecateDrop, in, nil); err != nil {
			return err
		}
		d.s.Status = DeprecateDropped
		d.record(ctx, "dropped "+d.s.Archived, "")
	}
	d.tellOwner(ctx, fmt.Sprintf(":wastebasket: %s is retired: %s.%s", d.s.Table, d.s.Status, d.snapshotNote()))
	d.setPhase(ctx, DeprecateDone, time.Time{})
	return nil
}

func (d *deprecation) snapshotNote() string {
	if d.s.Snapshot == "" {
		return ""
	}
	return " Snapshot " + d.s.Snapshot + " is kept; `dre deprecate restore " + d.s.Dataset + "` brings the table back from it."
}

// restore puts the table back exactly as it was before the deprecation:
// its name, comment, labels, PII tags and grants, read back and compared
// by the activity. Grants and PII tags are those of just before the soft
// delete, so changes others made during the grace period survive; the
// comment and labels are those from before the announce.
func (d *deprecation) restore(ctx workflow.Context) error {
	d.s.Status = DeprecateCancelling
	d.setPhase(ctx, DeprecateRestore, time.Time{})
	if d.s.Original == nil {
		d.finishRestore(ctx, "cancelled before the announce: the table was never touched")
		return nil
	}
	var a *activities.Deprecations
	var got warehouse.TableMeta
	in := activities.DeprecateRestoreInput{DeprecateTable: d.target(), Archived: d.s.Archived, Meta: d.restoreMeta()}
	allowed, err := d.allowedNow(ctx, in.Meta.Grants, "restore", true)
	if err != nil {
		return err
	}
	in.Meta.Grants = allowed
	if err := d.act(ctx, "restore "+d.s.Table, a.DeprecateRestoreTable, in, &got); err != nil {
		return err
	}
	d.s.Archived = ""
	d.finishRestore(ctx, fmt.Sprintf("restored and verified: name, comment, %d labels, %d PII tags, %d grants",
		len(got.Labels), len(got.PII), len(got.Grants)))
	d.tellOwner(ctx, fmt.Sprintf(":leftwards_arrow_with_hook: The deprecation of %s was cancelled; the table is back as it was%s.", d.s.Table, d.withheldNote()))
	return nil
}

// restoreMeta is what a restore puts back: the comment and labels from
// before the announce (which rewrote them), the grants and PII tags from
// just before the soft delete. Only call it once the announce has set
// Original.
func (d *deprecation) restoreMeta() warehouse.TableMeta {
	want := *d.s.Original
	if d.atSoftDelete != nil {
		want.Grants, want.PII = d.atSoftDelete.Grants, d.atSoftDelete.PII
	}
	return want
}

func (d *deprecation) finishRestore(ctx workflow.Context, what string) {
	d.s.Status = DeprecateRestored
	d.record(ctx, what, "")
	d.setPhase(ctx, DeprecateDone, time.Time{})
}

// withheldNote qualifies "as it was" when grants were withheld.
func (d *deprecation) withheldNote() string {
	if len(d.s.Withheld) == 0 {
		return ""
	}
	return fmt.Sprintf(", but for %d grant(s) no longer allowed (see its timeline)", len(d.s.Withheld))
}
