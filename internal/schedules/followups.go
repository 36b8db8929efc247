package schedules

import (
	"github.com/dre-dev/dre/workflows"
)

// FollowupRemindersID is the schedule of the weekly follow-up reminders.
// It is under Prefix: whether dre.yaml has a state database decides it,
// so sync creates and deletes it.
const FollowupRemindersID = Prefix + "followup-reminders"

// followupRemindersCron is Mondays at 09:00 UTC: the start of the week.
const followupRemindersCron = "0 9 * * 1"

// FollowupReminders returns the weekly reminder of open postmortem
// follow-ups, or none without a state database, where follow-ups live.
func FollowupReminders(stateDB bool, taskQueue string) []Schedule {
	if !stateDB {
		return nil
	}
	return []Schedule{{
		ID: FollowupRemindersID, Cron: followupRemindersCron,
		Workflow: workflows.FollowupRemindersWorkflowName, WorkflowID: workflows.FollowupRemindersWorkflowID("scheduled"), TaskQueue: taskQueue,
		Args:    []any{workflows.FollowupRemindersInput{}},
		Summary: workflows.FollowupRemindersSummary,
	}}
}
