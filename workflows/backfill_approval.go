package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
)

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
	workflow.Go(ctx, func(ctx workflow.Context) {
		if _, err := sendSlack(ctx, "ask "+channel+" for approval", msg); err != nil {
			workflow.GetLogger(ctx).Warn("approval request not posted", "channel", channel, "error", err)
		}
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
