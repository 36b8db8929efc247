package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/worker"
	"github.com/dre-dev/dre/tests/peers"
	"github.com/dre-dev/dre/workflows"
)

// TestBackfillOverBudgetApprovedFromSlack: a backfill over its budget asks
// the owner's channel (the Slack stand-in) with an Approve button; a
// forged click changes nothing, a signed one approves as the clicker, and
// the backfill then writes every partition.
func TestBackfillOverBudgetApprovedFromSlack(t *testing.T) {
	ctx := context.Background()
	dsn, cfg := seededDemo(t, "approval")
	slack := peers.StartSlack(t)
	const queue = "dre-e2e-approval"
	startDemoWorker(t, queue, dsn, cfg, worker.Policy(cfg), &activities.Notify{Slack: slack.Client()})
	gw := startTriageGateway(t, cfg.Catalog, triageQueue, triageTestPolicy)

	ds, err := cfg.Catalog.Lookup("orders")
	if err != nil {
		t.Fatal(err)
	}
	ds.Name = "orders_approval" // the other e2e tests own backfill/orders
	from, _ := time.Parse(time.DateOnly, demoDays(6))
	in := workflows.BackfillInput{Dataset: ds, From: from, To: from.AddDate(0, 0, 5), Budget: 0.01, Concurrency: 2}
	id := workflows.BackfillWorkflowID(ds.Name)
	run, err := env.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: queue}, workflows.BackfillWorkflowName, in)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the approval request with its button in #commerce-data", func() bool {
		return slackSaid(slack, "waits for approval of the cost over budget") && slackSaid(slack, activities.BackfillButtonApprove+"/0")
	})

	form := "application/x-www-form-urlencoded"
	click := url.Values{"payload": {fmt.Sprintf(`{"type":"block_actions","user":{"id":"U0LEAD"},"actions":[{"block_id":"b","action_id":%q,"value":%q}]}`,
		activities.BackfillButtonApprove+"/0", activities.ButtonValue(id, ""))}}.Encode()
	if st := postSigned(t, gw+"/slack/interactions", form, click, slackSigner("not-the-secret")); st != http.StatusUnauthorized {
		t.Fatalf("forged click: %d, want 401", st)
	}
	if st := backfillState(t, id); st.Status != workflows.BackfillAwaitingApproval || st.Approver != "" {
		t.Fatalf("after a forged click: %+v, want still awaiting approval", st)
	}
	if st := postSigned(t, gw+"/slack/interactions", form, click, slackSigner(triageSlackSecret)); st != http.StatusOK {
		t.Fatalf("signed click: %d", st)
	}
	var report workflows.BackfillReport
	wait, cancel := context.WithTimeout(ctx, time.Minute) // a click that never arrives fails, not hangs
	defer cancel()
	if err := run.Get(wait, &report); err != nil {
		t.Fatal(err)
	}
	if report.Status != workflows.BackfillDone || report.Approver != "U0LEAD" || report.Done != 5 {
		t.Fatalf("report %+v; want all 5 partitions done, approved by U0LEAD", report.BackfillStatus)
	}
	ask, ok := slack.FindMessage("waits for approval of the cost over budget")
	if !ok || strings.Contains(ask.Blocks, activities.BackfillButtonApprove) || !strings.Contains(ask.Text, "Approved by <@U0LEAD> at") {
		t.Fatalf("the approval request now reads %+v; want its button replaced by who approved and when", ask)
	}
	recordHistory(t, id, "backfill-approval-decided.json")
}

// backfillState reads a backfill's status through its query.
func backfillState(t *testing.T, id string) workflows.BackfillStatus {
	t.Helper()
	v, err := env.Client.QueryWorkflow(context.Background(), id, "", workflows.StatusQuery)
	var s workflows.BackfillStatus
	if err == nil {
		err = v.Get(&s)
	}
	if err != nil {
		t.Fatalf("status of %s: %v", id, err)
	}
	return s
}
