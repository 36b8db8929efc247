package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/cli/clitest"
	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/internal/schedules"
	"github.com/dre-dev/dre/internal/worker"
	"github.com/dre-dev/dre/tests/peers"
	"github.com/dre-dev/dre/workflows"
)

// reconcileCatalog has two PII tables of a warehouse of their own:
// rc_customers revokes orphans and keeps rc_bi's standing SELECT;
// rc_contacts only reports them.
const reconcileCatalog = `
warehouses:
  recon:
    postgres:
      dsn: {env: DRE_E2E_RECON_DSN}
decisions:
  allow_unsigned: true
people:
  rc-owner:
    name: Reconcile Owner
    slack_user: U0RCOWNER
datasets:
  - name: rc_customers
    warehouse: recon
    table: public.rc_customers
    owner: {team: crm, slack_channel: C0RCOWNERS}
    pii:
      columns: {email: email}
      approvers: [U0RCOWNER]
    access:
      standing:
        - {principal: rc_bi, privilege: SELECT}
  - name: rc_contacts
    warehouse: recon
    table: public.rc_contacts
    owner: {team: crm, slack_channel: C0RCOWNERS}
    pii:
      columns: {email: email}
      approvers: [U0RCOWNER]
    access:
      orphans: report
`

// reconcileFixture is the warehouse, audit log, CLI environment and Slack
// stand-in of the reconciler's test, on a task queue of its own.
type reconcileFixture struct {
	dsn, stateDSN string
	env           map[string]string
	slack         *peers.Slack
}

func reconcileSetup(t *testing.T) *reconcileFixture {
	t.Helper()
	ctx := context.Background()
	for _, db := range []string{"reconcile_wh", "reconcile_state"} {
		if err := env.PG.CreateDatabase(ctx, db); err != nil {
			t.Fatal(err)
		}
	}
	f := &reconcileFixture{dsn: env.PG.DSN("reconcile_wh"), stateDSN: env.PG.DSN("reconcile_state"), slack: peers.StartSlack(t)}
	path := filepath.Join(t.TempDir(), "dre.yaml")
	if err := os.WriteFile(path, []byte(reconcileCatalog), 0o644); err != nil {
		t.Fatal(err)
	}
	lookup := func(k string) (string, bool) { return f.dsn, k == "DRE_E2E_RECON_DSN" }
	cfg, err := config.Load(path, lookup, config.LoadOptions{ResolveSecrets: true})
	if err != nil {
		t.Fatal(err)
	}
	f.env = map[string]string{"DRE_CONFIG": path, "DRE_E2E_RECON_DSN": f.dsn, "TEMPORAL_ADDRESS": env.Server.FrontendAddress(),
		"DRE_TASK_QUEUE": env.TaskQueue + "-reconcile", "DRE_STATE_DSN": f.stateDSN, "USER": "e2e"}
	f.sql(t, `CREATE TABLE public.rc_customers (id int PRIMARY KEY, email text);
CREATE TABLE public.rc_contacts (id int PRIMARY KEY, email text);
CREATE ROLE rc_alice NOLOGIN; CREATE ROLE rc_bi NOLOGIN; CREATE ROLE rc_mallory NOLOGIN; CREATE ROLE rc_stale NOLOGIN;
GRANT SELECT ON public.rc_customers TO rc_bi, rc_mallory;
GRANT SELECT ON public.rc_contacts TO rc_stale`)
	w := sdkworker.New(env.Client, f.env["DRE_TASK_QUEUE"], sdkworker.Options{})
	worker.Register(w, worker.Deps{Warehouses: worker.Warehouses(cfg, ""), StateDSN: f.stateDSN, Policy: worker.Policy(cfg),
		Notify: &activities.Notify{Slack: f.slack.Client()}, ActiveGrants: worker.ActiveAccessGrants(env.Client)})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	return f
}

func (f *reconcileFixture) sql(t *testing.T, stmt string) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), f.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(t.Context(), stmt); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}

// canSelect asks PostgreSQL whether role may read table.
func (f *reconcileFixture) canSelect(t *testing.T, role, table string) bool {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), f.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var ok bool
	if err := conn.QueryRow(t.Context(), `SELECT has_table_privilege($1, $2, 'SELECT')`, role, table).Scan(&ok); err != nil {
		t.Fatal(err)
	}
	return ok
}

