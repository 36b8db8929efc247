package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
)

// FollowupReminders posts every open postmortem follow-up to its
// dataset's owner channel, one message per channel, on the weekly
// followup-reminders schedule. Items stay in the reminder until someone
// runs dre triage followups done. A channel that refuses the post is
// reported and does not stop the others.
func FollowupReminders(ctx workflow.Context, _ FollowupRemindersInput) (FollowupRemindersReport, error) {
	r := &FollowupRemindersReport{WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID}
	if err := workflow.SetQueryHandler(ctx, StatusQuery, func() (FollowupRemindersReport, error) { return *r, nil }); err != nil {
		return *r, err
	}
	r.setStatus(ctx, FollowupRemindersRunning)
	due, err := dueReminders(ctx)
	if err != nil {
		r.Failures = append(r.Failures, failureReason(err))
		r.setStatus(ctx, FollowupRemindersFailed)
		return *r, err
	}
	r.Open, r.NoChannel, r.Reason = due.Open, due.NoChannel, due.Reason
	for _, m := range due.Reminders {
		posted, err := sendSlack(ctx, "remind "+m.Channel+" of its follow-ups", activities.SlackMessage{Channel: m.Channel, Text: m.Text})
		switch {
		case err != nil:
			r.Failures = append(r.Failures, m.Channel+": "+failureReason(err))
		case !posted.Sent:
			r.Failures = append(r.Failures, m.Channel+": "+posted.Reason)
		default:
			r.Posted = append(r.Posted, m.Channel)
		}
	}
	r.setStatus(ctx, FollowupRemindersDone)
	return *r, nil
}

// FollowupReminders statuses, also written to DreStatus.
const (
	FollowupRemindersRunning = "running"
	FollowupRemindersDone    = "done"
	FollowupRemindersFailed  = "failed"
)

// FollowupRemindersInput is empty: the follow-ups are in the worker's
// state database and the channels in its catalog.
type FollowupRemindersInput struct{}

// FollowupRemindersReport is a run's outcome: the status query's answer
// and the workflow's result.
type FollowupRemindersReport struct {
	WorkflowID string `json:"workflowId"`
	Status     string `json:"status"`
	Open       int    `json:"open"`
	// Posted are the channels reminded; Failures say which could not be,
	// and why; NoChannel are datasets without owner.slack_channel.
	Posted    []string `json:"posted,omitempty"`
	Failures  []string `json:"failures,omitempty"`
	NoChannel []string `json:"noChannel,omitempty"`
	Reason    string   `json:"reason,omitempty"`
}

// dueReminders asks the worker for the reminders; database hiccups retry.
func dueReminders(ctx workflow.Context) (activities.FollowupReminders, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 5 * time.Second, MaximumAttempts: 5},
		Summary:             "list the open follow-ups by owner channel",
	})
	var f *activities.Followups
	var due activities.FollowupReminders
	err := workflow.ExecuteActivity(ctx, f.DueFollowupReminders).Get(ctx, &due)
	return due, err
}

func (r *FollowupRemindersReport) setStatus(ctx workflow.Context, status string) {
	r.Status = status
	workflow.SetCurrentDetails(ctx, fmt.Sprintf("Follow-up reminders: %s; %d open, %d channel(s) reminded", status, r.Open, len(r.Posted)))
	if err := workflow.UpsertTypedSearchAttributes(ctx, KindKey.ValueSet(KindFollowupReminders), StatusKey.ValueSet(status)); err != nil {
		workflow.GetLogger(ctx).Warn("search attributes not updated", "error", err)
	}
}
