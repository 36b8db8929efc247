package workflows

import (
	"context"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// FollowupRemindersWorkflowName is the registered name of the weekly
// reminder of open postmortem follow-ups.
const FollowupRemindersWorkflowName = "FollowupReminders"

// KindFollowupReminders is the DreKind of reminder runs.
const KindFollowupReminders = "followup-reminders"

// FollowupRemindersWorkflowID is the ID of a run started by trigger:
// "scheduled" (Temporal appends the start time) or another name.
func FollowupRemindersWorkflowID(trigger string) string { return "followup-reminders/" + trigger }

// FollowupRemindersSummary is the static summary of every run.
const FollowupRemindersSummary = "Post the open postmortem follow-ups to their owners' channels"

// StartFollowupReminders starts a run now; a run of the same trigger
// still running makes it fail with WorkflowExecutionAlreadyStarted.
func StartFollowupReminders(ctx context.Context, c Starter, taskQueue, trigger string) (client.WorkflowRun, error) {
	opts := exclusiveStart(FollowupRemindersWorkflowID(trigger), taskQueue)
	opts.StaticSummary = FollowupRemindersSummary
	opts.TypedSearchAttributes = temporal.NewSearchAttributes(KindKey.ValueSet(KindFollowupReminders), StatusKey.ValueSet(FollowupRemindersRunning))
	return c.ExecuteWorkflow(ctx, opts, FollowupRemindersWorkflowName, FollowupRemindersInput{})
}
