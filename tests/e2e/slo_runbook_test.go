package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/cli/clitest"
	"github.com/dre-dev/dre/runbooks"
	"github.com/dre-dev/dre/workflows"
)

// sloFixRunbook writes a row into the frozen dataset's table.
const sloFixRunbook = `name: slo-fix
description: writes to a dataset whose error budget is spent
inputs:
  - {name: dataset, type: dataset, required: true}
steps:
  - id: patch
    sql: {dataset: slo_orders, statement: "INSERT INTO public.orders VALUES (99, now())"}
`

// sloFreezeHoldsAPlainClientsRunbook: a SQL-writing runbook started by a
// plain Temporal client (as the triage button, the Temporal UI or another
// SDK would) waits for the owner's approval of step slo-freeze and writes
// nothing until then; a stranger cannot approve it, the owner's team can.
func sloFreezeHoldsAPlainClientsRunbook(t *testing.T, e sloE2E) {
	ctx := context.Background()
	rb, err := runbooks.Parse("slo-fix.yaml", []byte(sloFixRunbook))
	if err != nil {
		t.Fatal(err)
	}
	in := workflows.RunbookInput{Runbook: *rb, Hash: runbooks.Hash(rb), Inputs: map[string]string{"dataset": "slo_orders"},
		Dataset: "slo_orders", Datasets: map[string]catalog.Dataset{"slo_orders": e.dataset}, Requester: "another-sdk"}
	id := workflows.RunbookWorkflowID(rb.Name, "slo_orders", "e2e-frozen")
	run, err := workflows.StartRunbook(ctx, env.Client, e.queue, id, in)
	if err != nil {
		t.Fatal(err)
	}
	var st workflows.RunbookStatus
	held := pollUntil(30*time.Second, 200*time.Millisecond, func() bool {
		st, _ = queryRunbookStatus(id)
		return st.Status == workflows.RunbookWaiting
	})
	if !held || !strings.Contains(st.Hold, "SLO error budget of slo_orders is exhausted") || sloPatchedRows(t, e) != 0 {
		t.Fatalf("a plain client's SQL runbook on a frozen dataset: %+v, %d rows written; want it waiting, saying why, nothing written", st, sloPatchedRows(t, e))
	}
	if res := clitest.Run(t, e.cli, "runbook", "status", id); res.Code != 0 || !strings.Contains(res.Stdout, "held: ") {
		t.Errorf("runbook status of the held run: exit %d, %q; want the hold shown", res.Code, res.Stdout)
	}
	sloApproveRunbook(t, e, id)
	var done workflows.RunbookStatus
	if err := run.Get(ctx, &done); err != nil || done.Status != workflows.RunbookOK || sloPatchedRows(t, e) != 1 {
		t.Fatalf("approved run ended %+v, %v with %d rows written; want ok and the row", done, err, sloPatchedRows(t, e))
	}
	recordHistory(t, id, "runbook-held-by-slo-freeze-then-approved.json")
}

// sloApproveRunbook tries a stranger's approval (refused), then the
// owner team's.
func sloApproveRunbook(t *testing.T, e sloE2E, id string) {
	t.Helper()
	res := clitest.Run(t, e.cli, "runbook", "approve", id, "--step", workflows.RunbookFreezeStep, "--as", "U0STRANGER")
	if res.Code != 4 || !strings.Contains(res.Stderr, "may not override a backfill hold") {
		t.Errorf("a stranger's approval: exit %d, stderr %q; want exit 4 naming the approvers", res.Code, res.Stderr)
	}
	if sloPatchedRows(t, e) != 0 {
		t.Fatal("the held run wrote after a refused approval")
	}
	res = clitest.Run(t, e.cli, "runbook", "approve", id, "--step", workflows.RunbookFreezeStep, "--as", "t")
	if res.Code != 0 {
		t.Fatalf("the owner team's approval: exit %d, %s", res.Code, res.Stderr)
	}
}

// queryRunbookStatus asks a run for its status; an error while it starts.
func queryRunbookStatus(id string) (workflows.RunbookStatus, error) {
	var st workflows.RunbookStatus
	v, err := env.Client.QueryWorkflow(context.Background(), id, "", workflows.StatusQuery)
	if err == nil {
		err = v.Get(&st)
	}
	return st, err
}

// sloPatchedRows counts the rows the runbook writes.
func sloPatchedRows(t *testing.T, e sloE2E) int {
	t.Helper()
	var n int
	if err := e.warehouse.QueryRow(context.Background(), "SELECT count(*) FROM public.orders WHERE id = 99").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
