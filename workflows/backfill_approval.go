package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
)

// approvalAsk is the Approve message a backfill posted and where it went.
type approvalAsk struct {
	msg    activities.SlackMessage
	posted activities.SlackPosted
}

// backfillApprovalDecidedChange is the GetVersion ID of the update that
// replaces the Approve button with the decision; runs recorded before it
// replay without the update.
const backfillApprovalDecidedChange = "backfill-approval-decided"

// settleApproval replaces the Approve button with what was decided, so
// nobody clicks a button whose question has been answered. It waits for
// the Approve post (bounded by its retries) and is skipped when the post
// did not go out (or was never asked, as in runs recorded before the
// Approve button); a failed update is only logged.
func (b *backfillRun) settleApproval(ctx workflow.Context, decided string) {
	if !b.approvalAsked ||
		workflow.GetVersion(ctx, backfillApprovalDecidedChange, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return
	}
	if err := workflow.Await(ctx, func() bool { return b.approvalAsk != nil }); err != nil {
		return
	}
	ask := b.approvalAsk
	if !ask.posted.Sent || ask.posted.TS == "" {
		return
	}
	update := activities.SlackMessage{Channel: ask.posted.Channel, UpdateTS: ask.posted.TS, Text: ask.msg.Text + "\n" + decided}
	if _, err := sendSlack(ctx, "record the decision in "+ask.posted.Channel, update); err != nil {
		workflow.GetLogger(ctx).Warn("approval message not updated", "channel", ask.posted.Channel, "error", err)
	}
}
