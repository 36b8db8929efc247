package schedules

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/workflows"
)

// dbtManifest is a hand-made v12 manifest of one model; deprecation is
// its deprecation_date JSON value.
func dbtManifest(deprecation string) string {
	return `{
  "metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v12.json"},
  "nodes": {
    "model.till.old_takings": {
      "unique_id": "model.till.old_takings", "resource_type": "model", "name": "old_takings",
      "package_name": "till", "database": "till", "schema": "marts", "alias": "old_takings",
      "relation_name": "\"till\".\"marts\".\"old_takings\"",
      "deprecation_date": ` + deprecation + `,
      "depends_on": {"nodes": []}, "config": {"materialized": "table"}
    }
  },
  "sources": {}
}`
}

// The schedules follow the manifest each time dre.yaml is loaded, as
// dre schedules sync does: a model that gains a deprecation_date after
// dbt compile joins the lifecycle sweep without touching dre.yaml.
func TestWantedFollowsTheDbtManifest(t *testing.T) {
	dir := t.TempDir()
	yaml := "warehouses:\n  local:\n    postgres: {dsn: {env: LOCAL_PG_DSN}}\ndbt: {manifest: target/manifest.json, warehouse: local}\n"
	if err := os.MkdirAll(filepath.Join(dir, "target"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "dre.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	wanted := func(deprecation string) []Schedule {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, "target", "manifest.json"), []byte(dbtManifest(deprecation)), 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, err := config.Load(filepath.Join(dir, "dre.yaml"), nil, config.LoadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return FromCatalog(cfg.Catalog, "dre")
	}
	if got := wanted("null"); got != nil {
		t.Fatalf("schedules before any deprecation_date = %+v; want none", got)
	}
	got := wanted(`"2027-06-01T00:00:00Z"`)
	if len(got) != 1 || got[0].ID != LifecycleSweepID {
		t.Fatalf("schedules after the model's deprecation_date = %+v; want the lifecycle sweep", got)
	}
	in := got[0].Args[0].(workflows.LifecycleSweepInput)
	if len(in.Datasets) != 1 || in.Datasets[0].Name != "old_takings" || in.Datasets[0].Lifecycle.DeprecateOn.String() != "2027-06-01" {
		t.Errorf("sweep datasets = %+v; want old_takings deprecated on 2027-06-01", in.Datasets)
	}
}
