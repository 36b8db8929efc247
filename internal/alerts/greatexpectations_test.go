package alerts

import (
	"strings"
	"testing"
)

// gxFailed is a GX Core 1.x validation result with one failed expectation.
const gxFailed = `{
  "success": false, "suite_name": "orders_suite",
  "statistics": {"evaluated_expectations": 2, "successful_expectations": 1, "unsuccessful_expectations": 1, "success_percent": 50.0},
  "results": [
    {"success": false, "expectation_config": {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "customer_id"}}, "result": {}},
    {"success": true, "expectation_config": {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}}, "result": {}}
  ],
  "meta": {"active_batch_definition": {"datasource_name": "pg", "data_asset_name": "sales.orders"}}
}`

func TestGreatExpectationsValidationResult(t *testing.T) {
	got, err := Parse(SourceGreatExpectations, []byte(gxFailed), Options{})
	if err != nil {
		t.Fatal(err)
	}
	a := got[0]
	if len(got) != 1 || a.Fingerprint != "orders_suite/sales.orders" || a.Status != Firing || a.Table != "sales.orders" {
		t.Errorf("read as %+v", got)
	}
	if !strings.Contains(a.Summary, "1 of 2") || !strings.Contains(a.Summary, "expect_column_values_to_not_be_null(customer_id)") {
		t.Errorf("summary %q does not name the failed expectation", a.Summary)
	}
}

func TestGreatExpectationsNotificationActionBody(t *testing.T) {
	body := `{"test_suite_name": "orders_suite", "data_asset_name": "sales.orders",
	  "validation_results": [{"success": true, "results": []}]}`
	got, err := Parse(SourceGreatExpectations, []byte(body), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Status != Resolved || got[0].Fingerprint != "orders_suite/sales.orders" {
		t.Errorf("read as %+v", got[0])
	}
}

func TestGreatExpectationsRefusesResultsWithoutAsset(t *testing.T) {
	for _, body := range []string{`{"success": false, "suite_name": "s"}`, `{"suite_name": "s", "meta": {"active_batch_definition": {"data_asset_name": "t"}}}`, `[1]`} {
		if _, err := Parse(SourceGreatExpectations, []byte(body), Options{}); err == nil {
			t.Errorf("accepted %s", body)
		}
	}
}
