package e2e

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	sdkworker "go.temporal.io/sdk/worker"
	"golang.org/x/crypto/ssh"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/worker"
	"github.com/dre-dev/dre/workflows"
)

// tsFrozen stands in for the SLO evaluators' visibility (worker.SLOFreeze):
// the error budgets of these datasets are spent. Whether a budget is
// spent is slo_test.go's subject; here it is whether the workflow asks.
type tsFrozen []string

// Frozen reports whether dataset's error budget is spent.
func (f tsFrozen) Frozen(_ context.Context, dataset string) (bool, error) {
	return slices.Contains(f, dataset), nil
}

// tsBackfill is the world of the tsclient backfill and runbook tests: a
// demo warehouse of their own, a worker whose dre.yaml knows ts_orders
// (the demo's orders, SLOs and all) and requires signed decisions, and
// whose SLO freeze holds it.
type tsBackfill struct {
	dsn, queue, id string
	dataset        catalog.Dataset
	keys           map[string]ssh.Signer
	from, to       time.Time
}

// tsFrozenSetup seeds the demo into database db and starts the worker.
func tsFrozenSetup(t *testing.T, db string) tsBackfill {
	t.Helper()
	dsn, cfg := seededDemo(t, db)
	ds, err := cfg.Catalog.Lookup("orders")
	if err != nil {
		t.Fatal(err)
	}
	ds.Name = "ts_orders" // the other e2e tests own backfill/orders
	if len(ds.SLOs) == 0 {
		t.Fatal("the demo's orders have no SLOs any more; this test needs a dataset with SLOs")
	}
	dir, keys := tsPeople(t)
	b := tsBackfill{dsn: dsn, queue: env.TaskQueue + "-" + db, id: workflows.BackfillWorkflowID(ds.Name), dataset: ds, keys: keys}
	b.from, _ = time.Parse(time.DateOnly, demoDays(6))
	b.to = b.from.AddDate(0, 0, 5)
	w := sdkworker.New(env.Client, b.queue, sdkworker.Options{})
	worker.Register(w, worker.Deps{Warehouses: worker.Warehouses(cfg, dsn), SLOFreeze: tsFrozen{ds.Name},
		Policy: &activities.Policy{People: dir, Catalog: catalog.New([]catalog.Dataset{ds}), AllowUnsigned: false}})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	return b
}

// TestTSClientBackfillHeldByTheFreezeWhateverItsInputClaims proves that a
// backfill started through the TypeScript SDK's client (another SDK, no
// dre code on the client side) meets the same SLO-freeze guard as one the
// CLI starts: its input carries progress approved by the dataset's owner,
// a dataset stripped of its SLOs, and fields claiming an approval and an
// override of the freeze, yet each run holds for approval; unsigned,
// Slack-claimed, wrongly signed and self-approvals sent by that client
// are refused with the guard's reason; nothing reaches public.orders or
// the backfill ledger. The owner's signed approval, sent by the same
// client, lets a run write, so the holds were the guard's doing.
func TestTSClientBackfillHeldByTheFreezeWhateverItsInputClaims(t *testing.T) {
	requireTSClient(t)
	b := tsFrozenSetup(t, "tsclient_backfill")
	before := tsWarehouseState(t, b.dsn)

	forged := b.input(t, func(in *workflows.BackfillInput) {
		in.Progress = &workflows.BackfillProgress{LedgerRun: "forged-run", StartedAt: b.from, Next: b.from, Approver: "demo-owner", Runs: 1}
	})
	tsStart(t, b.queue, workflows.BackfillWorkflowName, b.id, forged)
	b.awaitHold(t, "progress approved by demo-owner")
	b.refuseForgedApprovals(t)
	if a := tsDrive(t, tsCall{Action: "update", WorkflowID: b.id, Name: workflows.BackfillCancelUpdate}); !a.OK {
		t.Fatalf("cancel through the TypeScript client: %s", a.Error)
	}
	if r := b.result(t); r.Status != workflows.BackfillCancelled || r.Done != 0 {
		t.Fatalf("the held backfill ended %s with %d partitions done; want cancelled with none", r.Status, r.Done)
	}
	if after := tsWarehouseState(t, b.dsn); after != before {
		t.Fatalf("refused and cancelled, yet the warehouse changed: %+v, was %+v", after, before)
	}

	noSLOs := b.input(t, func(in *workflows.BackfillInput) { in.Dataset.SLOs = nil })
	tsStart(t, b.queue, workflows.BackfillWorkflowName, b.id, noSLOs)
	b.awaitHold(t, "a dataset without SLOs")
	if after := tsWarehouseState(t, b.dsn); after != before {
		t.Fatalf("while held, the warehouse changed: %+v, was %+v", after, before)
	}
	b.approveAndWrite(t, before)
}

// input is a backfill of the test's five days asked by erin, changed by
// forge, with fields no dre client sends claiming an approval and an
// override of the freeze (the workflow must ignore them).
func (b tsBackfill) input(t *testing.T, forge func(*workflows.BackfillInput)) map[string]any {
	t.Helper()
	in := workflows.BackfillInput{Dataset: b.dataset, From: b.from, To: b.to, Concurrency: 2, Requester: "erin"}
	forge(&in)
	raw, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	m["approved"], m["approver"], m["overrideFreeze"] = true, "demo-owner", true
	return m
}

