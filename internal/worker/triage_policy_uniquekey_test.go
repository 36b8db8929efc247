package worker

import (
	"slices"
	"testing"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/config"
)

// TestTriageUniqueKeyFallsBackToTheCatalog: a dataset whose unique_key
// came from the catalog (or a dbt import) gets the duplicates check
// without repeating the key under triage:, which still wins when set.
func TestTriageUniqueKeyFallsBackToTheCatalog(t *testing.T) {
	cfg := config.Defaults()
	policies := TriagePolicies(cfg)
	ds := catalog.Dataset{Name: "orders", UniqueKey: []string{"order_id"}}
	if got := policies(ds).UniqueKey; !slices.Equal(got, []string{"order_id"}) {
		t.Errorf("unique key %v; want the catalog's [order_id]", got)
	}
	if got := policies(catalog.Dataset{Name: "events"}).UniqueKey; len(got) != 0 {
		t.Errorf("unique key %v for a dataset that declares none; want none (the check is skipped)", got)
	}
}
