package schedules

import (
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/workflows"
)

func TestAccessReconcileRunsOverPIIDatasetsOnly(t *testing.T) {
	cat := catalog.New([]catalog.Dataset{
		{Name: "orders", Warehouse: "wh", Table: "public.orders"},
		{Name: "customers", Warehouse: "wh", Table: "public.customers", Labels: map[string]string{"tier": "gold"},
			PII: catalog.PII{Columns: map[string]catalog.PIIKind{"email": "email"}}},
	})
	got := AccessReconcile(cat, 0, "dre")
	if len(got) != 1 || got[0].ID != AccessReconcileID || got[0].Every != workflows.DefaultAccessReconcileEvery {
		t.Fatalf("AccessReconcile = %+v; want one schedule every %s", got, workflows.DefaultAccessReconcileEvery)
	}
	in := got[0].Args[0].(workflows.AccessReconcileInput)
	if len(in.Datasets) != 1 || in.Datasets[0].Name != "customers" || in.Datasets[0].Labels != nil || len(in.Datasets[0].PII.Columns) != 1 {
		t.Errorf("reconciled datasets %+v; want customers only, with its PII and without what the reconciler does not read", in.Datasets)
	}
	if every := AccessReconcile(cat, 5*time.Minute, "dre"); every[0].Every != 5*time.Minute || every[0].hash() == got[0].hash() {
		t.Errorf("access.reconcile_every 5m gave %+v; want every 5m and a new hash, so sync updates it", every[0])
	}
	if s := AccessReconcile(catalog.New([]catalog.Dataset{{Name: "orders", Warehouse: "wh", Table: "public.orders"}}), 0, "dre"); s != nil {
		t.Errorf("AccessReconcile without PII = %+v; want none, so that sync deletes the schedule", s)
	}
	if w := Wanted(cat, 0, 0, "dre"); len(w) != 1 || w[0].ID != AccessReconcileID {
		t.Errorf("Wanted = %+v; want the reconciler alone (no lifecycles)", w)
	}
}
