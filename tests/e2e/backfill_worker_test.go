package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5"
)

// crashDays is how many daily partitions the crash test backfills, and
// crashRows the rows of each.
const (
	crashDays = 120
	crashRows = 300
)

// crashSQL makes the source and a target full of stale rows that the
// backfill must replace: the wrong amount, and one row too many per day.
var crashSQL = fmt.Sprintf(`
CREATE SCHEMA raw;
CREATE TABLE raw.src (day date NOT NULL, id bigint NOT NULL, amount bigint);
INSERT INTO raw.src SELECT date '2025-01-01' + g / %[1]d, g, g * 7 %% 1000 FROM generate_series(0, %[2]d * %[1]d - 1) AS g;
CREATE TABLE public.target (LIKE raw.src);
INSERT INTO public.target SELECT day, id, -1 FROM raw.src;
INSERT INTO public.target SELECT DISTINCT day, -1, -1 FROM raw.src;`, crashRows, crashDays)

// crashConfig is a dre.yaml whose one dataset is rebuilt from raw.src.
// Each partition sleeps 50 ms so the run lasts long enough to be killed
// mid-way, and 2025-03-01 divides by zero: a partition that always fails.
const crashConfig = `warehouses:
  crashwh:
    postgres:
      dsn: {env: CRASH_DSN}
datasets:
  - name: crashy
    warehouse: crashwh
    table: public.target
    owner: {team: dre}
    partition: {column: day, granularity: day}
    source:
      select: >-
        WITH pause AS (SELECT pg_sleep(0.05))
        SELECT day, id, amount / (CASE WHEN day = date '2025-03-01' THEN 0 ELSE 1 END) FROM raw.src, pause
        WHERE day >= {{ .From }} AND day < {{ .To }}
`

// crashSetup creates the database and the config, and returns the CLI's
// environment: its own task queue, so only the subprocess worker runs
// the backfill (not the in-process worker other tests share).
func crashSetup(t *testing.T) (cliEnv map[string]string, conn *pgx.Conn) {
	t.Helper()
	ctx := t.Context()
	if err := env.PG.CreateDatabase(ctx, "crash"); err != nil {
		t.Fatal(err)
	}
	dsn := env.PG.DSN("crash")
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	if _, err := conn.Exec(ctx, crashSQL); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "dre.yaml")
	if err := os.WriteFile(path, []byte(crashConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	return map[string]string{
		"DRE_CONFIG": path, "CRASH_DSN": dsn,
		"TEMPORAL_ADDRESS": env.Server.FrontendAddress(), "DRE_TASK_QUEUE": env.TaskQueue + "-crash",
	}, conn
}

// workerProcess is `dre worker` running as a real subprocess.
type workerProcess struct {
	cmd    *exec.Cmd
	output *bytes.Buffer
}

// startWorker re-executes the test binary as `dre worker` with cliEnv.
func startWorker(t *testing.T, cliEnv map[string]string) *workerProcess {
	t.Helper()
	cmd := exec.Command(os.Args[0], "worker")
	cmd.Env = append(os.Environ(), execAsDRE+"=1")
	for k, v := range cliEnv {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	w := &workerProcess{cmd: cmd, output: &bytes.Buffer{}}
	cmd.Stdout, cmd.Stderr = w.output, w.output
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return w
}

// kill9 kills the worker without warning: no activity finishes, no
// heartbeat is flushed, no connection is closed cleanly.
func (w *workerProcess) kill9(t *testing.T) {
	t.Helper()
	if err := w.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = w.cmd.Wait()
}