// awaitHold waits for the run to hold for approval, with nothing done and
// nobody recorded as approver.
func (b tsBackfill) awaitHold(t *testing.T, forgery string) {
	t.Helper()
	var st workflows.BackfillStatus
	held := pollUntil(time.Minute, 200*time.Millisecond, func() bool {
		st = backfillState(t, b.id)
		return st.Status == workflows.BackfillAwaitingApproval || st.Status == workflows.BackfillDone
	})
	if !held || st.Status != workflows.BackfillAwaitingApproval || st.Done != 0 || st.Approver != "" {
		t.Fatalf("a backfill of a frozen dataset started through the TypeScript client with %s: %s, %d done, approver %q; want it awaiting approval, none done, no approver",
			forgery, st.Status, st.Done, st.Approver)
	}
}

// refuseForgedApprovals sends approvals that prove nothing through the
// TypeScript client; each must be refused and leave the run held.
func (b tsBackfill) refuseForgedApprovals(t *testing.T) {
	t.Helper()
	approve, ds := workflows.BackfillApproveUpdate, b.dataset.Name
	for _, r := range []struct {
		name, says string
		a          workflows.BackfillApproval
	}{
		{"unsigned", "allow_unsigned is off", workflows.BackfillApproval{By: "demo-owner"}},
		{"a Slack user claimed without the gateway", "not signed by the gateway",
			workflows.BackfillApproval{By: "demo-owner", Proof: workflows.Proof{Via: workflows.ViaSlack, SlackUser: "U0DEMOOWNER"}}},
		{"signed by someone else's key", "belongs to someone else",
			workflows.BackfillApproval{By: "demo-owner", Proof: tsSigned(t, b.keys["mallory"], b.id, approve, ds, "demo-owner")}},
		{"the requester's own", "separation of duties",
			workflows.BackfillApproval{By: "erin", Proof: tsSigned(t, b.keys["erin"], b.id, approve, ds, "erin")}},
	} {
		if a := tsUpdate(t, b.id, approve, r.a); a.OK || !strings.Contains(a.Error, r.says) {
			t.Errorf("%s approval through the TypeScript client: %+v; want it refused saying %q", r.name, a, r.says)
		}
	}
	if st := backfillState(t, b.id); st.Status != workflows.BackfillAwaitingApproval || st.Approver != "" || st.Done != 0 {
		t.Fatalf("after the refused approvals: %s, approver %q, %d done; want still held", st.Status, st.Approver, st.Done)
	}
}

// approveAndWrite sends the owner's signed approval through the
// TypeScript client; the run then writes its five days and their ledger.
func (b tsBackfill) approveAndWrite(t *testing.T, before tsWarehouse) {
	t.Helper()
	ok := workflows.BackfillApproval{By: "demo-owner",
		Proof: tsSigned(t, b.keys["demo-owner"], b.id, workflows.BackfillApproveUpdate, b.dataset.Name, "demo-owner")}
	if a := tsUpdate(t, b.id, workflows.BackfillApproveUpdate, ok); !a.OK {
		t.Fatalf("the owner's signed approval through the TypeScript client: %s", a.Error)
	}
	r := b.result(t)
	if r.Status != workflows.BackfillDone || r.Done != 5 || r.Approver != "demo-owner" {
		t.Fatalf("approved backfill: %s, %d done, approver %q; want done, 5, demo-owner", r.Status, r.Done, r.Approver)
	}
	after := tsWarehouseState(t, b.dsn)
	if after.Ledger != before.Ledger+5 || after.Orders == before.Orders {
		t.Fatalf("approved backfill left the warehouse at %+v, was %+v; want 5 more ledger rows and rewritten orders", after, before)
	}
	recordHistory(t, b.id, "backfill-tsclient-catalog-slos-held-then-approved.json")
}

// result waits for the backfill's report; the deadline is a hang guard.
func (b tsBackfill) result(t *testing.T) workflows.BackfillReport {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	var r workflows.BackfillReport
	if err := env.Client.GetWorkflow(ctx, b.id, "").Get(ctx, &r); err != nil {
		t.Fatalf("backfill %s: %v", b.id, err)
	}
	return r
}

// tsWarehouse is what a backfill would change: a digest of every row of
// public.orders (loaded_at included, which each rewrite sets anew) and
// the number of backfill ledger rows.
type tsWarehouse struct {
	Orders string
	Ledger int
}

func tsWarehouseState(t *testing.T, dsn string) tsWarehouse {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var w tsWarehouse
	var ledger *string
	err = conn.QueryRow(t.Context(), `SELECT count(*) || ':' || md5(coalesce(string_agg(o::text, '|' ORDER BY order_id), '')),
		to_regclass('dre_meta.backfill_ledger')::text FROM public.orders o`).Scan(&w.Orders, &ledger)
	if err == nil && ledger != nil { // the ledger exists once anything was backfilled
		err = conn.QueryRow(t.Context(), "SELECT count(*) FROM dre_meta.backfill_ledger").Scan(&w.Ledger)
	}
	if err != nil {
		t.Fatalf("reading public.orders and the backfill ledger: %v", err)
	}
	return w
}
