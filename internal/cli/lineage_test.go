package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dre-dev/dre/internal/cli/clitest"
)

// lineageConfig is raw_orders -> orders -> {revenue, churn}, revenue -> board.
const lineageConfig = `warehouses:
  local:
    postgres: {embedded: true}
datasets:
  - {name: raw_orders, warehouse: local, table: raw.orders, upstream: [shop.orders]}
  - {name: orders, warehouse: local, table: public.orders, owner: {team: commerce}, upstream: [raw_orders]}
  - {name: revenue, warehouse: local, table: public.revenue, owner: {team: finance}, upstream: [orders]}
  - {name: churn, warehouse: local, table: public.churn, upstream: [orders]}
  - {name: board, warehouse: local, table: public.board, upstream: [revenue]}
`

func TestLineageText(t *testing.T) {
	env := map[string]string{"DRE_CONFIG": writeConfig(t, lineageConfig)}
	res := clitest.Run(t, env, "lineage", "orders", "--downstream", "--depth", "1")
	if res.Code != 0 {
		t.Fatalf("exit %d", res.Code)
	}
	for _, want := range []string{"+0  ", "orders", "+1  ", "revenue", "finance", "churn"} {
		if !strings.Contains(res.Stdout, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	for _, not := range []string{"board", "raw_orders"} {
		if strings.Contains(res.Stdout, not) {
			t.Errorf("downstream at depth 1 shows %s", not)
		}
	}
}

func TestLineageFormats(t *testing.T) {
	env := map[string]string{"DRE_CONFIG": writeConfig(t, lineageConfig)}
	for format, want := range map[string]string{
		"mermaid": "flowchart LR",
		"dot":     `"raw_orders" -> "orders";`,
		"json":    `"root": "orders"`,
	} {
		res := clitest.Run(t, env, "lineage", "orders", "-o", format)
		if res.Code != 0 || !strings.Contains(res.Stdout, want) {
			t.Errorf("-o %s: exit %d, output lacks %q", format, res.Code, want)
		}
	}
	// An external table is a node too.
	if res := clitest.Run(t, env, "lineage", "shop.orders", "--downstream"); res.Code != 0 || !strings.Contains(res.Stdout, "board") {
		t.Errorf("downstream of shop.orders: exit %d, board missing", res.Code)
	}
}

func TestLineageBadInput(t *testing.T) {
	env := map[string]string{"DRE_CONFIG": writeConfig(t, lineageConfig)}
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"ordres"}, 1, `did you mean "orders"`},
		{[]string{"orders", "-o", "svg"}, 2, "want one of text, json, dot, mermaid"},
		{[]string{"orders", "--depth", "-1"}, 2, "negative"},
		{[]string{"orders", "--upstream", "--downstream"}, 2, "pass one or neither"},
	} {
		res := clitest.Run(t, env, append([]string{"lineage"}, tt.args...)...)
		if res.Code != tt.code || !strings.Contains(res.Stderr, tt.want) {
			t.Errorf("lineage %v: exit %d (want %d), stderr lacks %q", tt.args, res.Code, tt.code, tt.want)
		}
	}
}

func TestCatalogImportDbt(t *testing.T) {
	dir := t.TempDir()
	manifest := filepath.Join("..", "lineage", "dbt", "testdata", "manifest_v9.json")
	env := map[string]string{"DRE_CONFIG": writeConfig(t, lineageConfig)}
	res := clitest.Run(t, env, "catalog", "import", "dbt", "--manifest", manifest, "--warehouse", "local")
	if res.Code != 0 || !strings.Contains(res.Stdout, "- name: customers") || !strings.Contains(res.Stdout, "datasets:") {
		t.Fatalf("import to stdout: exit %d", res.Code)
	}
	if !strings.Contains(res.Stderr, "imported 6 datasets") || !strings.Contains(res.Stderr, "already in dre.yaml, so merge these by hand: orders") {
		t.Errorf("stderr lacks the summary and the clash with orders")
	}
	// The output loads as a catalog of its own.
	out := filepath.Join(dir, "dbt.yaml")
	if res := clitest.Run(t, env, "catalog", "import", "dbt", "--manifest", manifest, "--warehouse", "local", "--out", out); res.Code != 0 {
		t.Fatalf("import --out: exit %d", res.Code)
	}
	written, _ := os.ReadFile(out)
	cfg := writeConfig(t, "warehouses:\n  local:\n    postgres: {embedded: true}\n"+strings.SplitN(string(written), "\n", 3)[2])
	if res := clitest.Run(t, nil, "catalog", "lint", cfg); res.Code != 0 {
		t.Errorf("the imported datasets do not lint: %s", res.Stdout)
	}
	// A second import may replace its own file, never a hand-written one.
	if res := clitest.Run(t, env, "catalog", "import", "dbt", "--manifest", manifest, "--warehouse", "local", "--out", out); res.Code != 0 {
		t.Errorf("re-import over its own file: exit %d", res.Code)
	}
	mine := writeConfig(t, "# my config\n")
	res = clitest.Run(t, env, "catalog", "import", "dbt", "--manifest", manifest, "--warehouse", "local", "--out", mine)
	if res.Code != 1 || !strings.Contains(res.Stderr, "was not written by dre catalog import") {
		t.Errorf("overwriting a hand-written file: exit %d", res.Code)
	}
	if kept, _ := os.ReadFile(mine); string(kept) != "# my config\n" {
		t.Errorf("hand-written file changed to %q", kept)
	}
}

func TestCatalogImportDbtBadInput(t *testing.T) {
	env := map[string]string{"DRE_CONFIG": writeConfig(t, lineageConfig)}
	future := filepath.Join(t.TempDir(), "manifest.json")
	if err := os.WriteFile(future, []byte(`{"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v13.json"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--manifest", future, "--warehouse", "local"}, 1, "schema v13 is newer"},
		{[]string{"--manifest", future, "--warehouse", "lake"}, 2, `warehouse "lake" is not in`},
		{[]string{"--warehouse", "local"}, 2, "--manifest and --warehouse are required"},
		{[]string{"--manifest", "nope.json", "--warehouse", "local"}, 1, "run dbt parse first"},
	} {
		res := clitest.Run(t, env, append([]string{"catalog", "import", "dbt"}, tt.args...)...)
		if res.Code != tt.code || !strings.Contains(res.Stderr, tt.want) {
			t.Errorf("import %v: exit %d (want %d), stderr lacks %q", tt.args, res.Code, tt.code, tt.want)
		}
	}
}

func TestDeprecatePlanListsDownstreamConsumers(t *testing.T) {
	config := strings.Replace(lineageConfig, "owner: {team: commerce}, upstream: [raw_orders]}",
		"owner: {team: commerce}, upstream: [raw_orders], lifecycle: {deprecate_on: 2027-03-01, final_action: archive}}", 1)
	config = strings.Replace(config, "owner: {team: finance}", "owner: {team: finance, slack_channel: '#finance'}", 1)
	env := map[string]string{"DRE_CONFIG": writeConfig(t, config)}
	res := clitest.Run(t, env, "deprecate", "plan", "orders")
	if res.Code != 0 {
		t.Fatalf("exit %d", res.Code)
	}
	for _, want := range []string{"downstream consumers (3)", "revenue", "finance", "#finance", "churn", "board", "dre lineage orders --downstream -o mermaid"} {
		if !strings.Contains(res.Stdout, want) {
			t.Errorf("plan lacks %q", want)
		}
	}
	if strings.Contains(res.Stdout[strings.Index(res.Stdout, "downstream"):], "raw_orders") {
		t.Error("plan lists raw_orders, which is upstream, as a consumer")
	}
}
