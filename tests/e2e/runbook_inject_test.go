package e2e

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/dre-dev/dre/internal/cli/clitest"
	"github.com/dre-dev/dre/runbooks"
	"github.com/dre-dev/dre/workflows"
)

// injection is a value that ends a quoted string and drops the table, if
// it is ever written into SQL text.
const injection = "x'; DROP TABLE public.orders;--"

const boundRunbook = `name: e2e-bound
inputs:
  - {name: dataset, type: dataset, required: true}
  - {name: status, type: string, required: true}
steps:
  - id: count
    sql:
      dataset: "{{ .inputs.dataset }}"
      statement: SELECT count(*) AS n FROM {{ table .inputs.dataset }} WHERE status = $1
      params: [inputs.status]
`

const splicedRunbook = `name: e2e-spliced
inputs:
  - {name: dataset, type: dataset, required: true}
  - {name: status, type: string, required: true}
steps:
  - id: count
    sql:
      dataset: "{{ .inputs.dataset }}"
      statement: SELECT count(*) AS n FROM {{ table .inputs.dataset }} WHERE status = '{{ .inputs.status }}'
`

func TestRunbookInputCannotInjectSQL(t *testing.T) {
	e := demoSetup(t)
	before := demoOrders(t)
	dir := t.TempDir()
	writeRunbook(t, dir, "bound.yaml", boundRunbook)
	res := clitest.Run(t, e, "runbook", "run", "e2e-bound", "--runbooks", dir, "--dataset", "orders",
		"--input", "status="+injection, "--wait", "--requester", "e2e")
	if res.Code != 0 || !regexp.MustCompile(`count\s+sql\s+done`).MatchString(res.Stdout) {
		t.Fatalf("bound run: exit %d\nstdout:\n%s\nstderr:\n%s", res.Code, res.Stdout, res.Stderr)
	}
	if after := demoOrders(t); after != before {
		t.Errorf("public.orders had %d rows, now %d", before, after)
	}

	spliced := t.TempDir()
	writeRunbook(t, spliced, "spliced.yaml", splicedRunbook)
	res = clitest.Run(t, e, "runbook", "lint", spliced)
	if res.Code == 0 || !strings.Contains(res.Stdout+res.Stderr, "spliced.yaml:9:88: steps[0].sql.statement: this {{ }} writes a value into the SQL text") {
		t.Errorf("lint of the spliced runbook: exit %d\nstdout:\n%s\nstderr:\n%s\nwant the interpolation flagged at 9:88", res.Code, res.Stdout, res.Stderr)
	}
	started := countWorkflows(t)
	res = clitest.Run(t, e, "runbook", "run", "e2e-spliced", "--runbooks", spliced, "--dataset", "orders", "--input", "status="+injection, "--wait")
	if res.Code == 0 || countWorkflows(t) != started {
		t.Errorf("run of the spliced runbook: exit %d, stderr %s; want it refused before starting", res.Code, res.Stderr)
	}
	if after := demoOrders(t); after != before {
		t.Errorf("public.orders had %d rows, now %d", before, after)
	}
}

// TestRunbookRefusesTwoStatementsStartedPastLint starts a run through a
// plain Temporal client, which no lint checks: the worker still refuses
// a second statement before it reaches PostgreSQL.
func TestRunbookRefusesTwoStatementsStartedPastLint(t *testing.T) {
	demoSetup(t)
	before := demoOrders(t)
	rb, err := runbooks.Parse("two.yaml", []byte("name: e2e-two\nsteps:\n  - id: two\n    sql: {warehouse: local, statement: \"SELECT 1; DROP TABLE public.orders\"}\n"))
	if err != nil {
		t.Fatal(err)
	}
	in := workflows.RunbookInput{Runbook: *rb, Hash: runbooks.Hash(rb), Requester: "e2e"}
	run, err := workflows.StartRunbook(t.Context(), env.Client, env.TaskQueue, workflows.RunbookWorkflowID("e2e-two", "", "past-lint"), in)
	if err != nil {
		t.Fatal(err)
	}
	err = run.Get(t.Context(), nil)
	if err == nil || !strings.Contains(err.Error(), "more than one statement") {
		t.Errorf("run of two statements: %v, want the step refused for holding more than one statement", err)
	}
	if after := demoOrders(t); after != before {
		t.Errorf("public.orders had %d rows, now %d", before, after)
	}
}

// demoOrders counts the demo's orders; it fails the test when the table
// is gone.
func demoOrders(t *testing.T) int64 {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), env.PG.DSN("demo"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int64
	if err := conn.QueryRow(t.Context(), "SELECT count(*) FROM public.orders").Scan(&n); err != nil {
		t.Fatalf("counting the orders: %v", err)
	}
	return n
}

func writeRunbook(t *testing.T, dir, name, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
