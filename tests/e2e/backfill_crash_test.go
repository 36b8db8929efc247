package e2e

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dre-dev/dre/internal/cli/clitest"
	"github.com/dre-dev/dre/workflows"
)

// TestBackfillSurvivesKill9OfTheWorker backfills 120 partitions with the
// worker in a subprocess, kills it with SIGKILL twice at random points of
// the run and restarts it each time. Killed batches are retried on the
// new worker once their heartbeat times out (20s), and resume from their
// last heartbeat and the ledger. The table must end up exactly as the
// source says, each partition applied once, and the partition that always
// fails reported while the rest completes under the skip policy.
func TestBackfillSurvivesKill9OfTheWorker(t *testing.T) {
	cliEnv, conn := crashSetup(t)
	w := startWorker(t, cliEnv)
	res := clitest.Run(t, cliEnv, "backfill", "start", "crashy", "--from", "2025-01-01", "--to", "2025-05-01",
		"--concurrency", "2", "--on-failure", "skip", "--max-attempts", "2")
	if res.Code != 0 {
		t.Fatalf("start: exit %d, stderr %q", res.Code, res.Stderr)
	}
	done := 0
	for kill := 1; kill <= 2; kill++ {
		// A random point, but one where the run is under way: some
		// partitions written, a batch in flight.
		target := done + 1 + rand.IntN(30)
		s := waitForProgress(t, target)
		w.kill9(t)
		t.Logf("kill %d: SIGKILL with %d done, %d running (waited for %d)", kill, s.Done, s.Running, target)
		done = s.Done
		w = startWorker(t, cliEnv)
	}
	watch := clitest.Run(t, cliEnv, "backfill", "watch", "crashy")
	if watch.Code != 3 || !strings.Contains(watch.Stdout, ": partial. 119 of 120 partitions written") {
		t.Errorf("watch: exit %d, stdout %q; want the partial report and exit code 3\nworker output:\n%s", watch.Code, watch.Stdout, w.output)
	}
	report := crashStatus(t, cliEnv)
	if report.Status != workflows.BackfillPartial || report.Done != crashDays-1 || report.Failed != 1 || report.Pending != 0 || report.Rows != (crashDays-1)*crashRows {
		t.Errorf("status %+v; want partial: %d partitions done, 1 failed, none pending, %d rows", report, crashDays-1, (crashDays-1)*crashRows)
	}
	if len(report.Failures) != 1 || !report.Failures[0].Start.Equal(time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)) ||
		!strings.Contains(report.Failures[0].Reason, "division by zero") {
		t.Errorf("failures %+v; want 2025-03-01 with its division by zero", report.Failures)
	}
	assertTargetMatchesSource(t, conn)
	assertLedgerOncePerPartition(t, conn)
	waitListed(t, cliEnv, "crashy", workflows.BackfillPartial)
}

// waitListed polls `dre backfill list --all --output json` until it lists
// the dataset's backfill as finished with status: visibility is updated
// after the workflow, not with it.
func waitListed(t *testing.T, cliEnv map[string]string, dataset, status string) {
	t.Helper()
	var res clitest.Result
	listed := pollUntil(30*time.Second, 200*time.Millisecond, func() bool {
		res = clitest.Run(t, cliEnv, "backfill", "list", "--all", "--output", "json")
		var list []struct {
			Dataset, Status string
			Progress        float64
		}
		_ = json.Unmarshal([]byte(res.Stdout), &list)
		for _, l := range list {
			if l.Dataset == dataset && l.Status == status && l.Progress == 1 {
				return true
			}
		}
		return false
	})
	if !listed {
		t.Errorf("backfill list --all never showed %s %s at 100%%; last: exit %d, %q", dataset, status, res.Code, res.Stdout)
	}
}

