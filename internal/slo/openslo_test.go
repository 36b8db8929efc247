package slo

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/catalog"
)

func TestOpenSLORoundTrip(t *testing.T) {
	dur := func(d time.Duration) catalog.Duration { return catalog.Duration{Duration: d} }
	ds := catalog.Dataset{Name: "orders", Table: "public.orders", SLOs: []catalog.SLO{
		{Name: "orders-fresh", Kind: catalog.Freshness, Threshold: dur(26 * time.Hour), Objective: 0.99, Window: dur(28 * 24 * time.Hour), Interval: dur(10 * time.Minute)},
		{Name: "orders-volume", Kind: catalog.Volume, MinRows: 50, Objective: 0.995, Window: dur(7 * 24 * time.Hour), Interval: dur(time.Hour)},
	}}
	var b strings.Builder
	if err := ExportOpenSLO(&b, []catalog.Dataset{ds}, nil); err != nil {
		t.Fatal(err)
	}
	text := b.String()
	for _, want := range []string{"apiVersion: openslo/v1", "kind: SLO", "service: orders", "duration: 28d", "isRolling: true", "target: 0.99", "type: dre", "threshold: 26h"} {
		if !strings.Contains(text, want) {
			t.Errorf("export lacks %q:\n%s", want, text)
		}
	}
	got, err := ImportOpenSLO([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, map[string][]catalog.SLO{"orders": ds.SLOs}) {
		t.Errorf("import(export) = %+v, want %+v", got, ds.SLOs)
	}
}

func TestOpenSLOImportRefusesForeignMetricSources(t *testing.T) {
	doc := "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: x}\nspec:\n  service: s\n  indicator:\n    spec:\n      ratioMetric:\n        good: {metricSource: {type: prometheus}}\n"
	if _, err := ImportOpenSLO([]byte(doc)); err == nil || !strings.Contains(err.Error(), `type "prometheus"`) {
		t.Errorf("ImportOpenSLO(prometheus source) = %v, want an error naming the type", err)
	}
}
