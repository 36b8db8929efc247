package slo

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/catalog"
)

// ratioDocument is an OpenSLO ratio SLO as another tool writes it: SQL
// sources, no dre fields, and no interval annotation.
const ratioDocument = `apiVersion: openslo/v1
kind: SLO
metadata:
  name: orders-paid
  displayName: Orders paid on time
spec:
  service: orders
  indicator:
    metadata:
      name: orders-paid-ratio
    spec:
      ratioMetric:
        counter: true
        good:
          metricSource:
            type: PostgreSQL
            spec:
              query: SELECT count(*) FROM public.orders WHERE paid AND loaded_at >= {{ .From }} AND loaded_at < {{ .To }}
        total:
          metricSource:
            type: PostgreSQL
            spec:
              query: SELECT count(*) FROM public.orders WHERE loaded_at >= {{ .From }} AND loaded_at < {{ .To }}
  timeWindow:
    - duration: 28d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - displayName: paid
      target: 0.995
`

func TestOpenSLORatioDocumentRoundTrips(t *testing.T) {
	imported, err := ImportOpenSLO([]byte(ratioDocument))
	if err != nil {
		t.Fatal(err)
	}
	want := catalog.SLO{Name: "orders-paid", Kind: catalog.Ratio, Objective: 0.995,
		Window: catalog.Duration{Duration: 28 * 24 * time.Hour}, Interval: catalog.Duration{Duration: time.Hour},
		Good:  "SELECT count(*) FROM public.orders WHERE paid AND loaded_at >= {{ .From }} AND loaded_at < {{ .To }}",
		Total: "SELECT count(*) FROM public.orders WHERE loaded_at >= {{ .From }} AND loaded_at < {{ .To }}"}
	if !reflect.DeepEqual(imported, map[string][]catalog.SLO{"orders": {want}}) {
		t.Fatalf("import = %+v, want orders: %+v", imported, want)
	}
	ds := catalog.Dataset{Name: "orders", Warehouse: "local", Table: "public.orders", SLOs: imported["orders"]}
	var b strings.Builder
	if err := ExportOpenSLO(&b, []catalog.Dataset{ds}, map[string]string{"local": "postgres"}); err != nil {
		t.Fatal(err)
	}
	text := b.String()
	for _, want := range []string{"type: PostgreSQL", "query: SELECT count(*) FROM public.orders WHERE paid", "dre.dev/interval: 1h", "duration: 28d", "target: 0.995", "service: orders"} {
		if !strings.Contains(text, want) {
			t.Errorf("export lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "type: dre") || strings.Contains(text, "kind: ratio") {
		t.Errorf("ratio export carries dre's own source instead of SQL only:\n%s", text)
	}
	again, err := ImportOpenSLO([]byte(text))
	if err != nil || !reflect.DeepEqual(again, imported) {
		t.Errorf("import(export(import)) = %+v, %v; want %+v", again, err, imported)
	}
}

func TestOpenSLOExportsRatioAsTheWarehouseKind(t *testing.T) {
	ds := catalog.Dataset{Name: "events", Warehouse: "lake", Table: "analytics.events", SLOs: []catalog.SLO{
		{Name: "events-ok", Kind: catalog.Ratio, Good: "SELECT 1", Total: "SELECT 2", Objective: 0.9,
			Window: catalog.Duration{Duration: 7 * 24 * time.Hour}, Interval: catalog.Duration{Duration: 10 * time.Minute}}}}
	var b strings.Builder
	if err := ExportOpenSLO(&b, []catalog.Dataset{ds}, map[string]string{"lake": "bigquery"}); err != nil || !strings.Contains(b.String(), "type: BigQuery") {
		t.Errorf("export on a bigquery warehouse = %v:\n%s\nwant type: BigQuery", err, b.String())
	}
	if err := ExportOpenSLO(&strings.Builder{}, []catalog.Dataset{ds}, nil); err == nil || !strings.Contains(err.Error(), "is the dataset's warehouse configured?") {
		t.Errorf("export on an unknown warehouse: err %v, want an explanation", err)
	}
}

func TestOpenSLOImportRefusesIncompleteRatios(t *testing.T) {
	tests := []struct{ edit, with, want string }{
		{"type: PostgreSQL\n            spec:\n              query: SELECT count(*) FROM public.orders WHERE loaded_at",
			"type: BigQuery\n            spec:\n              query: SELECT count(*) FROM public.orders WHERE loaded_at", "both must read the same warehouse"},
		{"query: SELECT count(*) FROM public.orders WHERE loaded_at >= {{ .From }} AND loaded_at < {{ .To }}", "query: ' '", "each with metricSource.spec.query"},
		{"service: orders", "service: ''", "spec.service is empty"},
		{"duration: 28d", "duration: 4 weeks", "spec.timeWindow[0].duration"},
	}
	for _, tt := range tests {
		doc := strings.Replace(ratioDocument, tt.edit, tt.with, 1)
		if doc == ratioDocument {
			t.Fatalf("edit %q changed nothing", tt.edit)
		}
		if _, err := ImportOpenSLO([]byte(doc)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("import with %q: err %v, want %q", tt.with, err, tt.want)
		}
	}
}