// crashStatus reads the backfill's status the way a script would.
func crashStatus(t *testing.T, cliEnv map[string]string) workflows.BackfillStatus {
	t.Helper()
	res := clitest.Run(t, cliEnv, "backfill", "status", "crashy", "--output", "json")
	var s workflows.BackfillStatus
	if err := json.Unmarshal([]byte(res.Stdout), &s); res.Code != 0 || err != nil {
		t.Fatalf("status --output json: exit %d, %v", res.Code, err)
	}
	return s
}

// waitForProgress polls the status until at least done partitions are
// written and a batch is running, or the backfill is past that point.
func waitForProgress(t *testing.T, done int) workflows.BackfillStatus {
	t.Helper()
	var s workflows.BackfillStatus
	reached := pollUntil(2*time.Minute, 20*time.Millisecond, func() bool {
		v, err := env.Client.QueryWorkflow(t.Context(), workflows.BackfillWorkflowID("crashy"), "", workflows.StatusQuery)
		return err == nil && v.Get(&s) == nil && s.Done+s.Failed >= done && (s.Running > 0 || s.Pending == 0)
	})
	if !reached {
		t.Fatalf("the backfill never reached %d partitions done; last status %+v", done, s)
	}
	return s
}

// assertTargetMatchesSource compares public.target with a reference
// computed directly from raw.src: identical rows on every day but the
// failed one, which keeps its stale rows untouched.
func assertTargetMatchesSource(t *testing.T, conn *pgx.Conn) {
	t.Helper()
	var differ, stale, rows int64
	err := conn.QueryRow(t.Context(), `
WITH ref AS (SELECT day, id, amount FROM raw.src WHERE day <> date '2025-03-01'),
     got AS (SELECT day, id, amount FROM public.target WHERE day <> date '2025-03-01')
SELECT (SELECT count(*) FROM (SELECT * FROM ref EXCEPT ALL SELECT * FROM got) AS missing)
     + (SELECT count(*) FROM (SELECT * FROM got EXCEPT ALL SELECT * FROM ref) AS extra),
       (SELECT count(*) FROM public.target WHERE day = date '2025-03-01' AND amount = -1),
       (SELECT count(*) FROM public.target)`).Scan(&differ, &stale, &rows)
	if err != nil {
		t.Fatal(err)
	}
	if differ != 0 {
		t.Errorf("%d rows of public.target differ from the reference: rows lost, doubled or stale", differ)
	}
	if want := int64(crashRows + 1); stale != want {
		t.Errorf("the failed day holds %d stale rows, want its %d untouched", stale, want)
	}
	if want := int64(crashDays*crashRows + 1); rows != want {
		t.Errorf("public.target holds %d rows, want %d", rows, want)
	}
}

// assertLedgerOncePerPartition checks that one run applied each written
// partition once: one ledger row each, with the rows the source has; and
// that the partition that always fails is recorded as failed, with why,
// for --only failed.
func assertLedgerOncePerPartition(t *testing.T, conn *pgx.Conn) {
	t.Helper()
	var entries, partitions, runs, wrongRows, failed int64
	err := conn.QueryRow(t.Context(), `SELECT count(*) FILTER (WHERE status = 'written'), count(DISTINCT partition_start) FILTER (WHERE status = 'written'),
		count(DISTINCT run_id), count(*) FILTER (WHERE status = 'written' AND rows <> $1),
		count(*) FILTER (WHERE status = 'failed' AND partition_start = '2025-03-01' AND detail LIKE '%division by zero%')
		FROM dre_meta.backfill_ledger WHERE table_name = 'public.target'`, crashRows).
		Scan(&entries, &partitions, &runs, &wrongRows, &failed)
	if err != nil {
		t.Fatal(err)
	}
	if entries != crashDays-1 || partitions != crashDays-1 || runs != 1 || wrongRows != 0 || failed != 1 {
		t.Errorf("ledger: %d written entries for %d partitions from %d runs, %d with the wrong row count, %d failures of 2025-03-01; want %d, once each, one run, and that failure",
			entries, partitions, runs, wrongRows, failed, crashDays-1)
	}
}
