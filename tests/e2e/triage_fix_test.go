package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/workflows"
)

// TestTriageBackfillButtonFixesTheNamedGap: the last two complete days of
// the demo orders lose their rows; the volume finding names them, the
// incident message offers the backfill button, and its click (over real
// HTTP, through the gateway) backfills exactly those two days from the
// source, re-runs the volume check, which passes, and resolves the
// incident by policy. The older seeded gap, which no finding names, stays.
func TestTriageBackfillButtonFixesTheNamedGap(t *testing.T) {
	var dsn string
	s := startTriageStackBroken(t, "fixflow", "dre-e2e-fixflow", workflows.TriagePolicy{ResolveAfterFix: true},
		func(t *testing.T, d string) { dsn = d; deleteRecentOrders(t, d) })
	id := workflows.TriageWorkflowID("orders")
	form := "application/x-www-form-urlencoded"
	if st := postSigned(t, s.gateway+"/slack/commands", form, slashCommand("triage orders sev3 two days of orders missing", "t-fix"), slackSigner(triageSlackSecret)); st != http.StatusOK {
		t.Fatalf("signed command: %d", st)
	}
	var opened workflows.TriageTimeline
	if !pollUntil(time.Minute, 100*time.Millisecond, func() bool {
		opened = triageTimeline(t, id)
		msg, ok := s.slack.Message(opened.Channel, opened.ThreadTS)
		return ok && strings.Contains(msg.Blocks, activities.TriageButtonBackfill)
	}) {
		err := env.Client.GetWorkflow(context.Background(), id, "").Get(context.Background(), nil)
		t.Fatalf("the incident message never offered the backfill; findings: %+v; workflow %v", opened.Findings, err)
	}
	click := url.Values{"payload": {fmt.Sprintf(`{"type":"block_actions","user":{"id":"U0ONCALL"},"actions":[{"block_id":"b","action_id":%q,"value":%q}]}`,
		activities.TriageButtonBackfill, id)}}.Encode()
	if st := postSigned(t, s.gateway+"/slack/interactions", form, click, slackSigner(triageSlackSecret)); st != http.StatusOK {
		t.Fatalf("backfill button: %d", st)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var tl workflows.TriageTimeline
	if err := env.Client.GetWorkflow(ctx, id, "").Get(ctx, &tl); err != nil || tl.Status != workflows.TriageResolved || tl.ResolvedBy != "dre" {
		t.Fatalf("incident: %v, status %q by %q; want resolved by dre once the re-check passed", err, tl.Status, tl.ResolvedBy)
	}
	for _, kind := range []string{"backfill", "backfill-done", "recheck", "recheck-passed", "resolved"} {
		if !slices.ContainsFunc(tl.Events, func(e workflows.TimelineEvent) bool { return e.Kind == kind }) {
			t.Errorf("timeline lacks %s: %+v", kind, tl.Events)
		}
	}
	var report workflows.BackfillReport
	if err := env.Client.GetWorkflow(ctx, workflows.BackfillWorkflowID("orders"), "").Get(ctx, &report); err != nil || report.Total != 2 || report.Done != 2 {
		t.Fatalf("child backfill: %v, %d of %d done; want exactly the 2 named partitions", err, report.Done, report.Total)
	}
	for age, want := range map[int]bool{1: true, 2: true, 3: false} {
		if got := ordersMatchSource(t, dsn, age); got != want {
			t.Errorf("orders of %d days ago match the source: %v, want %v", age, got, want)
		}
	}
	if !slackSaid(s.slack, "workflows/backfill%2Forders|backfill/orders") {
		t.Error("the thread does not link the backfill in the Temporal UI")
	}
	recordHistory(t, id, "triage-backfill-fix.json")
}

// deleteRecentOrders empties the last two complete days of orders, the
// partitions the volume check judges.
func deleteRecentOrders(t *testing.T, dsn string) {
	t.Helper()
	execSQL(t, dsn, `DELETE FROM public.orders WHERE order_date IN (current_date - 1, current_date - 2)`)
}

// ordersMatchSource reports whether the orders of the day age days ago
// are there, as many as the raw events of that day.
func ordersMatchSource(t *testing.T, dsn string, age int) bool {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var orders, events int
	err = conn.QueryRow(context.Background(), `SELECT
		(SELECT count(*) FROM public.orders WHERE order_date = current_date - $1::int),
		(SELECT count(*) FROM raw.order_events WHERE event_time::date = current_date - $1::int)`, age).Scan(&orders, &events)
	if err != nil {
		t.Fatal(err)
	}
	return orders > 0 && orders == events
}

func execSQL(t *testing.T, dsn, sql string) {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), sql); err != nil {
		t.Fatal(err)
	}
}
