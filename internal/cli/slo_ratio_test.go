package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dre-dev/dre/internal/cli/clitest"
)

// TestSLOExportImportRatioThroughTheCLI exports a ratio SLO of a dre.yaml
// as OpenSLO with a PostgreSQL source and imports the file back.
func TestSLOExportImportRatioThroughTheCLI(t *testing.T) {
	dir := t.TempDir()
	config := `warehouses:
  wh:
    postgres:
      dsn: {env: SLO_TEST_DSN}
datasets:
  - name: orders
    warehouse: wh
    table: public.orders
    slos:
      - name: orders-paid
        kind: ratio
        good: SELECT count(*) FROM public.orders WHERE paid AND loaded_at >= {{ .From }} AND loaded_at < {{ .To }}
        total: SELECT count(*) FROM public.orders WHERE loaded_at >= {{ .From }} AND loaded_at < {{ .To }}
        objective: 0.995
        window: 28d
        interval: 15m
`
	if err := os.WriteFile(filepath.Join(dir, "dre.yaml"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DRE_CONFIG": filepath.Join(dir, "dre.yaml"), "TEMPORAL_ADDRESS": "127.0.0.1:1", "SLO_TEST_DSN": "postgres://localhost/x"}
	out := filepath.Join(dir, "slos.yaml")
	if res := clitest.Run(t, env, "slo", "export", "--openslo", "--out", out); res.Code != 0 {
		t.Fatalf("export: exit %d, %s", res.Code, res.Stderr)
	}
	doc, err := os.ReadFile(out)
	if err != nil || !strings.Contains(string(doc), "type: PostgreSQL") {
		t.Fatalf("export wrote %q, %v; want PostgreSQL sources", doc, err)
	}
	res := clitest.Run(t, env, "slo", "import", out)
	for _, want := range []string{"# dataset orders", "kind: ratio", "good: SELECT count(*) FROM public.orders WHERE paid", "interval: 15m", "window: 28d"} {
		if res.Code != 0 || !strings.Contains(res.Stdout, want) {
			t.Errorf("import: exit %d, stdout lacks %q:\n%s%s", res.Code, want, res.Stdout, res.Stderr)
		}
	}
}
