package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/worker"
	"github.com/dre-dev/dre/tests/peers"
	"github.com/dre-dev/dre/workflows"
)

// TestBackfillSelectWithoutRoleHoldsForAPlainClient: a --select backfill
// started through a plain Temporal client (as another SDK, the Temporal
// UI or a runbook would, not the CLI) of a dataset whose dre.yaml entry
// names no backfill.select_role waits for an approval, saying why, and
// writes nothing. Claiming a select role in the workflow input changes
// nothing: the worker trusts its own dre.yaml.
func TestBackfillSelectWithoutRoleHoldsForAPlainClient(t *testing.T) {
	ctx := context.Background()
	dsn, cfg := seededDemo(t, "selecthold")
	slack := peers.StartSlack(t)
	const queue = "dre-e2e-select-hold"
	startDemoWorker(t, queue, dsn, cfg, worker.Policy(cfg), &activities.Notify{Slack: slack.Client()})

	ds, err := cfg.Catalog.Lookup("orders")
	if err != nil {
		t.Fatal(err)
	}
	ds.Backfill = &catalog.BackfillSettings{SelectRole: "claimed_by_the_client"}
	from, _ := time.Parse(time.DateOnly, demoDays(3))
	in := workflows.BackfillInput{Dataset: ds, From: from, To: from.AddDate(0, 0, 2), Requester: "another-sdk",
		Select: "SELECT * FROM public.orders WHERE order_date >= {{ .From }} AND order_date < {{ .To }}"}
	const id = "backfill/orders-select-hold"
	run, err := env.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: queue}, workflows.BackfillWorkflowName, in)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the approval request naming the missing select role", func() bool {
		return slackSaid(slack, "--select runs with the worker's full privileges: no backfill.select_role for orders")
	})
	if st := backfillState(t, id); st.Status != workflows.BackfillAwaitingApproval || st.Done != 0 || st.Approver != "" {
		t.Fatalf("held backfill: %+v; want awaiting approval, nothing written", st)
	}
	if _, err := env.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: id, UpdateName: workflows.BackfillCancelUpdate,
		WaitForStage: client.WorkflowUpdateStageCompleted}); err != nil {
		t.Fatal(err)
	}
	var report workflows.BackfillReport
	wait, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := run.Get(wait, &report); err != nil || report.Status != workflows.BackfillCancelled || report.Done != 0 {
		t.Fatalf("cancelled held backfill ended %+v, %v; want cancelled, nothing written", report.BackfillStatus, err)
	}
	if ask, _ := slack.FindMessage("no backfill.select_role"); strings.Contains(ask.Text, "claimed_by_the_client") {
		t.Errorf("the ask %q names the role the client claimed; want the worker's dre.yaml to decide", ask.Text)
	}
	recordHistory(t, id, "backfill-select-held-without-role-then-cancelled.json")
}
