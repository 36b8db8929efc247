package schedules

import (
	"testing"

	"github.com/dre-dev/dre/workflows"
)

func TestFollowupRemindersNeedAStateDatabase(t *testing.T) {
	if s := FollowupReminders(false, "dre"); s != nil {
		t.Errorf("without a state database: %+v; want none, so that sync deletes the schedule", s)
	}
	got := FollowupReminders(true, "dre")
	if len(got) != 1 || got[0].ID != FollowupRemindersID || got[0].Cron != "0 9 * * 1" || got[0].Workflow != workflows.FollowupRemindersWorkflowName {
		t.Fatalf("FollowupReminders = %+v; want one weekly %s on Mondays", got, workflows.FollowupRemindersWorkflowName)
	}
	if spec := got[0].spec(); len(spec.CronExpressions) != 1 || len(spec.Intervals) != 0 {
		t.Errorf("spec %+v; want the cron alone", spec)
	}
}
