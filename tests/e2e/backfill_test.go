package e2e

import (
	"context"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dre-dev/dre/internal/cli/clitest"
	"github.com/dre-dev/dre/tests/demoenv"
	"github.com/dre-dev/dre/workflows"
)

// demoDays returns the UTC date n days before today, as the CLI takes it.
func demoDays(n int) string {
	return time.Now().UTC().AddDate(0, 0, -n).Format("2006-01-02")
}

func demoConn(t *testing.T) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), env.PG.DSN("demo"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// ordersMismatch is demoenv.OrdersMismatch: rows of public.orders and
// raw.order_events in [from, to) without an identical counterpart, and the
// rows of public.orders.
func ordersMismatch(t *testing.T, conn *pgx.Conn, from, to string) (mismatched, rows int64) {
	return demoenv.OrdersMismatch(t, conn, from, to)
}

func TestBackfillFillsTheDemoGapExactlyOnce(t *testing.T) {
	e := demoSetup(t)
	conn := demoConn(t)
	// The demo leaves the partition 3 days old empty; this range covers it.
	from, to := demoDays(6), demoDays(1)
	if missing, _ := ordersMismatch(t, conn, from, to); missing == 0 {
		t.Fatal("the demo range has no gap to fill; the test would prove nothing")
	}
	plan := clitest.Run(t, e, "backfill", "plan", "orders", "--from", from, "--to", to)
	if plan.Code != 0 || !strings.Contains(plan.Stdout, "5 partitions of public.orders, estimated") || !strings.Contains(plan.Stdout, "Nothing was written") {
		t.Fatalf("plan: exit %d, stdout %q; want 5 partitions estimated", plan.Code, plan.Stdout)
	}
	for run := 1; run <= 2; run++ {
		res := clitest.Run(t, e, "backfill", "start", "orders", "--from", from, "--to", to, "--validate", "rowcount", "--wait")
		if res.Code != 0 || !strings.Contains(res.Stdout, ": done. 5 of 5 partitions written") {
			t.Fatalf("backfill run %d: exit %d, stdout %q; want all 5 partitions done", run, res.Code, res.Stdout)
		}
		// The report went through the real Slack activity, which says why
		// it sent nothing on a machine without a Slack token.
		if !strings.Contains(res.Stdout, "/namespaces/default/workflows/backfill%2Forders/") || !strings.Contains(res.Stdout, "report not posted: Slack is not configured") {
			t.Errorf("backfill run %d printed no UI link or no report outcome: %q", run, res.Stdout)
		}
		mismatched, rows := ordersMismatch(t, conn, from, to)
		if mismatched != 0 || rows == 0 {
			t.Errorf("after run %d: %d rows of public.orders differ from raw.order_events (of %d); want none", run, mismatched, rows)
		}
	}
	var entries, distinct, runs int64
	err := conn.QueryRow(t.Context(), `SELECT count(*), count(DISTINCT (run_id, partition_start)), count(DISTINCT run_id)
		FROM dre_meta.backfill_ledger WHERE table_name = 'public.orders' AND partition_start >= $1::date AND partition_start < $2::date`, from, to).
		Scan(&entries, &distinct, &runs)
	if err != nil {
		t.Fatal(err)
	}
	if entries != 10 || distinct != 10 || runs != 2 {
		t.Errorf("ledger: %d entries, %d distinct (run, partition), %d runs; want each of 5 partitions applied once by each of 2 runs", entries, distinct, runs)
	}
}

func TestBackfillIsExclusiveAndControllable(t *testing.T) {
	e := demoSetup(t)
	from, to := demoDays(80), demoDays(60)
	// A budget of 1 cost unit: the run plans, then waits for an approval.
	res := clitest.Run(t, e, "backfill", "start", "orders", "--from", from, "--to", to, "--budget", "1")
	if res.Code != 0 || !strings.Contains(res.Stdout, "started backfill/orders") {
		t.Fatalf("start: exit %d, stdout %q", res.Code, res.Stdout)
	}
	waitForStatus(t, e, workflows.BackfillAwaitingApproval)
	second := clitest.Run(t, e, "backfill", "start", "orders", "--from", from, "--to", to)
	if second.Code != 4 || !strings.Contains(second.Stderr, "a backfill of orders is already running (http://") {
		t.Errorf("second start: exit %d, stderr %q; want a refusal (4) naming the running run and its link", second.Code, second.Stderr)
	}
	bad := clitest.Run(t, e, "backfill", "set", "orders", "--concurrency", "0")
	if bad.Code != 4 || !strings.Contains(bad.Stderr, "concurrency 0 is out of range") {
		t.Errorf("set --concurrency 0: exit %d, stderr %q; want the validator's refusal (4)", bad.Code, bad.Stderr)
	}
	cancel := clitest.Run(t, e, "backfill", "cancel", "orders")
	if cancel.Code != 0 || !strings.Contains(cancel.Stdout, "orders: cancelling") {
		t.Fatalf("cancel: exit %d, stdout %q", cancel.Code, cancel.Stdout)
	}
	var report workflows.BackfillReport
	if err := env.Client.GetWorkflow(t.Context(), workflows.BackfillWorkflowID("orders"), "").Get(t.Context(), &report); err != nil {
		t.Fatal(err)
	}
	if report.Status != workflows.BackfillCancelled || report.Done != 0 || report.Plan == nil {
		t.Errorf("report %+v; want cancelled before writing anything, with its plan", report.BackfillStatus)
	}
}

func TestBackfillExplainsWhatItCannotBackfill(t *testing.T) {
	e := demoSetup(t)
	res := clitest.Run(t, e, "backfill", "start", "ordrs", "--from", demoDays(3), "--to", demoDays(2))
	if res.Code != 1 || !strings.Contains(res.Stderr, "customers, events, legacy_sessions, orders") {
		t.Errorf("unknown dataset: exit %d, stderr %q; want the known datasets listed", res.Code, res.Stderr)
	}
	res = clitest.Run(t, e, "backfill", "start", "customers", "--from", demoDays(3), "--to", demoDays(2))
	if res.Code != 1 || !strings.Contains(res.Stderr, `dataset "customers" has no partition config; add`) {
		t.Errorf("unpartitioned dataset: exit %d, stderr %q; want what to add to dre.yaml", res.Code, res.Stderr)
	}
}

// waitForStatus polls the status command until the backfill reaches want.
func waitForStatus(t *testing.T, e map[string]string, want string) {
	t.Helper()
	reached := pollUntil(30*time.Second, 200*time.Millisecond, func() bool {
		return strings.Contains(clitest.Run(t, e, "backfill", "status", "orders").Stdout, "orders: "+want)
	})
	if !reached {
		t.Fatalf("the backfill never reached %s", want)
	}
}

// TestBackfillApprovedFromTheCLI: a run over its budget waits; the person
// who started it cannot approve it (separation of duties, in the
// workflow), someone else can with `dre backfill approve`, and the report
// names them.
func TestBackfillApprovedFromTheCLI(t *testing.T) {
	e := maps.Clone(demoSetup(t))
	e["USER"] = "erin"
	from, to := demoDays(50), demoDays(45)
	if res := clitest.Run(t, e, "backfill", "start", "orders", "--from", from, "--to", to, "--budget", "1"); res.Code != 0 {
		t.Fatalf("start: exit %d, stderr %q", res.Code, res.Stderr)
	}
	waitForStatus(t, e, workflows.BackfillAwaitingApproval)
	res := clitest.Run(t, e, "backfill", "approve", "orders")
	if res.Code != 4 || !strings.Contains(res.Stderr, "separation of duties") {
		t.Fatalf("the requester's own approval: exit %d, stderr %q; want exit 4, separation of duties", res.Code, res.Stderr)
	}
	res = clitest.Run(t, e, "backfill", "approve", "orders", "--as", "demo-owner")
	if res.Code != 0 || !strings.Contains(res.Stdout, "orders: approved") {
		t.Fatalf("approve: exit %d, stdout %q, stderr %q; want it approved", res.Code, res.Stdout, res.Stderr)
	}
	var report workflows.BackfillReport
	if err := env.Client.GetWorkflow(t.Context(), workflows.BackfillWorkflowID("orders"), "").Get(t.Context(), &report); err != nil {
		t.Fatal(err)
	}
	if report.Status != workflows.BackfillDone || report.Approver != "demo-owner" || report.Done != 5 {
		t.Errorf("report %+v; want all 5 partitions done, approved by demo-owner", report.BackfillStatus)
	}
}
