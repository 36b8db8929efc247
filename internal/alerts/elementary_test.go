package alerts

import "testing"

// elementaryRowsBody holds two rows of elementary_test_results.
const elementaryRowsBody = `{"results": [
  {"id": "r1", "test_unique_id": "test.shop.not_null_orders_customer_id", "detected_at": "2026-12-06T08:00:00Z",
   "database_name": "analytics", "schema_name": "sales", "table_name": "orders", "column_name": "customer_id",
   "test_type": "dbt_test", "test_name": "not_null", "test_results_description": "12 rows with null customer_id",
   "severity": "ERROR", "status": "fail", "failures": 12},
  {"id": "r2", "test_unique_id": "test.shop.volume_anomalies_refunds", "schema_name": "sales", "table_name": "refunds",
   "test_type": "anomaly_detection", "test_name": "volume_anomalies", "status": "warn"}
]}`

func TestElementaryReadsTestResults(t *testing.T) {
	got, err := Parse(SourceElementary, []byte(elementaryRowsBody), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d alerts, want 2", len(got))
	}
	a, w := got[0], got[1]
	if a.Fingerprint != "test.shop.not_null_orders_customer_id" || a.Status != Firing || a.Table != "sales.orders" ||
		a.Severity != 3 || a.Summary != "12 rows with null customer_id" || a.Labels["column"] != "customer_id" {
		t.Errorf("failed test read as %+v", a)
	}
	if w.Severity != 4 || w.Table != "sales.refunds" {
		t.Errorf("warning read as %+v", w)
	}
}

func TestElementaryPassResolvesAndOneRowIsEnough(t *testing.T) {
	body := `{"test_unique_id": "test.shop.not_null_orders_customer_id", "schema_name": "sales", "table_name": "orders", "status": "pass"}`
	got, err := Parse(SourceElementary, []byte(body), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Status != Resolved {
		t.Errorf("read as %+v", got)
	}
	arr, err := Parse(SourceElementary, []byte("["+body+"]"), Options{})
	if err != nil || len(arr) != 1 {
		t.Errorf("an array of one row: %v, %+v", err, arr)
	}
}

func TestElementaryRefusesRowsWithoutTestOrStatus(t *testing.T) {
	for _, body := range []string{`{"table_name": "orders", "status": "fail"}`, `{"test_unique_id": "t"}`, `"fail"`} {
		if _, err := Parse(SourceElementary, []byte(body), Options{}); err == nil {
			t.Errorf("accepted %s", body)
		}
	}
}
