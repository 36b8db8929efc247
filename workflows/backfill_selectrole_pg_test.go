package workflows

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/authz"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/localpg"
	"github.com/dre-dev/dre/internal/localpg/localpgtest"
	"github.com/dre-dev/dre/internal/people"
	"github.com/dre-dev/dre/internal/warehouse"
	"github.com/dre-dev/dre/internal/warehouse/postgres"
)

// selectRoleFixture is a database with a declared source (raw.src, three
// rows a day for three days), a customers table with a PII column that is
// not declared, a target with one row in it already, a role that may read
// only the declared source, and the real backfill activities over a
// catalog that says all this.
type selectRoleFixture struct {
	conn *pgx.Conn
	role string
	acts *activities.Backfills
	ds   catalog.Dataset
}

// selectFrom is a --select of the target's three columns.
const selectFrom = " WHERE s.t >= {{ .From }} AND s.t < {{ .To }}"

func newSelectRoleFixture(t *testing.T, c *localpg.Cluster, role bool) *selectRoleFixture {
	dsn := localpgtest.NewDatabase(t, c)
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	f := &selectRoleFixture{conn: conn}
	if err := conn.QueryRow(t.Context(), "SELECT 'r_' || current_database()").Scan(&f.role); err != nil {
		t.Fatal(err)
	}
	f.exec(t, `SET timezone TO 'UTC';
CREATE SCHEMA raw; CREATE TABLE raw.src (id bigint, t timestamptz, v text);
INSERT INTO raw.src SELECT i, timestamptz '2026-11-01 00:00+00' + i * interval '8 hours', 'v' || i FROM generate_series(0, 8) AS i;
CREATE TABLE raw.customers (id bigint, email text);
INSERT INTO raw.customers SELECT i, 'c' || i || '@example.com' FROM generate_series(0, 8) AS i;
CREATE TABLE public.dst (id bigint, t timestamptz, v text);
INSERT INTO public.dst VALUES (100, timestamptz '2026-10-01 00:00+00', 'kept');
CREATE ROLE `+f.role+`; GRANT USAGE ON SCHEMA raw TO `+f.role+`; GRANT SELECT ON raw.src TO `+f.role)
	t.Cleanup(func() { _, _ = conn.Exec(context.Background(), "DROP OWNED BY "+f.role+"; DROP ROLE "+f.role) })
	registry := warehouse.NewRegistry(map[string]warehouse.Opener{
		"local": func(ctx context.Context) (warehouse.Conn, error) { return postgres.Open(ctx, dsn) },
	})
	t.Cleanup(registry.Close)
	f.ds = catalog.Dataset{
		Name: "events", Warehouse: "local", Table: "public.dst", Upstream: []string{"raw.src"},
		Partition: &catalog.Partition{Column: "t", Granularity: catalog.Day},
	}
	if role {
		f.ds.Backfill = &catalog.BackfillSettings{SelectRole: f.role}
	}
	customers := catalog.Dataset{Name: "customers", Warehouse: "local", Table: "raw.customers",
		PII: catalog.PII{Columns: map[string]catalog.PIIKind{"email": catalog.PIIEmail}}}
	f.acts = &activities.Backfills{Warehouses: registry, Catalog: catalog.New([]catalog.Dataset{f.ds, customers})}
	return f
}

