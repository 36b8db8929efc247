package activities

import (
	"errors"
	"strings"
	"testing"

	"go.temporal.io/sdk/temporal"

	"github.com/dre-dev/dre/internal/catalog"
	bqwh "github.com/dre-dev/dre/internal/warehouse/bigquery"
	"github.com/dre-dev/dre/internal/warehouse/bigquery/bqfake"
)

// On BigQuery (the bqfake stand-in) dre can neither run a SELECT as a
// limited identity nor trace its columns, so a --select always holds for
// an approval, saying both; a select_role there is refused, never ignored.
func TestCheckSelectOnBigQueryHolds(t *testing.T) {
	srv, _ := bqfake.StartForTest(t, "dre-test", "sales", bqwh.LedgerDataset)
	w, err := bqwh.Open(t.Context(), "dre-test", "US", srv.ClientOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	b := &Backfills{Warehouses: oneWarehouse{w}}
	in := CheckSelectInput{Dataset: catalog.Dataset{Name: "orders", Warehouse: "lake", Table: "sales.orders"}, Select: "SELECT * FROM sales.raw"}
	res, err := b.CheckSelect(t.Context(), in)
	if err != nil || res.Role != "" || len(res.Holds) != 2 ||
		!strings.Contains(res.Holds[0], "no backfill.select_role for orders") || !strings.Contains(res.Holds[1], "cannot trace") {
		t.Fatalf("check on BigQuery: %+v, %v; want no role and two reasons to hold", res, err)
	}
	in.Dataset.Backfill = &catalog.BackfillSettings{SelectRole: "reader"}
	_, err = b.CheckSelect(t.Context(), in)
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || !app.NonRetryable() || !strings.Contains(app.Message(), "cannot run a SELECT as a role") {
		t.Errorf("select_role on BigQuery: %v; want a non-retryable refusal", err)
	}
}
