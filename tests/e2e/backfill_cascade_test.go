package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dre-dev/dre/internal/cli/clitest"
	"github.com/dre-dev/dre/workflows"
)

// cascadeDays is the root's range: 2025-01-01 to 2025-04-01.
const cascadeDays = 90

// cascadeSQL makes a source and three stale tables: raw_t copies it,
// daily_t sums raw_t by day, monthly_t sums daily_t by month. A model
// rewritten before its upstream would read stale rows and differ from
// the reference.
var cascadeSQL = fmt.Sprintf(`
CREATE SCHEMA raw;
CREATE TABLE raw.src (day date NOT NULL, id bigint NOT NULL, amount bigint);
INSERT INTO raw.src SELECT date '2025-01-01' + g / 50, g, g * 7 %% 1000 FROM generate_series(0, %d * 50 - 1) AS g;
CREATE TABLE public.raw_t (LIKE raw.src);
INSERT INTO public.raw_t SELECT day, id, -1 FROM raw.src;
CREATE TABLE public.daily_t (day date NOT NULL, n bigint, total bigint);
INSERT INTO public.daily_t SELECT day, 0, -1 FROM raw.src GROUP BY day;
CREATE TABLE public.monthly_t (month date NOT NULL, n bigint, total bigint);
INSERT INTO public.monthly_t VALUES ('2025-01-01', 0, -1), ('2025-02-01', 0, -1), ('2025-03-01', 0, -1);`, cascadeDays)

// cascadeConfig declares the three levels; each partition sleeps 30 ms
// so that the worker can be killed mid-cascade.
const cascadeConfig = `warehouses:
  cascadewh:
    postgres:
      dsn: {env: CASCADE_DSN}
datasets:
  - name: raw_c
    warehouse: cascadewh
    table: public.raw_t
    owner: {team: dre}
    partition: {column: day, granularity: day}
    source:
      select: >-
        WITH pause AS (SELECT pg_sleep(0.03))
        SELECT day, id, amount FROM raw.src, pause WHERE day >= {{ .From }} AND day < {{ .To }}
  - name: daily_c
    warehouse: cascadewh
    table: public.daily_t
    owner: {team: dre}
    upstream: [raw_c]
    partition: {column: day, granularity: day}
    source:
      select: >-
        WITH pause AS (SELECT pg_sleep(0.03))
        SELECT day, count(*), sum(amount) FROM public.raw_t, pause WHERE day >= {{ .From }} AND day < {{ .To }} GROUP BY day
  - name: monthly_c
    warehouse: cascadewh
    table: public.monthly_t
    owner: {team: dre}
    upstream: [daily_c]
    partition: {column: month, granularity: month}
    source:
      select: >-
        SELECT date_trunc('month', day)::date, sum(n), sum(total) FROM public.daily_t
        WHERE day >= {{ .From }} AND day < {{ .To }} GROUP BY 1
`

// TestBackfillCascadeSurvivesKill9 runs a cascade over three levels with
// the worker in a subprocess, kills it with SIGKILL while the daily model
// is part way, restarts it, and checks that every table equals its
// reference computed from the source and that each partition has one
// ledger row.
func TestBackfillCascadeSurvivesKill9(t *testing.T) {
	cliEnv, conn := cascadeSetup(t)
	w := startWorker(t, cliEnv)
	res := clitest.Run(t, cliEnv, "backfill", "start", "raw_c", "--cascade", "--from", "2025-01-01", "--to", "2025-04-01", "--concurrency", "2")
	if res.Code != 0 {
		t.Fatalf("start: exit %d, stderr %q", res.Code, res.Stderr)
	}
	target := 5 + rand.IntN(40)
	var s workflows.BackfillStatus
	reached := pollUntil(2*time.Minute, 20*time.Millisecond, func() bool {
		v, err := env.Client.QueryWorkflow(t.Context(), workflows.BackfillWorkflowID("daily_c"), "", workflows.StatusQuery)
		return err == nil && v.Get(&s) == nil && s.Done >= target
	})
	if !reached {
		t.Fatalf("the daily model never reached %d partitions; last %+v\nworker output:\n%s", target, s, w.output)
	}
	w.kill9(t)
	t.Logf("SIGKILL with the daily model at %d done, %d running", s.Done, s.Running)
	w = startWorker(t, cliEnv)
	var got workflows.BackfillCascadeStatus
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	if err := env.Client.GetWorkflow(ctx, workflows.BackfillCascadeWorkflowID("raw_c"), "").Get(ctx, &got); err != nil {
		t.Fatalf("cascade: %v\nworker output:\n%s", err, w.output)
	}
	if got.Status != workflows.BackfillDone {
		t.Fatalf("cascade %+v, want done", got)
	}
	status := clitest.Run(t, cliEnv, "backfill", "status", "raw_c", "--cascade")
	if status.Code != 0 || !strings.Contains(status.Stdout, "monthly_c") || !strings.Contains(status.Stdout, ": done") {
		t.Errorf("status --cascade: exit %d, %q; want the done cascade with its three datasets", status.Code, status.Stdout)
	}
	recordHistory(t, workflows.BackfillCascadeWorkflowID("raw_c"), "backfill-cascade-after-kill9.json")
	recordHistory(t, workflows.BackfillWorkflowID("monthly_c"), "backfill-cascade-child-monthly.json")
	assertCascadeMatchesReference(t, conn)
	assertCascadeLedger(t, conn)
}

