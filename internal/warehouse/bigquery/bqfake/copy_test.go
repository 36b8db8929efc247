package bqfake_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"cloud.google.com/go/bigquery"
	"google.golang.org/api/googleapi"
)

// TestCopyIntoAPartition: a COPY into events$20260101 replaces that day's
// rows only; it refuses rows of another day, a different schema, and a
// second job under the same ID, as BigQuery does.
func TestCopyIntoAPartition(t *testing.T) {
	_, client := start(t)
	events(t, client, 1, 2, 26) // ids 1 and 2 on January 1, 3 on January 2
	staged := client.Dataset("d").Table("staged")
	md, err := client.Dataset("d").Table("events").Metadata(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := staged.Create(context.Background(), &bigquery.TableMetadata{Schema: md.Schema, TimePartitioning: md.TimePartitioning}); err != nil {
		t.Fatal(err)
	}
	run(t, client, "INSERT INTO `p1.d.staged` (id, ts, note) VALUES (7, TIMESTAMP '2026-01-01 07:00:00', 'new'), (8, TIMESTAMP '2026-01-01 08:00:00', 'new')")
	copyJob := func(src, dst, id string) error {
		c := client.Dataset("d").Table(dst).CopierFrom(client.Dataset("d").Table(src))
		c.WriteDisposition = bigquery.WriteTruncate
		c.JobID = id
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
	if err := copyJob("staged$20260101", "events$20260101", "publish_1"); err != nil {
		t.Fatal(err)
	}
	got := rows(t, client, "SELECT id FROM `p1.d.events` ORDER BY id")
	if len(got) != 3 || got[0][0] != int64(3) || got[1][0] != int64(7) || got[2][0] != int64(8) {
		t.Errorf("after the copy: ids %v, want [3 7 8] (January 2 kept, January 1 replaced)", got)
	}
	err = copyJob("staged$20260101", "events$20260101", "publish_1")
	var api *googleapi.Error
	if !errors.As(err, &api) || api.Code != http.StatusConflict {
		t.Errorf("the same job ID again: %v, want 409", err)
	}
	if err := copyJob("staged", "events$20260102", "publish_2"); err == nil || !strings.Contains(err.Error(), "different partitions") {
		t.Errorf("January 1 rows into $20260102: %v, want them refused", err)
	}
	other := client.Dataset("d").Table("narrow")
	schema := bigquery.Schema{{Name: "id", Type: bigquery.IntegerFieldType, Required: true}, {Name: "ts", Type: bigquery.TimestampFieldType}}
	if err := other.Create(context.Background(), &bigquery.TableMetadata{Schema: schema, TimePartitioning: md.TimePartitioning}); err != nil {
		t.Fatal(err)
	}
	if err := copyJob("narrow$20260101", "events$20260101", "publish_3"); err == nil || !strings.Contains(err.Error(), "does not match") {
		t.Errorf("a copy from another schema: %v, want it refused", err)
	}
	if err := copyJob("staged$20260101", "events", "publish_4"); err == nil {
		t.Error("a partition copied over a whole table without its decorator: want it refused")
	}
}
