package workflows

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/testsuite"

	"github.com/dre-dev/dre/activities"
)

// TestBackfillOverBudgetAsksTheOwnersChannel: a backfill over budget posts
// why it waits, with an Approve button naming its workflow, before the
// report; the approve update the button sends lets it run.
func TestBackfillOverBudgetAsksTheOwnersChannel(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := newPolicyEnv(&s)
	estimateMock(env)
	var seen []activities.RewritePartitionInput
	rewriteMock(env, &seen)
	var n *activities.Notify
	var posts []activities.SlackMessage
	env.OnActivity(n.PostSlack, mock.Anything, mock.Anything).Return(
		func(_ context.Context, m activities.SlackMessage) (activities.SlackPosted, error) {
			posts = append(posts, m)
			return activities.SlackPosted{Sent: true, Channel: m.Channel, TS: "1700000000.000200"}, nil
		})
	var postsWhileWaiting int
	env.RegisterDelayedCallback(func() { postsWhileWaiting = len(posts) }, time.Hour)
	approval := sendUpdate(env, 2*time.Hour, BackfillApproveUpdate, "U777")
	in := backfillInput(3)
	in.Budget = 100
	in.Dataset.Owner.SlackChannel = "#commerce-data"
	env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: BackfillWorkflowID("orders")})
	env.ExecuteWorkflow(Backfill, in)
	var got BackfillReport
	if err := env.GetWorkflowResult(&got); err != nil {
		t.Fatal(err)
	}
	if approval.rejected != nil || got.Status != BackfillDone || got.Approver != "U777" || len(seen) != 3 {
		t.Fatalf("report %+v after %d rewrites (approval error %v); want done, approved by U777", got.BackfillStatus, len(seen), approval.rejected)
	}
	if postsWhileWaiting != 1 || len(posts) != 3 {
		t.Fatalf("%d posts while waiting, %d in all; want the request, its update, then the report", postsWhileWaiting, len(posts))
	}
	if done := posts[1]; done.UpdateTS != "1700000000.000200" || len(done.Actions) != 0 || !strings.Contains(done.Text, "Approved by <@U777> at") {
		t.Errorf("after the approval %+v; want the request updated in place, its button replaced by who approved and when", done)
	}
	ask := posts[0]
	for _, want := range []string{"Backfill of orders (public.orders), 3 partitions", "waits for approval of the cost over budget", "Estimated cost 180, budget 100", "dre backfill approve orders"} {
		if !strings.Contains(ask.Text, want) {
			t.Errorf("request %q lacks %q", ask.Text, want)
		}
	}
	if len(ask.Actions) != 1 || len(ask.Actions[0].Buttons) != 1 {
		t.Fatalf("request actions %+v, want one Approve button", ask.Actions)
	}
	button := ask.Actions[0].Buttons[0]
	id, _ := activities.ParseButtonValue(button.Value)
	if !strings.HasPrefix(button.ActionID, activities.BackfillButtonApprove+"/") || id != BackfillWorkflowID("orders") {
		t.Errorf("button %+v; want %s naming %s", button, activities.BackfillButtonApprove, BackfillWorkflowID("orders"))
	}
}