// cascadeSetup creates the database and dre.yaml; the CLI's environment
// names a task queue only the subprocess worker serves.
func cascadeSetup(t *testing.T) (cliEnv map[string]string, conn *pgx.Conn) {
	t.Helper()
	ctx := t.Context()
	if err := env.PG.CreateDatabase(ctx, "cascade"); err != nil {
		t.Fatal(err)
	}
	dsn := env.PG.DSN("cascade")
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	if _, err := conn.Exec(ctx, cascadeSQL); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "dre.yaml")
	if err := os.WriteFile(path, []byte(cascadeConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	return map[string]string{
		"DRE_CONFIG": path, "CASCADE_DSN": dsn,
		"TEMPORAL_ADDRESS": env.Server.FrontendAddress(), "DRE_TASK_QUEUE": env.TaskQueue + "-cascade",
	}, conn
}

// assertCascadeMatchesReference compares each table with what the source
// says it should hold.
func assertCascadeMatchesReference(t *testing.T, conn *pgx.Conn) {
	t.Helper()
	checks := map[string]string{
		"raw_t":     `SELECT day, id, amount FROM raw.src`,
		"daily_t":   `SELECT day, count(*), sum(amount) FROM raw.src GROUP BY day`,
		"monthly_t": `SELECT date_trunc('month', day)::date, count(*), sum(amount) FROM raw.src GROUP BY 1`,
	}
	for table, ref := range checks {
		var differ int64
		q := fmt.Sprintf(`SELECT (SELECT count(*) FROM (%[1]s EXCEPT ALL SELECT * FROM public.%[2]s) AS missing)
			+ (SELECT count(*) FROM (SELECT * FROM public.%[2]s EXCEPT ALL %[1]s) AS extra)`, ref, table)
		if err := conn.QueryRow(t.Context(), q).Scan(&differ); err != nil {
			t.Fatal(err)
		}
		if differ != 0 {
			t.Errorf("%d rows of public.%s differ from the reference: written out of order, lost, doubled or stale", differ, table)
		}
	}
}

// assertCascadeLedger checks one written ledger row per partition, from
// one run per table.
func assertCascadeLedger(t *testing.T, conn *pgx.Conn) {
	t.Helper()
	want := map[string]int64{"public.raw_t": cascadeDays, "public.daily_t": cascadeDays, "public.monthly_t": 3}
	for table, n := range want {
		var entries, partitions, runs int64
		err := conn.QueryRow(t.Context(), `SELECT count(*), count(DISTINCT partition_start), count(DISTINCT run_id)
			FROM dre_meta.backfill_ledger WHERE table_name = $1 AND status = 'written'`, table).Scan(&entries, &partitions, &runs)
		if err != nil {
			t.Fatal(err)
		}
		if entries != n || partitions != n || runs != 1 {
			t.Errorf("ledger of %s: %d entries for %d partitions from %d runs; want %d, once each, one run", table, entries, partitions, runs, n)
		}
	}
}
