package e2e

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
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

// A review whose first grant cannot be revoked (a role whose name dre
// will not put into SQL) still revokes the others, finishes, and reports
// the first as could not revoke with the reason; a grant another role
// made is revoked as that role, since dre's user (a superuser here) may
// act as it.
func TestAccessReviewReportsWhatItCannotRevokeAndRevokesTheRest(t *testing.T) {
	f := accessSetup(t)
	f.createRoles(t, false, "e2e_granter", "e2e_henry", "e2e_ivan")
	f.sql(t, `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'e2e-hal') THEN CREATE ROLE "e2e-hal" NOLOGIN; END IF; END $$;
		GRANT SELECT ON public.customers TO "e2e-hal";
		GRANT SELECT ON public.customers TO e2e_granter WITH GRANT OPTION;
		SET ROLE e2e_granter; GRANT SELECT ON public.customers TO e2e_henry; RESET ROLE;
		GRANT SELECT ON public.customers TO e2e_ivan`)
	// The other review test counts the grants on customers; leave it none.
	defer f.sql(t, `REVOKE SELECT ON public.customers FROM e2e_granter CASCADE; REVOKE SELECT ON public.customers FROM e2e_ivan, "e2e-hal"`)
	f.startWorker(t)
	res := clitest.Run(t, f.cliEnv, "access", "review", "start", "--period", "2026Q2", "--deadline", "1h", "--remind-every", "1h",
		"--ignore", "postgres,dre_demo_reader")
	if res.Code != 0 {
		t.Fatalf("review start: exit %d, stdout %q, stderr %q", res.Code, res.Stdout, res.Stderr)
	}
	id := workflows.AccessReviewWorkflowID("2026Q2")
	var st workflows.AccessReviewResult
	waitStatus(t, id, "reviewing", &st, func() string { return st.Status })
	for _, d := range [][2]string{{"customers/e2e-hal", "revoke"}, {"customers/e2e_henry", "revoke"}, {"customers/e2e_ivan", "revoke"}, {"all", "keep"}} {
		if r := clitest.Run(t, f.cliEnv, "access", "review", "decide", "2026Q2", d[0], d[1], "--as", "U0DEMOOWNER"); r.Code != 0 {
			t.Fatalf("decide %s %s: exit %d, stderr %q", d[0], d[1], r.Code, r.Stderr)
		}
	}
	var final workflows.AccessReviewResult
	if err := env.Client.GetWorkflow(t.Context(), id, "").Get(t.Context(), &final); err != nil {
		t.Fatalf("the review did not finish: %v", err)
	}
	if f.canSelect(t, "e2e_ivan") || f.canSelect(t, "e2e_henry") || !f.canSelect(t, "e2e-hal") {
		t.Fatalf("after the review: ivan can select %v, henry %v, hal %v; want ivan and henry (revoked as e2e_granter) revoked, hal left",
			f.canSelect(t, "e2e_ivan"), f.canSelect(t, "e2e_henry"), f.canSelect(t, "e2e-hal"))
	}
	for _, it := range final.Items {
		if it.ID == "customers/e2e-hal" && (it.Revoked || !strings.Contains(it.NotRevoked, "invalid identifier")) {
			t.Errorf("hal's item %+v; want it reported as could not revoke, saying why", it)
		}
	}
	if !strings.Contains(final.Markdown, "## Could not revoke") || !strings.Contains(final.Markdown, "- customers/e2e-hal") {
		t.Errorf("report lacks hal under Could not revoke:\n%s", final.Markdown)
	}
}

// A role with a standing grant on one column asks for the whole table:
// PostgreSQL's REVOKE at expiry takes the column grant too, and dre gives
// it back, so the role can read that column and only that column again.
func TestAccessRequestExpiryKeepsAStandingColumnGrant(t *testing.T) {
	f := accessSetup(t)
	f.createRoles(t, false, "e2e_gus")
	f.sql(t, "GRANT SELECT (email) ON public.customers TO e2e_gus")
	defer f.sql(t, "REVOKE SELECT (email) ON public.customers FROM e2e_gus")
	f.startWorker(t)
	id := f.requestApproved(t, "e2e_gus", "gus", "2s")
	var final workflows.AccessRequestState
	if err := env.Client.GetWorkflow(t.Context(), id, "").Get(t.Context(), &final); err != nil {
		t.Fatal(err)
	}
	var email bool
	if err := f.query(t, `SELECT has_column_privilege('e2e_gus', 'public.customers', 'email', 'SELECT')`, &email); err != nil {
		t.Fatal(err)
	}
	if final.Status != workflows.AccessExpired || f.canSelect(t, "e2e_gus") || !email {
		t.Fatalf("after expiry: state %+v, table SELECT %v, email SELECT %v; want expired, no table access, the email grant kept",
			final, f.canSelect(t, "e2e_gus"), email)
	}
}

// query reads one value from the fixture's warehouse.
func (f *accessFixture) query(t *testing.T, sql string, into any) error {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), f.warehouseDSN)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	return conn.QueryRow(t.Context(), sql).Scan(into)
}
