package dbt

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/lineage"
)

// load imports testdata/file into the warehouse "wh", failing the test
// unless the result passes the catalog's own checks.
func load(t *testing.T, file string) (Result, map[string]catalog.Dataset) {
	t.Helper()
	data, err := os.ReadFile("testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Import(data, "wh")
	if err != nil {
		t.Fatalf("Import(%s): %v", file, err)
	}
	if ps := append(catalog.ValidateAll(res.Datasets, []string{"wh"}), lineage.Check(res.Datasets)...); len(ps) > 0 {
		t.Fatalf("%s imports datasets dre.yaml would reject: %v", file, ps)
	}
	byName := map[string]catalog.Dataset{}
	for _, d := range res.Datasets {
		byName[d.Name] = d
	}
	return res, byName
}

// check compares fmt.Sprint of got with want.
func check(t *testing.T, what string, got any, want string) {
	t.Helper()
	if s := fmt.Sprint(got); s != want {
		t.Errorf("%s = %s, want %s", what, s, want)
	}
}

func TestImportV9(t *testing.T) {
	res, ds := load(t, "manifest_v9.json")
	check(t, "version", res.Version, "9")
	check(t, "datasets", names(res), "[country_codes customers orders orders_snapshot raw_customers raw_orders]")
	orders := ds["orders"]
	check(t, "orders table", orders.Table, "public.orders")
	// stg_orders is ephemeral: orders reads raw.orders through it.
	check(t, "orders upstream", orders.Upstream, "[country_codes raw_orders]")
	check(t, "orders owner from its group", orders.Owner.Team, "commerce-data")
	check(t, "orders partition", *orders.Partition, "{order_date day}")
	check(t, "orders unique key", orders.UniqueKey, "[order_id]")
	check(t, "orders description", orders.Description, "One row per order, with its country.")
	// The raw source and the analytics model share public.orders in
	// two databases: two datasets.
	raw := ds["raw_orders"]
	check(t, "raw orders", []string{raw.Table, raw.Labels["dbt_database"], orders.Labels["dbt_database"]}, "[public.orders raw analytics]")
	check(t, "source owner from source meta", raw.Owner.Team, "ingest")
	check(t, "source freshness column", raw.FreshnessColumn, "_loaded_at")
	customers := ds["customers"]
	check(t, "customers owner", customers.Owner, "{crm-data #crm-data }")
	check(t, "customers unique key", customers.UniqueKey, "[customer_id region]")
	check(t, "customers upstream", customers.Upstream, "[orders raw_customers]")
	check(t, "snapshot", []any{ds["orders_snapshot"].Table, ds["orders_snapshot"].Upstream}, "[snapshots.orders_snapshot [raw_orders]]")
	check(t, "warnings", res.Warnings, "[]")
}

func TestImportV10(t *testing.T) {
	res, ds := load(t, "manifest_v10.json")
	check(t, "version", res.Version, "10")
	check(t, "datasets", names(res), "[events_daily landing_events legacy_events]")
	events := ds["events_daily"]
	check(t, "BigQuery relation", events.Table, "web.events_daily")
	check(t, "partition defaults to day", *events.Partition, "{event_date day}")
	check(t, "owner from meta", events.Owner, "{web-analytics  PWEB}")
	legacy := ds["legacy_events"]
	check(t, "alias", legacy.Table, "web.events_v0")
	check(t, "deprecation", []any{legacy.Lifecycle.DeprecateOn, legacy.Lifecycle.FinalAction}, "[2027-03-01 archive]")
	check(t, "disabled dependency left out", legacy.Upstream, "[events_daily]")
	check(t, "source table is its identifier", ds["landing_events"].Table, "landing.raw_events")
	wantWarnings(t, res, "integer-range partitioning", "is not a plain column", "model.clicks.turned_off")
}

func TestImportV11(t *testing.T) {
	res, ds := load(t, "manifest_v11.json")
	check(t, "version", res.Version, "11")
	// Two packages' dim_dates: the second takes its package's name.
	check(t, "datasets", names(res), "[date_utils_dim_dates dim_dates orders_report_v1 orders_report_v2]")
	check(t, "package clash", ds["date_utils_dim_dates"].Table, "utils.dim_dates")
	v2 := ds["orders_report_v2"]
	check(t, "versioned upstream", v2.Upstream, "[date_utils_dim_dates dim_dates]")
	check(t, "group without an owner name", v2.Owner.Team, "finance")
	check(t, "zoneless deprecation", ds["orders_report_v1"].Lifecycle.DeprecateOn, "2027-06-30")
	check(t, "warnings", res.Warnings, "[]")
}

func TestImportV12(t *testing.T) {
	res, ds := load(t, "manifest_v12.json")
	check(t, "version", res.Version, "12")
	check(t, "datasets", names(res), "[app_clicks clicks sessions]")
	s := ds["sessions"]
	// Two ephemeral models deep: sessions reads the clicks source; the
	// users source needs quoting, so it is left out.
	check(t, "upstream through ephemerals", s.Upstream, "[app_clicks]")
	check(t, "microbatch partition", *s.Partition, "{session_start hour}")
	check(t, "owner", s.Owner, "{platform-data #platform-data }")
	check(t, "date-only deprecation", s.Lifecycle.DeprecateOn, "2027-01-15")
	check(t, "same table, two databases", []string{ds["clicks"].Table, ds["app_clicks"].Table}, "[app.clicks app.clicks]")
	wantWarnings(t, res, `table app.user accounts needs quoting`)
}

func TestImportVersionErrors(t *testing.T) {
	for _, tt := range []struct{ body, want string }{
		{`{"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v8.json"}}`, "schema v8 is older"},
		{`{"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v13.json"}}`, "schema v13 is newer"},
		{`{"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/run-results/v6.json"}}`, "not a manifest schema URL"},
		{`{"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v13.json"}, "nodes": [1]}`, "schema v13 is newer"},
		{`{"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v12.json"}, "nodes": [1]}`, "reading the manifest"},
		{`{"nodes": {}}`, "metadata.dbt_schema_version is missing"},
		{`[1, 2]`, "not a dbt manifest"},
	} {
		_, err := Import([]byte(tt.body), "wh")
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Import(%s) = %v, want an error containing %q", tt.body, err, tt.want)
		}
	}
	res, err := Import([]byte(`{"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v20.json"}, "nodes": {}}`), "wh")
	if err != nil || res.Version != 12 {
		t.Errorf("v20 = %v, %v; want read as v12", res.Version, err)
	}
}

// names lists the imported dataset names.
func names(res Result) []string {
	var out []string
	for _, d := range res.Datasets {
		out = append(out, d.Name)
	}
	return out
}

// wantWarnings fails unless each fragment is in some warning.
func wantWarnings(t *testing.T, res Result, fragments ...string) {
	t.Helper()
	all := strings.Join(res.Warnings, "\n")
	for _, f := range fragments {
		if !strings.Contains(all, f) {
			t.Errorf("warnings lack %q:\n%s", f, all)
		}
	}
}
