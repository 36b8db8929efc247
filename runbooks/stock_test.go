package runbooks

import (
	"slices"
	"testing"

	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/internal/demo"
)

// demoDatasets are the datasets of the demo catalog, which the stock
// runbooks run against.
func demoDatasets(t *testing.T) []string {
	t.Helper()
	cfg, err := config.Parse("dre.yaml", demo.Config, nil, config.LoadOptions{AllowEmbedded: true})
	if err != nil {
		t.Fatalf("demo config: %v", err)
	}
	return cfg.Catalog.Names()
}

func TestStockRunbooksLintClean(t *testing.T) {
	stock, err := Stock()
	if err != nil {
		t.Fatalf("Stock: %v", err)
	}
	var names []string
	for _, rb := range stock {
		names = append(names, rb.Name)
	}
	want := []string{"pii-leak", "schema-drift", "stale-table", "volume-drop"}
	if !slices.Equal(names, want) {
		t.Errorf("stock runbooks = %v, want %v", names, want)
	}
	for _, p := range Lint(stock, demoDatasets(t)) {
		t.Errorf("%s", p)
	}
}
