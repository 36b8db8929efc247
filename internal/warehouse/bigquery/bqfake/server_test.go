package bqfake_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"cloud.google.com/go/bigquery"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/iterator"

	"github.com/dre-dev/dre/internal/warehouse/bigquery/bqfake"
)

// These tests talk to the stand-in with the real client library (and raw
// HTTP where the wire itself is the point), as the adapter does.

func start(t *testing.T) (*bqfake.Server, *bigquery.Client) {
	t.Helper()
	srv, err := bqfake.Start("p1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	srv.CreateDataset("d")
	client, err := bigquery.NewClient(context.Background(), "p1", srv.ClientOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Close() })
	return srv, client
}

// events creates d.events, partitioned by day on ts, with rows at the
// given hours after 2026-01-01 00:00 UTC.
func events(t *testing.T, client *bigquery.Client, hours ...int) *bigquery.Table {
	t.Helper()
	table := client.Dataset("d").Table("events")
	md := &bigquery.TableMetadata{
		Schema: bigquery.Schema{
			{Name: "id", Type: bigquery.IntegerFieldType, Required: true},
			{Name: "ts", Type: bigquery.TimestampFieldType},
			{Name: "note", Type: bigquery.StringFieldType},
		},
		TimePartitioning: &bigquery.TimePartitioning{Field: "ts"},
	}
	if err := table.Create(context.Background(), md); err != nil {
		t.Fatal(err)
	}
	for i, h := range hours {
		ts := time.Date(2026, 1, 1, h, 0, 0, 0, time.UTC)
		run(t, client, "INSERT INTO `p1.d.events` (id, ts, note) VALUES (@id, @ts, @note)",
			bigquery.QueryParameter{Name: "id", Value: int64(i + 1)},
			bigquery.QueryParameter{Name: "ts", Value: ts},
			bigquery.QueryParameter{Name: "note", Value: bigquery.NullString{}})
	}
	return table
}

// run runs a statement as a job and returns its error, if any.
func run(t *testing.T, client *bigquery.Client, sql string, params ...bigquery.QueryParameter) {
	t.Helper()
	if err := runErr(client, sql, params...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func runErr(client *bigquery.Client, sql string, params ...bigquery.QueryParameter) error {
	q := client.Query(sql)
	q.Parameters = params
	job, err := q.Run(context.Background())
	if err != nil {
		return err
	}
	status, err := job.Wait(context.Background())
	if err != nil {
		return err
	}
	return status.Err()
}

// rows reads a query's rows through the client.
func rows(t *testing.T, client *bigquery.Client, sql string) [][]bigquery.Value {
	t.Helper()
	it, err := client.Query(sql).Read(context.Background())
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	var out [][]bigquery.Value
	for {
		var row []bigquery.Value
		err := it.Next(&row)
		if err == iterator.Done {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, row)
	}
}

func TestErrorBodies(t *testing.T) {
	srv, _ := start(t)
	cases := []struct {
		method, path string
		code         int
		reason       string
	}{
		{http.MethodGet, "/projects/p1/datasets/d/tables/missing", 404, "notFound"},
		{http.MethodGet, "/projects/p1/datasets/nope/tables/t", 404, "notFound"},
		{http.MethodGet, "/projects/other/datasets/d/tables/t", 404, "notFound"},
		{http.MethodGet, "/projects/p1/jobs/no_such_job", 404, "notFound"},
		{http.MethodPut, "/projects/p1/datasets/d/tables/t", 501, "notImplemented"},
	}
	for _, c := range cases {
		req, _ := http.NewRequest(c.method, srv.URL()+c.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			Error struct {
				Code    int
				Message string
				Errors  []struct{ Reason string }
			}
		}
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		e := body.Error
		if err != nil || resp.StatusCode != c.code || e.Code != c.code || len(e.Errors) != 1 || e.Errors[0].Reason != c.reason || e.Message == "" {
			t.Errorf("%s %s: status %d, body %+v (%v); want %d %s with a message", c.method, c.path, resp.StatusCode, e, err, c.code, c.reason)
		}
	}
}

func TestDuplicateJobIDIsAConflict(t *testing.T) {
	_, client := start(t)
	q := client.Query("SELECT 1")
	q.JobID = "dre_fixed"
	if _, err := q.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, err := q.Run(context.Background())
	var api *googleapi.Error
	if !errors.As(err, &api) || api.Code != http.StatusConflict || api.Errors[0].Reason != "duplicate" {
		t.Fatalf("second job with the same ID: %v, want 409 duplicate", err)
	}
	job, err := client.JobFromID(context.Background(), "dre_fixed")
	if err != nil {
		t.Fatal(err)
	}
	if status, err := job.Wait(context.Background()); err != nil || status.Err() != nil {
		t.Errorf("the existing job: %v, %v; want it done", err, status.Err())
	}
}

func TestPatchNeedsTheCurrentEtag(t *testing.T) {
	_, client := start(t)
	table := events(t, client)
	md, err := table.Metadata(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	set := bigquery.TableMetadataToUpdate{Description: "first"}
	set.SetLabel("a", "1")
	set.SetLabel("b", "2")
	if _, err := table.Update(context.Background(), set, md.ETag); err != nil {
		t.Fatal(err)
	}
	_, err = table.Update(context.Background(), bigquery.TableMetadataToUpdate{Description: "stale"}, md.ETag)
	var api *googleapi.Error
	if !errors.As(err, &api) || api.Code != http.StatusPreconditionFailed {
		t.Fatalf("update with a stale etag: %v, want 412", err)
	}
	del := bigquery.TableMetadataToUpdate{}
	del.DeleteLabel("a")
	got, err := table.Update(context.Background(), del, "")
	if err != nil || got.Description != "first" || len(got.Labels) != 1 || got.Labels["b"] != "2" {
		t.Errorf("after deleting label a: %+v, %v; want description first and only b=2", got, err)
	}
}

func TestSetPolicyNeedsTheCurrentEtag(t *testing.T) {
	srv, client := start(t)
	srv.AddIdentities("user:ann@example.com", "user:bob@example.com")
	handle := events(t, client).IAM()
	first, err := handle.Policy(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	second, _ := handle.Policy(context.Background())
	first.Add("user:ann@example.com", "roles/bigquery.dataViewer")
	if err := handle.SetPolicy(context.Background(), first); err != nil {
		t.Fatal(err)
	}
	second.Add("user:bob@example.com", "roles/bigquery.dataViewer")
	var api *googleapi.Error
	if err := handle.SetPolicy(context.Background(), second); !errors.As(err, &api) || api.Code != http.StatusConflict {
		t.Errorf("SetPolicy read before another change: %v, want 409", err)
	}
	bad, _ := handle.Policy(context.Background())
	bad.Add("ann@example.com", "roles/bigquery.dataViewer")
	if err := handle.SetPolicy(context.Background(), bad); err == nil {
		t.Error("SetPolicy with a member without a type prefix: no error")
	}
	now, _ := handle.Policy(context.Background())
	if got := now.Members("roles/bigquery.dataViewer"); !slices.Equal(got, []string{"user:ann@example.com"}) {
		t.Errorf("members %v, want only ann", got)
	}
}
