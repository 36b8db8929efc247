package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/runbooks"
	"github.com/dre-dev/dre/workflows"
)

// tsFixRunbook writes one row into the frozen dataset's table.
const tsFixRunbook = `name: ts-fix
description: writes to a dataset whose error budget is spent
inputs:
  - {name: dataset, type: dataset, required: true}
steps:
  - id: patch
    sql: {dataset: ts_orders, statement: "INSERT INTO public.orders (order_id, order_date, loaded_at) VALUES (990001, current_date, now())"}
`

// TestTSClientRunbookHeldByTheFreezeWhateverItsInputClaims proves that a
// SQL-writing runbook started through the TypeScript SDK's client (another
// SDK) meets the SLO-freeze guard the CLI's runs meet, although its input
// says what the CLI never would: the target dataset without its SLOs, the
// freeze already approved by a caller, and the dataset's owner as the
// caller's requester (both count only in a child run). The run holds at
// step slo-freeze and writes nothing; an unsigned approval and the
// requester's own are refused with the guard's reason; the owner's signed
// approval, sent by the same client, lets the step write its row.
func TestTSClientRunbookHeldByTheFreezeWhateverItsInputClaims(t *testing.T) {
	requireTSClient(t)
	b := tsFrozenSetup(t, "tsclient_runbook")
	rb, err := runbooks.Parse("ts-fix.yaml", []byte(tsFixRunbook))
	if err != nil {
		t.Fatal(err)
	}
	ds := b.dataset
	ds.SLOs = nil
	in := workflows.RunbookInput{Runbook: *rb, Hash: runbooks.Hash(rb), Inputs: map[string]string{"dataset": ds.Name}, Dataset: ds.Name,
		Datasets: map[string]catalog.Dataset{ds.Name: ds}, Requester: "erin", FreezeApproved: ds.Name, CallerRequester: "demo-owner"}
	id := workflows.RunbookWorkflowID(rb.Name, ds.Name, "tsclient")
	tsStart(t, b.queue, workflows.RunbookWorkflowName, id, in)

	var st workflows.RunbookStatus
	held := pollUntil(time.Minute, 200*time.Millisecond, func() bool {
		st, _ = queryRunbookStatus(id)
		return st.Status != "" && st.Status != workflows.RunbookRunning
	})
	if !held || st.Status != workflows.RunbookWaiting || !strings.Contains(st.Hold, "SLO error budget of ts_orders is exhausted") {
		t.Fatalf("a SQL runbook on a frozen dataset started through the TypeScript client: %s, hold %q; want it waiting on the freeze", st.Status, st.Hold)
	}
	if n := tsPatchedRows(t, b.dsn); n != 0 {
		t.Fatalf("the held runbook wrote %d rows", n)
	}
	for _, r := range []struct {
		name, says string
		a          workflows.RunbookApproval
	}{
		{"unsigned", "allow_unsigned is off", workflows.RunbookApproval{Step: workflows.RunbookFreezeStep, By: "demo-owner", Approve: true}},
		{"the requester's own", "separation of duties", b.runbookApproval(t, id, "erin")},
	} {
		if a := tsUpdate(t, id, workflows.RunbookApproveUpdate, r.a); a.OK || !strings.Contains(a.Error, r.says) {
			t.Errorf("%s approval through the TypeScript client: %+v; want it refused saying %q", r.name, a, r.says)
		}
	}
	if n := tsPatchedRows(t, b.dsn); n != 0 {
		t.Fatalf("the runbook wrote %d rows after refused approvals", n)
	}
	if a := tsUpdate(t, id, workflows.RunbookApproveUpdate, b.runbookApproval(t, id, "demo-owner")); !a.OK {
		t.Fatalf("the owner's signed approval through the TypeScript client: %s", a.Error)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute) // a hang guard
	defer cancel()
	if err := env.Client.GetWorkflow(ctx, id, "").Get(ctx, &st); err != nil || st.Status != workflows.RunbookOK || tsPatchedRows(t, b.dsn) != 1 {
		t.Fatalf("approved run ended %s, %v with %d rows written; want ok and the row", st.Status, err, tsPatchedRows(t, b.dsn))
	}
	recordHistory(t, id, "runbook-tsclient-catalog-slos-held-then-approved.json")
}

// runbookApproval is by's approval of the freeze hold on run id, signed
// with by's key.
func (b tsBackfill) runbookApproval(t *testing.T, id, by string) workflows.RunbookApproval {
	t.Helper()
	a := workflows.RunbookApproval{Step: workflows.RunbookFreezeStep, By: by, Approve: true}
	a.Proof = tsSigned(t, b.keys[by], id, workflows.RunbookApproveUpdate, workflows.RunbookApprovalTarget(a), by)
	return a
}

// tsPatchedRows counts the rows tsFixRunbook writes.
func tsPatchedRows(t *testing.T, dsn string) int {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(t.Context(), "SELECT count(*) FROM public.orders WHERE order_id = 990001").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
