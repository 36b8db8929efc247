package e2e

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/dre-dev/dre/internal/cli/clitest"
	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/internal/warehouse"
	"github.com/dre-dev/dre/internal/warehouse/postgres"
	"github.com/dre-dev/dre/internal/worker"
	"github.com/dre-dev/dre/tests/harness"
	"github.com/dre-dev/dre/workflows"
)

// The demo tags all of its PII, so the scan's e2e test brings its own
// table, in its own schema of the demo database: sign-ups whose contact
// column holds email addresses nobody tagged.
const piiSignupsSQL = `
CREATE SCHEMA piiscan_e2e;
CREATE TABLE piiscan_e2e.signups (id bigint PRIMARY KEY, contact text, plan text);
COMMENT ON COLUMN piiscan_e2e.signups.contact IS 'Where the welcome mail goes';
INSERT INTO piiscan_e2e.signups
  SELECT i, 'user' || i || '@example.com', (ARRAY['free', 'pro', 'team'])[1 + i % 3] FROM generate_series(1, 40) i;
`

const piiSignupsConfig = `warehouses:
  local:
    postgres:
      embedded: true
state:
  embedded: true
datasets:
  - name: signups
    warehouse: local
    table: piiscan_e2e.signups
    owner:
      team: growth
      slack_channel: "#growth"
    pii:
      approvers: [U0APPROVER]
`

// piiScanSetup creates the sign-ups table and a catalog naming it, over
// the demo's warehouse, starts a worker whose dre.yaml is that catalog
// (tags are approved by the approvers the worker's catalog names), and
// returns the CLI's environment.
func piiScanSetup(t *testing.T) map[string]string {
	e := maps.Clone(demoSetup(t))
	conn, err := pgx.Connect(t.Context(), env.PG.DSN("demo"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(t.Context(), piiSignupsSQL); err != nil {
		t.Fatalf("creating piiscan_e2e.signups: %v", err)
	}
	path := filepath.Join(t.TempDir(), "dre.yaml")
	if err := os.WriteFile(path, []byte(piiSignupsConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	e["DRE_CONFIG"] = path
	e["DRE_TASK_QUEUE"] = startPIIScanWorker(t, path)
	return e
}

// startPIIScanWorker runs a production-registered worker on a queue of its
// own, with the catalog of the dre.yaml at path, no people and unsigned
// decisions accepted, and returns the queue.
func startPIIScanWorker(t *testing.T, path string) string {
	t.Helper()
	cfg, err := config.Load(path, func(string) (string, bool) { return "", false }, config.LoadOptions{AllowEmbedded: true})
	if err != nil {
		t.Fatal(err)
	}
	policy := harness.UnsignedPolicy(nil)
	policy.Catalog = cfg.Catalog
	queue := env.TaskQueue + "-piiscan"
	w := sdkworker.New(env.Client, queue, sdkworker.Options{})
	worker.Register(w, worker.Deps{Warehouses: worker.Warehouses(cfg, env.PG.DSN("demo")), Policy: policy})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	return queue
}

func TestPIIScanReportsUntaggedEmailsAndTagsThemOnApproval(t *testing.T) {
	e := piiScanSetup(t)
	res := clitest.Run(t, e, "pii", "scan", "signups")
	if res.Code != 0 || !strings.Contains(res.Stdout, "| signups | `contact` | is email | 100% of 40 |") ||
		!strings.Contains(res.Stdout, "awaiting approval until") {
		t.Fatalf("pii scan: exit %d\nstdout %s\nstderr %s\nwant contact reported as untagged email", res.Code, res.Stdout, res.Stderr)
	}
	if strings.Contains(res.Stdout, "`plan`") || strings.Contains(res.Stdout, "user1@example.com") {
		t.Errorf("the report flags plan or shows a sampled value:\n%s", res.Stdout)
	}

	res = clitest.Run(t, e, "pii", "tag", "signups", "contact", "--approver", "U0STRANGER")
	if res.Code != 1 || !strings.Contains(res.Stderr, "U0STRANGER may not tag a PII column") {
		t.Fatalf("tag by a non-approver: exit %d, stderr %q; want it rejected", res.Code, res.Stderr)
	}
	if got := describePII(t, "contact"); got != "" {
		t.Fatalf("contact is tagged %q after a rejected approval", got)
	}

	res = clitest.Run(t, e, "pii", "tag", "signups", "contact", "--approver", "U0APPROVER")
	if res.Code != 0 || !strings.Contains(res.Stdout, "tagged signups.contact (piiscan_e2e.signups) as email, approved by U0APPROVER") {
		t.Fatalf("tag by the approver: exit %d, stdout %q, stderr %q", res.Code, res.Stdout, res.Stderr)
	}
	if got := describePII(t, "contact"); got != "email" {
		t.Errorf("Describe reads contact's tag as %q, want email", got)
	}
	if c := columnComment(t, "contact"); c != "pii:email\nWhere the welcome mail goes" {
		t.Errorf("contact's comment is %q; want the adapter's tag line above the human comment", c)
	}

	var report workflows.PIIScanReport
	if err := env.Client.GetWorkflow(t.Context(), workflows.PIIScanWorkflowID("signups"), "").Get(t.Context(), &report); err != nil {
		t.Fatal(err)
	}
	if report.Status != workflows.PIIScanDone || !strings.Contains(report.Markdown, "tagged email, approved by U0APPROVER") {
		t.Errorf("final report: status %s\n%s\nwant done with the approved tag", report.Status, report.Markdown)
	}
	recordHistory(t, workflows.PIIScanWorkflowID("signups"), "piiscan-catalog-approvers.json")
}

// describePII reads a sign-ups column's PII tag through the adapter.
func describePII(t *testing.T, column string) string {
	t.Helper()
	w, err := postgres.Open(t.Context(), env.PG.DSN("demo"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	info, err := w.Describe(t.Context(), warehouse.TableRef{Schema: "piiscan_e2e", Table: "signups"})
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(info.Columns, func(c warehouse.Column) bool { return c.Name == column })
	if i < 0 {
		t.Fatalf("Describe lists no column %s: %+v", column, info.Columns)
	}
	return info.Columns[i].PII
}

// columnComment reads the raw comment from PostgreSQL's catalog.
func columnComment(t *testing.T, column string) string {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), env.PG.DSN("demo"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var c string
	err = conn.QueryRow(t.Context(), `SELECT col_description('piiscan_e2e.signups'::regclass, attnum) FROM pg_attribute
		WHERE attrelid = 'piiscan_e2e.signups'::regclass AND attname = $1`, column).Scan(&c)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
