package config

import (
	"slices"
	"strings"
	"testing"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/lineage"
)

// A catalog pointing at a manifest holds the manifest's tables with their
// upstream edges, and a hand-written dataset of the same name wins.
func TestLoadDbtManifestJoinsTheCatalog(t *testing.T) {
	cfg, err := Load("testdata/dbt/dre.yaml", nil, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cfg.Catalog.Names(), []string{"daily_takings", "ledger_payments", "stg_payments"}; !slices.Equal(got, want) {
		t.Fatalf("datasets = %v, want %v", got, want)
	}
	stg, _ := cfg.Catalog.Lookup("stg_payments")
	if stg.Warehouse != "local" || stg.Table != "staging.stg_payments" || stg.Owner.Team != "payments-team" {
		t.Errorf("stg_payments = %+v; want the manifest's model in warehouse local", stg)
	}
	takings, _ := cfg.Catalog.Lookup("daily_takings")
	if takings.FreshnessColumn != "refreshed_at" || len(takings.Upstream) != 0 || takings.Owner.Team != "" {
		t.Errorf("daily_takings = %+v; want the hand-written entry, not the manifest's model", takings)
	}
	g, err := lineage.Build(cfg.Catalog.Datasets())
	if err != nil {
		t.Fatal(err)
	}
	if got := g.Upstream("stg_payments"); !slices.Equal(got, []string{"ledger_payments"}) {
		t.Errorf("upstream of stg_payments = %v, want the source ledger_payments", got)
	}
	if got := g.Sources("ledger_payments", "stg_payments"); !slices.Equal(got, []lineage.Source{lineage.Dbt}) {
		t.Errorf("stg_payments' edge was learnt from %v, want dbt", got)
	}
	if cfg.Dbt.Manifest != "manifest.json" || cfg.Dbt.Warehouse != "local" {
		t.Errorf("cfg.Dbt = %+v", cfg.Dbt)
	}
}

// A dbt section that cannot be honoured is a problem at its key and adds
// no dataset.
func TestLoadDbtManifestProblems(t *testing.T) {
	const head = "warehouses:\n  local:\n    postgres: {dsn: {env: LOCAL_PG_DSN}}\n"
	tests := []struct {
		name, yaml, want string
	}{
		{"no warehouse", head + "dbt:\n  manifest: manifest.json\n",
			"testdata/dbt/x.yaml:5:13: dbt.manifest: dbt needs warehouse: the warehouses: entry the manifest's tables live in"},
		{"no manifest", head + "dbt:\n  warehouse: local\n",
			"testdata/dbt/x.yaml:4:1: dbt: dbt needs manifest: the path of dbt's target/manifest.json"},
		{"empty section", head + "dbt: {}\n",
			"testdata/dbt/x.yaml:4:1: dbt: dbt needs manifest: the path of dbt's target/manifest.json"},
		{"unknown warehouse", head + "dbt:\n  manifest: manifest.json\n  warehouse: lokal\n",
			`testdata/dbt/x.yaml:6:14: dbt.warehouse: warehouse "lokal" is not in warehouses:; name one of local`},
		{"no warehouses at all", "dbt:\n  manifest: manifest.json\n  warehouse: local\n",
			`testdata/dbt/x.yaml:3:14: dbt.warehouse: warehouse "local" is not in warehouses:; add it there`},
		{"missing file", head + "dbt:\n  manifest: nowhere.json\n  warehouse: local\n",
			"testdata/dbt/x.yaml:5:13: dbt.manifest: cannot read the dbt manifest: open testdata/dbt/nowhere.json: no such file or directory; run dbt compile, or fix the path (relative to this file)"},
		{"not a manifest", head + "dbt:\n  manifest: dre.yaml\n  warehouse: local\n", "testdata/dbt/x.yaml:5:13: dbt.manifest: dbt manifest dre.yaml: "},
		{"unknown key", head + "dbt:\n  manifests: manifest.json\n", "testdata/dbt/x.yaml:5:3: dbt.manifests: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("testdata/dbt/x.yaml", []byte(tt.yaml), nil, LoadOptions{})
			lines := problemLines(t, err)
			if len(lines) != 1 || len(lines[0]) < len(tt.want) || lines[0][:len(tt.want)] != tt.want {
				t.Errorf("problems = %q; want one starting %q", lines, tt.want)
			}
		})
	}
}

// A problem in a dataset from the manifest has no dre.yaml entry to
// point at, so it is placed at dbt.manifest and names the dataset; the
// hand-written side of the same cycle keeps its own position.
func TestLoadDbtManifestDatasetProblemsNameTheDataset(t *testing.T) {
	const yaml = `warehouses:
  local:
    postgres: {dsn: {env: LOCAL_PG_DSN}}
dbt: {manifest: manifest.json, warehouse: local}
datasets:
  - name: ledger_payments
    warehouse: local
    table: ledger.payments
    upstream: [daily_takings]
`
	_, err := Parse("testdata/dbt/x.yaml", []byte(yaml), nil, LoadOptions{})
	got := problemLines(t, err)
	if len(got) == 0 || !slices.ContainsFunc(got, func(l string) bool {
		return strings.Contains(l, "upstream cycle") && (strings.Contains(l, "datasets[0].upstream[0]") || strings.Contains(l, `dbt.manifest: dataset "`))
	}) {
		t.Errorf("problems = %q; want the cycle through the manifest's models", got)
	}
	for _, l := range got {
		if strings.Contains(l, "datasets[1]") || strings.Contains(l, "datasets[2]") {
			t.Errorf("problem %q points at an entry dre.yaml does not have", l)
		}
	}
}

func TestPlaceManifestProblem(t *testing.T) {
	ds := []catalog.Dataset{{Name: "orders"}, {Name: "stg_payments"}}
	p := placeManifestProblem(ds, 1, catalog.Problem{Path: "datasets[1].upstream[0]", Message: "bad"})
	if want := (catalog.Problem{Path: "dbt.manifest", Message: `dataset "stg_payments" upstream[0] (from the manifest): bad`}); p != want {
		t.Errorf("manifest problem = %+v, want %+v", p, want)
	}
	written := catalog.Problem{Path: "datasets[0].table", Message: "bad"}
	if p := placeManifestProblem(ds, 1, written); p != written {
		t.Errorf("hand-written problem moved to %+v", p)
	}
}
