package bigquery_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"cloud.google.com/go/bigquery"

	"github.com/dre-dev/dre/internal/warehouse"
	bqwh "github.com/dre-dev/dre/internal/warehouse/bigquery"
)

// Write-audit-publish on the stand-in: staging, checks as queries, and a
// copy job into the partition decorator.

// auditCase is the target table (ids 100-105, two a day on January 1 to
// 3), its January 2 partition, and SELECTs of that day from the shop's
// orders (ids 4-6) that are good, or repeat id 4.
type auditCase struct {
	f          *fixture
	target     warehouse.TableRef
	part       warehouse.Partition
	good, dups string
	audit      warehouse.Audit
}

func newAuditCase(t *testing.T) auditCase {
	t.Helper()
	f, src := shop(t)
	target := warehouse.TableRef{Schema: src.Schema, Table: "target"}
	f.CreateTable(t, target, orderCols, orders(100, 2, 1, 2, 3))
	day := "SELECT * FROM " + f.Qualified(src) + " WHERE day >= @from AND day < @to"
	return auditCase{
		f: f, target: target, part: warehouse.Partition{Column: "day", Start: jan(2), End: jan(3)},
		good: day, dups: day + " UNION ALL " + day + " AND id = 4",
		audit: warehouse.Audit{Checks: []warehouse.Check{
			{Name: "not_null(email)", Kind: warehouse.CheckNotNull, Columns: []string{"email"}},
			{Name: "unique(id)", Kind: warehouse.CheckUnique, Columns: []string{"id"}},
			{Name: "accepted_values(email)", Kind: warehouse.CheckAcceptedValues, Columns: []string{"email"},
				Values: []string{"u4@example.com", "u5@example.com", "u6@example.com"}},
			{Name: "no_future", Kind: warehouse.CheckSQL, SQL: "SELECT id FROM dre_staged WHERE created_at >= @to"},
		}},
	}
}

func (c auditCase) rewrite(sel, run string, attempt int) warehouse.Rewrite {
	return warehouse.Rewrite{Table: c.target, Partition: c.part, Select: sel, RunID: run, Attempt: attempt, SourceHash: "src-v1"}
}

// ids lists the ids of the target's January 2 partition.
func (c auditCase) ids(t *testing.T) string {
	t.Helper()
	res, err := c.f.w.Query(ctx(t), warehouse.Query{SQL: "SELECT id FROM " + c.f.Qualified(c.target) + " WHERE day = '2026-01-02' ORDER BY id"})
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(res.Rows))
	for i, row := range res.Rows {
		ids[i] = fmt.Sprint(row[0])
	}
	return strings.Join(ids, ",")
}

// ledger lists the run's ledger entries of the target, oldest first.
func (c auditCase) ledger(t *testing.T, run string) []warehouse.LedgerEntry {
	t.Helper()
	all, err := c.f.w.LedgerEntries(ctx(t), c.target, jan(1), jan(4))
	if err != nil {
		t.Fatal(err)
	}
	var out []warehouse.LedgerEntry
	for _, e := range all {
		if e.RunID == run {
			out = append(out, e)
		}
	}
	return out
}

// jobState is what jobs.get says of a job ID: "missing", "done" or the
// error of a failed job.
func (c auditCase) jobState(t *testing.T, id string) string {
	t.Helper()
	job, err := c.f.client.JobFromIDLocation(ctx(t), id, c.f.location)
	if err != nil {
		if strings.Contains(err.Error(), "404") {
			return "missing"
		}
		t.Fatal(err)
	}
	if err := job.LastStatus().Err(); err != nil {
		return err.Error()
	}
	return "done"
}

// stagingGone reports whether the run's staging table is dropped.
func (c auditCase) stagingGone(t *testing.T, r warehouse.Rewrite) bool {
	t.Helper()
	stg := bqwh.StagingTable(c.f.project, r, "20260102")
	_, err := c.f.client.Dataset(stg.Schema).Table(stg.Table).Metadata(ctx(t))
	return err != nil && strings.Contains(err.Error(), "404")
}

