package bqfake_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/bigquery"
)

// Statements, results and copies, end to end through the client library.

func TestQueryResultsOnTheWire(t *testing.T) {
	srv, client := start(t)
	events(t, client, 1, 2, 3)
	srv.SetIncompleteEvery(0)
	q := client.Query("SELECT id, ts FROM `p1.d.events` ORDER BY id")
	q.JobID = "page_me"
	if _, err := q.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	get := func(query string) map[string]any {
		resp, err := http.Get(srv.URL() + "/projects/p1/queries/page_me?" + query)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]any
		b, _ := io.ReadAll(resp.Body)
		if err := json.Unmarshal(b, &body); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		return body
	}
	waited := get("maxResults=0")
	if waited["rows"] != nil || waited["totalRows"] != "3" || waited["jobComplete"] != true {
		t.Errorf("maxResults=0: %v; want no rows, totalRows 3, complete", waited)
	}
	page := get("maxResults=2&formatOptions.useInt64Timestamp=true")
	if page["pageToken"] != "2" || len(page["rows"].([]any)) != 2 {
		t.Errorf("first page: %v; want 2 rows and a token", page)
	}
	cell := page["rows"].([]any)[0].(map[string]any)["f"].([]any)[1].(map[string]any)["v"]
	if want := "1767229200000000"; cell != want {
		t.Errorf("timestamp cell %v, want integer microseconds %s", cell, want)
	}
	rest := get("pageToken=2")
	if rest["pageToken"] != nil || len(rest["rows"].([]any)) != 1 {
		t.Errorf("last page: %v; want 1 row and no token", rest)
	}
}

func TestSQLReallyRuns(t *testing.T) {
	_, client := start(t)
	events(t, client, 1, 2, 3, 26)
	got := rows(t, client, "SELECT COUNT(*), MAX(ts), MIN(id), BIT_XOR(FARM_FINGERPRINT(TO_JSON_STRING(e))) FROM `p1.d.events` e WHERE ts < TIMESTAMP '2026-01-02'")
	if len(got) != 1 || got[0][0] != int64(3) || !got[0][1].(time.Time).Equal(time.Date(2026, 1, 1, 3, 0, 0, 0, time.UTC)) || got[0][2] != int64(1) {
		t.Errorf("aggregates: %v; want 3 rows, the last at 03:00, the first id 1", got)
	}
	if _, ok := got[0][3].(int64); !ok {
		t.Errorf("checksum %v, want an INT64", got[0][3])
	}
	none := rows(t, client, "SELECT BIT_XOR(FARM_FINGERPRINT(TO_JSON_STRING(e))) FROM `p1.d.events` e WHERE id < 0")
	if none[0][0] != nil {
		t.Errorf("BIT_XOR over no rows = %v, want NULL", none[0][0])
	}
	if err := runErr(client, "SELECT id FROM `p1.d.events` WHERE id = @missing"); err == nil {
		t.Error("a query with an unset parameter: no error")
	}
}

func TestPartitionDecoratorWrites(t *testing.T) {
	_, client := start(t)
	table := events(t, client, 1, 2, 26)
	write := func(sql, decorator string) error {
		q := client.Query(sql)
		q.Dst = client.Dataset("d").Table("events$" + decorator)
		q.WriteDisposition = bigquery.WriteTruncate
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
	err := write("SELECT 9 AS id, TIMESTAMP '2026-01-02 05:00:00' AS ts, 'x' AS note", "20260101")
	if err == nil || !strings.Contains(err.Error(), "different partitions") {
		t.Errorf("a row of January 2 into $20260101: %v, want it refused", err)
	}
	if err := write("SELECT 7 AS id, TIMESTAMP '2026-01-01 07:00:00' AS ts, 'new' AS note", "20260101"); err != nil {
		t.Fatal(err)
	}
	got := rows(t, client, "SELECT id FROM `p1.d.events` ORDER BY id")
	if len(got) != 2 || got[0][0] != int64(3) || got[1][0] != int64(7) {
		t.Errorf("after truncating January 1: ids %v, want [3 7] (January 2 kept, January 1 replaced)", got)
	}
	if md, _ := table.Metadata(context.Background()); md.NumRows != 2 {
		t.Errorf("NumRows %d, want 2", md.NumRows)
	}
}

func TestCopiesSnapshotsAndRestores(t *testing.T) {
	_, client := start(t)
	table := events(t, client, 1, 2)
	md, _ := table.Metadata(context.Background())
	md.Schema[2].PolicyTags = &bigquery.PolicyTagList{Names: []string{"projects/p1/locations/us/taxonomies/1/policyTags/2"}}
	if _, err := table.Update(context.Background(), bigquery.TableMetadataToUpdate{Schema: md.Schema, Description: "events"}, md.ETag); err != nil {
		t.Fatal(err)
	}
	copyAs := func(kind bigquery.TableCopyOperationType, src, dst string) error {
		c := client.Dataset("d").Table(dst).CopierFrom(client.Dataset("d").Table(src))
		c.OperationType = kind
		job, err := c.Run(context.Background())
		if err != nil {
			return err
		}
		status, err := job.Wait(context.Background())
		if err != nil {
			return err
		}
		return status.Err()
	}
	steps := []struct {
		kind     bigquery.TableCopyOperationType
		src, dst string
		ok       bool
		tags     int // policy tags on the copy's note column
	}{
		{bigquery.SnapshotOperation, "events", "snap", true, 1},
		{bigquery.SnapshotOperation, "events", "snap", false, 0},
		{bigquery.RestoreOperation, "events", "not_from_a_snapshot", false, 0},
		{bigquery.RestoreOperation, "snap", "restored", true, 0},
		{bigquery.CopyOperation, "events", "copied", true, 1},
		{bigquery.CopyOperation, "events", "copied", false, 0},
	}
	for _, s := range steps {
		err := copyAs(s.kind, s.src, s.dst)
		if (err == nil) != s.ok {
			t.Fatalf("%s %s to %s: %v, want success %t", s.kind, s.src, s.dst, err, s.ok)
		}
		if !s.ok {
			continue
		}
		got, err := client.Dataset("d").Table(s.dst).Metadata(context.Background())
		if err != nil || got.NumRows != 2 || got.Description != "" || countTags(got.Schema[2]) != s.tags {
			t.Errorf("%s to %s: %+v, %v; want 2 rows, no description, %d policy tags", s.kind, s.dst, got, err, s.tags)
		}
	}
	if err := runErr(client, "INSERT INTO `p1.d.snap` (id) VALUES (5)"); err == nil {
		t.Error("INSERT into a snapshot: no error")
	}
}

func countTags(f *bigquery.FieldSchema) int {
	if f.PolicyTags == nil {
		return 0
	}
	return len(f.PolicyTags.Names)
}
