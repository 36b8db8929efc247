package alerts

import "testing"

// sodaCloudBody is a checkEvaluation webhook of Soda Cloud.
const sodaCloudBody = `{
  "event": "checkEvaluation",
  "checkResults": [{
    "id": "chk-7", "sodaCloudUrl": "https://cloud.soda.io/checks/chk-7", "definition": "row_count > 0",
    "column": "", "outcome": "fail", "dataTimestamp": "2026-12-06T07:00:00Z", "diagnostics": {"value": 0},
    "datasets": [{"id": "ds-1", "name": "orders", "label": "orders", "datasource": {"id": "src-1", "name": "warehouse_pg"},
                  "owner": {"email": "data@example.com"}, "attributes": []}]
  }]
}`

// sodaScanBody is what soda-core's Scan.get_scan_results() returns.
const sodaScanBody = `{
  "definitionName": "nightly", "defaultDataSource": "warehouse_pg", "dataTimestamp": "2026-12-06T07:00:00Z",
  "hasFailures": false, "hasWarnings": true, "hasErrors": false,
  "checks": [
    {"identity": "a1b2", "name": "duplicate_count(order_id) = 0", "type": "generic", "definition": "checks for orders",
     "dataSource": "warehouse_pg", "table": "orders", "column": "order_id", "outcome": "warn", "diagnostics": {}},
    {"identity": "c3d4", "name": "row_count > 0", "dataSource": "warehouse_pg", "table": "orders", "outcome": "pass"}
  ]
}`

func TestSodaCloudWebhook(t *testing.T) {
	got, err := Parse(SourceSoda, []byte(sodaCloudBody), Options{})
	if err != nil {
		t.Fatal(err)
	}
	a := got[0]
	if len(got) != 1 || a.Fingerprint != "chk-7/orders" || a.Status != Firing || a.Table != "orders" ||
		a.Labels["datasource"] != "warehouse_pg" || a.URL != "https://cloud.soda.io/checks/chk-7" || a.Severity != 3 {
		t.Errorf("read as %+v", got)
	}
}

func TestSodaScanResults(t *testing.T) {
	got, err := Parse(SourceSoda, []byte(sodaScanBody), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Severity != 4 || got[0].Status != Firing || got[1].Status != Resolved || got[1].Fingerprint != "c3d4" {
		t.Errorf("read as %+v", got)
	}
}

func TestSodaRefusesChecksWithoutIdentity(t *testing.T) {
	for _, body := range []string{`{"checks": [{"table": "orders", "outcome": "fail"}]}`,
		`{"checkResults": [{"id": "x", "outcome": "fail"}]}`, `{"event": "validate"}`} {
		if _, err := Parse(SourceSoda, []byte(body), Options{}); err == nil {
			t.Errorf("accepted %s", body)
		}
	}
}
