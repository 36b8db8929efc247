package e2e

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/dre-dev/dre/internal/cli/clitest"
)

// startedID is the workflow ID `dre runbook run` prints.
var startedID = regexp.MustCompile(`started (runbook/\S+)`)

func TestRunbookRunStaleTableOnTheDemoWarehouse(t *testing.T) {
	e := demoSetup(t)
	res := clitest.Run(t, e, "runbook", "run", "stale-table", "--dataset", "orders", "--wait", "--requester", "e2e")
	if res.Code != 0 || !strings.Contains(res.Stdout, "runbook stale-table on orders: ok") {
		t.Fatalf("run stale-table: exit %d\nstdout:\n%s\nstderr:\n%s", res.Code, res.Stdout, res.Stderr)
	}
	// The demo's orders are fresh: the check passes and nothing else is needed.
	for _, want := range []string{`freshness\s+check\s+done\s+orders is \S+ old`, `tell_owner\s+notify\s+skipped`, `backfill\s+backfill\s+skipped`} {
		if !regexp.MustCompile(want).MatchString(res.Stdout) {
			t.Errorf("step table lacks %q:\n%s", want, res.Stdout)
		}
	}
	if !strings.Contains(res.Stdout, "/namespaces/default/workflows/runbook%2Fstale-table%2Forders%2F") {
		t.Errorf("no Temporal UI link in:\n%s", res.Stdout)
	}
	query := `DreKind = "runbook" AND DreRunbook = "stale-table" AND DreDataset = "orders" AND DreStatus = "ok" AND DreRequester = "e2e"`
	if n := countEventually(t, query, 1); n < 1 {
		t.Errorf("visibility finds %d runs for %s; want the run", n, query)
	}
}

func TestRunbookDryRunPrintsThePlanAndStartsNothing(t *testing.T) {
	e := demoSetup(t)
	before := countWorkflows(t)
	res := clitest.Run(t, e, "runbook", "run", "volume-drop", "--dataset", "orders", "--dry-run")
	if res.Code != 0 {
		t.Fatalf("dry run: exit %d, stderr %s", res.Code, res.Stderr)
	}
	for _, want := range []string{"nothing is started", "input page_when_empty = true", "when steps.volume.status == \"failed\"",
		"SQL on the warehouse of orders: SELECT count(*) AS n FROM (SELECT order_id,", "event_time >= $1 AND event_time < $2) AS src",
		"page PCOMMERCE (owner) (critical): orders: the newest partition () is empty", "Slack #commerce-data (owner): orders has 0 rows"} {
		if !strings.Contains(res.Stdout, want) {
			t.Errorf("plan lacks %q:\n%s", want, res.Stdout)
		}
	}
	if after := countWorkflows(t); after != before {
		t.Errorf("workflows before %d, after %d: a dry run started something", before, after)
	}
}

func TestRunbookRunRefusesUnknownNames(t *testing.T) {
	e := demoSetup(t)
	res := clitest.Run(t, e, "runbook", "run", "stale-table", "--dataset", "ordrs")
	if res.Code != 1 || !strings.Contains(res.Stderr, "known datasets: customers, events, legacy_sessions, orders") {
		t.Errorf("unknown dataset: exit %d, stderr %q; want the known datasets", res.Code, res.Stderr)
	}
	res = clitest.Run(t, e, "runbook", "run", "stale-tabel", "--dataset", "orders")
	if res.Code != 1 || !strings.Contains(res.Stderr, "known runbooks: pii-leak, schema-drift, stale-table, volume-drop") {
		t.Errorf("unknown runbook: exit %d, stderr %q; want the known runbooks", res.Code, res.Stderr)
	}
}

const retryRunbook = `name: e2e-retry
inputs:
  - {name: dataset, type: dataset, required: true}
steps:
  - id: answer
    sql: {dataset: "{{ .inputs.dataset }}", statement: SELECT 41 AS answer}
    outputs: {answer: steps.answer.row.answer}
  - id: flag
    check:
      dataset: "{{ .inputs.dataset }}"
      check: custom
      sql: SELECT count(*) AS n FROM public.rb_e2e_flag
      expect: result.row.n == steps.answer.answer - 40
`

func TestRunbookRetryRunsFromTheFailedStep(t *testing.T) {
	e := demoSetup(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "retry.yaml"), []byte(retryRunbook), 0o644); err != nil {
		t.Fatal(err)
	}
	demoExec(t, "CREATE TABLE IF NOT EXISTS public.rb_e2e_flag (id int); TRUNCATE public.rb_e2e_flag")
	res := clitest.Run(t, e, "runbook", "run", "e2e-retry", "--runbooks", dir, "--dataset", "orders", "--wait")
	m := startedID.FindStringSubmatch(res.Stdout)
	if res.Code != 1 || m == nil || !strings.Contains(res.Stderr, "--from flag") {
		t.Fatalf("first run: exit %d\nstdout:\n%s\nstderr:\n%s\nwant a failure at step flag with a retry hint", res.Code, res.Stdout, res.Stderr)
	}
	demoExec(t, "INSERT INTO public.rb_e2e_flag VALUES (1)")
	res = clitest.Run(t, e, "runbook", "retry", m[1], "--wait")
	retried := startedID.FindStringSubmatch(res.Stdout)
	if res.Code != 0 || retried == nil || !regexp.MustCompile(`flag\s+check\s+done`).MatchString(res.Stdout) {
		t.Fatalf("retry: exit %d\nstdout:\n%s\nstderr:\n%s", res.Code, res.Stdout, res.Stderr)
	}
	// Only the check ran again: the answer came from the failed run.
	if n := scheduledActivities(t, retried[1]); n != 1 {
		t.Errorf("the retry scheduled %d activities, want 1 (the check)", n)
	}
	status := clitest.Run(t, e, "runbook", "status", retried[1])
	if status.Code != 0 || !regexp.MustCompile(`answer\s+sql\s+done`).MatchString(status.Stdout) {
		t.Errorf("status of the retry: exit %d\n%s", status.Code, status.Stdout)
	}
}

// demoExec runs SQL on the demo warehouse as its owner.
func demoExec(t *testing.T, sql string) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), env.PG.DSN("demo"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(t.Context(), sql); err != nil {
		t.Fatal(err)
	}
}

// scheduledActivities counts the activities a run scheduled.
func scheduledActivities(t *testing.T, id string) int {
	t.Helper()
	n := 0
	iter := env.Client.GetWorkflowHistory(t.Context(), id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		ev, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		if ev.GetEventType() == enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED {
			n++
		}
	}
	return n
}

// countEventually counts the runs a visibility query finds, waiting up to
// ten seconds for at least want (visibility lags behind the run).
func countEventually(t *testing.T, query string, want int64) int64 {
	t.Helper()
	var n int64
	pollUntil(10*time.Second, 100*time.Millisecond, func() bool {
		resp, err := env.Client.WorkflowService().CountWorkflowExecutions(t.Context(),
			&workflowservice.CountWorkflowExecutionsRequest{Namespace: env.Server.Namespace(), Query: query})
		if err != nil {
			t.Fatal(err)
		}
		n = resp.GetCount()
		return n >= want
	})
	return n
}
