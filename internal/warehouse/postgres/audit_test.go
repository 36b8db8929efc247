package postgres_test

import (
	"strings"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/warehouse"
	"github.com/dre-dev/dre/internal/warehouse/postgres"
)

// auditCase is a partition of the orders fixture (rows 1 and 2 on day
// one) and two SELECTs for it: one whose rows repeat id 7, one that is good.
type auditCase struct {
	ref       warehouse.TableRef
	part      warehouse.Partition
	dup, good string
	unique    warehouse.Audit
}

func newAuditCase(t *testing.T, f *fixture) auditCase {
	ref := f.ordersTable(t)
	src := f.ordersTableIn(t, warehouse.TableRef{Schema: ref.Schema, Table: "source"})
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	from := " FROM " + f.Qualified(src) + " WHERE day >= @from AND day < @to"
	return auditCase{
		ref: ref, part: warehouse.Partition{Column: "day", Start: day, End: day.AddDate(0, 0, 1)},
		dup: "SELECT 7, day, email" + from, good: "SELECT id + 10, day, email" + from,
		unique: warehouse.Audit{Checks: []warehouse.Check{{Name: "unique(id)", Kind: warehouse.CheckUnique, Columns: []string{"id"}}}},
	}
}

// ledger reads the run's ledger row of the partition: status and detail.
func (f *fixture) ledger(t *testing.T, run string, c auditCase) (status, detail string) {
	t.Helper()
	err := f.admin.QueryRow(t.Context(), `SELECT status, detail FROM dre_meta.backfill_ledger WHERE run_id = $1 AND table_name = $2 AND partition_start = $3`,
		run, c.ref.String(), c.part.Start).Scan(&status, &detail)
	if err != nil {
		t.Fatalf("ledger row of %s: %v", run, err)
	}
	return status, detail
}

// TestAuditKeepsOldRowsWhenUniqueFails: new rows that break unique are
// never published; the partition keeps its rows, the ledger records the
// failure with both row counts, and a good rewrite of the same run
// afterwards publishes exactly once.
func TestAuditKeepsOldRowsWhenUniqueFails(t *testing.T) {
	f := newFixture(t)
	c := newAuditCase(t, f)
	before, err := f.w.PartitionStats(t.Context(), c.ref, c.part)
	if err != nil {
		t.Fatal(err)
	}
	bad := warehouse.Rewrite{Table: c.ref, Partition: c.part, Select: c.dup, RunID: "wap"}
	res, err := f.w.RewriteAudited(t.Context(), bad, c.unique)
	if err != nil || res.Audit == nil || res.Audit.Passed || res.Audit.Findings[0].Violations != 1 {
		t.Fatalf("audit of duplicated rows: %+v, %v; want a failed audit with one duplicated key", res, err)
	}
	if got, _ := f.w.PartitionStats(t.Context(), c.ref, c.part); got != before {
		t.Errorf("partition %+v after the failed audit, want its old rows %+v", got, before)
	}
	status, detail := f.ledger(t, "wap", c)
	if status != warehouse.LedgerFailed || !strings.Contains(detail, "unique(id): 1 violations") || !strings.Contains(detail, "old rows 2, new rows 2") {
		t.Errorf("ledger %s %q; want failed, naming unique(id) and both row counts", status, detail)
	}
	good := bad
	good.Select = c.good
	for i := range 2 {
		res, err := f.w.RewriteAudited(t.Context(), good, c.unique)
		if err != nil || res.Rows != 2 || res.AlreadyApplied != (i == 1) {
			t.Fatalf("good rewrite %d: %+v, %v; want 2 rows, already applied the second time", i, res, err)
		}
	}
	var ids []int64
	if err := f.admin.QueryRow(t.Context(), "SELECT array_agg(id ORDER BY id) FROM "+f.Qualified(c.ref)+" WHERE day = $1", c.part.Start).Scan(&ids); err != nil || len(ids) != 2 || ids[0] != 11 {
		t.Errorf("published ids %v, %v; want [11 12]", ids, err)
	}
	if status, _ := f.ledger(t, "wap", c); status != warehouse.LedgerWritten {
		t.Errorf("ledger status %s after the good rewrite, want written", status)
	}
}

