package bench

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/localpg/localpgtest"
	"github.com/dre-dev/dre/internal/warehouse"
	"github.com/dre-dev/dre/internal/warehouse/postgres"
	"github.com/dre-dev/dre/internal/worker"
	"github.com/dre-dev/dre/workflows"
)

// The measure: a reconcile pass over 1,000 PII tables with 20
// grants each. Of each table's 20, 18 are standing grants, one is given
// by a running access request and one is an orphan.
const (
	rcGrants   = 20
	rcStanding = 18
	rcActive   = "rcb_active"
	rcOrphan   = "rcb_orphan"
)

// rcTables is the number of tables: DRE_BENCH_RECONCILE_TABLES, or 1,000.
func rcTables(b testing.TB) int {
	s := os.Getenv("DRE_BENCH_RECONCILE_TABLES")
	if s == "" {
		return 1000
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		b.Fatalf("DRE_BENCH_RECONCILE_TABLES=%q: want a positive number of tables", s)
	}
	return n
}

// BenchmarkAccessReconcile runs reconcile passes of the real workflow on
// the embedded Temporal server over local PostgreSQL, in two ways each
// iteration: "report" finds the orphans and reports them (every table's
// ACL is read), "revoke" also revokes each one (the orphans are granted
// back, untimed, between iterations). It reports each pass's wall time
// and the warehouse calls per table (one ACL statement per batch of 50
// tables, plus one verified REVOKE per orphan).
//
//	go test -run '^$' -bench AccessReconcile -benchtime 3x ./tests/bench/
//	DRE_BENCH_RECONCILE_TABLES=100 go test -run '^$' -bench AccessReconcile -benchtime 1x ./tests/bench/
func BenchmarkAccessReconcile(b *testing.B) {
	n := rcTables(b)
	dsn := localpgtest.NewDatabase(b, env.PG)
	rcLoad(b, dsn, n)
	calls, queue := rcWorker(b, dsn, n)
	report, revoke := rcDatasets(n, true), rcDatasets(n, false)
	var reportTime, revokeTime time.Duration
	var reportCalls, revokeCalls int64
	for i := 0; b.Loop(); i++ {
		calls.Store(0)
		reportTime += rcPass(b, queue, fmt.Sprintf("report-%d", i), report, n)
		reportCalls += calls.Swap(0)
		revokeTime += rcPass(b, queue, fmt.Sprintf("revoke-%d", i), revoke, n)
		revokeCalls += calls.Swap(0)
		b.StopTimer()
		rcExec(b, dsn, fmt.Sprintf(`DO $$ BEGIN FOR i IN 1..%d LOOP EXECUTE format('GRANT SELECT ON bench_rc.t%%s TO %s', i); END LOOP; END $$`, n, rcOrphan))
		b.StartTimer()
	}
	iters := float64(b.N)
	b.ReportMetric(reportTime.Seconds()/iters, "report-pass-s")
	b.ReportMetric(revokeTime.Seconds()/iters, "revoke-pass-s")
	b.ReportMetric(float64(reportCalls)/iters/float64(n), "report-calls/table")
	b.ReportMetric(float64(revokeCalls)/iters/float64(n), "revoke-calls/table")
	b.ReportMetric(float64(n), "tables")
}

// rcLoad creates the tables and roles and grants every role SELECT on
// every table.
func rcLoad(b testing.TB, dsn string, n int) {
	roles := rcActive + ", " + rcOrphan
	for r := range rcStanding {
		roles += fmt.Sprintf(", rcb_standing%02d", r)
	}
	rcExec(b, dsn, fmt.Sprintf(`DO $$ DECLARE r text; BEGIN
  FOREACH r IN ARRAY string_to_array('%s', ', ') LOOP
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r) THEN EXECUTE format('CREATE ROLE %%I NOLOGIN', r); END IF;
  END LOOP;
END $$;
CREATE SCHEMA bench_rc;
DO $$ BEGIN FOR i IN 1..%d LOOP
  EXECUTE format('CREATE TABLE bench_rc.t%%s (id int PRIMARY KEY, email text)', i);
  EXECUTE format('GRANT SELECT ON bench_rc.t%%s TO %s', i);
END LOOP; END $$`, roles, n, roles))
}

