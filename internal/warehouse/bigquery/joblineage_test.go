package bigquery_test

import (
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/warehouse"
	"github.com/dre-dev/dre/internal/warehouse/bigquery/bqfake"
)

// JobLineage turns the job history into table edges: a MERGE and a CREATE
// TABLE AS SELECT write their destination from what they read, and so do
// an INSERT the stand-in ran and a SELECT given a destination table, while
// a failed job, a query whose results went to an anonymous dataset, a
// script parent and a job older than the window add nothing.
func TestJobLineageEdgesFromWritingJobs(t *testing.T) {
	f, ref := shop(t)
	ds := ref.Schema
	now := time.Now().UTC()
	copyRef := warehouse.TableRef{Schema: ds, Table: "orders_copy"}
	f.CreateTable(t, copyRef, orderCols, nil)
	f.run(t, "INSERT INTO "+f.Qualified(copyRef)+" SELECT * FROM "+f.Qualified(ref), nil)
	f.run(t, "SELECT count(*) FROM "+f.Qualified(ref), nil) // results to an anonymous table
	f.CreateTable(t, warehouse.TableRef{Schema: ds, Table: "orders_snapshot"}, orderCols, nil)
	q := f.client.Query("SELECT * FROM " + f.Qualified(ref))
	q.Dst = f.client.Dataset(ds).Table("orders_snapshot")
	job, err := q.Run(ctx(t))
	if err == nil {
		_, err = job.Wait(ctx(t)) // Wait also returns the job's own error
	}
	if err != nil {
		t.Fatalf("SELECT into a destination table: %v", err)
	}
	jobs := []bqfake.PastJob{
		{ID: "merge1", StatementType: "MERGE", Created: now.Add(-2 * time.Hour), Reads: []string{ds + ".orders", ds + ".customers"}, Destination: ds + ".revenue"},
		{ID: "merge2", StatementType: "MERGE", Created: now.Add(-time.Hour), Reads: []string{ds + ".orders"}, Destination: ds + ".revenue"},
		{ID: "ctas", StatementType: "CREATE_TABLE_AS_SELECT", Created: now.Add(-time.Hour), Reads: []string{"other-project.raw.events"}, Destination: ds + ".events"},
		{ID: "failed", StatementType: "MERGE", Created: now.Add(-time.Hour), Reads: []string{ds + ".orders"}, Destination: ds + ".broken", Error: "invalidQuery"},
		{ID: "anon", StatementType: "SELECT", Created: now.Add(-time.Hour), Reads: []string{ds + ".orders"}, Destination: "_script1234.anonabc"},
		{ID: "script", StatementType: "SCRIPT", Created: now.Add(-time.Hour), Reads: []string{ds + ".orders"}, Destination: ds + ".scripted"},
		{ID: "old", StatementType: "MERGE", Created: now.Add(-40 * 24 * time.Hour), Reads: []string{ds + ".orders"}, Destination: ds + ".ancient"},
	}
	for _, j := range jobs {
		f.fake.LogJob(j)
	}
	edges, err := f.w.JobLineage(ctx(t), now.Add(-30*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	got := map[[2]string]warehouse.JobEdge{}
	for _, e := range edges {
		got[[2]string{e.From, e.To}] = e
	}
	want := map[[2]string]int64{
		{ds + ".orders", ds + ".revenue"}:            2,
		{ds + ".customers", ds + ".revenue"}:         1,
		{"other-project.raw.events", ds + ".events"}: 1,
		{ds + ".orders", ds + ".orders_copy"}:        1,
		{ds + ".orders", ds + ".orders_snapshot"}:    1,
	}
	if len(got) != len(want) {
		t.Errorf("edges %+v; want exactly %v", edges, want)
	}
	for k, n := range want {
		if e, ok := got[k]; !ok || e.Jobs != n {
			t.Errorf("edge %s -> %s: %+v; want %d jobs", k[0], k[1], e, n)
		}
	}
	if last := got[[2]string{ds + ".orders", ds + ".revenue"}].LastSeen; !last.Equal(now.Add(-time.Hour).Truncate(time.Microsecond)) {
		t.Errorf("last seen %v; want the later MERGE, %v", last, now.Add(-time.Hour))
	}
}

// A job history the adapter may not read is an error, never an empty graph.
func TestJobLineageUnreadableHistoryIsAnError(t *testing.T) {
	f, _ := shop(t)
	if err := f.w.SetUsageScope([]string{f.project, "other-project"}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.w.JobLineage(ctx(t), time.Now().Add(-time.Hour)); err == nil {
		t.Error("JobLineage over an unreadable project's jobs: no error")
	}
}
