package workflows

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
)

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
