package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"

	"github.com/jackc/pgx/v5"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/dre-dev/dre/internal/cli/clitest"
	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/internal/demo"
	"github.com/dre-dev/dre/internal/worker"
	"github.com/dre-dev/dre/workflows"
)

// accessFixture is a demo warehouse of its own with real roles holding
// real grants, a state database for the audit log, and a task queue only
// the test's workers poll, so a test can stop them.
type accessFixture struct {
	warehouseDSN, stateDSN, queue string
	deps                          worker.Deps
	cliEnv                        map[string]string
	cfg                           *config.Config
}

var (
	accessOnce sync.Once
	accessFix  *accessFixture
)

func accessSetup(t *testing.T) *accessFixture {
	t.Helper()
	accessOnce.Do(func() {
		ctx := context.Background()
		f := &accessFixture{warehouseDSN: env.PG.DSN("access_wh"), stateDSN: env.PG.DSN("access_state"), queue: env.TaskQueue + "-access"}
		for _, db := range []string{"access_wh", "access_state"} {
			if err := env.PG.CreateDatabase(ctx, db); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := demo.Seed(ctx, f.warehouseDSN, time.Now().UTC()); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(os.TempDir(), "dre-e2e-access.yaml")
		if err := os.WriteFile(path, demo.Config, 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, err := config.Load(path, func(string) (string, bool) { return "", false }, config.LoadOptions{AllowEmbedded: true})
		if err != nil {
			t.Fatal(err)
		}
		f.cfg = cfg
		f.deps = worker.Deps{Warehouses: worker.Warehouses(cfg, f.warehouseDSN), StateDSN: f.stateDSN, Policy: worker.Policy(cfg),
			SLOTriage: worker.SLOTriage(env.Client, f.queue)}
		f.cliEnv = map[string]string{"DRE_CONFIG": path, "TEMPORAL_ADDRESS": env.Server.FrontendAddress(),
			"DRE_TASK_QUEUE": f.queue, "DRE_STATE_DSN": f.stateDSN, "USER": "e2e"}
		accessFix = f
	})
	if accessFix == nil {
		t.Fatal("access setup failed in an earlier test")
	}
	return accessFix
}

// startWorker runs a production-registered worker on the fixture's queue;
// the returned stop may be called early, to take the worker down.
func (f *accessFixture) startWorker(t *testing.T) (stop func()) {
	t.Helper()
	w := sdkworker.New(env.Client, f.queue, sdkworker.Options{})
	worker.Register(w, f.deps)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	stop = func() { once.Do(w.Stop) }
	t.Cleanup(stop)
	return stop
}

// sql runs statements on the fixture's warehouse as its owner.
func (f *accessFixture) sql(t *testing.T, stmt string) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), f.warehouseDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(t.Context(), stmt); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}

// canSelect asks PostgreSQL's catalogs whether role may read customers.
func (f *accessFixture) canSelect(t *testing.T, role string) bool {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), f.warehouseDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var ok bool
	if err := conn.QueryRow(t.Context(), `SELECT has_table_privilege($1, 'public.customers', 'SELECT')`, role).Scan(&ok); err != nil {
		t.Fatal(err)
	}
	return ok
}

// createRoles creates NOLOGIN roles, granting each SELECT on customers
// when grant is set.
func (f *accessFixture) createRoles(t *testing.T, grant bool, roles ...string) {
	t.Helper()
	for _, r := range roles {
		f.sql(t, fmt.Sprintf(`DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '%s') THEN CREATE ROLE %s NOLOGIN; END IF; END $$`, r, r))
		if grant {
			f.sql(t, "GRANT SELECT ON public.customers TO "+r)
		}
	}
}

// waitStatus polls the status query until the workflow reports want.
func waitStatus(t *testing.T, id, want string, into any, status func() string) {
	t.Helper()
	eventually(t, fmt.Sprintf("%s to reach status %q", id, want), func() bool {
		q, err := env.Client.QueryWorkflow(t.Context(), id, "", workflows.StatusQuery)
		return err == nil && q.Get(into) == nil && status() == want
	})
}

func auditVerifies(t *testing.T, f *accessFixture, minRecords int) {
	t.Helper()
	res := clitest.Run(t, f.cliEnv, "audit", "verify")
	var n int
	if _, err := fmt.Sscanf(res.Stdout, "audit log intact: %d records", &n); res.Code != 0 || err != nil || n < minRecords {
		t.Fatalf("audit verify: exit %d, stdout %q, stderr %q; want an intact chain of at least %d records", res.Code, res.Stdout, res.Stderr, minRecords)
	}
}

func TestAccessRequestExpiringWhileTheWorkerIsDownIsRevokedOnRestart(t *testing.T) {
	f := accessSetup(t)
	f.createRoles(t, false, "e2e_erin")
	stop := f.startWorker(t)
	res := clitest.Run(t, f.cliEnv, "access", "request", "customers", "--duration", "3s", "--reason", "ticket 4711", "--principal", "e2e_erin", "--as", "cli:erin")
	if res.Code != 0 || !strings.HasPrefix(res.Stdout, "access-request/customers/cli:erin/") {
		t.Fatalf("access request: exit %d, stdout %q, stderr %q", res.Code, res.Stdout, res.Stderr)
	}
	id := strings.SplitN(res.Stdout, "\n", 2)[0]
	if res := clitest.Run(t, f.cliEnv, "access", "approve", id, "--as", "cli:erin"); res.Code != 1 || !strings.Contains(res.Stderr, "separation of duties") {
		t.Fatalf("self-approval: exit %d, stderr %q; want it refused", res.Code, res.Stderr)
	}
	if res := clitest.Run(t, f.cliEnv, "access", "approve", id, "--as", "U0DEMOOWNER"); res.Code != 0 {
		t.Fatalf("approve: exit %d, stderr %q", res.Code, res.Stderr)
	}
	var st workflows.AccessRequestState
	waitStatus(t, id, workflows.AccessGranted, &st, func() string { return st.Status })
	if !f.canSelect(t, "e2e_erin") {
		t.Fatal("granted, but e2e_erin cannot SELECT customers")
	}

	fired := timersFired(t, id)
	stop()
	// The expiry timer fires on the server while no worker runs; its
	// revocation can only happen once a worker is back.
	eventually(t, "the expiry timer to fire with the worker stopped", func() bool { return timersFired(t, id) > fired })
	if !f.canSelect(t, "e2e_erin") {
		t.Fatal("the grant went away with no worker running; the test no longer shows a revocation on restart")
	}
	f.startWorker(t)
	var final workflows.AccessRequestState
	if err := env.Client.GetWorkflow(t.Context(), id, "").Get(t.Context(), &final); err != nil {
		t.Fatal(err)
	}
	if final.Status != workflows.AccessExpired || f.canSelect(t, "e2e_erin") {
		t.Fatalf("after restart: status %q, e2e_erin can select %v; want expired and no access", final.Status, f.canSelect(t, "e2e_erin"))
	}
	auditVerifies(t, f, 4)
	recordHistory(t, id, "access-request-expired-after-restart.json")
}

// timersFired counts the timers of the run that have fired so far.
func timersFired(t *testing.T, id string) int {
	n := 0
	iter := env.Client.GetWorkflowHistory(t.Context(), id, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		event, err := iter.Next()
		if err != nil {
			return n
		}
		if event.GetEventType() == enums.EVENT_TYPE_TIMER_FIRED {
			n++
		}
	}
	return n
}
