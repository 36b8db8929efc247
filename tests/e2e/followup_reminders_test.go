package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	sdkworker "go.temporal.io/sdk/worker"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/followups"
	"github.com/dre-dev/dre/internal/worker"
	"github.com/dre-dev/dre/tests/peers"
	"github.com/dre-dev/dre/workflows"
)

// TestFollowupRemindersPostOpenItemsUntilDone: a follow-up recorded in the
// state database is posted to its dataset's owner channel by the weekly
// run, through the real slack-go client, and no longer once it is done.
func TestFollowupRemindersPostOpenItemsUntilDone(t *testing.T) {
	ctx := context.Background()
	if err := env.PG.CreateDatabase(ctx, "followups_state"); err != nil {
		t.Fatal(err)
	}
	stateDSN := env.PG.DSN("followups_state")
	_, cfg := seededDemo(t, "followups_wh")
	slack := peers.StartSlack(t)
	queue := "dre-e2e-followups"
	w := sdkworker.New(env.Client, queue, sdkworker.Options{})
	worker.Register(w, worker.Deps{StateDSN: stateDSN, Policy: worker.Policy(cfg), Notify: &activities.Notify{Slack: slack.Client()}})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)

	store := followups.New(stateDSN)
	t.Cleanup(store.Close)
	item, err := store.Add(ctx, followups.Item{Dataset: "orders", Incident: "triage/orders", Text: "alert on late loads before 6am", Owner: "demo-owner", CreatedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	remind := func(trigger string) workflows.FollowupRemindersReport {
		run, err := workflows.StartFollowupReminders(ctx, env.Client, queue, trigger)
		if err != nil {
			t.Fatal(err)
		}
		var r workflows.FollowupRemindersReport
		if err := run.Get(ctx, &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := remind("e2e-1"); r.Open != 1 || len(r.Posted) != 1 || r.Posted[0] != "#commerce-data" {
		t.Fatalf("first run %+v; want the open item posted to #commerce-data", r)
	}
	post, ok := slack.FindMessage("alert on late loads before 6am")
	if !ok || post.Channel != "#commerce-data" || !strings.Contains(post.Text, "<@U0DEMOOWNER>") {
		t.Fatalf("reminder %+v; want it in #commerce-data mentioning the owner's Slack user", post)
	}
	recordHistory(t, workflows.FollowupRemindersWorkflowID("e2e-1"), "followup-reminders-posted.json")

	if _, err := store.Done(ctx, item.ID, "demo-owner", time.Now()); err != nil {
		t.Fatal(err)
	}
	if r := remind("e2e-2"); r.Open != 0 || len(r.Posted) != 0 || len(slack.Calls()) != 1 {
		t.Fatalf("after done: %+v with %d posts; want nothing posted again", r, len(slack.Calls()))
	}
}
