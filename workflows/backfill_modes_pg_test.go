package workflows

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/testsuite"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/localpg/localpgtest"
	"github.com/dre-dev/dre/internal/warehouse"
	"github.com/dre-dev/dre/internal/warehouse/postgres"
)

// modesFixture is a real PostgreSQL database with ten days of source rows
// (three a day) and an empty target, and the real backfill activities.
type modesFixture struct {
	acts *activities.Backfills
	conn *pgx.Conn
	ds   catalog.Dataset
	runs int
}

var modesDay1 = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

func newModesFixture(t *testing.T) *modesFixture {
	dsn := localpgtest.NewDatabase(t, localpgtest.Start(t))
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	_, err = conn.Exec(t.Context(), `SET timezone TO 'UTC';
CREATE SCHEMA raw; CREATE TABLE raw.src (id bigint, t timestamptz, v text);
INSERT INTO raw.src SELECT i, timestamptz '2026-11-01 00:00+00' + i * interval '8 hours', 'v' || i FROM generate_series(0, 29) AS i;
CREATE TABLE public.dst (id bigint, t timestamptz, v text)`)
	if err != nil {
		t.Fatal(err)
	}
	registry := warehouse.NewRegistry(map[string]warehouse.Opener{
		"local": func(ctx context.Context) (warehouse.Conn, error) { return postgres.Open(ctx, dsn) },
	})
	t.Cleanup(registry.Close)
	return &modesFixture{acts: &activities.Backfills{Warehouses: registry}, conn: conn, ds: catalog.Dataset{
		Name: "events", Warehouse: "local", Table: "public.dst",
		Partition: &catalog.Partition{Column: "t", Granularity: catalog.Day},
		Source:    &catalog.Source{Select: "SELECT id, t, v FROM raw.src WHERE t >= {{ .From }} AND t < {{ .To }}"},
		UniqueKey: []string{"id"},
	}}
}

// run runs a backfill to its end, as a new workflow run each time (so a
// new ledger run), one partition per activity, one at a time.
func (f *modesFixture) run(t *testing.T, in BackfillInput) BackfillReport {
	t.Helper()
	f.runs++
	var s testsuite.WorkflowTestSuite
	env := newPolicyEnv(&s)
	env.RegisterActivity(f.acts)
	env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: "backfill/events"})
	env.SetWorkflowRunTimeout(time.Hour)
	in.Dataset, in.Concurrency, in.PartitionsPerActivity, in.OnFailure = f.ds, 1, 1, BackfillSkip
	env.ExecuteWorkflow(Backfill, in)
	var r BackfillReport
	if err := env.GetWorkflowResult(&r); err != nil {
		t.Fatalf("backfill %d: %v", f.runs, err)
	}
	return r
}

// written lists the partitions the ledger shows written, in the order
// they were written, one entry per write.
func (f *modesFixture) written(t *testing.T) []string {
	t.Helper()
	rows, err := f.conn.Query(t.Context(), `SELECT to_char(partition_start AT TIME ZONE 'UTC', 'MM-DD') FROM dre_meta.backfill_ledger
		WHERE status = 'written' ORDER BY applied_at, partition_start`)
	if err != nil {
		t.Fatal(err)
	}
	days, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return days
}

func novDays(n ...int) []time.Time {
	out := make([]time.Time, len(n))
	for i, d := range n {
		out[i] = modesDay1.AddDate(0, 0, d-1)
	}
	return out
}

func TestBackfillPartitionsWritesExactlyThose(t *testing.T) {
	f := newModesFixture(t)
	r := f.run(t, BackfillInput{Partitions: novDays(3, 7)})
	if got := f.written(t); r.Status != BackfillDone || r.Total != 2 || len(got) != 2 || got[0] != "11-03" || got[1] != "11-07" {
		t.Errorf("report %s %d/%d, ledger %v; want done, 2 partitions, 11-03 and 11-07", r.Status, r.Done, r.Total, got)
	}
}

func TestBackfillOnlyMissingWritesTheRest(t *testing.T) {
	f := newModesFixture(t)
	f.run(t, BackfillInput{Partitions: novDays(1, 2, 5)})
	r := f.run(t, BackfillInput{From: modesDay1, To: modesDay1.AddDate(0, 0, 7), Only: BackfillMissing})
	got := f.written(t)
	want := []string{"11-01", "11-02", "11-05", "11-03", "11-04", "11-06", "11-07"}
	if r.Status != BackfillDone || r.Total != 4 || r.Done != 4 || len(got) != len(want) {
		t.Fatalf("report %s %d/%d, ledger %v; want done, 4 partitions, ledger %v", r.Status, r.Done, r.Total, got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("ledger %v, want %v", got, want)
			break
		}
	}
}

func TestBackfillNewestFirst(t *testing.T) {
	f := newModesFixture(t)
	f.run(t, BackfillInput{From: modesDay1, To: modesDay1.AddDate(0, 0, 4), Order: BackfillNewestFirst})
	got := f.written(t)
	if len(got) != 4 || got[0] != "11-04" || got[3] != "11-01" {
		t.Errorf("written in the order %v, want 11-04 down to 11-01", got)
	}
}

// TestBackfillWAPThenOnlyFailed: under write-audit-publish, partitions
// whose new rows break unique keep their old rows and are recorded as
// failed; once the source is fixed, --only failed redoes exactly those.
func TestBackfillWAPThenOnlyFailed(t *testing.T) {
	f := newModesFixture(t)
	f.ds.Validation = &catalog.Validation{Unique: true}
	mustExec(t, f.conn, `INSERT INTO public.dst VALUES (100, '2026-11-02 01:00+00', 'old'), (101, '2026-11-02 02:00+00', 'old');
		INSERT INTO raw.src VALUES (3, '2026-11-02 20:00+00', 'dup'), (9, '2026-11-04 20:00+00', 'dup')`)
	r := f.run(t, BackfillInput{From: modesDay1, To: modesDay1.AddDate(0, 0, 5)})
	if r.Status != BackfillPartial || r.Failed != 2 || len(r.Failures) != 2 {
		t.Fatalf("report %s, %d failed (%+v); want partial with 11-02 and 11-04 failed", r.Status, r.Failed, r.Failures)
	}
	var old int
	if err := f.conn.QueryRow(t.Context(), `SELECT count(*) FROM public.dst WHERE t >= '2026-11-02' AND t < '2026-11-03' AND v = 'old'`).Scan(&old); err != nil || old != 2 {
		t.Errorf("11-02 holds %d old rows (%v), want its 2 old rows kept", old, err)
	}
	mustExec(t, f.conn, `DELETE FROM raw.src WHERE v = 'dup'`)
	r = f.run(t, BackfillInput{From: modesDay1, To: modesDay1.AddDate(0, 0, 5), Only: BackfillFailedOnly})
	got := f.written(t)
	if r.Status != BackfillDone || r.Total != 2 || len(got) != 5 || got[3] != "11-02" || got[4] != "11-04" {
		t.Errorf("report %s %d/%d, ledger %v; want the 2 failed partitions redone last", r.Status, r.Done, r.Total, got)
	}
}

func mustExec(t *testing.T, conn *pgx.Conn, sql string) {
	t.Helper()
	if _, err := conn.Exec(t.Context(), sql); err != nil {
		t.Fatal(err)
	}
}
