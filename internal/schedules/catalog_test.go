package schedules

import (
	"testing"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/workflows"
)

func TestFromCatalogCarriesOnlyLifecycleDatasets(t *testing.T) {
	life := &catalog.Lifecycle{DeprecateOn: catalog.Date{Year: 2027, Month: 3, Day: 1}, FinalAction: catalog.FinalDrop}
	cat := catalog.New([]catalog.Dataset{
		{Name: "orders", Warehouse: "wh", Table: "public.orders"},
		{Name: "legacy", Warehouse: "wh", Table: "public.legacy", Lifecycle: life},
	})
	got := FromCatalog(cat, "dre")
	if len(got) != 1 || got[0].ID != LifecycleSweepID || got[0].Workflow != workflows.LifecycleSweepWorkflowName {
		t.Fatalf("FromCatalog = %+v; want the lifecycle sweep alone", got)
	}
	in := got[0].Args[0].(workflows.LifecycleSweepInput)
	if len(in.Datasets) != 1 || in.Datasets[0].Name != "legacy" {
		t.Errorf("sweep datasets %+v; want legacy only", in.Datasets)
	}
	if again := FromCatalog(cat, "dre"); again[0].hash() != got[0].hash() {
		t.Error("the same catalog hashed differently: every sync would update the schedule")
	}
	if other := FromCatalog(cat, "other-queue"); other[0].hash() == got[0].hash() {
		t.Error("a new task queue left the hash unchanged: sync would not update the schedule")
	}
	if s := FromCatalog(catalog.New(nil), "dre"); s != nil {
		t.Errorf("FromCatalog without lifecycles = %+v; want none, so that sync deletes the sweep", s)
	}
}

func TestFromCatalogCarriesDownstreamDatasets(t *testing.T) {
	life := &catalog.Lifecycle{DeprecateOn: catalog.Date{Year: 2027, Month: 3, Day: 1}, FinalAction: catalog.FinalDrop}
	cat := catalog.New([]catalog.Dataset{
		{Name: "legacy", Warehouse: "wh", Table: "public.legacy", Lifecycle: life},
		{Name: "report", Warehouse: "wh", Table: "public.report", Upstream: []string{"legacy"}},
		{Name: "board", Warehouse: "wh", Table: "public.board", Upstream: []string{"report"}},
		{Name: "alone", Warehouse: "wh", Table: "public.alone", Lifecycle: life},
	})
	in := FromCatalog(cat, "dre")[0].Args[0].(workflows.LifecycleSweepInput)
	down := in.Downstream["legacy"]
	if len(down) != 2 || down[0].Name != "board" || down[1].Name != "report" {
		t.Errorf("downstream of legacy = %+v; want board and report", down)
	}
	if _, ok := in.Downstream["alone"]; ok {
		t.Errorf("alone has downstream %+v; want none", in.Downstream["alone"])
	}
}