// audited counts the audit records of action on target.
func (f *reconcileFixture) audited(t *testing.T, action, target string) int {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), f.stateDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(t.Context(), `SELECT count(*) FROM dre_audit_log WHERE action = $1 AND target = $2`, action, target).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// The brief's scenario: an access request is terminated after its grant,
// so nothing revokes it; one reconcile pass does, and audits it, while a
// standing grant stays and a report-only dataset's orphan is reported and
// kept.
func TestReconcileRevokesATerminatedRequestsGrantKeepsStandingAndReports(t *testing.T) {
	f := reconcileSetup(t)
	res := clitest.Run(t, f.env, "access", "request", "rc_customers", "--duration", "4h", "--reason", "ticket 17", "--principal", "rc_alice", "--as", "cli:alice")
	if res.Code != 0 {
		t.Fatalf("access request: exit %d, stdout %q, stderr %q", res.Code, res.Stdout, res.Stderr)
	}
	id := strings.SplitN(res.Stdout, "\n", 2)[0]
	if res := clitest.Run(t, f.env, "access", "approve", id, "--as", "U0RCOWNER"); res.Code != 0 {
		t.Fatalf("approve: exit %d, stderr %q", res.Code, res.Stderr)
	}
	var st workflows.AccessRequestState
	waitStatus(t, id, workflows.AccessGranted, &st, func() string { return st.Status })

	// While the request runs its grant is explained; the dry run changes nothing.
	dry := clitest.Run(t, f.env, "access", "reconcile", "--dry-run")
	for _, want := range []string{"would-revoke  rc_customers  SELECT on public.rc_customers to rc_mallory", "would-report  rc_contacts   SELECT on public.rc_contacts to rc_stale", "dry run"} {
		if !strings.Contains(dry.Stdout, want) {
			t.Errorf("dry run lacks %q:\n%s%s", want, dry.Stdout, dry.Stderr)
		}
	}
	if strings.Contains(dry.Stdout, "rc_alice") || strings.Contains(dry.Stdout, "rc_bi") || !f.canSelect(t, "rc_mallory", "public.rc_customers") {
		t.Fatalf("dry run:\n%s\nwant rc_alice (running request) and rc_bi (standing) explained, and rc_mallory still granted", dry.Stdout)
	}

	if err := env.Client.TerminateWorkflow(t.Context(), id, "", "e2e: a terminated request revokes nothing itself"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the request to leave visibility's running list", func() bool {
		g, err := worker.ActiveAccessGrants(env.Client).ActiveAccessGrants(t.Context())
		return err == nil && !strings.Contains(fmt.Sprint(g), id)
	})
	if !f.canSelect(t, "rc_alice", "public.rc_customers") {
		t.Fatal("terminating the request revoked its grant; the test no longer shows the reconciler's work")
	}

	pass := clitest.Run(t, f.env, "access", "reconcile")
	if pass.Code != 0 {
		t.Fatalf("reconcile: exit %d, stdout %q, stderr %q", pass.Code, pass.Stdout, pass.Stderr)
	}
	switch {
	case f.canSelect(t, "rc_alice", "public.rc_customers"), f.canSelect(t, "rc_mallory", "public.rc_customers"):
		t.Errorf("after the pass rc_alice or rc_mallory still reads rc_customers:\n%s", pass.Stdout)
	case !f.canSelect(t, "rc_bi", "public.rc_customers"):
		t.Errorf("the standing grant of rc_bi was revoked:\n%s", pass.Stdout)
	case !f.canSelect(t, "rc_stale", "public.rc_contacts"):
		t.Errorf("rc_contacts sets orphans: report, yet rc_stale lost its grant:\n%s", pass.Stdout)
	}
	for _, a := range []struct{ action, target string }{
		{activities.AuditOrphanRevoked, "rc_customers/rc_alice/SELECT"},
		{activities.AuditOrphanRevoked, "rc_customers/rc_mallory/SELECT"},
		{activities.AuditOrphanReported, "rc_contacts/rc_stale/SELECT"},
	} {
		if n := f.audited(t, a.action, a.target); n != 1 {
			t.Errorf("%d audit records %s %s; want 1", n, a.action, a.target)
		}
	}
	if !slackSaid(f.slack, "rc_alice") || !slackSaid(f.slack, "rc_stale") {
		t.Errorf("the owners' channel was not told: %+v", f.slack.Calls())
	}
	recordHistory(t, workflows.AccessReconcileWorkflowID("cli"), "access-reconcile-revoke-and-report.json")

	again := clitest.Run(t, f.env, "access", "reconcile")
	if again.Code != 0 || strings.Contains(again.Stdout, "rc_alice") || !strings.Contains(again.Stdout, "reported  rc_contacts") {
		t.Errorf("second pass: exit %d\n%s%s\nwant rc_alice gone and rc_stale reported again", again.Code, again.Stdout, again.Stderr)
	}
}

// dre schedules sync creates the reconciler's schedule at the interval
// dre.yaml sets, and a second sync changes nothing.
func TestSchedulesSyncCreatesTheReconcilerAtItsInterval(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dre.yaml")
	yaml := reconcileCatalog + "access:\n  reconcile_every: 5m\n"
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	e := map[string]string{"DRE_CONFIG": path, "DRE_E2E_RECON_DSN": "postgres://unused", "TEMPORAL_ADDRESS": env.Server.FrontendAddress(),
		"DRE_TASK_QUEUE": env.TaskQueue + "-reconcile-schedule", "USER": "e2e"}
	h := env.Client.ScheduleClient().GetHandle(context.Background(), schedules.AccessReconcileID)
	t.Cleanup(func() { _ = h.Delete(context.Background()) })
	reminders := env.Client.ScheduleClient().GetHandle(context.Background(), schedules.FollowupRemindersID)
	t.Cleanup(func() { _ = reminders.Delete(context.Background()) }) // sync creates it too: the config has a state database
	if res := clitest.Run(t, e, "schedules", "sync"); res.Code != 0 || !strings.Contains(res.Stdout, "+ "+schedules.AccessReconcileID+" (every 5m0s") {
		t.Fatalf("sync: exit %d, stdout %q, stderr %q; want the reconciler created every 5m", res.Code, res.Stdout, res.Stderr)
	}
	d, err := h.Describe(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	action, ok := d.Schedule.Action.(*client.ScheduleWorkflowAction)
	if !ok || action.Workflow != workflows.AccessReconcileWorkflowName || len(d.Schedule.Spec.Intervals) != 1 || d.Schedule.Spec.Intervals[0].Every != 5*time.Minute {
		t.Errorf("schedule %+v, action %+v; want %s every 5m", d.Schedule.Spec, d.Schedule.Action, workflows.AccessReconcileWorkflowName)
	}
	if res := clitest.Run(t, e, "schedules", "sync"); res.Code != 0 || !strings.Contains(res.Stdout, "in step with the catalog") {
		t.Errorf("second sync: exit %d, stdout %q; want nothing to change", res.Code, res.Stdout)
	}
}
