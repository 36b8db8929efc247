package e2e

import (
	"strings"
	"testing"

	"github.com/dre-dev/dre/internal/cli/clitest"
	"github.com/dre-dev/dre/workflows"
)

// An approver revokes one grant, keeps one and ignores one; the approver's
// own grant cannot be decided by them. After the deadline exactly the
// kept grant remains, in PostgreSQL's catalogs, and the audit chain verifies.
func TestAccessReviewLeavesExactlyTheKeptGrants(t *testing.T) {
	f := accessSetup(t)
	f.createRoles(t, true, "e2e_bob", "e2e_carol", "e2e_dave", "u0demoowner")
	f.startWorker(t)
	res := clitest.Run(t, f.cliEnv, "access", "review", "start", "--period", "2026Q1", "--deadline", "20s", "--remind-every", "1h",
		"--ignore", "postgres,dre_demo_reader,e2e_erin")
	if res.Code != 0 || !strings.Contains(res.Stdout, "access-review/2026Q1 started") {
		t.Fatalf("review start: exit %d, stdout %q, stderr %q", res.Code, res.Stdout, res.Stderr)
	}
	id := workflows.AccessReviewWorkflowID("2026Q1")
	var st workflows.AccessReviewResult
	waitStatus(t, id, "reviewing", &st, func() string { return st.Status })
	if len(st.Items) != 4 {
		t.Fatalf("review items %+v; want the 4 grants of the e2e roles", st.Items)
	}
	decide := func(grant, decision string) clitest.Result {
		return clitest.Run(t, f.cliEnv, "access", "review", "decide", "2026Q1", grant, decision, "--as", "U0DEMOOWNER")
	}
	if r := decide("customers/e2e_bob", "revoke"); r.Code != 0 {
		t.Fatalf("revoke bob: exit %d, stderr %q", r.Code, r.Stderr)
	}
	if r := decide("customers/e2e_carol", "keep"); r.Code != 0 {
		t.Fatalf("keep carol: exit %d, stderr %q", r.Code, r.Stderr)
	}
	if r := decide("customers/u0demoowner", "keep"); r.Code != 1 || !strings.Contains(r.Stderr, "separation of duties") {
		t.Fatalf("deciding one's own grant: exit %d, stderr %q; want it refused", r.Code, r.Stderr)
	}

	var final workflows.AccessReviewResult
	if err := env.Client.GetWorkflow(t.Context(), id, "").Get(t.Context(), &final); err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"e2e_bob": false, "e2e_carol": true, "e2e_dave": false, "u0demoowner": false}
	for role, can := range want {
		if got := f.canSelect(t, role); got != can {
			t.Errorf("after the review %s can SELECT customers: %v; want %v", role, got, can)
		}
	}
	if !strings.Contains(final.CSV, "customers/e2e_dave,customers,local,public.customers,e2e_dave,,revoke,default,true,") {
		t.Errorf("report CSV lacks dave's default revocation:\n%s", final.CSV)
	}
	auditVerifies(t, f, 5)
	recordHistory(t, id, "access-review-revoke-keep-default.json")
}