func (f *selectRoleFixture) exec(t *testing.T, sql string) {
	t.Helper()
	if _, err := f.conn.Exec(t.Context(), sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// count runs a count query.
func (f *selectRoleFixture) count(t *testing.T, sql string) int {
	t.Helper()
	var n int
	if err := f.conn.QueryRow(t.Context(), sql).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// selectRun is how a fixture's backfill went.
type selectRun struct {
	report BackfillReport
	err    error
	// held is the status half an hour in; asks are the Slack posts
	// asking for an approval.
	held BackfillStatus
	asks []string
}

// run runs a three-day --select backfill to its end, as a plain workflow
// start (no CLI), sending an approval by approver after an hour when set.
func (f *selectRoleFixture) run(t *testing.T, sel, approver string) selectRun {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterActivity(f.acts)
	// Whoever the test names may approve: what is under test is the hold.
	env.RegisterActivity(&activities.Policy{People: people.NewDirectory(nil, nil), AllowUnsigned: true,
		Authz: authz.Policy{Rules: map[string][]string{authz.BackfillOverride: {authz.Anyone}}}})
	var out selectRun
	var n *activities.Notify
	env.OnActivity(n.PostSlack, mock.Anything, mock.Anything).Return(
		func(_ context.Context, m activities.SlackMessage) (activities.SlackPosted, error) {
			if strings.Contains(m.Text, "waits for") && m.UpdateTS == "" {
				out.asks = append(out.asks, m.Text)
			}
			return activities.SlackPosted{Sent: true, Channel: m.Channel, TS: "1700000000.000100"}, nil
		})
	env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: "backfill/events"})
	env.RegisterDelayedCallback(func() { out.held = queryStatus(t, env) }, 30*time.Minute)
	if approver != "" {
		sendUpdate(env, time.Hour, BackfillApproveUpdate, approver)
	}
	ds := f.ds
	ds.Owner.SlackChannel = "#events"
	env.ExecuteWorkflow(Backfill, BackfillInput{Dataset: ds, From: modesDay1, To: modesDay1.AddDate(0, 0, 3), Select: sel,
		Concurrency: 1, PartitionsPerActivity: 1, ApprovalTimeout: 2 * time.Hour})
	if out.err = env.GetWorkflowError(); out.err == nil {
		out.err = env.GetWorkflowResult(&out.report)
	}
	return out
}

// TestBackfillSelectUnderItsRole: with backfill.select_role, the SELECT
// runs as that role (current_user says so in the rows), reads the
// declared source, and each partition is written once: rewriting the
// run's partitions again writes nothing. A SELECT that also reads a table
// the role may not read fails without writing: the check before the run
// plans it as the role, which may not read the table.
func TestBackfillSelectUnderItsRole(t *testing.T) {
	c := localpgtest.Start(t)
	t.Run("declared source", func(t *testing.T) {
		f := newSelectRoleFixture(t, c, true)
		got := f.run(t, "SELECT s.id, s.t, current_user::text FROM raw.src s"+selectFrom, "")
		r, err := got.report, got.err
		if err != nil || r.Status != BackfillDone || r.Done != 3 || r.Approver != "" {
			t.Fatalf("report %+v, %v; want done, 3 partitions, no approval needed", r.BackfillStatus, err)
		}
		if got := f.count(t, "SELECT count(*) FROM public.dst WHERE v = '"+f.role+"'"); got != 9 {
			t.Errorf("%d rows written as %s; want all 9", got, f.role)
		}
		var run string
		if err := f.conn.QueryRow(t.Context(), "SELECT min(run_id) FROM dre_meta.backfill_ledger").Scan(&run); err != nil {
			t.Fatal(err)
		}
		var s testsuite.WorkflowTestSuite
		aenv := s.NewTestActivityEnvironment()
		aenv.RegisterActivity(f.acts)
		again := activities.RewritePartitionsInput{Warehouse: "local", Table: "public.dst", RunID: run, MaxAttempts: 1, Dataset: "events",
			Partitions: PlanPartitions(catalog.Day, "t", modesDay1, modesDay1.AddDate(0, 0, 3), 0),
			Select:     "SELECT s.id, s.t, current_user::text FROM raw.src s WHERE s.t >= @from AND s.t < @to"}
		v, err := aenv.ExecuteActivity(f.acts.RewritePartitions, again)
		var res activities.RewritePartitionsResult
		if err == nil {
			err = v.Get(&res)
		}
		if err != nil || len(res.Outcomes) != 3 || !res.Outcomes[0].AlreadyApplied || f.count(t, "SELECT count(*) FROM public.dst") != 10 {
			t.Errorf("the run's partitions again: %+v, %v; want each already applied, still 9 rows and the kept one", res, err)
		}
	})
	t.Run("undeclared table", func(t *testing.T) {
		f := newSelectRoleFixture(t, c, true)
		got := f.run(t, "SELECT c.id, s.t, s.v FROM raw.src s JOIN raw.customers c USING (id)"+selectFrom, "")
		var app *temporal.ApplicationError
		if !errors.As(got.err, &app) || app.Type() != "PermissionDenied" ||
			!strings.Contains(app.Message(), "runs as role "+f.role) || !strings.Contains(app.Message(), "customers") {
			t.Fatalf("error %v; want it refused before writing, naming the role and the table it may not read", got.err)
		}
		if got := f.count(t, "SELECT count(*) FROM public.dst"); got != 1 {
			t.Errorf("target has %d rows; want only the one it had", got)
		}
	})
}

// TestBackfillSelectRefusesPIIIntoAnUntaggedColumn: a --select copying
// customers.email (tagged email) into dst.v (untagged) is refused before
// anything is written, naming both columns and the tag to add; once dst.v
// is tagged the same SELECT runs.
func TestBackfillSelectRefusesPIIIntoAnUntaggedColumn(t *testing.T) {
	c := localpgtest.Start(t)
	f := newSelectRoleFixture(t, c, true)
	f.exec(t, "GRANT SELECT ON raw.customers TO "+f.role)
	f.ds.Upstream = append(f.ds.Upstream, "customers")
	sel := "SELECT s.id, s.t, lower(c.email) FROM raw.src s JOIN raw.customers c USING (id)" + selectFrom
	err := f.run(t, sel, "").err
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || app.Type() != ErrPIIFlow {
		t.Fatalf("error %v; want a %s refusal", err, ErrPIIFlow)
	}
	for _, want := range []string{"raw.customers.email (email)", "public.dst.v", "pii: columns: {v: email}"} {
		if !strings.Contains(app.Message(), want) {
			t.Errorf("refusal %q does not say %q", app.Message(), want)
		}
	}
	if got := f.count(t, "SELECT count(*) FROM public.dst"); got != 1 {
		t.Errorf("target has %d rows after the refusal; want only the one it had", got)
	}
	f.ds.PII.Columns = map[string]catalog.PIIKind{"v": catalog.PIIEmail}
	f.acts.Catalog = catalog.New(append(f.acts.Catalog.Datasets()[:0:0], f.ds, mustLookup(t, f.acts.Catalog, "customers")))
	if got := f.run(t, sel, ""); got.err != nil || got.report.Status != BackfillDone || got.report.Done != 3 {
		t.Errorf("with dst.v tagged: %+v, %v; want done", got.report.BackfillStatus, got.err)
	}
}

// TestBackfillSelectUntracedWaitsForApproval: a UNION hides which branch
// feeds a column, so even under a select role the run waits for an
// approval, naming the untagged columns it could not trace.
func TestBackfillSelectUntracedWaitsForApproval(t *testing.T) {
	c := localpgtest.Start(t)
	f := newSelectRoleFixture(t, c, true)
	sel := "SELECT s.id, s.t, s.v FROM raw.src s" + selectFrom + " UNION ALL SELECT s.id + 100, s.t, s.v FROM raw.src s" + selectFrom
	got := f.run(t, sel, "U0LEAD")
	if len(got.asks) != 1 || !strings.Contains(got.asks[0], "dre could not trace which source columns feed id (") ||
		!strings.Contains(got.asks[0], "v (the plan merges rows through Append") || got.held.Status != BackfillAwaitingApproval {
		t.Errorf("held %s, asked %q; want a hold naming the untraced columns", got.held.Status, got.asks)
	}
	if r := got.report; got.err != nil || r.Status != BackfillDone || r.Approver != "U0LEAD" || f.count(t, "SELECT count(*) FROM public.dst") != 19 {
		t.Errorf("report %+v, %v; want done once approved, 18 rows copied", r.BackfillStatus, got.err)
	}
}

// TestBackfillSelectWithoutRoleWaitsForApproval: a dataset without a
// select role holds a --select backfill started by a plain client until
// it is approved, saying why; approved, it runs.
func TestBackfillSelectWithoutRoleWaitsForApproval(t *testing.T) {
	c := localpgtest.Start(t)
	f := newSelectRoleFixture(t, c, false)
	got := f.run(t, "SELECT s.id, s.t, s.v FROM raw.src s"+selectFrom, "U0LEAD")
	if got.held.Status != BackfillAwaitingApproval || got.held.Done != 0 || len(got.asks) != 1 ||
		!strings.Contains(got.asks[0], "--select runs with the worker's full privileges: no backfill.select_role for events") {
		t.Errorf("before the approval: %+v, asked %q; want awaiting approval, nothing written, the reason in the ask", got.held, got.asks)
	}
	if r := got.report; got.err != nil || r.Status != BackfillDone || r.Approver != "U0LEAD" || r.Done != 3 {
		t.Errorf("report %+v, %v; want done once U0LEAD approved", r.BackfillStatus, got.err)
	}
	if n := f.count(t, "SELECT count(*) FROM public.dst"); n != 10 {
		t.Errorf("target has %d rows; want the 9 copied and the one it had", n)
	}
}

func mustLookup(t *testing.T, c *catalog.Catalog, name string) catalog.Dataset {
	t.Helper()
	ds, err := c.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}
