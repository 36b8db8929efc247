package activities_test

import (
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
)

// TestFreshnessBreachNamesLateUpstream measures a stale dataset whose
// declared upstream is (or is not) late itself, in real PostgreSQL:
// public.orders was loaded three days ago, public.fresh an hour ago.
func TestFreshnessBreachNamesLateUpstream(t *testing.T) {
	fresh := catalog.SLO{Name: "fresh", Kind: catalog.Freshness, Threshold: catalog.Duration{Duration: 26 * time.Hour}}
	tests := []struct {
		name     string
		upstream catalog.Dataset
		want     string // "" wants no explanation at all
	}{
		{"stale upstream with its own SLO", catalog.Dataset{Name: "raw_orders", Warehouse: "local", Table: "public.orders", FreshnessColumn: "loaded_at",
			SLOs: []catalog.SLO{{Name: "raw-fresh", Kind: catalog.Freshness, Threshold: catalog.Duration{Duration: 69 * time.Hour}}}}, "late because public.orders is 3h late"},
		{"stale upstream held to the breached threshold", catalog.Dataset{Name: "raw_orders", Warehouse: "local", Table: "public.orders", FreshnessColumn: "loaded_at"},
			"late because public.orders is 46h late"},
		{"fresh upstream", catalog.Dataset{Name: "raw_fresh", Warehouse: "local", Table: "public.fresh", FreshnessColumn: "loaded_at"}, ""},
		{"upstream without a freshness column", catalog.Dataset{Name: "raw_orders", Warehouse: "local", Table: "public.orders"}, ""},
	}
	e := newSLOEnv(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := catalog.Dataset{Name: "daily_orders", Warehouse: "local", Table: "public.orders", FreshnessColumn: "loaded_at",
				SLOs: []catalog.SLO{fresh}, Upstream: []string{tt.upstream.Name}}
			s := &activities.SLOs{Warehouses: e.s.Warehouses, Store: e.store, Catalog: catalog.New([]catalog.Dataset{tt.upstream, ds})}
			var suite testsuite.WorkflowTestSuite
			env := suite.NewTestActivityEnvironment()
			env.RegisterActivity(s)
			val, err := env.ExecuteActivity(s.MeasureSLI, activities.MeasureSLIInput{Dataset: ds, SLO: fresh, At: time.Now().UTC()})
			var m activities.Measurement
			if err == nil {
				err = val.Get(&m)
			}
			if err != nil || m.Good != 0 {
				t.Fatalf("MeasureSLI = %+v, %v; want a breach", m, err)
			}
			if got := strings.Contains(m.Detail, "late because"); tt.want == "" && got {
				t.Errorf("detail %q blames an upstream that is not late", m.Detail)
			}
			if tt.want != "" && !strings.Contains(m.Detail, tt.want) {
				t.Errorf("detail %q; want it to say %q", m.Detail, tt.want)
			}
		})
	}
}
