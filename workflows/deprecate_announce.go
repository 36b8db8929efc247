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