// TestAuditedRewriteKeepsOldRowsWhenUniqueFails: staged rows that repeat
// an id are never copied into the target, which keeps its rows; the
// ledger records the failure with the findings and both row counts, and
// the circuit breaker names the partition.
func TestAuditedRewriteKeepsOldRowsWhenUniqueFails(t *testing.T) {
	c := newAuditCase(t)
	r := c.rewrite(c.dups, "bad", 1)
	res, err := c.f.w.RewriteAudited(ctx(t), r, c.audit)
	if err != nil || res.Audit == nil {
		t.Fatalf("RewriteAudited: %+v, %v; want a result with its audit", res, err)
	}
	a := res.Audit
	if a.Passed || a.OldRows != 2 || a.NewRows != 4 || len(a.Findings) != 4 {
		t.Fatalf("audit %+v; want failed, old rows 2, new rows 4, four findings", a)
	}
	if f := a.Findings[1]; f.Name != "unique(id)" || f.Violations != 1 || f.Example != "(4)" {
		t.Errorf("unique finding %+v; want 1 violation, example (4)", f)
	}
	for _, i := range []int{0, 2, 3} {
		if a.Findings[i].Violations != 0 {
			t.Errorf("finding %+v; want no violation", a.Findings[i])
		}
	}
	if got := c.ids(t); got != "102,103" {
		t.Errorf("target's January 2 holds ids %s; want the old 102,103", got)
	}
	if got := c.jobState(t, bqwh.PublishJobID(c.f.project, r, "20260102", 0)); got != "missing" {
		t.Errorf("publish job: %s; want none inserted", got)
	}
	entries := c.ledger(t, "bad")
	want := "audit failed: unique(id): 1 violations (e.g. (4)); old rows 2, new rows 4"
	if len(entries) != 1 || entries[0].Status != warehouse.LedgerFailed || entries[0].Detail != want || entries[0].SourceHash != "src-v1" {
		t.Errorf("ledger %+v; want one failed row with detail %q", entries, want)
	}
	held, err := c.f.w.UnpublishedPartitions(ctx(t), c.target)
	if err != nil || len(held) != 1 || !held[0].Start.Equal(jan(2)) || held[0].RunID != "bad" {
		t.Errorf("UnpublishedPartitions: %+v, %v; want January 2 of run bad", held, err)
	}
	if !c.stagingGone(t, r) {
		t.Error("the staging table is still there")
	}
	// A later good backfill publishes, and the breaker closes.
	if res, err := c.f.w.RewriteAudited(ctx(t), c.rewrite(c.good, "fixed", 1), c.audit); err != nil || !res.Audit.Passed {
		t.Fatalf("good rewrite: %+v, %v", res, err)
	}
	if held, err := c.f.w.UnpublishedPartitions(ctx(t), c.target); err != nil || len(held) != 0 {
		t.Errorf("after the fix: %+v, %v; want nothing unpublished", held, err)
	}
}

// TestAuditedRewritePublishesOnce: a passing partition is copied once;
// the same run again finds its ledger row and neither stages nor copies.
func TestAuditedRewritePublishesOnce(t *testing.T) {
	c := newAuditCase(t)
	r := c.rewrite(c.good, "run-1", 1)
	res, err := c.f.w.RewriteAudited(ctx(t), r, c.audit)
	if err != nil || res.Audit == nil || !res.Audit.Passed || res.Rows != 3 || res.Audit.OldRows != 2 {
		t.Fatalf("RewriteAudited: %+v (%+v), %v; want 3 rows published over 2", res, res.Audit, err)
	}
	if got := c.ids(t); got != "4,5,6" {
		t.Fatalf("target's January 2 holds ids %s; want 4,5,6", got)
	}
	if !c.stagingGone(t, r) {
		t.Error("the staging table is still there")
	}
	mark := len(c.f.fake.Requests())
	r.Attempt = 2
	if again, err := c.f.w.RewriteAudited(ctx(t), r, c.audit); err != nil || !again.AlreadyApplied || again.Rows != 3 {
		t.Errorf("same run again: %+v, %v; want already applied, 3 rows", again, err)
	}
	for _, req := range since(c.f.fake, mark) {
		if req.Method == http.MethodPost && (strings.HasSuffix(req.Path, "/jobs") || strings.HasSuffix(req.Path, "/tables")) {
			t.Errorf("the second run started a job or created a table: %v", req)
		}
	}
	if e := c.ledger(t, "run-1"); len(e) != 1 || e[0].Status != warehouse.LedgerWritten || e[0].SourceHash != "src-v1" {
		t.Errorf("ledger %+v; want one written row", e)
	}
	if got := c.jobState(t, bqwh.PublishJobID(c.f.project, r, "20260102", 1)); got != "missing" {
		t.Errorf("second publish job: %s; want none", got)
	}
}

