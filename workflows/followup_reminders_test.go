package workflows

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/dre-dev/dre/activities"
)

func TestFollowupRemindersPostEachChannelAndReportRefusals(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	var f *activities.Followups
	env.OnActivity(f.DueFollowupReminders, mock.Anything).Return(activities.FollowupReminders{Open: 3, NoChannel: []string{"orphan"},
		Reminders: []activities.FollowupReminder{{Channel: "#commerce-data", Text: "two items", Items: 2}, {Channel: "#gone", Text: "one", Items: 1}}}, nil)
	var n *activities.Notify
	var posted []string
	env.OnActivity(n.PostSlack, mock.Anything, mock.Anything).Return(func(_ context.Context, m activities.SlackMessage) (activities.SlackPosted, error) {
		if m.Channel == "#gone" {
			return activities.SlackPosted{}, temporal.NewNonRetryableApplicationError("channel_not_found", "SlackRefused", errors.New("channel_not_found"))
		}
		posted = append(posted, m.Channel+": "+m.Text)
		return activities.SlackPosted{Sent: true, Channel: m.Channel, TS: "1.2"}, nil
	})
	env.ExecuteWorkflow(FollowupReminders, FollowupRemindersInput{})
	var r FollowupRemindersReport
	if err := env.GetWorkflowResult(&r); err != nil {
		t.Fatal(err)
	}
	if r.Status != FollowupRemindersDone || r.Open != 3 || len(r.Posted) != 1 || r.Posted[0] != "#commerce-data" ||
		len(r.Failures) != 1 || r.Failures[0] != "#gone: channel_not_found" || r.NoChannel[0] != "orphan" {
		t.Errorf("report %+v; want #commerce-data reminded, #gone's refusal reported, orphan without a channel", r)
	}
	if len(posted) != 1 || posted[0] != "#commerce-data: two items" {
		t.Errorf("posted %v", posted)
	}
}
