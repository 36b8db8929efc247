package cluster

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"

	"github.com/dre-dev/dre/internal/cli/clitest"
	"github.com/dre-dev/dre/workflows"
)

// grantExpiresWhileMatchingIsPaused: a 15-second grant's expiry timer
// fires while the matching service is stopped (SIGSTOP), so no worker can
// be told; once matching runs again the grant is revoked and the request
// ends expired, with nothing left in the ACL.
func grantExpiresWhileMatchingIsPaused(t testing.TB, s *dreStack) {
	const role = "cluster_erin"
	s.sql(t, s.warehouse, "CREATE ROLE "+role+" NOLOGIN")
	res := clitest.Run(t, s.env, "access", "request", "customers", "--duration", "15s", "--reason", "ticket 4711", "--principal", role, "--as", "cli:erin")
	if res.Code != 0 || !strings.HasPrefix(res.Stdout, "access-request/customers/") {
		t.Fatalf("access request: exit %d, stdout %q, stderr %q", res.Code, res.Stdout, res.Stderr)
	}
	id := strings.SplitN(res.Stdout, "\n", 2)[0]
	if res := clitest.Run(t, s.env, "access", "approve", id, "--as", "U0DEMOOWNER"); res.Code != 0 {
		t.Fatalf("approve: exit %d, stderr %q", res.Code, res.Stderr)
	}
	var st workflows.AccessRequestState
	eventually(t, id+" granted", time.Minute, func() bool { return s.status(id, &st) == nil && st.Status == workflows.AccessGranted })
	if !s.canSelectCustomers(t, role) {
		t.Fatalf("granted, but %s cannot SELECT customers", role)
	}

	fired := timersFired(t, s, id)
	matching := s.temporal.procs["matching"]
	matching.pause(t)
	paused := time.Now()
	// History and frontend still answer history reads; matching alone is
	// stopped, so the fired timer's workflow task cannot reach a worker.
	eventually(t, "the expiry timer to fire with matching stopped", time.Minute, func() bool { return timersFired(t, s, id) > fired })
	stillGranted := s.canSelectCustomers(t, role)
	matching.resume(t)
	resumed := time.Now()
	if !stillGranted {
		t.Fatal("the grant went away while matching was stopped; the test no longer shows a revocation after it returns")
	}
	t.Logf("matching stopped for %s", resumed.Sub(paused).Round(time.Millisecond))

	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	var final workflows.AccessRequestState
	if err := s.client.GetWorkflow(ctx, id, "").Get(ctx, &final); err != nil {
		t.Fatalf("the access request after matching returned: %v", err)
	}
	t.Logf("the request ended %s after matching returned", time.Since(resumed).Round(time.Millisecond))
	if final.Status != workflows.AccessExpired || !strings.Contains(final.Ending, "revoked") || len(final.NotRevoked) > 0 {
		t.Errorf("after matching returned: status %q, ending %q, not revoked %v; want expired, revoked on expiry, nothing left", final.Status, final.Ending, final.NotRevoked)
	}
	if s.canSelectCustomers(t, role) {
		t.Errorf("%s can still SELECT customers after the request ended", role)
	}
}

// canSelectCustomers asks PostgreSQL's catalogs whether role may read
// the demo's customers table.
func (s *dreStack) canSelectCustomers(t testing.TB, role string) bool {
	t.Helper()
	var ok bool
	s.queryRow(t, s.warehouse, `SELECT has_table_privilege($1, 'public.customers', 'SELECT')`, []any{&ok}, role)
	return ok
}

// timersFired counts the timers of the workflow's run that have fired.
func timersFired(t testing.TB, s *dreStack, id string) int {
	n := 0
	iter := s.client.GetWorkflowHistory(t.Context(), id, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		ev, err := iter.Next()
		if err != nil {
			return n
		}
		if ev.GetEventType() == enums.EVENT_TYPE_TIMER_FIRED {
			n++
		}
	}
	return n
}
