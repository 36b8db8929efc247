package activities

import (
	"slices"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/bigquery"

	bqwh "github.com/dre-dev/dre/internal/warehouse/bigquery"
	"github.com/dre-dev/dre/internal/warehouse/bigquery/bqfake"
)

// On BigQuery (the bqfake stand-in) an INSERT...SELECT pipeline reading a
// deprecated table is usage the gate sees (Reads > 0 holds it); a job
// history dre cannot read is Unread, which holds it too, never zero.
func TestDeprecateReadUsageSeesPipelinesAndUnreadableHistories(t *testing.T) {
	srv, client := bqfake.StartForTest(t, "dre-test", "shop", bqwh.LedgerDataset)
	ctx := t.Context()
	client.Location = "US"
	md := &bigquery.TableMetadata{Schema: bigquery.Schema{{Name: "id", Type: bigquery.IntegerFieldType}}}
	for _, name := range []string{"legacy_orders", "orders_daily"} {
		if err := client.Dataset("shop").Table(name).Create(ctx, md); err != nil {
			t.Fatal(err)
		}
	}
	w, err := bqwh.Open(ctx, "dre-test", "US", srv.ClientOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	since := time.Now().Add(-time.Second)
	srv.SetUser("etl@example.com")
	job, err := client.Query("INSERT INTO `dre-test.shop.orders_daily` SELECT * FROM `dre-test.shop.legacy_orders`").Run(ctx)
	if err == nil {
		var status *bigquery.JobStatus
		if status, err = job.Wait(ctx); err == nil {
			err = status.Err()
		}
	}
	if err != nil {
		t.Fatal(err)
	}

	d := &Deprecations{Warehouses: oneWarehouse{w}}
	in := DeprecateUsageInput{DeprecateTable: DeprecateTable{Warehouse: "lake", Table: "shop.legacy_orders"}, Since: since}
	u, err := d.DeprecateReadUsage(ctx, in)
	if err != nil || u.Reads != 1 || !slices.Equal(u.Readers, []string{"etl@example.com"}) || u.Unread != "" {
		t.Errorf("usage after an INSERT...SELECT: %+v, %v; want 1 read by etl@example.com", u, err)
	}
	if err := w.SetUsageScope([]string{"dre-test", "other-project"}, nil); err != nil {
		t.Fatal(err)
	}
	u, err = d.DeprecateReadUsage(ctx, in)
	if err != nil || !strings.Contains(u.Unread, "other-project") {
		t.Errorf("usage with an unreadable project: %+v, %v; want Unread naming other-project", u, err)
	}
}
