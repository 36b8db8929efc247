package alerts

import (
	"strings"
	"testing"

	"github.com/dre-dev/dre/internal/catalog"
)

func testCatalog() *catalog.Catalog {
	return catalog.New([]catalog.Dataset{
		{Name: "orders", Warehouse: "pg", Table: "sales.orders"},
		{Name: "refunds", Warehouse: "pg", Table: "sales.refunds"},
		{Name: "events_eu", Warehouse: "eu", Table: "raw.events"},
		{Name: "events_us", Warehouse: "us", Table: "raw.events"},
	})
}

func TestMapperFindsDatasets(t *testing.T) {
	m := NewMapper([]Rule{
		{Source: SourceAlertmanager, Match: map[string]string{"job": "eu-loader"}, Dataset: "events_eu"},
		{Match: map[string]string{"team": "refunds"}, Dataset: "refunds"},
	}, testCatalog())
	for name, tc := range map[string]struct {
		alert Alert
		want  string
	}{
		"rule by label":          {Alert{Source: SourceAlertmanager, Labels: map[string]string{"job": "eu-loader"}, Table: "raw.events"}, "events_eu"},
		"rule of another source": {Alert{Source: SourceSoda, Labels: map[string]string{"job": "eu-loader", "team": "refunds"}}, "refunds"},
		"dataset label":          {Alert{Labels: map[string]string{"dataset": "orders"}}, "orders"},
		"exact table":            {Alert{Table: "sales.orders"}, "orders"},
		"quoted, upper case":     {Alert{Table: `"Sales"."Orders"`}, "orders"},
		"more qualified":         {Alert{Table: "analytics:sales.orders"}, "orders"},
		"less qualified":         {Alert{Table: "refunds"}, "refunds"},
	} {
		d, miss := m.Dataset(tc.alert)
		if d.Name != tc.want {
			t.Errorf("%s: got %q (%s), want %s", name, d.Name, miss, tc.want)
		}
	}
}

func TestMapperExplainsMisses(t *testing.T) {
	m := NewMapper(nil, testCatalog())
	for table, want := range map[string]string{"": "names no table", "sales.payments": "no catalog dataset", "raw.events": "matches 2 datasets"} {
		d, miss := m.Dataset(Alert{Table: table})
		if d.Name != "" || !strings.Contains(miss, want) {
			t.Errorf("table %q: got %q, miss %q, want %q", table, d.Name, miss, want)
		}
	}
}