func rcExec(b testing.TB, dsn, sql string) {
	b.Helper()
	conn, err := pgx.Connect(b.Context(), dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(b.Context(), sql); err != nil {
		b.Fatal(err)
	}
}

// rcWorker runs the reconciler on a queue of its own, with a counter on
// its warehouse calls and one running access request per table, and
// returns the counter and the queue.
func rcWorker(b testing.TB, dsn string, n int) (*atomic.Int64, string) {
	registry := warehouse.NewRegistry(map[string]warehouse.Opener{
		"bench": func(ctx context.Context) (warehouse.Conn, error) { return postgres.Open(ctx, dsn) },
	})
	b.Cleanup(registry.Close)
	calls := &atomic.Int64{}
	queue := env.TaskQueue + "-reconcile"
	w := sdkworker.New(env.Client, queue, sdkworker.Options{})
	worker.RegisterWorkflows(w)
	w.RegisterActivity(&activities.AccessReconcile{Warehouses: registry, Active: rcRequests(n), Calls: calls})
	w.RegisterActivity(&activities.Notify{})
	if err := w.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(w.Stop)
	return calls, queue
}

// rcRequests stands in for Temporal's visibility: one running access
// request per table, for rcActive.
type rcRequests int

func (r rcRequests) ActiveAccessGrants(context.Context) ([]activities.ActiveGrant, error) {
	out := make([]activities.ActiveGrant, int(r))
	for i := range out {
		out[i] = activities.ActiveGrant{Dataset: fmt.Sprintf("t%d", i+1), Principal: rcActive, WorkflowID: fmt.Sprintf("access-request/t%d/bench/1", i+1)}
	}
	return out, nil
}

// rcDatasets is the catalog: every table with an email column and 18
// standing grants, its orphans reported or revoked.
func rcDatasets(n int, report bool) []catalog.Dataset {
	standing := make([]catalog.StandingGrant, rcStanding)
	for r := range standing {
		standing[r] = catalog.StandingGrant{Principal: fmt.Sprintf("rcb_standing%02d", r), Privilege: "SELECT"}
	}
	access := catalog.Access{Standing: standing}
	if report {
		access.Orphans = catalog.OrphansReport
	}
	out := make([]catalog.Dataset, n)
	for i := range out {
		out[i] = catalog.Dataset{Name: fmt.Sprintf("t%d", i+1), Warehouse: "bench", Table: fmt.Sprintf("bench_rc.t%d", i+1),
			PII: catalog.PII{Columns: map[string]catalog.PIIKind{"email": catalog.PIIKind("email")}}, Access: access}
	}
	return out
}

// rcPass runs one pass and checks it found each table's orphan and
// nothing else.
func rcPass(b testing.TB, queue, trigger string, ds []catalog.Dataset, n int) time.Duration {
	b.Helper()
	start := time.Now()
	run, err := workflows.StartAccessReconcile(b.Context(), env.Client, queue, trigger, workflows.AccessReconcileInput{Datasets: ds})
	if err != nil {
		b.Fatal(err)
	}
	var r workflows.AccessReconcileReport
	if err := run.Get(b.Context(), &r); err != nil {
		b.Fatal(err)
	}
	elapsed := time.Since(start)
	if r.Tables != n || r.Grants != n*(rcGrants+1) || len(r.Orphans) != n || len(r.Failures) > 0 {
		b.Fatalf("pass %s: %d tables, %d grants, %d orphans, failures %v; want %d tables, %d grants (20 and the owner's), %d orphans",
			trigger, r.Tables, r.Grants, len(r.Orphans), r.Failures, n, n*(rcGrants+1), n)
	}
	for _, o := range r.Orphans {
		if o.Grant.Principal != rcOrphan || (o.Action != activities.OrphanReported && o.Action != activities.OrphanRevoked) {
			b.Fatalf("pass %s: outcome %+v; want %s reported or revoked", trigger, o, rcOrphan)
		}
	}
	return elapsed
}