// TestAuditedRewriteRecoversFromACrashAtEveryPoint stops the rewrite
// after staging, after validation and during the swap (the copy job
// inserted, nothing after it), then runs it again as the next attempt:
// until then readers see the old rows (except after the swap's copy,
// which is the publish); afterwards the partition holds the new rows once,
// one copy job published them, and the ledger has one row. The next
// attempt stages again after a crash before the copy, and finds the copy
// job, staging nothing, after one during it.
func TestAuditedRewriteRecoversFromACrashAtEveryPoint(t *testing.T) {
	for _, point := range []string{bqwh.CrashAfterStaging, bqwh.CrashAfterValidation, bqwh.CrashDuringSwap} {
		t.Run(strings.ReplaceAll(point, " ", "-"), func(t *testing.T) {
			c := newAuditCase(t)
			r := c.rewrite(c.good, "crash", 1)
			if err := c.f.w.CrashAuditAt(ctx(t), r, c.audit, point); err != nil {
				t.Fatalf("crash %s: %v", point, err)
			}
			if got := c.ids(t); point != bqwh.CrashDuringSwap && got != "102,103" {
				t.Errorf("%s, readers see ids %s; want only the old 102,103", point, got)
			}
			// The source gains a row before the next attempt: staging
			// again would publish it, finding the copy job would not.
			c.f.insert(t, warehouse.TableRef{Schema: c.target.Schema, Table: "orders"}, orderCols, orders(50, 1, 2))
			c.audit.Checks[2].Values = append(c.audit.Checks[2].Values, "u50@example.com")
			c.f.open(t, policyTags(testProject), c.f.fake.ClientOptions()...) // a new worker process
			r.Attempt = 2
			want, rows := "4,5,6,50", int64(4)
			if point == bqwh.CrashDuringSwap {
				want, rows = "4,5,6", 3
			}
			res, err := c.f.w.RewriteAudited(ctx(t), r, c.audit)
			if err != nil || res.Rows != rows {
				t.Fatalf("rewrite after the crash: %+v, %v; want %d rows", res, err, rows)
			}
			if got := c.ids(t); got != want {
				t.Errorf("after recovery ids %s; want %s", got, want)
			}
			if e := c.ledger(t, "crash"); len(e) != 1 || e[0].Status != warehouse.LedgerWritten {
				t.Errorf("ledger %+v; want one written row", e)
			}
			first, second := c.jobState(t, bqwh.PublishJobID(c.f.project, r, "20260102", 0)), c.jobState(t, bqwh.PublishJobID(c.f.project, r, "20260102", 1))
			if first != "done" || second != "missing" {
				t.Errorf("publish jobs: %s, %s; want one done, no second", first, second)
			}
			if !c.stagingGone(t, r) {
				t.Error("the staging table is still there")
			}
		})
	}
}

// TestLedgerFromBeforeStatusesIsUpgraded: a ledger table with the first
// six columns is read as all written, and the first write adds the status,
// detail and source_hash columns in place, keeping the old rows.
func TestLedgerFromBeforeStatusesIsUpgraded(t *testing.T) {
	c := newAuditCase(t)
	old := bigquery.Schema{
		{Name: "run_id", Type: bigquery.StringFieldType, Required: true},
		{Name: "table_name", Type: bigquery.StringFieldType, Required: true},
		{Name: "partition_id", Type: bigquery.StringFieldType, Required: true},
		{Name: "row_count", Type: bigquery.IntegerFieldType},
		{Name: "checksum", Type: bigquery.StringFieldType},
		{Name: "recorded_at", Type: bigquery.TimestampFieldType},
	}
	ledger := c.f.client.Dataset(bqwh.LedgerDataset).Table("backfill_ledger")
	if err := ledger.Delete(ctx(t)); err != nil && !strings.Contains(err.Error(), "404") {
		t.Fatal(err)
	}
	if err := ledger.Create(ctx(t), &bigquery.TableMetadata{Schema: old}); err != nil {
		t.Fatal(err)
	}
	c.f.run(t, "INSERT INTO `"+c.f.project+".dre_meta.backfill_ledger` (run_id, table_name, partition_id, row_count, checksum, recorded_at) VALUES ('old', @table, '20260101', 2, '', TIMESTAMP '2026-01-05 00:00:00')",
		[]bigquery.QueryParameter{{Name: "table", Value: c.target.String()}})
	c.f.open(t, policyTags(testProject), c.f.fake.ClientOptions()...) // a worker of the new version
	if e := c.ledger(t, "old"); len(e) != 1 || e[0].Status != warehouse.LedgerWritten || !e[0].Start.Equal(jan(1)) {
		t.Fatalf("old ledger read as %+v; want one written row of January 1", e)
	}
	if _, err := c.f.w.RewriteAudited(ctx(t), c.rewrite(c.good, "new", 1), c.audit); err != nil {
		t.Fatal(err)
	}
	md, err := ledger.Metadata(ctx(t))
	if err != nil || len(md.Schema) != 9 || md.Schema[6].Name != "status" {
		t.Fatalf("ledger schema after the first write: %v; want status, detail and source_hash added", err)
	}
	if e := c.ledger(t, "old"); len(e) != 1 || e[0].Status != warehouse.LedgerWritten {
		t.Errorf("old row after the upgrade: %+v; want it still written", e)
	}
	if e := c.ledger(t, "new"); len(e) != 1 || e[0].Status != warehouse.LedgerWritten || e[0].SourceHash != "src-v1" {
		t.Errorf("new row: %+v; want written, with its source hash", e)
	}
}