// TestAuditRecoversFromACrashAtEveryPoint kills the audited rewrite's
// connection after staging, after validation and during the swap, then
// runs it again: until the kill, readers see only the old rows; after the
// rerun, the partition holds the new rows exactly once and one ledger row.
func TestAuditRecoversFromACrashAtEveryPoint(t *testing.T) {
	for _, point := range []string{postgres.CrashAfterStaging, postgres.CrashAfterValidation, postgres.CrashDuringSwap} {
		t.Run(strings.ReplaceAll(point, " ", "-"), func(t *testing.T) {
			f := newFixture(t)
			c := newAuditCase(t, f)
			r := warehouse.Rewrite{Table: c.ref, Partition: c.part, Select: c.good, RunID: "crash"}
			readers := func() {
				var ids []int64
				err := f.admin.QueryRow(t.Context(), "SELECT array_agg(id ORDER BY id) FROM "+f.Qualified(c.ref)+" WHERE day = $1", c.part.Start).Scan(&ids)
				if err != nil || len(ids) != 2 || ids[0] != 1 || ids[1] != 2 {
					t.Errorf("%s, a reader sees ids %v (%v); want only the old rows [1 2]", point, ids, err)
				}
			}
			if err := f.w.CrashAuditAt(t.Context(), r, c.unique, point, readers); err != nil {
				t.Fatalf("crash %s: %v", point, err)
			}
			res, err := f.w.RewriteAudited(t.Context(), r, c.unique)
			if err != nil || res.AlreadyApplied || res.Audit == nil || !res.Audit.Passed || res.Audit.OldRows != 2 {
				t.Fatalf("rewrite after the crash: %+v, %v; want a fresh, passed audit that found the 2 old rows", res, err)
			}
			var rows, fresh, ledger int
			err = f.admin.QueryRow(t.Context(), `SELECT count(*), count(*) FILTER (WHERE id > 10),
				(SELECT count(*) FROM dre_meta.backfill_ledger WHERE run_id = 'crash') FROM `+f.Qualified(c.ref)+` WHERE day = $1`, c.part.Start).Scan(&rows, &fresh, &ledger)
			if err != nil || rows != 2 || fresh != 2 || ledger != 1 {
				t.Errorf("after recovery: %d rows, %d of them new, %d ledger rows (%v); want 2, 2, 1", rows, fresh, ledger, err)
			}
		})
	}
}

// TestFailedAuditSurvivesACrashAtEveryPoint kills the audited rewrite of
// rows that break unique after staging, after validation and during the
// swap (the old rows restored and the failure recorded, uncommitted), then
// runs it again: readers see only the old rows throughout, and afterwards
// the partition still holds them, with one failed ledger row.
func TestFailedAuditSurvivesACrashAtEveryPoint(t *testing.T) {
	for _, point := range []string{postgres.CrashAfterStaging, postgres.CrashAfterValidation, postgres.CrashDuringSwap} {
		t.Run(strings.ReplaceAll(point, " ", "-"), func(t *testing.T) {
			f := newFixture(t)
			c := newAuditCase(t, f)
			before, err := f.w.PartitionStats(t.Context(), c.ref, c.part)
			if err != nil {
				t.Fatal(err)
			}
			r := warehouse.Rewrite{Table: c.ref, Partition: c.part, Select: c.dup, RunID: "crash-bad"}
			readers := func() {
				if got, err := f.w.PartitionStats(t.Context(), c.ref, c.part); err != nil || got != before {
					t.Errorf("%s, a reader sees %+v (%v); want only the old rows %+v", point, got, err, before)
				}
			}
			if err := f.w.CrashAuditAt(t.Context(), r, c.unique, point, readers); err != nil {
				t.Fatalf("crash %s: %v", point, err)
			}
			res, err := f.w.RewriteAudited(t.Context(), r, c.unique)
			if err != nil || res.Audit == nil || res.Audit.Passed {
				t.Fatalf("rewrite after the crash: %+v, %v; want the audit to fail again", res, err)
			}
			readers()
			var rows int
			if err := f.admin.QueryRow(t.Context(), `SELECT count(*) FROM dre_meta.backfill_ledger WHERE run_id = 'crash-bad'`).Scan(&rows); err != nil || rows != 1 {
				t.Errorf("%d ledger rows (%v); want one", rows, err)
			}
			if status, _ := f.ledger(t, "crash-bad", c); status != warehouse.LedgerFailed {
				t.Errorf("ledger status %s; want failed", status)
			}
		})
	}
}
