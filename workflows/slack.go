package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
)

// Slack posting, shared by every workflow: one activity options set, one
// retry policy. A post that still fails is logged or recorded by the
// caller and never fails the workflow: a job without Slack goes on.

// notifyOptions retries Slack and PagerDuty for about a minute; after
// that the incident goes on without the message rather than stall.
func notifyOptions(ctx workflow.Context, summary string) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumAttempts: 6},
		Summary:             summary,
	})
}

// sendSlack posts m and returns what Slack answered (Sent false with a
// Reason when Slack is not configured or refused the channel).
func sendSlack(ctx workflow.Context, summary string, m activities.SlackMessage) (activities.SlackPosted, error) {
	var n *activities.Notify
	var posted activities.SlackPosted
	err := workflow.ExecuteActivity(notifyOptions(ctx, summary), n.PostSlack, m).Get(ctx, &posted)
	return posted, err
}

// postSlack posts a message; a failure is logged, not fatal, since Slack
// is how people hear of a decision, not where it is kept.
func postSlack(ctx workflow.Context, channel, text string) {
	postSlackActions(ctx, channel, text, nil)
}

// postSlackActions posts a message with rows of buttons under it.
func postSlackActions(ctx workflow.Context, channel, text string, rows []activities.SlackActions) {
	if channel == "" {
		return
	}
	m := activities.SlackMessage{Channel: channel, Text: text, Actions: rows}
	if _, err := sendSlack(ctx, "post to "+channel, m); err != nil {
		workflow.GetLogger(ctx).Warn("Slack message not posted", "channel", channel, "error", err)
	}
}

// slackMention renders a Slack user ID (U… or W…) as a mention, other actors
// ("pagerduty", "slo:orders-fresh", whatever a CLI caller typed) as text.
func slackMention(who string) string {
	if len(who) < 2 || (who[0] != 'U' && who[0] != 'W') {
		return activities.SlackEscape(who)
	}
	for _, c := range who {
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return activities.SlackEscape(who)
		}
	}
	return "<@" + who + ">"
}

// orNoneText shows an unset value as "none".
func orNoneText(s string) string { return orText(s, "none") }

// orText shows an unset value as def.
func orText(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// decidedText says who decided and when, for the message whose buttons
// the decision replaces: "Approved by <@U0123> at 2026-11-23 09:07 UTC".
// Slack shows the time in each reader's zone; the UTC text is the
// fallback for clients that cannot.
func decidedText(what, by string, at time.Time) string {
	utc := at.UTC().Format("2006-01-02 15:04 UTC")
	return fmt.Sprintf("%s by %s at <!date^%d^{date_short_pretty} {time}|%s>", what, slackMention(by), at.Unix(), utc)
}
