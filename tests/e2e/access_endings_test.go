package e2e

import (
	"errors"
	"strings"
	"testing"

	"go.temporal.io/sdk/temporal"

	"github.com/dre-dev/dre/internal/cli/clitest"
	"github.com/dre-dev/dre/workflows"
)

// requestApproved asks for access to customers for principal as cli:who,
// has the demo owner approve it, and waits for the grant.
func (f *accessFixture) requestApproved(t *testing.T, principal, who, duration string) string {
	t.Helper()
	res := clitest.Run(t, f.cliEnv, "access", "request", "customers", "--duration", duration, "--reason", "ticket 5150", "--principal", principal, "--as", "cli:"+who)
	if res.Code != 0 {
		t.Fatalf("access request: exit %d, stdout %q, stderr %q", res.Code, res.Stdout, res.Stderr)
	}
	id := strings.SplitN(res.Stdout, "\n", 2)[0]
	if res := clitest.Run(t, f.cliEnv, "access", "approve", id, "--as", "U0DEMOOWNER"); res.Code != 0 {
		t.Fatalf("approve: exit %d, stderr %q", res.Code, res.Stderr)
	}
	var st workflows.AccessRequestState
	waitStatus(t, id, workflows.AccessGranted, &st, func() string { return st.Status })
	return id
}

// Cancelling the workflow after the grant takes the grant away: PostgreSQL
// no longer lets the role read, and the run ends cancelled saying so.
func TestAccessRequestCancelledAfterTheGrantIsRevoked(t *testing.T) {
	f := accessSetup(t)
	f.createRoles(t, false, "e2e_frank")
	f.startWorker(t)
	id := f.requestApproved(t, "e2e_frank", "frank", "1h")
	if !f.canSelect(t, "e2e_frank") {
		t.Fatal("granted, but e2e_frank cannot SELECT customers")
	}
	if err := env.Client.CancelWorkflow(t.Context(), id, ""); err != nil {
		t.Fatal(err)
	}
	err := env.Client.GetWorkflow(t.Context(), id, "").Get(t.Context(), nil)
	var cancelled *temporal.CanceledError
	if !errors.As(err, &cancelled) {
		t.Fatalf("run ended with %v; want it cancelled", err)
	}
	var st workflows.AccessRequestState
	if err := cancelled.Details(&st); err != nil {
		t.Fatal(err)
	}
	if st.Ending != "revoked on cancel" || f.canSelect(t, "e2e_frank") {
		t.Fatalf("after the cancel: ending %q, e2e_frank can select %v; want revoked on cancel and no access", st.Ending, f.canSelect(t, "e2e_frank"))
	}
	recordHistory(t, id, "access-request-revoked-on-cancel.json")
}

// A role that could read customers before an access request still can
// after the request expires: the expiry takes away only what it added.
func TestAccessRequestExpiryKeepsAStandingGrant(t *testing.T) {
	f := accessSetup(t)
	f.createRoles(t, true, "e2e_grace")
	// The review test counts the grants on customers; leave it none.
	defer f.sql(t, "REVOKE SELECT ON public.customers FROM e2e_grace")
	f.startWorker(t)
	id := f.requestApproved(t, "e2e_grace", "grace", "2s")
	var final workflows.AccessRequestState
	if err := env.Client.GetWorkflow(t.Context(), id, "").Get(t.Context(), &final); err != nil {
		t.Fatal(err)
	}
	if final.Status != workflows.AccessExpired || strings.Join(final.Standing, ",") != "public.customers" {
		t.Fatalf("final state %+v; want expired with the standing table grant named", final)
	}
	if !f.canSelect(t, "e2e_grace") {
		t.Fatal("the expiry revoked e2e_grace's standing SELECT on customers")
	}
	recordHistory(t, id, "access-request-standing-grant-kept.json")
}
