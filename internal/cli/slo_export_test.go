package cli_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dre-dev/dre/internal/cli/clitest"
)

// sloConfig writes a catalog of one dataset with two SLOs and an
// unreachable Temporal: export reads only the catalog.
func sloConfig(t *testing.T) map[string]string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "dre.yaml")
	yaml := `warehouses:
  wh:
    postgres:
      dsn: {env: SLO_TEST_DSN}
datasets:
  - name: orders
    warehouse: wh
    table: public.orders
    freshness_column: loaded_at
    slos:
      - {name: orders-fresh, kind: freshness, threshold: 26h, objective: 0.99, window: 28d, interval: 10m}
      - {name: orders-volume, kind: volume, min_rows: 50, objective: 0.995, window: 7d, interval: 1h}
  - name: customers
    warehouse: wh
    table: public.customers
`
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return map[string]string{"DRE_CONFIG": path, "TEMPORAL_ADDRESS": "127.0.0.1:1", "SLO_TEST_DSN": "postgres://localhost/x"}
}

func TestSLOExportPrometheusRulesToAFilePromtoolAccepts(t *testing.T) {
	env := sloConfig(t)
	out := filepath.Join(t.TempDir(), "dre-slo.yml")
	res := clitest.Run(t, env, "slo", "export", "--prometheus-rules", "--out", out)
	if res.Code != 0 || !strings.Contains(res.Stdout, "wrote "+out) {
		t.Fatalf("export --prometheus-rules: exit %d, stdout %q, stderr %q", res.Code, res.Stdout, res.Stderr)
	}
	text, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	// The hourly SLO's windows round up to whole hours: 1h and 1h, 6h and 1h.
	for _, want := range []string{`window="10m"`, `slo="orders-volume", window="1h"} >= 14.4`, "alert: DreSLOPageBurn1h", "name: dre-slo-orders"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("rules lack %q:\n%s", want, text)
		}
	}
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Fatal("promtool is not installed; install it with: apt-get install -y --no-install-recommends prometheus")
	}
	if check, err := exec.Command(promtool, "check", "rules", out).CombinedOutput(); err != nil || !strings.Contains(string(check), "SUCCESS: 16 rules found") {
		t.Errorf("promtool check rules: %v\n%s", err, check)
	}
}

func TestSLOExportNeedsExactlyOneFormat(t *testing.T) {
	env := sloConfig(t)
	for _, args := range [][]string{{"slo", "export"}, {"slo", "export", "--openslo", "--prometheus-rules"}} {
		if res := clitest.Run(t, env, args...); res.Code != 2 || !strings.Contains(res.Stderr, "--openslo or --prometheus-rules") {
			t.Errorf("dre %s: exit %d, stderr %q; want a usage error naming both formats", strings.Join(args, " "), res.Code, res.Stderr)
		}
	}
	if res := clitest.Run(t, env, "slo", "export", "--prometheus-rules", "customers"); res.Code != 1 || !strings.Contains(res.Stderr, "customers has no slos") {
		t.Errorf("export of a dataset without SLOs: exit %d, stderr %q", res.Code, res.Stderr)
	}
}

func TestSLOReportChecksPeriodAndFormatBeforeDialing(t *testing.T) {
	env := sloConfig(t)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"slo", "report", "--period", "November"}, "YYYY-MM, such as 2026-11"},
		{[]string{"slo", "report", "--period", "2026-13"}, "YYYY-MM"},
		{[]string{"slo", "report", "--period", "2026-11", "-o", "html"}, "markdown (md) or csv"},
	}
	for _, c := range cases {
		if res := clitest.Run(t, env, c.args...); res.Code != 2 || !strings.Contains(res.Stderr, c.want) {
			t.Errorf("dre %s: exit %d, stderr %q; want a usage error mentioning %q", strings.Join(c.args, " "), res.Code, res.Stderr, c.want)
		}
	}
}
